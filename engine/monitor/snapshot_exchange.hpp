// Hands the newest snapshot from one producer thread (the monitor's output lcore) to one consumer
// thread (the HTTP thread) with no lock: a triple buffer. The producer fills its back buffer and
// publishes it with one atomic exchange, which gives it back whichever buffer the consumer is not
// reading; the consumer takes the newest published buffer with one exchange when a new one is there.
// Neither side ever waits for the other, and nothing is allocated after construction (a snapshot
// with vectors keeps their capacity from one fill of a buffer to the next).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ics {

template <typename T>
class snapshot_exchange {
public:
    snapshot_exchange() = default;
    // Every buffer starts as a copy of `initial` (e.g. with vectors reserved to their final size).
    explicit snapshot_exchange(const T& initial) : slots_{{initial}, {initial}, {initial}} {}
    snapshot_exchange(const snapshot_exchange&) = delete;
    snapshot_exchange& operator=(const snapshot_exchange&) = delete;

    // Producer: the buffer to fill next. It holds what was published two or more publishes ago (or
    // the initial value), so fill every field.
    T& back() { return slots_[back_].value; }

    // Producer: makes back() the newest snapshot and takes a free buffer as the new back(). Wait-free.
    // Release: the fill happens before the consumer's acquire. Acquire: the consumer's reads of the
    // buffer it gave up happen before this side writes it again.
    void publish() {
        const uint8_t previous = middle_.exchange(uint8_t(back_ | fresh_bit), std::memory_order_acq_rel);
        back_ = previous & index_mask;
    }

    // Consumer: the newest published snapshot, or nullptr before the first publish. The pointer stays
    // valid, and the snapshot unchanged, until this side's next take().
    const T* take() {
        if (middle_.load(std::memory_order_relaxed) & fresh_bit) {
            const uint8_t previous = middle_.exchange(front_, std::memory_order_acq_rel);
            front_ = previous & index_mask;
            has_front_ = true;
        }
        return has_front_ ? &slots_[front_].value : nullptr;
    }

private:
    static constexpr uint8_t index_mask = 3;
    static constexpr uint8_t fresh_bit = 4;  // set on middle_ by publish(), cleared by take()
    static constexpr std::size_t line = 64;

    struct alignas(line) slot {
        T value;
    };
    slot slots_[3];
    // The buffer between the two sides, and whether the consumer has yet to take it.
    alignas(line) std::atomic<uint8_t> middle_{1};
    alignas(line) uint8_t back_ = 0;   // the producer's own
    alignas(line) uint8_t front_ = 2;  // the consumer's own
    bool has_front_ = false;
};

}  // namespace ics
