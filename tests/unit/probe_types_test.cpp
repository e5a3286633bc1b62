#include "probe/probe_types.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(ProbeTypes, DispatchByName) {
    size_t len = 0;
    EXPECT_TRUE(with_probe_type("icmp_echo", [&](auto t) { len = decltype(t)::type::frame_len; }));
    EXPECT_EQ(len, echo_probe::frame_len);
    EXPECT_TRUE(with_probe_type("icmp6_echo", [&](auto t) { len = decltype(t)::type::frame_len; }));
    EXPECT_EQ(len, echo6_probe::frame_len);
    EXPECT_FALSE(with_probe_type("tcp_syn", [&](auto) {}));
    EXPECT_EQ(probe_type_names(), (std::vector<std::string>{"icmp_echo", "icmp6_echo"}));
}
