// The monitor's labelled target file: every error sentence word for word, grouping by label sets
// in any order and by --group-by prefixes, mixed files, overlaps, the group cap, and a property
// test against a naive per-address map of random files.
#include "monitor/monitor_targets.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include <fmt/format.h>

#include "net/ipv4_address.hpp"

using namespace ics;

namespace {

monitor_target_list parsed(std::string_view text, unsigned group_by = 24) {
    auto r = parse_monitor_targets(text, "t", group_by);
    EXPECT_TRUE(r) << r.error_message();
    return r ? std::move(*r) : monitor_target_list{};
}

std::string error_of(std::string_view text, unsigned group_by = 24) {
    auto r = parse_monitor_targets(text, "t", group_by);
    EXPECT_FALSE(r) << text;
    return r ? std::string() : r.error_message();
}

uint64_t index(const monitor_target_list& l, const char* addr) {
    return *l.targets.index_of(*parse_ipv4(addr));
}

std::string labels_of(const monitor_target_list& l, const char* addr) {
    return l.groups.at(l.group_of(index(l, addr))).prometheus_labels;
}

}  // namespace

TEST(MonitorTargets, LabelledLinesWithTheSameSetShareAGroup) {
    const auto l = parsed(
        "198.18.4.0/24            pop=ams customer=42   # the issue's example\n"
        "198.18.9.1-198.18.9.20   customer=42 pop=ams\n"
        "192.0.2.0/25\n");
    EXPECT_EQ(l.targets.size(), 256u + 20 + 128);
    ASSERT_EQ(l.groups.size(), 2u);
    // Numbered by their first target in address order: 192.0.2.0 comes first.
    EXPECT_EQ(l.groups[0].prometheus_labels, "prefix=\"192.0.2.0/24\"");
    EXPECT_EQ(l.groups[0].labels, (std::vector<monitor_label>{{"prefix", "192.0.2.0/24"}}));
    EXPECT_EQ(l.groups[0].target_count, 128u);
    EXPECT_EQ(l.groups[1].prometheus_labels, "customer=\"42\",pop=\"ams\"");
    EXPECT_EQ(l.groups[1].labels, (std::vector<monitor_label>{{"customer", "42"}, {"pop", "ams"}}));
    EXPECT_EQ(l.groups[1].target_count, 276u);
    ASSERT_EQ(l.runs.size(), 2u);
    EXPECT_EQ(l.runs[0].first_target, 0u);
    EXPECT_EQ(l.runs[0].group, 0u);
    EXPECT_EQ(l.runs[1].first_target, 128u);
    EXPECT_EQ(l.runs[1].group, 1u);
    EXPECT_EQ(labels_of(l, "198.18.9.20"), "customer=\"42\",pop=\"ams\"");
    EXPECT_EQ(labels_of(l, "192.0.2.127"), "prefix=\"192.0.2.0/24\"");
}

TEST(MonitorTargets, DifferentValuesOrKeysAreDifferentGroups) {
    const auto l = parsed(
        "198.18.1.1 pop=ams\n198.18.1.2 pop=fra\n198.18.1.3 site=ams\n198.18.1.4 pop=ams site=x\n"
        "198.18.1.5 site=x pop=ams\n198.18.1.6 pop=ams\n");
    ASSERT_EQ(l.groups.size(), 4u);
    const std::vector<std::string> expected = {
        "pop=\"ams\"", "pop=\"fra\"", "site=\"ams\"", "pop=\"ams\",site=\"x\"", "pop=\"ams\",site=\"x\"",
        "pop=\"ams\""};
    for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(l.groups[l.group_of(i)].prometheus_labels, expected[i]) << i;
    EXPECT_EQ(l.groups[0].target_count, 2u);
    EXPECT_EQ(l.groups[3].target_count, 2u);
    // Values keep what follows the first '=', and non-ASCII text.
    const auto v = parsed("198.18.1.1 url=a=b city=Z\xc3\xbcrich\n");
    EXPECT_EQ(v.groups.at(0).prometheus_labels, "city=\"Z\xc3\xbcrich\",url=\"a=b\"");
}

