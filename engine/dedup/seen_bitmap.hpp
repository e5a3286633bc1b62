// De-duplication: one bit per target of the scan's target set, indexed by the target's position in
// the interval set. Its size is fixed at start (N/8 bytes) and does not grow with probes or
// replies. calloc() of a large block is backed by zero pages that the kernel materialises only
// when written, so a sparse scan of a huge set only touches the pages of the targets that answer.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace ics {

class seen_bitmap {
public:
    explicit seen_bitmap(uint64_t bits) : bits_(bits) {
        size_t words = size_t((bits + 63) / 64);
        words_.reset(static_cast<uint64_t*>(std::calloc(words ? words : 1, sizeof(uint64_t))));
        if (!words_) throw std::bad_alloc();
    }
    uint64_t size() const { return bits_; }

    // Sets the bit; true if it was already set (a repeat).
    bool test_and_set(uint64_t index) {
        uint64_t& w = words_.get()[index >> 6];
        const uint64_t bit = uint64_t(1) << (index & 63);
        const bool was = w & bit;
        w |= bit;
        return was;
    }
    bool test(uint64_t index) const { return words_.get()[index >> 6] >> (index & 63) & 1; }

private:
    struct free_deleter {
        void operator()(uint64_t* p) const { std::free(p); }
    };
    uint64_t bits_;
    std::unique_ptr<uint64_t, free_deleter> words_;
};

}  // namespace ics
