#include "output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include <fmt/format.h>

namespace ics::app {
namespace {

std::string directory_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// The file a rename must replace: the target of a symbolic link, not the link.
std::string resolved(const std::string& path) {
    char buf[PATH_MAX];
    return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

status check_directory(const std::string& path, const char* what, const std::string& dir) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0)
        return error{fmt::format("cannot write {} '{}': directory '{}' {}", what, path, dir,
                                 errno == ENOENT ? "does not exist" : std::strerror(errno))};
    if (!S_ISDIR(st.st_mode))
        return error{fmt::format("cannot write {} '{}': '{}' is not a directory", what, path, dir)};
    if (access(dir.c_str(), W_OK | X_OK) != 0)
        return error{fmt::format("cannot write {} '{}': directory '{}' is not writable ({})", what, path, dir,
                                 std::strerror(errno))};
    return ok();
}

status write_all(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return error{std::strerror(n < 0 ? errno : EIO)};
        done += size_t(n);
    }
    return ok();
}

}  // namespace

status check_writable(const std::string& path, const char* what, bool replaced_by_rename) {
    if (path == "-") return ok();
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT)
            return error{fmt::format("cannot write {} '{}': {}", what, path, std::strerror(errno))};
        return check_directory(path, what, directory_of(path));
    }
    if (S_ISDIR(st.st_mode))
        return error{fmt::format("cannot write {} '{}': it is a directory; name a file", what, path)};
    if (access(path.c_str(), W_OK) != 0)
        return error{fmt::format("cannot write {} '{}': {}", what, path, std::strerror(errno))};
    if (replaced_by_rename && S_ISREG(st.st_mode))
        return check_directory(path, what, directory_of(resolved(path)));
    return ok();
}

open_outputs::~open_outputs() {
    for (std::FILE* f : {output, replies, status_updates})
        if (f && f != stdout) std::fclose(f);
}

status open_outputs::open(const output_paths& paths) {
    const std::tuple<const std::string*, std::FILE**, const char*> files[] = {
        {&paths.output, &output, "the output file"},
        {&paths.replies, &replies, "the replies file"},
        {&paths.status_updates, &status_updates, "the status updates file"}};
    for (auto [path, file, what] : files) {
        if (path->empty()) continue;
        *file = *path == "-" ? stdout : std::fopen(path->c_str(), "w");
        if (!*file) return error{fmt::format("cannot write {} '{}': {}", what, *path, std::strerror(errno))};
    }
    return ok();
}

status write_whole_file(const std::string& path, const std::string& text) {
    auto failed = [&](const char* why) {
        return error{fmt::format("cannot write the metadata file '{}': {}", path, why)};
    };
    if (path == "-") {
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
            return failed(std::strerror(errno));
        return ok();
    }
    struct stat st {};
    const bool exists = stat(path.c_str(), &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {  // a pipe or a device: no rename over it
        const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
        if (fd < 0) return failed(std::strerror(errno));
        status st_write = write_all(fd, text);
        close(fd);
        return st_write ? ok() : failed(st_write.error_message().c_str());
    }
    const std::string target = exists ? resolved(path) : path;
    std::string temp = directory_of(target) + "/." + target.substr(target.rfind('/') + 1) + ".XXXXXX";
    const int fd = mkstemp(temp.data());
    if (fd < 0) return failed(std::strerror(errno));
    // The mode a plain open would give: the old file's, or 0666 less the umask.
    const mode_t mask = umask(0);
    umask(mask);
    status done = write_all(fd, text);
    if (done && fchmod(fd, exists ? (st.st_mode & 07777) : (0666 & ~mask)) != 0)
        done = error{std::strerror(errno)};
    if (close(fd) != 0 && done) done = error{std::strerror(errno)};
    if (done && rename(temp.c_str(), target.c_str()) != 0) done = error{std::strerror(errno)};
    if (!done) {
        unlink(temp.c_str());
        return failed(done.error_message().c_str());
    }
    return ok();
}

}  // namespace ics::app
