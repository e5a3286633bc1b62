// The control lcore's side of --checkpoint (run/checkpoint.hpp): it samples the senders' positions
// ten times a second, asks the output lcore for a flush every --checkpoint-interval, and once that
// flush is done saves a checkpoint of the positions whose cooldown had passed when it began
// (run/checkpoint_tracker.hpp), through the app's hook, which syncs the output to disk and then
// replaces the file. The hook runs on a thread of its own: a slow disk must not hold up the
// control lcore's ARP answers, status and stop decisions. After the run, a last checkpoint. One
// that cannot be saved fails the run like any other write.
// -M trace adds how many bytes of its hop journal the output lcore had written at that flush.
// -M monitor keeps its books instead of positions: the output lcore copies them at each flush
// (output_loop.hpp) into the keeper's copy, which the save then formats and writes; the next flush
// is asked for only once that save is done, so the copy is never written while it is read.
#pragma once
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <rte_cycles.h>

#include "dpdk/run_env.hpp"
#include "run/checkpoint.hpp"
#include "run/checkpoint_tracker.hpp"

namespace ics::dpdk {

class checkpoint_keeper {
public:
    // `planned`: probes of the whole scan (the run before a resume's too); a monitor's --count.
    // covered() and planned() count a monitor's rounds (its next round, its --count).
    checkpoint_keeper(run_env& e, unsigned senders, uint64_t planned)
        : e_(e),
          senders_(senders),
          planned_(planned),
          tracker_(start_positions(e.cfg, senders), hold_cycles(e)),
          every_(uint64_t(e.cfg.checkpoint.interval_s * double(e.hz))),
          next_save_(rte_rdtsc() + every_),
          next_sample_(rte_rdtsc()),
          covered_(e.cfg.mode == run_mode::monitor ? e.cfg.checkpoint.first_round
                                                   : e.cfg.checkpoint.start_total()) {
        if (active() && e.cfg.mode == run_mode::monitor) books_ = std::make_shared<monitor_saved>();
    }

    // Where the output lcore copies a monitor's books at a flush (null: not a monitor, or no
    // checkpoint).
    monitor_saved* books() const { return books_.get(); }

    // Called every control loop pass (10 ms). Nothing while no checkpoint was asked for, or once
    // a write failed.
    void poll(uint64_t now) {
        if (!active() || stopped()) return;
        if (!books_ && now >= next_sample_) {
            const std::vector<uint64_t> p = positions();
            tracker_.sample(rte_rdtsc(), p);  // stamped after the loads: never earlier than what it holds
            next_sample_ = now + e_.hz / 10;
        }
        if (!saved_in_time(std::chrono::seconds(0))) return;  // the last save is still being written
        const uint64_t asked = e_.flags.flush_request.load(std::memory_order_relaxed);
        if (asked != 0 && e_.flags.flushed_at.load(std::memory_order_acquire) == asked &&
            asked != saved_at_) {
            saved_at_ = asked;
            start_save(tracker_.covered_by(asked));
        } else if (now >= next_save_ && (asked == 0 || asked == saved_at_)) {
            e_.flags.flush_request.store(now, std::memory_order_release);
            next_save_ = now + every_;
        }
    }

    // Once every lcore has stopped and the output lcore flushed everything: the senders' last
    // positions count if the cooldown after the end of sending passed in full (the RX and output
    // lcores have drained everything since, so no margin is needed); else what the samples give.
    // Waits for the save.
    void finish(uint64_t send_end, uint64_t now) {
        if (!active() || books_ || !saved_in_time(std::chrono::hours(1)) || stopped()) return;
        const uint64_t cooldown = uint64_t(e_.cfg.cooldown_s * double(e_.hz));
        if (send_end != UINT64_MAX && now >= send_end + cooldown)
            start_save(positions());
        else
            start_save(tracker_.covered_by(now + margin_cycles(e_)));
        saved_in_time(std::chrono::hours(1));
    }

