// The registry of scan mode's probe types: the one list to extend when a probe type is added
// (-p/--probe-module names one). Scan's plan takes the type as a parameter (modes/scan_mode.hpp)
// and the driver's loops are templates instantiated once per plan (modes/plans.hpp), so the
// per-packet path never switches on the probe type and never makes a virtual call.
#pragma once
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "probe/echo6_probe.hpp"
#include "probe/echo_probe.hpp"

namespace ics {

template <typename... T>
struct probe_type_list {};

// icmp6_echo is -6's (the only IPv6 type; the app refuses a type of the other family).
using probe_types = probe_type_list<echo_probe, echo6_probe>;

// Calls f(std::type_identity<P>{}) for the probe type named `name`; false if none has that name.
template <typename F, typename... P>
bool dispatch_probe_type(std::string_view name, F&& f, probe_type_list<P...>) {
    return ((name == P::name ? (f(std::type_identity<P>{}), true) : false) || ...);
}
template <typename F>
bool with_probe_type(std::string_view name, F&& f) {
    return dispatch_probe_type(name, std::forward<F>(f), probe_types{});
}

template <typename... P>
std::vector<std::string> probe_type_names(probe_type_list<P...>) {
    return {std::string(P::name)...};
}
inline std::vector<std::string> probe_type_names() {
    return probe_type_names(probe_types{});
}

}  // namespace ics
