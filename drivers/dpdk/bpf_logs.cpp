#include "dpdk/bpf_logs.hpp"

#if ICS_HAVE_LIBXDP
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#endif

namespace ics::dpdk {

void show_bpf_logs(bool show) {
#if ICS_HAVE_LIBXDP
    if (show) return;  // the libraries' own printers stay
    libbpf_set_print([](libbpf_print_level, const char*, va_list) { return 0; });
    libxdp_set_print([](libxdp_print_level, const char*, va_list) { return 0; });
#else
    (void)show;
#endif
}

}  // namespace ics::dpdk
