// The stop set: for every router interface seen, on the way to how many targets. An open-addressing
// table of (address, count) owned by the output lcore; it doubles when half full, so it allocates
// once per doubling, never per reply. Address 0.0.0.0 is the empty marker (no router sends from it).
#pragma once
#include <cstdint>
#include <vector>

#include "net/ipv4_address.hpp"

namespace ics {

class interface_counts {
public:
    explicit interface_counts(size_t initial = 1024) : slots_(round_up(initial)) {}

    // The count before this call, then counts one more target for `addr`.
    uint32_t bump(ipv4_addr addr) {
        if (addr == 0) return 0;
        if (2 * (size_ + 1) > slots_.size()) grow();
        entry& e = find(slots_, addr);
        if (e.addr == 0) {
            e.addr = addr;
            ++size_;
        }
        return e.count++;
    }
    uint32_t count(ipv4_addr addr) const {
        if (addr == 0) return 0;
        const entry& e = find(const_cast<std::vector<entry>&>(slots_), addr);
        return e.addr == addr ? e.count : 0;
    }
    size_t size() const { return size_; }

private:
    struct entry {
        ipv4_addr addr = 0;
        uint32_t count = 0;
    };
    static size_t round_up(size_t n) {
        size_t s = 16;
        while (s < n) s *= 2;
        return s;
    }
    static entry& find(std::vector<entry>& slots, ipv4_addr addr) {
        const size_t mask = slots.size() - 1;
        size_t i = size_t((uint64_t(addr) * 0x9e3779b97f4a7c15ull) >> 32) & mask;
        while (slots[i].addr != 0 && slots[i].addr != addr) i = (i + 1) & mask;
        return slots[i];
    }
    void grow() {
        std::vector<entry> bigger(slots_.size() * 2);
        for (const entry& e : slots_)
            if (e.addr) find(bigger, e.addr) = e;
        slots_.swap(bigger);
    }
    std::vector<entry> slots_;
    size_t size_ = 0;
};

}  // namespace ics
