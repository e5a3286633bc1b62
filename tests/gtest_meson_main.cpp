// gtest's main, with the exit status meson reads: a skipped test must show as a skip, by name, in
// meson's log (gtest's own main exits 0, so meson would count a GTEST_SKIP as a pass). A run whose
// every selected test skipped exits 77 (meson's SKIP); a run where some tests skipped among others
// fails, since meson cannot name them: each test that may skip is registered as a meson test of its
// own (tests/unit/meson.build). A filter that selects no test fails too, so a renamed test cannot
// leave its meson test passing on nothing.
#include <gtest/gtest.h>

#include <cstdio>

namespace {
// The full names of the tests that skipped in this run.
void print_skipped(const char* what) {
    const testing::UnitTest& u = *testing::UnitTest::GetInstance();
    for (int s = 0; s < u.total_test_suite_count(); ++s) {
        const testing::TestSuite& suite = *u.GetTestSuite(s);
        for (int t = 0; t < suite.total_test_count(); ++t) {
            const testing::TestInfo& info = *suite.GetTestInfo(t);
            if (info.result()->Skipped()) std::printf("%s: %s.%s\n", what, suite.name(), info.name());
        }
    }
}
}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    const testing::UnitTest& u = *testing::UnitTest::GetInstance();
    if (rc != 0) return rc;
    if (u.test_to_run_count() == 0) {
        std::printf("no test selected: the --gtest_filter names no test (renamed?)\n");
        return 1;
    }
    if (u.skipped_test_count() == 0) return 0;
    if (u.skipped_test_count() == u.test_to_run_count()) {
        print_skipped("SKIP");
        return 77;
    }
    print_skipped(
        "skipped among other tests, where meson cannot report it (give it a meson test of its own)");
    return 1;
}
