// Whether an output file was removed while the run wrote it. Writes into an unlinked file succeed,
// so no write error ever says so: the rows go to an inode no one can open again and vanish when
// the run closes it. The app asks once, at the end of the run (a cold path), so that a run whose
// results vanished this way does not end as if they were kept.
#pragma once
#include <cstdio>

namespace ics {

// True if `f` is a regular file that no longer has a name (fstat's st_nlink is 0). False for
// pipes, terminals and devices, for a file renamed or linked elsewhere (its rows are still there),
// and for a null `f`.
bool removed_while_open(std::FILE* f);

}  // namespace ics