TEST(MonitorTargets, AdjacentLinesOfOneGroupMakeOneRun) {
    const auto l = parsed("198.18.1.0/25 pop=ams\n198.18.1.128/25 pop=ams\n198.18.2.0/24 pop=ams\n");
    ASSERT_EQ(l.runs.size(), 1u);
    EXPECT_EQ(l.groups.size(), 1u);
    EXPECT_EQ(l.groups[0].target_count, 512u);
    EXPECT_EQ(l.targets.ranges().size(), 1u);
}

TEST(MonitorTargets, GroupByPrefixLengths) {
    const char* text = "198.18.3.250-198.18.4.5\n";
    const auto by24 = parsed(text, 24);
    ASSERT_EQ(by24.groups.size(), 2u);
    EXPECT_EQ(by24.groups[0].prometheus_labels, "prefix=\"198.18.3.0/24\"");
    EXPECT_EQ(by24.groups[0].target_count, 6u);
    EXPECT_EQ(by24.groups[1].prometheus_labels, "prefix=\"198.18.4.0/24\"");
    EXPECT_EQ(by24.groups[1].target_count, 6u);
    EXPECT_EQ(by24.group_ids(), (std::vector<uint32_t>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
    const auto by16 = parsed(text, 16);
    ASSERT_EQ(by16.groups.size(), 1u);
    EXPECT_EQ(by16.groups[0].prometheus_labels, "prefix=\"198.18.0.0/16\"");
    EXPECT_EQ(by16.group_ids(), std::vector<uint32_t>(12, 0));
    const auto by32 = parsed(text, 32);
    ASSERT_EQ(by32.groups.size(), 12u);
    EXPECT_EQ(by32.groups[0].prometheus_labels, "prefix=\"198.18.3.250/32\"");
    EXPECT_EQ(by32.groups[11].prometheus_labels, "prefix=\"198.18.4.5/32\"");
    for (uint32_t i = 0; i < 12; ++i) EXPECT_EQ(by32.group_of(i), i);
    const auto by8 = parsed("198.18.0.0/15\n203.0.113.0/24\n", 8);
    ASSERT_EQ(by8.groups.size(), 2u);
    EXPECT_EQ(by8.groups[0].prometheus_labels, "prefix=\"198.0.0.0/8\"");
    EXPECT_EQ(by8.groups[1].prometheus_labels, "prefix=\"203.0.0.0/8\"");
    EXPECT_EQ(by8.groups[0].target_count, 131072u);
}

TEST(MonitorTargets, MixedFilesGroupUnlabelledLinesByPrefix) {
    // An unlabelled /24 with a labelled address inside it: the prefix group comes back after it.
    const auto l = parsed("198.18.4.1\n198.18.4.2 pop=ams\n198.18.4.3-198.18.4.4\n198.18.5.9\n");
    ASSERT_EQ(l.groups.size(), 3u);
    EXPECT_EQ(l.groups[0].prometheus_labels, "prefix=\"198.18.4.0/24\"");
    EXPECT_EQ(l.groups[0].target_count, 3u);
    EXPECT_EQ(l.groups[1].prometheus_labels, "pop=\"ams\"");
    EXPECT_EQ(l.groups[2].prometheus_labels, "prefix=\"198.18.5.0/24\"");
    EXPECT_EQ(l.group_ids(), (std::vector<uint32_t>{0, 1, 0, 0, 2}));
    EXPECT_EQ(l.runs.size(), 4u);
    // A hand-written label set equal to a prefix group's is that group (one series, never two).
    const auto same = parsed("198.18.4.1\n198.18.9.1 prefix=198.18.4.0/24\n");
    ASSERT_EQ(same.groups.size(), 1u);
    EXPECT_EQ(same.groups[0].target_count, 2u);
}

TEST(MonitorTargets, CommentsBlankLinesAndLineEnds) {
    const auto l =
        parsed("# header\n\n   \t\n198.18.4.0/30 pop=ams # four\r\n198.18.5.1\tpop=ams\r\n#198.18.6.1\n");
    EXPECT_EQ(l.targets.size(), 5u);
    ASSERT_EQ(l.groups.size(), 1u);
    EXPECT_EQ(l.groups[0].prometheus_labels, "pop=\"ams\"");
    const auto empty = parsed("# nothing\n\n");
    EXPECT_TRUE(empty.targets.empty());
    EXPECT_TRUE(empty.groups.empty());
    EXPECT_TRUE(empty.runs.empty());
    EXPECT_TRUE(empty.group_ids().empty());
}

TEST(MonitorTargets, EveryErrorSentence) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"x pop=ams", "t line 1: 'x' is not an IPv4 address, CIDR block or range"},
        {"198.18.4.1/24", "t line 1: '198.18.4.1/24' has host bits set: did you mean 198.18.4.0/24?"},
        {"# c\n\n198.18.4.0/24 pop",
         "t line 3: 'pop' is not a label: write labels as key=value after the target"},
        {"198.18.4.0 - 198.18.4.9",
         "t line 1: '-' is not a label: write labels as key=value after the target"},
        {"198.18.4.0/24 1pop=a",
         "t line 1: '1pop' is not a valid label name: use letters, digits and '_', not starting with a "
         "digit"},
        {"198.18.4.0/24 po-p=a",
         "t line 1: 'po-p' is not a valid label name: use letters, digits and '_', not starting with a "
         "digit"},
        {"198.18.4.0/24 =a",
         "t line 1: '' is not a valid label name: use letters, digits and '_', not starting with a digit"},
        {"198.18.4.0/24 __name__=a",
         "t line 1: label name '__name__' starts with '__', which Prometheus keeps for itself"},
        {"198.18.4.0/24 pop=", "t line 1: label 'pop' has no value: write pop=VALUE"},
        {"198.18.4.0/24 pop=\"ams\"",
         "t line 1: the value of label 'pop' holds a '\"': write label values without quotes or backslashes"},
        {"198.18.4.0/24 pop=a\\b",
         "t line 1: the value of label 'pop' holds a '\\': write label values without quotes or backslashes"},
        {"198.18.4.0/24 pop=a\x01", "t line 1: the value of label 'pop' is not printable UTF-8 text"},
        {"198.18.4.0/24 pop=\xff", "t line 1: the value of label 'pop' is not printable UTF-8 text"},
        {"198.18.4.0/24 pop=\xc3", "t line 1: the value of label 'pop' is not printable UTF-8 text"},
        {"198.18.4.0/24 pop=\xed\xa0\x80", "t line 1: the value of label 'pop' is not printable UTF-8 text"},
        {"198.18.4.0/24 pop=a site=b pop=a",
         "t line 1: label 'pop' is given twice: give each key once a line"},
        {"198.18.4.1\n198.18.4.0/24",
         "t lines 1 and 2 overlap (198.18.4.1 and 198.18.4.0/24 both hold 198.18.4.1): each target belongs "
         "on "
         "one line only"},
        {"198.18.4.0/24 pop=a\n# c\n198.18.3.250-198.18.4.0 pop=a",
         "t lines 1 and 3 overlap (198.18.4.0/24 and 198.18.3.250-198.18.4.0 both hold 198.18.4.0): each "
         "target belongs on one line only"},
        {"198.18.4.7\n198.18.4.7",
         "t lines 1 and 2 overlap (198.18.4.7 and 198.18.4.7 both hold 198.18.4.7): each target belongs on "
         "one "
         "line only"},
    };
    for (const auto& [text, expected] : cases) EXPECT_EQ(error_of(text), expected) << text;
    for (std::string_view name : exporter_label_names)
        EXPECT_EQ(
            error_of(fmt::format("198.18.4.0/24 {}=a", name)),
            fmt::format("t line 1: label name '{}' is one the exporter sets itself: choose another name",
                        name));
    EXPECT_EQ(error_of("198.18.4.0/24", 7), "--group-by /7 is not a prefix length of 8 to 32");
    EXPECT_EQ(error_of("198.18.4.0/24", 33), "--group-by /33 is not a prefix length of 8 to 32");
}

