#include "targets/ipv6_targets.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

using namespace ics;

namespace {

ipv6_addr addr(std::string_view text) {
    return parse_ipv6(text).value();
}

ipv6_target_list parse_ok(std::string_view text, const ipv6_target_options& options = {}) {
    auto l = parse_ipv6_target_lines(text, "hitlist", options);
    EXPECT_TRUE(l) << (l ? "" : l.error_message());
    return l ? *l : ipv6_target_list{};
}

std::string parse_error(std::string_view text, const ipv6_target_options& options = {}) {
    auto l = parse_ipv6_target_lines(text, "hitlist", options);
    EXPECT_FALSE(l) << text;
    return l ? "" : l.error_message();
}

ipv6_target_options with_rule(std::string_view rule, uint64_t seed = 1) {
    ipv6_target_options o;
    o.rule = parse_ipv6_per_prefix(rule).value();
    o.seed = seed;
    return o;
}

}  // namespace

TEST(Ipv6Targets, ReadsAHitlist) {
    const auto l = parse_ok(
        "# responsive addresses\n"
        "2001:db8::2\n"
        "\n"
        "   2001:DB8::1   # a comment\n"
        "2001:db8:0:0:0:0:0:2\n"  // the first line again, written out
        "2001:db8::3 extra columns are ignored\r\n"
        "2001:db8::9");  // no newline at the end
    EXPECT_EQ(l.targets, (std::vector<ipv6_addr>{addr("2001:db8::1"), addr("2001:db8::2"),
                                                 addr("2001:db8::3"), addr("2001:db8::9")}));
    EXPECT_EQ(l.listed, 5u);
    EXPECT_EQ(l.duplicates, 1u);
    EXPECT_EQ(l.blocklisted, 0u);
    EXPECT_TRUE(l.contains(addr("2001:db8::3")));
    EXPECT_FALSE(l.contains(addr("2001:db8::4")));
    EXPECT_EQ(parse_ok("# only comments\n\n").size(), 0u);
}

TEST(Ipv6Targets, NamesTheLineAndWhatIsWrong) {
    EXPECT_EQ(parse_error("2001:db8::1\n2001:db8::g\n"),
              "hitlist line 2: '2001:db8::g' is not an IPv6 address or prefix: write it as 2001:db8::1 or "
              "2001:db8::/48");
    EXPECT_EQ(
        parse_error("198.51.100.1\n"),
        "hitlist line 1: '198.51.100.1' is an IPv4 address; this list takes IPv6 addresses and prefixes "
        "only");
    EXPECT_EQ(parse_error("2001:db8::1/64"),
              "hitlist line 1: '2001:db8::1/64' has host bits set: did you mean "
              "2001:db8::/64?");
    EXPECT_EQ(parse_error("\n\n2001:db8::/129"),
              "hitlist line 3: '2001:db8::/129' has no prefix length of 0-128 "
              "after its '/'");
    EXPECT_NE(parse_error(std::string(5000, 'a')).find("hitlist line 1: is over 4096 characters"),
              std::string::npos);
}

TEST(Ipv6Targets, ParsesPerPrefixRules) {
    EXPECT_EQ(parse_ipv6_per_prefix("/64:1").value(), (ipv6_prefix_rule{64, 1, false}));
    EXPECT_EQ(parse_ipv6_per_prefix("/56:4:random").value(), (ipv6_prefix_rule{56, 4, true}));
    EXPECT_EQ(parse_ipv6_per_prefix("/128:1").value(), (ipv6_prefix_rule{128, 1, false}));
    EXPECT_EQ(format_ipv6_per_prefix({48, 65536, true}), "/48:65536:random");
    for (const char* bad : {"", "64:1", "/64", "/64:", "/0:1", "/129:1", "/64:0", "/64:65537",
                            "/64:1:", "/64:1:rand", "/64:1:random:x", "/ 64:1", "/64:-1"})
        EXPECT_FALSE(parse_ipv6_per_prefix(bad)) << bad;
    EXPECT_EQ(parse_ipv6_per_prefix("/128:2").error_message(),
              "--ipv6-per-prefix '/128:2': a /128 holds one address; give /128:1");
}

TEST(Ipv6Targets, TakesTheLowInterfaceIdsOfEverySubPrefix) {
    const auto l = parse_ok("2001:db8:1::/48\n", with_rule("/64:1"));
    ASSERT_EQ(l.size(), 65536u);
    for (uint64_t i = 0; i < l.size(); ++i)
        ASSERT_EQ(l.at(i), (ipv6_addr{addr("2001:db8:1::").hi + i, 1})) << i;
    const auto four = parse_ok("2001:db8:2::/56\n", with_rule("/64:4"));
    ASSERT_EQ(four.size(), 256u * 4);
    for (uint64_t i = 0; i < four.size(); ++i)
        ASSERT_EQ(four.at(i), (ipv6_addr{addr("2001:db8:2::").hi + i / 4, i % 4 + 1})) << i;
}

