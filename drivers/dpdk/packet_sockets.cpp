#include "dpdk/packet_sockets.hpp"

#include <dirent.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

namespace ics::dpdk {

namespace {

bool is_packet_socket_on(int fd, int ifindex) {
    int domain = 0;
    socklen_t len = sizeof(domain);
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_PACKET) return false;
    sockaddr_ll addr{};
    len = sizeof(addr);
    return getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 && addr.sll_ifindex == ifindex;
}

int packet_option(int fd, int option) {
    int value = 0;
    socklen_t len = sizeof(value);
    return getsockopt(fd, SOL_PACKET, option, &value, &len) == 0 ? value : 0;
}

bool in_af_packet_fanout(int fd, int ifindex) {
    const int fanout = packet_option(fd, PACKET_FANOUT);  // id | type << 16 | flags << 24; 0: none
    return fanout != 0 && (fanout & 0xffff) == ((getpid() ^ ifindex) & 0xffff);
}

std::vector<int> packet_sockets_on(int ifindex, const std::function<bool(int)>& wanted) {
    std::vector<int> fds;
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return fds;
    while (const dirent* e = readdir(dir)) {
        const int fd = std::atoi(e->d_name);
        struct stat st;
        if (fd <= 2 || fd == dirfd(dir) || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
        if (is_packet_socket_on(fd, ifindex) && wanted(fd)) fds.push_back(fd);
    }
    closedir(dir);
    return fds;
}

}  // namespace

std::vector<int> af_packet_sockets_on(int ifindex) {
    return packet_sockets_on(ifindex, [&](int fd) { return in_af_packet_fanout(fd, ifindex); });
}

socket_mapping find_socket_mapping(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return {};
    const std::string name = "socket:[" + std::to_string(st.st_ino) + "]";
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        if (!line.ends_with(" " + name)) continue;
        void *start = nullptr, *end = nullptr;  // the line's "start-end", in hex as %p reads it
        if (std::sscanf(line.c_str(), "%p-%p", &start, &end) != 2 || end <= start) return {};
        const auto* first = static_cast<const uint8_t*>(start);
        return {first, size_t(static_cast<const uint8_t*>(end) - first)};
    }
    return {};
}

unsigned long long read_socket_drops(int fd) {
    tpacket_stats ps{};  // TPACKET_V3's tpacket_stats_v3 starts with the same two counters
    socklen_t len = sizeof(ps);
    return getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &ps, &len) == 0 ? ps.tp_drops : 0;
}

}  // namespace ics::dpdk
