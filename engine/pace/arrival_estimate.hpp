// Receive timestamps without NIC timestamps. A frame that a poll finds arrived at some time after
// the previous poll of that queue (when that poll left the queue empty) and before this one. The
// midpoint of that gap errs by at most half the gap; stamping the poll's own time errs by up to
// the whole gap and always late. So an RX lcore that naps 20 us between empty polls stamps replies
// within about 10 us, as closely as one that stamps poll times and naps only 10 us, with half the
// wake-ups (each of which costs CPU time on a small host).
#pragma once
#include <cstdint>

namespace ics {

class arrival_estimate {
public:
    // The arrival time to stamp on the frames returned by a poll at `now` (n of at most `burst`),
    // and remember this poll for the next. Times are in any monotonic unit (the TSC).
    uint64_t polled(uint64_t now, unsigned n, unsigned burst) {
        uint64_t at = now;
        if (prev_ != 0 && now >= prev_)
            // After a full burst the queue was not emptied: what is left was waiting at prev_.
            at = prev_full_ ? prev_ : prev_ + (now - prev_) / 2;
        prev_ = now;
        prev_full_ = n >= burst;
        return at;
    }

private:
    uint64_t prev_ = 0;
    bool prev_full_ = false;
};

}  // namespace ics
