#include "output/removed_file.hpp"

#include <sys/stat.h>

namespace ics {

bool removed_while_open(std::FILE* f) {
    struct stat st {};
    if (!f || fstat(fileno(f), &st) != 0) return false;
    return S_ISREG(st.st_mode) && st.st_nlink == 0;
}

}  // namespace ics
