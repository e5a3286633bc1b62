// ICMP extension objects (RFC 4884) carried after the quoted datagram of a Destination
// Unreachable, Time Exceeded or Parameter Problem, and the MPLS label stack object inside them
// (RFC 4950). Pure function over bytes, no allocation; called for ICMP errors only.
//
// Where the extension structure starts:
//   - RFC 4884 senders put the length of the quoted datagram, in 32-bit words, in ICMP byte 5,
//     and pad the quote to at least 128 bytes; the structure follows at 8 + 4 * length.
//   - Older senders (length 0, RFC 4884 section 5) are probed at the compatibility offset: a
//     quote of exactly 128 bytes followed by a valid structure (version 2, checksum verifies).
//
//   Extension header                       Object header                 MPLS entry (class 1, c-type 1)
//   +-------+-----------+---------------+  +---------------+----+----+  +--------------------+---+-+--------+
//   |Ver=2  | reserved  |   checksum    |  |    length     | cn | ct |  |     label (20)     |TC |S|  TTL   |
//   +-------+-----------+---------------+  +---------------+----+----+  +--------------------+---+-+--------+
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "net/byte_order.hpp"
#include "net/checksum.hpp"

namespace ics {

struct icmp_extensions {
    static constexpr unsigned max_labels = 3;
    bool present = false;          // a valid extension structure was found
    uint8_t objects = 0;           // objects in it (any class)
    uint8_t mpls_count = 0;        // label stack entries kept (at most max_labels)
    uint16_t mpls_object_len = 0;  // the MPLS object's length field (scamper's ie_dl is length - 4)
    std::array<uint32_t, max_labels> mpls{};  // raw label stack entries, top of stack first
                                              // (reply/mpls_entry.hpp decodes them)
};

namespace detail {
// Parses an extension structure of `len` bytes; false if it is not one.
inline bool parse_extension_structure(const uint8_t* p, size_t len, icmp_extensions& out) {
    if (len < 4 || (p[0] >> 4) != 2) return false;
    if (load_be16(p + 2) != 0 && !checksum_verifies(p, len)) return false;
    icmp_extensions e;
    e.present = true;
    size_t off = 4;
    while (off + 4 <= len) {
        const size_t olen = load_be16(p + off);
        if (olen < 4 || off + olen > len) return false;  // a malformed object spoils the structure
        const uint8_t cn = p[off + 2], ct = p[off + 3];
        if (e.objects < 255) ++e.objects;
        if (cn == 1 && ct == 1 && e.mpls_count == 0) {
            e.mpls_object_len = uint16_t(olen);
            for (size_t l = off + 4; l + 4 <= off + olen && e.mpls_count < icmp_extensions::max_labels;
                 l += 4)
                e.mpls[e.mpls_count++] = load_be32(p + l);
        }
        off += olen;
    }
    out = e;
    return true;
}
}  // namespace detail

// `icmp` points at an ICMP error message of `len` bytes (header included).
inline icmp_extensions parse_icmp_extensions(const uint8_t* icmp, size_t len) {
    icmp_extensions out;
    constexpr size_t header = 8, compat_quote = 128;
    if (len <= header) return out;
    const size_t words = icmp[5];
    if (words != 0) {
        const size_t start = header + words * 4;
        if (start < len) detail::parse_extension_structure(icmp + start, len - start, out);
        return out;
    }
    if (len >= header + compat_quote + 4)
        detail::parse_extension_structure(icmp + header + compat_quote, len - header - compat_quote, out);
    return out;
}

}  // namespace ics
