#include "trace/hop_journal.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace ics {

void append_journal_entry(std::string& out, uint64_t index, unsigned slot, const hop_slot& hop) {
    const journal_entry e = make_journal_entry(index, slot, hop);
    out.append(reinterpret_cast<const char*>(&e), sizeof(e));
}

hop_journal_writer::hop_journal_writer(std::FILE* out, uint64_t size)
    : out_(out), size_(size), buffer_(block_entries) {
    if (size_ == 0) {
        failed_ = std::fwrite(hop_journal_magic.data(), 1, hop_journal_magic.size(), out_) !=
                  hop_journal_magic.size();
        size_ = hop_journal_magic.size();
    }
}

void hop_journal_writer::write_buffer() {
    if (!failed_ && used_ > 0) {
        const size_t bytes = used_ * sizeof(journal_entry);
        failed_ = std::fwrite(buffer_.data(), 1, bytes, out_) != bytes;
        size_ += bytes;
    }
    used_ = 0;
}

std::optional<uint64_t> hop_journal_writer::flush() {
    write_buffer();
    if (!failed_) failed_ = std::fflush(out_) != 0 || std::ferror(out_);
    if (failed_) return std::nullopt;
    return size_;
}

result<std::vector<journal_entry>> parse_hop_journal(std::string_view bytes, uint64_t targets, unsigned ttls,
                                                     const std::string& path) {
    const auto damaged = [&](const std::string& what) {
        return error{
            fmt::format("the trace journal '{}' is damaged ({}): give the checkpoint and journal one "
                        "run wrote, or start the trace again without --resume",
                        path, what)};
    };
    if (bytes.size() < hop_journal_magic.size() ||
        bytes.substr(0, hop_journal_magic.size()) != hop_journal_magic)
        return damaged("it does not start as a journal does");
    bytes.remove_prefix(hop_journal_magic.size());
    if (bytes.size() % sizeof(journal_entry) != 0) return damaged("its last entry is cut");
    std::vector<journal_entry> entries(bytes.size() / sizeof(journal_entry));
    if (!entries.empty()) std::memcpy(entries.data(), bytes.data(), bytes.size());
    std::vector<bool> seen;  // one bit a slot, only for the targets the journal names
    for (size_t i = 0; i < entries.size(); ++i) {
        const journal_entry& e = entries[i];
        if (e.index >= targets || e.slot >= ttls)
            return damaged(
                fmt::format("entry {} is of target {} at slot {}, outside a trace of {} targets and "
                            "{} TTLs",
                            i, e.index, e.slot, targets, ttls));
        if (e.hop.present != 1) return damaged(fmt::format("entry {} holds no hop", i));
        const auto nonzero = [](uint8_t b) { return b != 0; };
        if (std::any_of(std::begin(e.reserved), std::end(e.reserved), nonzero) ||
            std::any_of(std::begin(e.hop.reserved), std::end(e.hop.reserved), nonzero))
            return damaged(fmt::format("entry {} has reserved bytes that are not zero", i));
        const uint64_t bit = e.index * ttls + e.slot;  // below targets * ttls: checked above
        if (bit >= seen.size())
            seen.resize(std::min(targets * ttls, std::max<uint64_t>(bit + 1, seen.size() * 2)));
        if (seen[bit])
            return damaged(
                fmt::format("entry {} is a second hop of target {} at slot {}", i, e.index, e.slot));
        seen[bit] = true;
    }
    return entries;
}

}  // namespace ics
