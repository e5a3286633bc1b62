// The output lcore's side of the Prometheus export: about once a second it fills the exchange's
// back buffer from the books (every group, the run, and the --metrics-targets worst targets) and
// publishes it; the HTTP thread formats what it takes (drivers/http). The work is spread over the
// ticks: each tick ranks the next slice of the targets into a bounded heap (the worst by loss, then
// by mean RTT), so a million targets never stall the output lcore for a whole pass, and nothing is
// allocated once the buffers have grown to their size.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "monitor/metrics_snapshot.hpp"
#include "monitor/monitor_checkpoint.hpp"
#include "monitor/snapshot_exchange.hpp"

namespace ics {

class monitor_book;

class metrics_publisher {
public:
    // `group_labels`: each group's label text (exposition.hpp's append_prom_label).
    metrics_publisher(snapshot_exchange<metrics_snapshot>& exchange, uint32_t max_targets,
                      std::vector<std::string> group_labels, std::string source);

    // Called every tick: ranks the next slice of the targets once a pass is under way (it starts
    // pass_lead_us before a publication is due, every every_us), and publishes once it is done and
    // the publication is due (the first at once).
    void step(const monitor_book& book, uint64_t now_us, uint64_t wall_ms, uint64_t lateness_us);
    // Also write a table of the worst targets to `text` (stderr) every `every_publications`-th
    // publication (the live view; null: none).
    void show_worst(std::FILE* text, unsigned every_publications) {
        text_ = text;
        table_every_ = every_publications;
    }
    // The probes the senders have sent so far (the run's probes_sent_total).
    void count_sent(uint64_t probes) { probes_sent_ = probes; }
    // Every lcore's counter block, summed into each publication (read with relaxed loads, as the
    // status line reads them).
    void watch_counters(std::vector<const counter_block*> blocks) { counter_blocks_ = std::move(blocks); }
    // A resumed run (--resume): its books start from the checkpoint's, but a Prometheus counter
    // starts at zero in every process (a restart is a reset, which rate() and increase() expect;
    // one that started from the checkpoint would go down from the last scrape, which lies ahead of
    // the checkpoint, and read as a reset of the whole history). What the checkpoint held is taken
    // away from every counter published; fping's lines and the metadata keep the whole count.
    void start_from(std::shared_ptr<const monitor_saved> saved, const monitor_book& book);
    // The last state, at once (the end of the run).
    void publish_now(const monitor_book& book, uint64_t wall_ms, uint64_t lateness_us);

    static constexpr uint64_t every_us = 1000000;
    static constexpr uint64_t slices_per_pass = 200;  // a pass spans 200 ticks (1-8 ms each)
    static constexpr uint64_t pass_lead_us = 250000;

private:
    // A ranked target: higher is worse.
    struct ranked {
        double loss;
        double mean_rtt_us;
        uint64_t index;
        bool operator>(const ranked& o) const {
            return loss != o.loss                 ? loss > o.loss
                   : mean_rtt_us != o.mean_rtt_us ? mean_rtt_us > o.mean_rtt_us
                                                  : index < o.index;
        }
    };
    void rank(const monitor_book& book, uint64_t from, uint64_t to);
    void fill(const monitor_book& book, uint64_t wall_ms, uint64_t lateness_us);
    void write_table(const metrics_snapshot& s) const;

    snapshot_exchange<metrics_snapshot>* exchange_;
    uint32_t max_targets_;
    std::vector<std::string> group_labels_;
    std::string source_;
    std::vector<ranked> heap_;  // min-heap of the worst seen this pass (its top is the least bad)
    uint64_t next_ = 0;         // the next target to rank in this pass
    uint64_t last_publish_us_ = 0;
    bool published_ = false;
    bool ranking_ = false;
    uint64_t probes_sent_ = 0;
    std::vector<const counter_block*> counter_blocks_;
    std::shared_ptr<const monitor_saved> base_;  // a resumed run's start (null: none)
    std::vector<group_metrics> base_groups_;     // its groups' counters, errors and histograms
    std::FILE* text_ = nullptr;
    unsigned table_every_ = 0, publications_ = 0;
};

}  // namespace ics