    // -M monitor, once the output lcore stopped and the books closed their last rounds (`save`
    // copies them): a last checkpoint of them, if the cooldown after the end of sending ran in
    // full (the books' finish counts every round sent: one still waiting for its reply would be
    // saved as lost) and every line reached -o (`written`; else a resume would never write the
    // last summaries). Otherwise the last periodic checkpoint stands. Waits for the save.
    template <typename SaveBooks>
    void finish_books(SaveBooks save, bool written, uint64_t send_end, uint64_t now) {
        if (!books_ || !saved_in_time(std::chrono::hours(1)) || stopped() || !written) return;
        if (send_end == UINT64_MAX || now < send_end + uint64_t(e_.cfg.cooldown_s * double(e_.hz))) return;
        save(*books_);
        start_save({});
        saved_in_time(std::chrono::hours(1));
    }

    bool active() const { return !e_.cfg.checkpoint.path.empty(); }
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    uint64_t covered() const { return covered_; }
    uint64_t planned() const { return planned_; }

private:
    static std::vector<uint64_t> start_positions(const scan_config& cfg, unsigned senders) {
        std::vector<uint64_t> start(senders);
        for (unsigned t = 0; t < senders; ++t) start[t] = cfg.checkpoint.start(t);
        return start;
    }
    // The way from the wire to the output ring: RX naps (under a millisecond) and a loaded
    // machine's scheduling, with room to spare.
    static uint64_t margin_cycles(const run_env& e) { return e.hz / 10; }
    static uint64_t hold_cycles(const run_env& e) {
        return uint64_t(e.cfg.cooldown_s * double(e.hz)) + margin_cycles(e);
    }

    // A failed save, or a failed output write (the rows a checkpoint would claim may be lost).
    bool stopped() const { return failed() || e_.flags.output_failed.load(std::memory_order_acquire); }

    std::vector<uint64_t> positions() const {
        std::vector<uint64_t> p(senders_);
        for (unsigned t = 0; t < senders_; ++t)
            p[t] = e_.flags.senders[t].positions.load(std::memory_order_acquire);
        return p;
    }

    // Formatted on the save's thread too: a monitor's table can take a while.
    void start_save(const std::vector<uint64_t>& covered) {
        checkpoint c;
        c.identity = identity_;
        c.positions = books_ ? std::vector<uint64_t>{} : covered;
        c.planned = planned_;
        c.wall_ns = e_.clock.wall_ns(rte_rdtsc());
        c.monitor = books_;
        // A trace's journal as the flush behind these positions left it (or, at the end, the last).
        if (e_.cfg.mode == run_mode::trace)
            c.journal_bytes = e_.flags.journal_bytes.load(std::memory_order_acquire);
        pending_covered_ = books_ ? books_->next_round : c.covered();
        pending_ = std::async(std::launch::async, [save = e_.hooks.save_checkpoint, c = std::move(c)] {
            return save(format_checkpoint(c));
        });
    }

    // Whether no save is pending after waiting up to `wait` for it; takes its result once done
    // (a failure ends the run).
    template <typename Duration>
    bool saved_in_time(Duration wait) {
        if (!pending_.valid()) return true;
        if (pending_.wait_for(wait) != std::future_status::ready) return false;
        if (status st = pending_.get(); !st) {
            error_ = st.error_message();
            e_.flags.output_failed.store(true, std::memory_order_relaxed);  // ends the run
        } else {
            covered_ = pending_covered_;
        }
        return true;
    }

    run_env& e_;
    // Once: an IPv6 list's fingerprint reads every address.
    const run_identity identity_ = identity_of(e_.cfg);
    unsigned senders_;
    uint64_t planned_;
    checkpoint_tracker tracker_;
    uint64_t every_, next_save_, next_sample_;
    uint64_t saved_at_ = 0;  // the flush request the last checkpoint was saved for
    uint64_t covered_, pending_covered_ = 0;
    std::future<status> pending_;
    std::string error_;
    std::shared_ptr<monitor_saved> books_;
};

}  // namespace ics::dpdk