TEST(Ipv6Targets, KeepsALineNarrowerThanTheRuleWhole) {
    EXPECT_EQ(parse_ok("2001:db8::100/120\n", with_rule("/64:2")).targets,
              (std::vector<ipv6_addr>{addr("2001:db8::101"), addr("2001:db8::102")}));
    const auto every = parse_ok("2001:db8::100/120\n", with_rule("/128:1"));
    ASSERT_EQ(every.size(), 256u);
    for (uint64_t i = 0; i < 256; ++i) ASSERT_EQ(every.at(i), (ipv6_addr{addr("2001:db8::").hi, 0x100 + i}));
    EXPECT_EQ(
        parse_error("2001:db8::/126\n", with_rule("/64:4")),
        "hitlist line 1: 2001:db8::/126 has room for 3 interface ids, and --ipv6-per-prefix /64:4 asks for 4 "
        "in it: name a shorter prefix or ask for fewer");
    EXPECT_EQ(
        parse_error("2001:db8::/124\n", with_rule("/126:4")),
        "hitlist line 1: 2001:db8::/124 cut into /126s has room for 3 interface ids in each, and "
        "--ipv6-per-prefix /126:4 asks for 4: give --ipv6-per-prefix a shorter length or a smaller count");
    EXPECT_FALSE(parse_ipv6_target_lines("2001:db8::/126\n", "x", with_rule("/64:4:random")));
    EXPECT_EQ(parse_ok("2001:db8::/126\n", with_rule("/64:3")).size(), 3u);
}

// Keyed-random interface ids: every address in its own sub-prefix, COUNT of them in each, the same
// with the same seed and others with another.
TEST(Ipv6Targets, DrawsKeyedRandomInterfaceIds) {
    const auto a = parse_ok("2001:db8:3::/52\n", with_rule("/60:3:random", 7));
    const auto again = parse_ok("2001:db8:3::/52\n", with_rule("/60:3:random", 7));
    const auto other = parse_ok("2001:db8:3::/52\n", with_rule("/60:3:random", 8));
    ASSERT_EQ(a.size(), 256u * 3);
    EXPECT_EQ(a.targets, again.targets);
    std::map<ipv6_addr, int> per_sub;
    std::set<uint64_t> low_words;
    for (const ipv6_addr& t : a.targets) {
        EXPECT_TRUE((ipv6_prefix{addr("2001:db8:3::"), 52}.contains(t)));
        ++per_sub[t & ipv6_mask(60)];
        low_words.insert(t.lo);
    }
    EXPECT_EQ(per_sub.size(), 256u);
    for (const auto& [sub, n] : per_sub) EXPECT_EQ(n, 3) << format_ipv6(sub);
    EXPECT_EQ(low_words.size(), a.size());  // 64 random bits a word: no repeats expected
    size_t shared = 0;
    for (const ipv6_addr& t : other.targets) shared += a.contains(t);
    EXPECT_EQ(shared, 0u);
}

// In sub-prefixes with little room, keyed-random ids are still COUNT distinct ones, never ::0.
TEST(Ipv6Targets, DrawsDistinctRandomIdsWhereRoomIsShort) {
    for (uint32_t count : {1u, 3u}) {
        const auto l =
            parse_ok("2001:db8::/126\n", with_rule("/64:" + std::to_string(count) + ":random", count));
        EXPECT_EQ(l.size(), count);
        EXPECT_EQ(l.duplicates, 0u);
        EXPECT_FALSE(l.contains(addr("2001:db8::")));
    }
    for (uint32_t count : {200u, 255u}) {
        const auto l =
            parse_ok("2001:db8::100/120\n", with_rule("/120:" + std::to_string(count) + ":random", count));
        EXPECT_EQ(l.size(), count);
        EXPECT_EQ(l.duplicates, 0u);
        EXPECT_FALSE(l.contains(addr("2001:db8::100")));
    }
}

TEST(Ipv6Targets, RefusesTooManyTargetsBeforeMakingThem) {
    ipv6_target_options o = with_rule("/64:1");
    EXPECT_EQ(
        parse_error("2001:db8::/32\n", o),
        "hitlist line 1: 2001:db8::/32 with --ipv6-per-prefix /64:1 makes 4294967296 addresses, more than "
        "the "
        "268435456 a target list may hold: name longer prefixes or give --ipv6-per-prefix a shorter length");
    // 2^63 sub-prefixes of two addresses each: 2^64, past a 64-bit count.
    EXPECT_NE(parse_error("::/1\n", with_rule("/64:2")).find("makes 18446744073709551616 addresses"),
              std::string::npos);
    EXPECT_NE(parse_error("::/0\n", with_rule("/128:1")).find("makes 2^128 x 1 addresses"),
              std::string::npos);
    o.max_targets = 3;
    EXPECT_EQ(parse_ok("2001:db8::1\n2001:db8::1\n2001:db8::2\n", o).size(), 2u);
    EXPECT_EQ(
        parse_error("2001:db8::1\n2001:db8::2\n2001:db8::3\n2001:db8::4\n", o),
        "hitlist line 4: '2001:db8::4' is past the 3 addresses a target list may hold (repeats count until "
        "they are removed): split the list and scan it in parts");
}

