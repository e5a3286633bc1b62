// The idle policy of the polling lcores, kept apart from DPDK so that it is unit-tested.
//
// By default an lcore spins a few polls, then naps, so that a scanner sharing a small host with
// other work (here: the testbed's kernel routers on the same two cores) does not starve it. Each
// role has its own profile:
// - RX spins 8 polls, then naps 20 us. A nap bounds the error of RX timestamps; since replies are
//   estimated at the midpoint of their poll window (pace/arrival_window.hpp), a 20 us nap errs
//   by about 10 us, as 10 us naps did when replies were stamped with the poll's time, with half
//   the wake-ups. Measured at 100 kpps through the testbed (32,768 probes): the RX lcore's CPU time
//   went from 0.29 to 0.20 s; the kernel's forwarding runs in whichever thread is on the CPU, so
//   every wake-up also collects some of it. While polls keep coming back empty the nap grows
//   fourfold, up to 640 us (20, 80, 320, 640): at scan rates a reply comes within every 20 us nap
//   and nothing changes, but at monitor mode's small end (1,000 targets a second, a reply a
//   millisecond) 50,000 wake-ups a second of about 8 us each were nearly all its CPU (300 us of
//   CPU a probe against fping's 60). And an idle stretch starts at half the last one's naps
//   (first_nap_us), so replies a millisecond apart are found in one or two naps. The price is the
//   timestamps' error bound there: up to half the nap a reply came in, 320 us at most (each
//   reply's rtt_err_us says it); --busy-poll keeps it at a poll's length.
// - RX on rings that carry the kernel's receive stamps (af_packet rings in monitor mode, and in scans
//   and traces at -r up to stamped_nap_max_rate: pace/device_stamp.hpp) naps a fixed time between empty
//   polls: the stamp, not the poll, times a reply, so a nap costs no accuracy, only the delay before the
//   output lcore sees the reply (with the output's nap, 16 ms at most: well inside the 50 ms a round stays
//   open past its timeout). 8 ms (less if the ring would fill more than a quarter in one nap). At 1,000
//   replies a second: 125 wake-ups instead of 1,700. Only up to -r 10,000 (probes a second, which bound the
//   replies a second): above, replies come within every short nap anyway, and at 100 kpps through the testbed
//   8 ms naps left the two senders seconds behind their schedule with a CPU to spare (not yet explained; the
//   testbed's forwarding runs in whichever thread is on the CPU), so RX keeps rx_backoff there and its
//   replies still take their stamps.
// - The output lcore never spins and naps 8 ms: its records carry their timestamps, its 64k ring
//   fills in 8 ms only above 8 M replies/s, and monitor mode's rounds close a few milliseconds
//   later at most (at 1,000 replies a second, 1 ms naps were a wake-up a reply, and naps shorter
//   than RX's delivery a wake-up for nothing).
// - Once sending has ended, a reply that arrives t after the last probe has an RTT of at least t,
//   so RX naps up to 1 % of t (at most 1 ms) at once: the cooldown then costs little CPU (a 2 s
//   cooldown: about 0.1 CPU seconds, against 0.7 with 20 us naps throughout) and no timestamp moves
//   by more than 1 % of its RTT.
// Measured on this 2-core machine at 100 kpps through the testbed: with RX-like spinning on the
// output lcore too, the TX lcore waited up to 194 ms on the run queue and the achieved rate fell to
// 69-92 kpps.
#pragma once
#include <algorithm>
#include <cstdint>

namespace ics {

struct backoff_profile {
    unsigned spin_polls;    // empty polls spent spinning before the first nap
    unsigned nap_us;        // the first nap
    unsigned max_nap_us;    // each further empty poll in a row naps longer, up to this
    unsigned growth_shift;  // by 2^this
};
inline constexpr backoff_profile rx_backoff{8, 20, 640, 2};
inline constexpr backoff_profile output_backoff{0, 8000, 8000, 0};

// The nap after the `idle_polls`-th empty poll in a row (counting from 1), 0 to spin. The first nap
// is `first_us` (at least the profile's), each next one 2^growth_shift times longer up to the
// profile's cap; `stretch_us` lengthens it (the cooldown's allowance).
inline unsigned nap_us(const backoff_profile& p, unsigned idle_polls, unsigned stretch_us = 0,
                       unsigned first_us = 0) {
    if (idle_polls <= p.spin_polls) return 0;
    const unsigned cap = std::max(p.max_nap_us, p.nap_us);
    const unsigned first = std::min(std::max(first_us, p.nap_us), cap);
    const unsigned shift = std::min((idle_polls - p.spin_polls - 1) * p.growth_shift, 16u);
    return std::max(unsigned(std::min<uint64_t>(uint64_t(first) << shift, cap)), stretch_us);
}

// Where the next idle stretch starts: half of how long the last one napped before something came
// (replies a millisecond apart: 500 us, found in one or two naps instead of a ramp of four; replies
// 20 us apart: the profile's first nap). A reply then waits no longer than in the ramp's last nap,
// where it would have come in anyway.
inline unsigned first_nap_us(unsigned last_idle_us) {
    return last_idle_us / 2;
}

// RX on stamped rings: the nap, 8 ms or as long as a quarter of `ring_frames` takes to fill at
// `rate` frames a second (at least 20 us); 0 above 10,000 a second (keep rx_backoff), and a
// profile that naps it from the first empty poll.
inline constexpr uint64_t stamped_nap_max_rate = 10000;
inline unsigned stamped_rx_nap_us(uint64_t rate, unsigned ring_frames) {
    if (rate > stamped_nap_max_rate) return 0;
    const uint64_t quarter_us = rate ? uint64_t(ring_frames / 4) * 1000000 / rate : 8000;
    return unsigned(std::clamp<uint64_t>(quarter_us, 20, 8000));
}
inline backoff_profile stamped_rx_backoff(unsigned nap) {
    return {0, nap, nap, 0};
}

// The longest nap that keeps timestamps within 1 % of the RTT, `since_send_end_us` after the last
// probe left, capped at 1 ms.
inline unsigned cooldown_nap_us(uint64_t since_send_end_us) {
    return unsigned(std::min<uint64_t>(since_send_end_us / 100, 1000));
}

}  // namespace ics
