// libbpf and libxdp, which DPDK's af_xdp driver uses, print warnings of their own on stderr (for
// example "No bpffs found" inside `ip netns exec`, which does not mount it). They are DPDK's
// details, like its notices: shown only with --verbose-eal, which also shows DPDK's own.
#pragma once

namespace ics::dpdk {

void show_bpf_logs(bool show);

}  // namespace ics::dpdk
