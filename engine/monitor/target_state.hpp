// The per-target hot state of monitor mode, kept by the output lcore (one per target, at most 64
// bytes so that a million fit in 64 MB and one reply touches one cache line): which recent rounds
// got a reply, the counters a summary period reports, and the up/down state for outage events.
// Replies are matched statelessly (the round travels in the probe), so duplicates and late replies
// are recognised here from a window of the last 64 rounds, without any per-probe state.
//
// Rounds. The probe carries the low 8 bits of its round; extend_round() makes the full round from
// them around a reference round (the target's oldest open round), which is exact for rounds within
// [reference - 128, reference + 127]. The window below spans 64 rounds on either side of that
// reference at most, less than 128, so every round it can tell anything about extends exactly. A
// reply from further back extends to a wrong round, but its RTT (from the send time the probe
// carries) is then over the timeout, so it is late all the same.
//
// The window: bit i of `replied_` says whether round (newest_ - i) got an accepted reply, for the
// 64 rounds [newest_ - 63, newest_]. Rounds before next_close_ are closed (their timeout passed
// and they were counted), the rest are open. A reply for round r is, in the order checked:
//   ahead      r >= next_close_ + 64: outside the window (the caller's round extension or clock is
//              wrong); counted by the caller, nowhere here;
//   late       r is older than the window (whether it repeats an answered round is no longer known);
//   duplicate  r got an accepted reply already (open or closed);
//   late       its RTT is over the timeout, or r is closed (it got no reply): counted apart, never
//              received (the round, if open, is lost when it closes);
//   accepted   otherwise: r is marked replied; the caller adds the RTT to the target's summary.
// A reply that arrives after its round closed is late even when its RTT is under the timeout (it
// waited in a queue): the round was counted lost already, and counting it twice would break
// sent == received + lost.
//
// Counters count closed rounds (sent, received, lost), so sent == received + lost holds after every
// close_next_round(); late and duplicates count replies as they come. Outage events come from
// close_next_round() only, in round order, because with several rounds open a reply for a later
// round may arrive before an earlier round closes lost: the target goes down when `down_after`
// rounds in a row closed lost, and up when a round that got a reply closes, with the outage's
// length in rounds (first lost round to the answered round).
#pragma once
#include <cstdint>
#include <optional>

namespace ics {

// The full round of a reply from the 8 bits the probe carried, taken as the round nearest to
// `reference` with those low bits (signed 8-bit distance).
constexpr uint32_t extend_round(uint32_t reference, uint8_t low8) {
    return reference + uint32_t(int32_t(int8_t(uint8_t(low8 - uint8_t(reference)))));
}

// Every accepted reply's RTT, over the whole run (fping's final min/avg/max).
struct target_totals {
    uint32_t min_us = UINT32_MAX, max_us = 0;
    uint64_t sum_us = 0;
    bool operator==(const target_totals&) const = default;
};

enum class reply_verdict : uint8_t { accepted, duplicate, late, ahead };

// A target's counters, and where its outage state stands: what a monitor checkpoint keeps of it
// (run/monitor_checkpoint.hpp) and a resumed run starts from. down_since is a round number.
struct target_counts {
    uint32_t sent = 0, received = 0, lost = 0, late = 0, duplicates = 0;
    uint32_t consecutive_lost = 0, down_since = 0, outages = 0;
    bool down = false;
    bool operator==(const target_counts&) const = default;
};

struct outage_event {
    enum class kind : uint8_t { down, up };
    kind what;
    uint32_t first_lost_round;  // the outage's first lost round
    uint32_t round;             // down: the round that made it `down_after` losses; up: the answered round
    uint32_t length_rounds;     // rounds lost so far (down: down_after; up: round - first_lost_round)
};

class target_state {
public:
    static constexpr uint32_t window_rounds = 64;

    explicit target_state(uint32_t first_round = 0) : newest_(first_round), next_close_(first_round) {}
    // A resumed run's target: its rounds start at first_round, its counters where they were saved.
    // A round sent before the restart but not closed then is never counted (no reply can be matched
    // to it any more). An outage goes on (down, since its old first lost round); a run of losses
    // that had not made one yet does not: the rounds before and after the restart are not
    // consecutive.
    target_state(uint32_t first_round, const target_counts& saved)
        : newest_(first_round), next_close_(first_round), c_(saved) {
        if (!c_.down) c_.consecutive_lost = 0;
    }

    reply_verdict on_reply(uint32_t round, uint32_t rtt_us, uint32_t timeout_us) {
        const int64_t from_open = int64_t(round) - int64_t(next_close_);
        if (from_open >= int64_t(window_rounds)) return reply_verdict::ahead;
        const int64_t age = int64_t(newest_) - int64_t(round);
        if (age >= int64_t(window_rounds)) return count_late();
        if (age >= 0 && (replied_ >> age & 1)) {
            ++c_.duplicates;
            return reply_verdict::duplicate;
        }
        if (from_open < 0 || rtt_us > timeout_us) return count_late();
        advance_to(round);
        replied_ |= uint64_t(1) << (newest_ - round);
        return reply_verdict::accepted;
    }

    // Closes the oldest open round (its timeout has passed): counts it received or lost and says
    // whether the target went down or came back up with it. down_after 0: never down.
    std::optional<outage_event> close_next_round(uint32_t down_after) {
        const uint32_t round = next_close_++;
        advance_to(round);
        ++c_.sent;
        if (replied_ >> (newest_ - round) & 1) {
            ++c_.received;
            c_.consecutive_lost = 0;
            if (!c_.down) return std::nullopt;
            c_.down = false;
            return outage_event{outage_event::kind::up, c_.down_since, round, round - c_.down_since};
        }
        ++c_.lost;
        // (Already down: a resumed run's --down-after may be larger than the streak that made it.)
        if (++c_.consecutive_lost != down_after || c_.down) return std::nullopt;
        c_.down = true;
        c_.down_since = round - (down_after - 1);
        ++c_.outages;
        return outage_event{outage_event::kind::down, c_.down_since, round, down_after};
    }

    uint32_t next_round_to_close() const { return next_close_; }
    const target_counts& counts() const { return c_; }
    uint32_t sent() const { return c_.sent; }
    uint32_t received() const { return c_.received; }
    uint32_t lost() const { return c_.lost; }
    uint32_t late() const { return c_.late; }
    uint32_t duplicates() const { return c_.duplicates; }
    uint32_t consecutive_lost() const { return c_.consecutive_lost; }
    uint32_t outages() const { return c_.outages; }
    bool down() const { return c_.down; }
    // The first lost round of the current outage (meaningful while down()).
    uint32_t down_since() const { return c_.down_since; }

private:
    reply_verdict count_late() {
        ++c_.late;
        return reply_verdict::late;
    }
    // Slides the window so that `round` is its newest bit when it is newer than the newest.
    void advance_to(uint32_t round) {
        if (int32_t(round - newest_) <= 0) return;
        const uint32_t by = round - newest_;
        replied_ = by >= window_rounds ? 0 : replied_ << by;
        newest_ = round;
    }

    uint64_t replied_ = 0;
    uint32_t newest_;
    uint32_t next_close_;
    target_counts c_;
};

static_assert(sizeof(target_state) <= 64, "monitor mode's hot state budget: one cache line per target");

}  // namespace ics
