// Test-only set-up sizes: smaller rings and pools, and a slow output lcore, so that a test can make
// each drop counter move on purpose in the real binary (tests/integration/drop_counters.sh). The
// app reads them once from ICS_TEST_* environment variables (docs/testing.md, "Forcing drops");
// 0 everywhere is a normal run. They are sizes chosen at set-up, never tested per packet; the
// metadata lists them (test_sizes) when any is set.
#pragma once

namespace ics {

struct test_sizes {
    unsigned record_ring = 0;    // ICS_TEST_RECORD_RING: records per RX lcore's ring (a power of 2)
    unsigned arp_ring = 0;       // ICS_TEST_ARP_RING: ARP frames per RX lcore's ring (a power of 2)
    unsigned mbufs = 0;          // ICS_TEST_MBUFS: mbufs in each port's pool (and no per-lcore cache)
    unsigned output_nap_us = 0;  // ICS_TEST_OUTPUT_NAP_US: the output lcore naps after each burst
    unsigned feedback_ring = 0;  // ICS_TEST_FEEDBACK_RING: trace feedback per TX lcore's ring (power of 2)
    bool any() const { return record_ring || arp_ring || mbufs || output_nap_us || feedback_ring; }
};

}  // namespace ics