TEST(Ipv6Targets, LeavesOutTheBlocklist) {
    const auto blocklist = parse_ipv6_blocklist_lines("2001:db8:1::/64\n2001:db8::5\n", "blocklist").value();
    ipv6_target_options o = with_rule("/64:2");
    o.blocklist = &blocklist;
    const auto l = parse_ok("2001:db8:1::/63\n2001:db8::4\n2001:db8::5\n2001:db8::5\n", o);
    EXPECT_EQ(l.targets, (std::vector<ipv6_addr>{addr("2001:db8::4"), addr("2001:db8:1:1::1"),
                                                 addr("2001:db8:1:1::2")}));
    EXPECT_EQ(l.listed, 7u);
    EXPECT_EQ(l.duplicates, 1u);
    EXPECT_EQ(l.blocklisted, 3u);
    const ipv6_range_set by_default = default_ipv6_blocklist();
    o.blocklist = &by_default;
    EXPECT_EQ(parse_ok("2001:db8::1\n", o).size(), 0u);  // documentation space is not scanned by default
}

// Several sources (arguments, -I, -w): the union, its counts adding up; index_of finds each target
// at its place and nothing else.
TEST(Ipv6Targets, MergesListsAndFindsIndexes) {
    const ipv6_target_options o = with_rule("/64:1");
    const auto a = parse_ok("2001:db8::1\n2001:db8::3\n2001:db8::3\n", o);
    const auto b = parse_ok("2001:db8::2\n2001:db8::3\n2001:db8:1::/63\n", o);
    const auto m = merge_target_lists(a, b);
    EXPECT_EQ(m.targets,
              (std::vector<ipv6_addr>{addr("2001:db8::1"), addr("2001:db8::2"), addr("2001:db8::3"),
                                      addr("2001:db8:1::1"), addr("2001:db8:1:1::1")}));
    EXPECT_EQ(m.listed, a.listed + b.listed);
    EXPECT_EQ(m.duplicates, 2u);  // ::3 twice in a, and once more in b
    EXPECT_EQ(m.listed, m.size() + m.duplicates + m.blocklisted);
    for (uint64_t i = 0; i < m.size(); ++i) EXPECT_EQ(m.index_of(m.at(i)), std::optional<uint64_t>(i));
    EXPECT_EQ(m.index_of(addr("2001:db8::4")), std::nullopt);
    EXPECT_EQ(m.index_of(addr("::")), std::nullopt);
    EXPECT_EQ(m.index_of(addr("ffff::")), std::nullopt);
}

// The file's reader gives what the text's parser gives, with lines cut by its 1 MiB chunks.
TEST(Ipv6Targets, ReadsAFileInChunks) {
    const auto path =
        std::filesystem::temp_directory_path() / ("ipv6_targets_test." + std::to_string(getpid()));
    std::string text;
    std::mt19937_64 rng(3);
    while (text.size() < 3u << 20) {
        text += format_ipv6({0x20010db800000000ull | (rng() & 0xffffffff), rng() % 4096});
        text += rng() % 5 ? "\n" : "  # note\n";
    }
    text += "2001:db8::/120";  // no newline at the end
    std::ofstream(path, std::ios::binary) << text;
    const auto from_file = read_ipv6_target_file(path.string(), with_rule("/128:1"));
    const auto from_text = parse_ipv6_target_lines(text, "x", with_rule("/128:1"));
    std::filesystem::remove(path);
    ASSERT_TRUE(from_file) << from_file.error_message();
    ASSERT_TRUE(from_text);
    EXPECT_EQ(from_file->targets, from_text->targets);
    EXPECT_EQ(from_file->listed, from_text->listed);
    EXPECT_EQ(from_file->duplicates, from_text->duplicates);
    EXPECT_GT(from_file->size(), 100000u);
    const std::string dir = std::filesystem::temp_directory_path().string();
    EXPECT_EQ(read_ipv6_target_file(dir, {}).error_message(),
              "cannot read IPv6 target file '" + dir + "': it is a directory; name a file of targets");
    EXPECT_NE(read_ipv6_target_file(path.string(), {}).error_message().find("cannot read IPv6 target file"),
              std::string::npos);
}

TEST(Ipv6Targets, ReportsAnErrorOnALaterChunksLine) {
    const auto path =
        std::filesystem::temp_directory_path() / ("ipv6_targets_bad." + std::to_string(getpid()));
    std::string text;
    for (int i = 0; i < 200000; ++i) text += "2001:db8::1\n";
    text += "2001:db8::zz\n";
    std::ofstream(path, std::ios::binary) << text;
    const auto l = read_ipv6_target_file(path.string(), {});
    std::filesystem::remove(path);
    ASSERT_FALSE(l);
    EXPECT_NE(l.error_message().find("' line 200001: '2001:db8::zz' is not an IPv6 address"),
              std::string::npos)
        << l.error_message();
}
