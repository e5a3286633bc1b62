// The files a run writes (-o, --replies-file, -u, -m, a trace's hop journal): checked at start-up
// without touching them,
// opened (truncated) only once the run is about to send, and the metadata written whole through
// a temporary file renamed into place. A run that fails before sending leaves every existing file
// as it was.
#pragma once
#include <cstdio>
#include <string>

#include "util/result.hpp"

namespace ics::app {

// What the user asked to be written; "-" is stdout, "" not asked for.
struct output_paths {
    std::string output = "-";
    std::string replies;
    std::string status_updates;
    std::string metadata;
    std::string checkpoint;  // --checkpoint (or --resume): replaced whole, never opened for rows
    // -M trace with a checkpoint: its hop journal (the checkpoint's path and ".hops"), and how many
    // bytes of it to keep (a resumed trace's, whose hops go on after them; 0: a new journal).
    std::string journal;
    uint64_t journal_kept = 0;
};

// Whether `path` could be written, without creating or truncating it: an existing file must be
// writable and not a directory or a socket, a new one needs a writable directory; the metadata file also
// needs its directory writable for the temporary file. `what` names it ("the output file").
status check_writable(const std::string& path, const char* what, bool replaced_by_rename = false);

// The open files of one run, closed when this goes away (stdout is left open).
class open_outputs {
public:
    open_outputs() = default;
    open_outputs(const open_outputs&) = delete;
    open_outputs& operator=(const open_outputs&) = delete;
    ~open_outputs();
    // Opens the files of `paths` that were asked for, and truncates them only once all have
    // opened; on failure names the file, and leaves existing files as they were and no new ones.
    status open(const output_paths& paths);
    // Once the run has ended, with the files still open: a sentence naming the first of them that
    // was removed while the run wrote it (its rows went to a file no one can open), or "".
    std::string removed_during_run(const output_paths& paths) const;
    std::FILE* output = nullptr;
    std::FILE* replies = nullptr;
    std::FILE* status_updates = nullptr;
    // -o's descriptor when it is a regular file (-1 otherwise), taken when it opened: synced to disk
    // before each checkpoint, from the control lcore, while the output lcore writes through `output`.
    int output_sync_fd = -1;
    // The trace's hop journal, positioned after the bytes kept, and its descriptor, synced before
    // each checkpoint like -o's.
    std::FILE* journal = nullptr;
    int journal_sync_fd = -1;
};

// Writes `text` to `path` so that a reader, or the file system after a crash, sees the old content
// or all of the new: a temporary file beside it, given the old file's owner, group and mode, synced
// and renamed into place. Stdout ("-") and existing non-regular files (a pipe, /dev/null) are
// written directly. `what` names the file in the error ("the metadata file").
status write_whole_file(const std::string& path, const std::string& text, const char* what);

}  // namespace ics::app