TEST(MonitorTargets, AtMostSixteenLabelsALine) {
    std::string line = "198.18.4.0/24";
    for (int k = 0; k < 16; ++k) line += fmt::format(" k{}=v", k);
    EXPECT_EQ(parsed(line).groups.at(0).labels.size(), 16u);
    EXPECT_EQ(error_of(line + " k16=v"), "t line 1: more than 16 labels: a line takes at most 16");
}

TEST(MonitorTargets, RefusesMoreThanAHundredThousandGroups) {
    // 198.18.0.0/15 by /32: 131,072 prefixes (the cap is met on the way, not after the walk). By
    // /24 they are 512 groups. (Only the ranges the network rule allows appear in tests.)
    EXPECT_EQ(
        error_of("198.18.0.0/15\n", 32),
        "t: the targets fall in more than 100000 groups, too many series for Prometheus: group unlabelled "
        "targets by a shorter prefix than --group-by /32");
    EXPECT_EQ(parsed("198.18.0.0/15\n", 24).groups.size(), 512u);
    std::string labelled;
    for (uint32_t i = 0; i < 100000; ++i)
        labelled += fmt::format("{} customer={}\n", format_ipv4(0xc6120000u + i), i);
    const auto at_cap = parsed(labelled);
    EXPECT_EQ(at_cap.groups.size(), 100000u);
    EXPECT_EQ(at_cap.group_of(99999), 99999u);
    EXPECT_EQ(
        error_of(labelled + "203.0.113.1 customer=x\n"),
        "t: the targets fall in more than 100000 groups, too many series for Prometheus: give fewer distinct "
        "label sets");
}

