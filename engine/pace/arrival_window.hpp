// When did a reply arrive, and so what is its RTT? Without NIC timestamps an RX lcore only knows
// that a frame a poll returns arrived after the last poll that left the queue empty and before
// the poll that found it: the poll window. The probe's own send time (which it carries) bounds
// the arrival from below too, and on a shared core that bound matters: a poll window that opened
// before a nap of milliseconds can open long before the probe left (an estimate taken from the
// window alone then reads as a negative RTT). So the RTT is estimated per reply, as the midpoint
// of [max(window start, send time), window end], and reported with its error bound.
//
// Times: the window in TSC cycles (poll_window) and in the probes' microsecond clock
// (arrival_us: microseconds since the scan epoch, modulo 2^32; the probes carry its low 24 bits).
// docs/design.md, "Timestamps", says what each stamp means.
#pragma once
#include <cstdint>

namespace ics {

// The TSC window of one poll's frames, for one RX queue.
struct poll_window {
    uint64_t opened = 0;  // the start of the last poll that left the queue empty
    uint64_t closed = 0;  // the end of the poll that returned the frames
};

class arrival_window {
public:
    // `start`: a time before any frame could have arrived (the RX lcore's start).
    explicit arrival_window(uint64_t start = 0) : last_emptied_(start) {}

    // A poll that began at `began`, returned n frames (of at most `burst`) and ended at `ended`.
    // Returns the window those frames arrived in. A poll that returned fewer than `burst` frames
    // emptied the queue: whatever the next poll finds arrived after `began`.
    poll_window polled(uint64_t began, uint64_t ended, unsigned n, unsigned burst) {
        const poll_window w{last_emptied_, ended};
        if (n < burst) last_emptied_ = began;
        return w;
    }

private:
    uint64_t last_emptied_;
};

// A poll window in the probes' microsecond clock (floor of each end).
struct arrival_us {
    uint32_t opened = 0, closed = 0;
};

// A reply's RTT and its error: the true RTT (from the send stamp to the arrival) lies within
// rtt_us +- err_us.
struct rtt_estimate {
    uint32_t rtt_us = 0;
    uint32_t err_us = 0;
    bool clock_disagrees = false;  // the window closed before the send stamp (TX/RX clocks differ)
};

// A window that closes up to this long before the send stamp is a disagreement of the clocks;
// further back, it is a reply later than the clock's range (an RTT taken modulo 2^Bits us).
inline constexpr uint32_t max_clock_disagreement_us = 1u << 20;  // about a second

// Bits: how many low bits of the microsecond clock the probe carries (24 for the echo and trace
// probes). Differences are taken modulo 2^Bits, so the wrap of the clock costs nothing while a
// window is shorter than 2^Bits us (16.7 s at 24 bits, less the second kept for disagreements).
template <unsigned Bits>
constexpr rtt_estimate estimate_rtt(uint32_t send_us, arrival_us at) {
    constexpr uint32_t mask = Bits >= 32 ? ~0u : (1u << Bits) - 1;
    const uint32_t to_close = (at.closed - send_us) & mask;
    const uint32_t to_open = (at.opened - send_us) & mask;
    const uint32_t before_send = (send_us - at.closed) & mask;  // when it closed before the send
    if (before_send != 0 && before_send <= max_clock_disagreement_us) {
        // A reply cannot arrive before its probe left: the RX clock reads behind the TX clock.
        // The RTT is 0 within the disagreement, which is counted and flagged, never hidden.
        return {0, before_send + 1, true};
    }
    // The window opened after the probe left (its distance is within reach of the close), or
    // before (the distance wrapped): then the send stamp is the lower bound.
    const uint32_t earliest = to_open <= to_close ? to_open : 0;
    const uint32_t half = (to_close - earliest) / 2;
    // Each end is a floor of a TSC time: one more microsecond of uncertainty.
    return {to_close - half, to_close - earliest - half + 1, false};
}

}  // namespace ics
