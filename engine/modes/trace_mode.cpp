// Trace mode's end of run: the assembled paths, one JSON line per target (trace/path_writer.hpp).
#include "modes/trace_mode.hpp"

#include <fmt/format.h>

#include "trace/path_writer.hpp"

namespace ics {

bool write_paths(const scan_config& cfg, const trace_probe& probe, const trace_collector& collector,
                 std::FILE* paths, scan_report& report) {
    fmt::memory_buffer buf;
    path_header h;
    h.start_wall_ns = report.start_wall_ns;
    h.probe_size = unsigned(trace_probe::ip_len);
    const hop_table& hops = collector.hops();
    bool ok = true;
    for (uint64_t i = 0; i < hops.targets(); ++i) {
        h.dst = cfg.targets.at(i);
        h.src = source_for(cfg.sources, h.dst);
        h.icmp_sum = probe.flow_checksum(h.dst);
        const hop_slot* row = hops.row(i);
        const assembled_path path =
            assemble_path(row, cfg.trace.min_ttl, cfg.trace.max_ttl, cfg.trace.gaplimit,
                          cfg.trace.order != trace_order::backward);
        append_path_json(buf, h, row, path, cfg.trace);
        ++report.paths_written;
        ++report.paths_by_stop_reason[size_t(path.reason)];
        if (buf.size() >= (1u << 16)) {
            ok = ok && std::fwrite(buf.data(), 1, buf.size(), paths) == buf.size();
            buf.clear();
        }
    }
    ok = ok && std::fwrite(buf.data(), 1, buf.size(), paths) == buf.size();
    return std::fflush(paths) == 0 && ok;
}

}  // namespace ics
