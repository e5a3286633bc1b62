#include "output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "output/removed_file.hpp"

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

// Opens `path` for writing without truncating it: (descriptor, whether this call created the
// file), or -1 and errno.
std::pair<int, bool> open_keeping_content(const std::string& path) {
    for (;;) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return {fd, fd >= 0};
        fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT) return {fd, false};
        // Removed between the two opens: try again.
    }
}

// The process's umask, read without setting it (umask(2) can only be read by changing it, for
// every thread at once). Linux 4.7 and later show it in /proc/self/status.
std::optional<mode_t> current_umask() {
    std::FILE* f = std::fopen("/proc/self/status", "re");
    if (!f) return std::nullopt;
    std::optional<mode_t> mask;
    char line[256];
    unsigned value = 0;
    while (!mask && std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "Umask: %o", &value) == 1) mask = mode_t(value);
    std::fclose(f);
    return mask;
}

// Makes a rename in `dir` durable (best effort: a file system may not sync directories).
void sync_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

// Gives the temporary file `fd` what the file it replaces had: its owner and group (run as root,
// the rename would otherwise hand a user's file to root) and its mode; a new file gets the mode a
// plain open would give, 0666 less the umask (mkstemp's 0600 if the umask cannot be read).
status take_place_of(int fd, const struct stat* old) {
    struct stat now {};
    if (old && fstat(fd, &now) == 0 && (now.st_uid != old->st_uid || now.st_gid != old->st_gid) &&
        fchown(fd, old->st_uid, old->st_gid) != 0)
        return error{fmt::format("cannot give the new file the old one's owner {}:{} ({})", old->st_uid,
                                 old->st_gid, std::strerror(errno))};
    // After fchown, which clears the set-user-ID and set-group-ID bits.
    std::optional<mode_t> mode;
    if (old)
        mode = old->st_mode & 07777;
    else if (auto mask = current_umask())
        mode = 0666 & ~*mask;
    if (mode && fchmod(fd, *mode) != 0) return error{std::strerror(errno)};
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
    if (S_ISSOCK(st.st_mode))  // open(2) refuses a socket (ENXIO)
        return error{fmt::format("cannot write {} '{}': it is a socket; name a file", what, path)};
    if (access(path.c_str(), W_OK) != 0)
        return error{fmt::format("cannot write {} '{}': {}", what, path, std::strerror(errno))};
    if (replaced_by_rename && S_ISREG(st.st_mode))
        return check_directory(path, what, directory_of(resolved(path)));
    return ok();
}

open_outputs::~open_outputs() {
    for (std::FILE* f : {output, replies, status_updates, journal})
        if (f && f != stdout) std::fclose(f);
}

status open_outputs::open(const output_paths& paths) {
    struct one_file {
        const std::string& path;
        std::FILE*& file;
        const char* what;
        uint64_t kept = 0;  // bytes left as they are (a resumed trace's journal), the rest cut
        int fd = -1;
        bool created = false;
    };
    one_file files[] = {{paths.output, output, "the output file"},
                        {paths.replies, replies, "the replies file"},
                        {paths.status_updates, status_updates, "the status updates file"},
                        {paths.journal, journal, "the trace's hop journal", paths.journal_kept}};
    // Nothing is truncated until every file has opened: a run that fails here has sent nothing, so
    // it leaves existing files as they were and removes the ones it created.
    auto undo = [&](const one_file& bad, int err) {
        for (one_file& f : files) {
            if (f.fd >= 0) close(f.fd);
            if (f.created) unlink(f.path.c_str());
            f.fd = -1;
            f.created = false;
        }
        return error{fmt::format("cannot write {} '{}': {}", bad.what, bad.path, std::strerror(err))};
    };
    for (one_file& f : files) {
        if (f.path.empty() || f.path == "-") continue;
        auto [fd, created] = open_keeping_content(f.path);
        if (fd < 0) return undo(f, errno);
        f.fd = fd;
        f.created = created;
    }
    for (one_file& f : files) {
        if (f.path == "-") f.file = stdout;
        if (f.fd < 0) continue;
        struct stat st {};
        if (fstat(f.fd, &st) != 0 || (S_ISREG(st.st_mode) && ftruncate(f.fd, off_t(f.kept)) != 0) ||
            (f.kept && lseek(f.fd, off_t(f.kept), SEEK_SET) < 0))
            return undo(f, errno);
        if (&f.file == &output && S_ISREG(st.st_mode)) output_sync_fd = f.fd;  // the FILE keeps it
        if (&f.file == &journal && S_ISREG(st.st_mode)) journal_sync_fd = f.fd;
    }
    for (one_file& f : files) {
        if (f.fd < 0) continue;
        f.file = fdopen(f.fd, "w");
        if (!f.file) return undo(f, errno);
        f.fd = -1;  // the FILE owns it now
    }
    return ok();
}

std::string open_outputs::removed_during_run(const output_paths& paths) const {
    const std::pair<std::FILE*, const std::string&> files[] = {{output, paths.output},
                                                               {replies, paths.replies},
                                                               {status_updates, paths.status_updates},
                                                               {journal, paths.journal}};
    for (const auto& [file, path] : files)
        if (removed_while_open(file))
            return fmt::format("'{}' was removed during the run: what was written to it is gone",
                               path == "-" ? std::string("stdout") : path);
    return "";
}

status write_whole_file(const std::string& path, const std::string& text, const char* what) {
    auto failed = [&](const char* why) {
        return error{fmt::format("cannot write {} '{}': {}", what, path, why)};
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
    status done = write_all(fd, text);
    if (done) done = take_place_of(fd, exists ? &st : nullptr);
    if (done && fsync(fd) != 0) done = error{std::strerror(errno)};  // the content before the name
    if (close(fd) != 0 && done) done = error{std::strerror(errno)};
    if (done && rename(temp.c_str(), target.c_str()) != 0) done = error{std::strerror(errno)};
    if (done) sync_directory(directory_of(target));  // the name too, after a crash
    if (!done) {
        unlink(temp.c_str());
        return failed(done.error_message().c_str());
    }
    return ok();
}

}  // namespace ics::app