TEST(MonitorTargets, ASmallerCapIsTheSameRule) {
    // The fuzz target's cap: the same refusals at 2 groups. Prefixes are counted once when two
    // lines share one (198.18.0.0/24 below), before any group is named.
    const auto two = parse_monitor_targets("198.18.0.0-198.18.0.5\n198.18.0.7-198.18.1.9\n", "t", 24, 2);
    ASSERT_TRUE(two) << two.error_message();
    EXPECT_EQ(two->groups.size(), 2u);
    EXPECT_EQ(parse_monitor_targets("198.18.0.0-198.18.2.0\n", "t", 24, 2).error_message(),
              "t: the targets fall in more than 2 groups, too many series for Prometheus: group unlabelled "
              "targets by a shorter prefix than --group-by /24");
    // Two prefixes, then a label set: the third group is a labelled one, refused as such.
    EXPECT_EQ(
        parse_monitor_targets("198.18.0.1\n198.18.1.1\n198.18.2.1 a=b\n", "t", 24, 2).error_message(),
        "t: the targets fall in more than 2 groups, too many series for Prometheus: give fewer distinct "
        "label sets");
}

TEST(MonitorTargets, ReadsAFile) {
    const std::string path = ::testing::TempDir() + "monitor_targets_test.txt";
    std::ofstream(path) << "198.18.4.0/24 pop=ams\n198.18.5.0/24 pop\n";
    EXPECT_EQ(
        read_monitor_target_file(path, 24).error_message(),
        fmt::format("target file '{}' line 2: 'pop' is not a label: write labels as key=value after the "
                    "target",
                    path));
    std::ofstream(path) << "198.18.4.0/24 pop=ams\n198.18.5.0/24\n";
    const auto ok = read_monitor_target_file(path, 24);
    ASSERT_TRUE(ok) << ok.error_message();
    EXPECT_EQ(ok->groups.size(), 2u);
    std::remove(path.c_str());
    EXPECT_EQ(read_monitor_target_file("/nonexistent/t.txt", 24).error_message(),
              "cannot read target file '/nonexistent/t.txt': No such file or directory");
}

