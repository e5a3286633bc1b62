// Which sender positions a checkpoint may claim (run/checkpoint.hpp). A probe's replies are all in
// the output once its cooldown has passed and the output lcore has flushed what had arrived by
// then; so the control lcore samples the senders' positions a few times a second, and a flush
// that began at time F covers the newest sample taken at least `hold` (the cooldown and a margin
// for the way from the wire to the output ring) before F. Pure bookkeeping on a clock of the
// caller's choice (the driver's TSC), cold path: the control lcore, a few times a second.
#pragma once
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace ics {

class checkpoint_tracker {
public:
    // `start`: each sender's positions before this run (a resumed run's), covered already.
    checkpoint_tracker(std::vector<uint64_t> start, uint64_t hold)
        : covered_(std::move(start)), hold_(hold) {}

    // The senders' positions at time t (t not before the previous sample's).
    void sample(uint64_t t, std::span<const uint64_t> positions) {
        samples_.push_back({t, std::vector<uint64_t>(positions.begin(), positions.end())});
    }

    // Each sender's positions whose replies a flush that began at `flushed_at` wrote out. Samples it
    // passes are dropped, so memory stays at the samples of one hold.
    const std::vector<uint64_t>& covered_by(uint64_t flushed_at) {
        while (!samples_.empty() && samples_.front().t + hold_ <= flushed_at) {
            covered_ = std::move(samples_.front().positions);
            samples_.pop_front();
        }
        return covered_;
    }

    // Samples kept (at most about hold / the sampling interval).
    size_t pending() const { return samples_.size(); }

private:
    struct sample_at {
        uint64_t t;
        std::vector<uint64_t> positions;
    };
    std::vector<uint64_t> covered_;
    uint64_t hold_;
    std::deque<sample_at> samples_;
};

}  // namespace ics
