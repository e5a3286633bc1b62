// The control lcore's stop decisions (run/stop_policy.hpp), every case: what ends sending early and
// in which order, the cooldown each end leaves, and what cuts the cooldown and with which reason.
#include "run/stop_policy.hpp"

#include <gtest/gtest.h>

using namespace ics;

TEST(StopPolicy, NothingEndsSendingEarlyUntilALimitOrASignal) {
    EXPECT_EQ(early_end({0, false, 100, 200}), std::nullopt);
    EXPECT_EQ(early_end({0, false, 100, UINT64_MAX}), std::nullopt) << "no -t";
}

TEST(StopPolicy, ASignalComesFirstThenMaxResultsThenMaxRuntime) {
    EXPECT_EQ(early_end({1, true, 300, 200}), run_end::signal);
    EXPECT_EQ(early_end({2, false, 0, 200}), run_end::signal);
    EXPECT_EQ(early_end({0, true, 300, 200}), run_end::max_results);
    EXPECT_EQ(early_end({0, false, 200, 200}), run_end::max_runtime) << "-t's end is inclusive";
    EXPECT_EQ(early_end({0, false, 199, 200}), std::nullopt);
}

TEST(StopPolicy, TheCooldownEachEndLeaves) {
    EXPECT_EQ(cooldown_after(run_end::completed, 8.0), 8.0);
    EXPECT_EQ(cooldown_after(run_end::max_runtime, 8.0), 8.0);
    EXPECT_EQ(cooldown_after(run_end::signal, 8.0), 1.0) << "a signal drains for at most a second";
    EXPECT_EQ(cooldown_after(run_end::signal, 0.25), 0.25);
    EXPECT_EQ(cooldown_after(run_end::max_results, 8.0), 0.0);
    EXPECT_EQ(cooldown_after(run_end::output_error, 8.0), 1.0) << "a failed write, as a signal";
    EXPECT_EQ(cooldown_after(run_end::output_error, 0.25), 0.25);
}

TEST(StopPolicy, MaxResultsCutsTheCooldownAndNamesItselfOnlyAfterACompletedSend) {
    run_end reason = run_end::completed;
    EXPECT_TRUE(cooldown_cut(0, true, reason));
    EXPECT_EQ(reason, run_end::max_results);
    reason = run_end::max_runtime;
    EXPECT_TRUE(cooldown_cut(0, true, reason));
    EXPECT_EQ(reason, run_end::max_runtime) << "sending ended for -t first";
}

TEST(StopPolicy, AFirstSignalInTheCooldownCutsItASignalThatEndedSendingDoesNot) {
    run_end reason = run_end::completed;
    EXPECT_FALSE(cooldown_cut(0, false, reason));
    EXPECT_EQ(reason, run_end::completed);
    EXPECT_TRUE(cooldown_cut(1, false, reason));
    EXPECT_EQ(reason, run_end::signal);
    reason = run_end::signal;  // the signal already ended sending: its short cooldown runs out
    EXPECT_FALSE(cooldown_cut(1, false, reason));
    EXPECT_EQ(reason, run_end::signal);
}

// A file that cannot be written (full disk, closed pipe) ends sending before anything else: the
// replies of further probes would be lost, and a monitor run without --count would never end.
TEST(StopPolicy, AFailedWriteEndsSendingBeforeASignalOrALimit) {
    EXPECT_EQ(early_end({0, false, 100, 200, true}), run_end::output_error);
    EXPECT_EQ(early_end({1, true, 300, 200, true}), run_end::output_error);
    EXPECT_EQ(early_end({0, false, 100, UINT64_MAX, false}), std::nullopt);
}

TEST(StopPolicy, ASignalCutsAFailedWritesCooldownButTheFailureStaysTheReason) {
    run_end reason = run_end::output_error;
    EXPECT_FALSE(cooldown_cut(0, false, reason));
    EXPECT_TRUE(cooldown_cut(1, false, reason));
    EXPECT_EQ(reason, run_end::output_error);
    EXPECT_TRUE(cooldown_cut(0, true, reason));
    EXPECT_EQ(reason, run_end::output_error) << "-N reached after the failure: still the failure";
}

TEST(StopPolicy, AWriteThatFailsInTheCooldownCutsItToASecondAndBecomesTheReason) {
    for (run_end before : {run_end::completed, run_end::signal, run_end::max_runtime, run_end::max_results}) {
        run_end reason = before;
        EXPECT_EQ(cooldown_after_failure(false, reason, 7.5), std::nullopt);
        EXPECT_EQ(reason, before);
        EXPECT_EQ(cooldown_after_failure(true, reason, 7.5), 1.0);
        EXPECT_EQ(reason, run_end::output_error);
        EXPECT_EQ(cooldown_after_failure(true, reason, 0.5), std::nullopt) << "once: the cut stands";
    }
    run_end reason = run_end::completed;
    EXPECT_EQ(cooldown_after_failure(true, reason, 0.25), 0.25) << "less than a second left: kept";
}
