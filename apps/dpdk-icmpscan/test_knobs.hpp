// The test-only knobs (docs/testing.md, "Forcing drops"): ICS_TEST_* environment variables, read
// once at start-up into the config's set-up sizes (run/test_sizes.hpp) so that a test can make each
// drop counter move in the real binary. Unset, they change nothing.
#pragma once
#include <string>

#include "run/scan_config.hpp"
#include "util/result.hpp"

namespace ics::app {

// Reads every ICS_TEST_* variable that is set; a bad value fails with one sentence naming it.
status read_test_knobs(scan_config& c);

// "record ring 256, output nap (us) 5000" for the knobs in effect (empty when none is).
std::string describe_test_knobs(const scan_config& c);

}  // namespace ics::app