namespace {

// A random file of non-overlapping specs in shuffled order, some labelled, and what each address's
// group must print (built address by address, independently of the parser's runs).
struct random_file {
    std::string text;
    std::map<ipv4_addr, std::string> expected;
};

random_file make_random_file(std::mt19937& rng, unsigned group_by) {
    const std::vector<std::string> keys = {"pop", "customer", "site", "tier"};
    const std::vector<std::string> values = {"ams", "fra", "42", "x"};
    std::vector<std::string> lines;
    random_file f;
    ipv4_addr next = 0xc6120000u + rng() % 700;  // 198.18.0.0/15 and beyond, in address order
    const int count = 1 + int(rng() % 40);
    for (int i = 0; i < count; ++i) {
        const ipv4_addr first = next + rng() % 3, last = first + (rng() % 4 == 0 ? rng() % 300 : rng() % 3);
        next = last + 1;
        std::string line = rng() % 2 ? format_ipv4(first) + "-" + format_ipv4(last) : format_ipv4(first);
        if (line.find('-') == std::string::npos) next = first + 1;
        std::map<std::string, std::string> labels;  // sorted by key, as the canonical string is
        for (unsigned k = 0, n = rng() % 4; k < n; ++k) labels[keys[rng() % 4]] = values[rng() % 4];
        std::string printed;
        for (const auto& [k, v] : labels) {
            line += " " + k + "=" + v;
            printed += (printed.empty() ? "" : ",") + k + "=\"" + v + "\"";
        }
        for (uint64_t a = first; a < next; ++a) {
            const ipv4_addr base = ipv4_addr(a) & prefix_mask(group_by);
            f.expected[ipv4_addr(a)] =
                labels.empty() ? fmt::format("prefix=\"{}/{}\"", format_ipv4(base), group_by) : printed;
        }
        lines.push_back(line);
    }
    std::shuffle(lines.begin(), lines.end(), rng);
    for (const auto& l : lines) f.text += l + "\n";
    return f;
}

}  // namespace

TEST(MonitorTargets, GroupOfEqualsANaivePerAddressMap) {
    std::mt19937 rng(14);
    for (int round = 0; round < 300; ++round) {
        const unsigned group_by = std::vector<unsigned>{8, 16, 23, 24, 30, 32}[rng() % 6];
        const random_file f = make_random_file(rng, group_by);
        const auto l = parsed(f.text, group_by);
        ASSERT_EQ(l.targets.size(), f.expected.size()) << f.text;
        const std::vector<uint32_t> ids = l.group_ids();
        ASSERT_EQ(ids.size(), f.expected.size());
        std::vector<uint64_t> counts(l.groups.size());
        for (const auto& [addr, printed] : f.expected) {
            const uint64_t i = *l.targets.index_of(addr);
            const uint32_t g = l.group_of(i);
            ASSERT_LT(g, l.groups.size());
            ASSERT_EQ(l.groups[g].prometheus_labels, printed) << format_ipv4(addr) << " in\n" << f.text;
            ASSERT_EQ(ids[i], g) << i;
            ++counts[g];
        }
        // Distinct groups print distinct labels, and each counts its own targets.
        std::map<std::string, int> seen;
        for (size_t g = 0; g < l.groups.size(); ++g) {
            EXPECT_EQ(++seen[l.groups[g].prometheus_labels], 1) << l.groups[g].prometheus_labels;
            EXPECT_EQ(l.groups[g].target_count, counts[g]) << g;
        }
    }
}
