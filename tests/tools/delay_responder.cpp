// delay_responder: answers ICMP Echo Requests to one IPv4 prefix after a fixed delay, so the testbed
// can add delay on command (scripts/testbed-impair.sh delay): this kernel has no tc netem. Run in
// the namespace of the host that owns the prefix, whose own echo replies for that prefix an nft rule
// drops unless they carry this socket's mark. A raw ICMP socket sees requests after the host's
// prerouting and input hooks, so injected loss (testbed-impair.sh loss) applies to delayed prefixes
// too. Every answered request is logged as "dst id seq received_us sent_us" (epoch microseconds:
// received is the kernel's receive timestamp, sent is read just before sendmsg, which on the
// --no-rps testbed also carries the reply through every hop back to the pinger), so tests compare
// against what was really done. Stops after LIFETIME_S seconds, or on SIGTERM/SIGINT; requests still
// waiting then are not answered and not logged.
//
//   delay_responder PREFIX DELAY_MS LIFETIME_S LOG_FILE MARK
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

struct Config {
    uint32_t net = 0, mask = 0;  // host byte order
    int64_t delay_us = 0, lifetime_us = 0;
    std::string log_path;
    uint32_t mark = 0;
};

// One request waiting for its time: the ICMP message as received, to be sent back as a reply.
struct Pending {
    int64_t due_us, received_us;
    uint32_t src, dst;  // network byte order, as received
    std::vector<uint8_t> icmp;
};

constexpr size_t max_pending = 200000;  // bounds memory; requests beyond it are counted, not answered

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "delay_responder: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

int64_t now_us() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

bool parse_args(int argc, char** argv, Config& cfg) {
    if (argc != 6) return false;
    std::string prefix = argv[1];
    auto slash = prefix.find('/');
    in_addr addr{};
    if (slash == std::string::npos || inet_pton(AF_INET, prefix.substr(0, slash).c_str(), &addr) != 1)
        return false;
    int len = std::atoi(prefix.c_str() + slash + 1);
    if (len < 1 || len > 32) return false;
    cfg.mask = len == 32 ? 0xffffffffU : ~(0xffffffffU >> len);
    cfg.net = ntohl(addr.s_addr) & cfg.mask;
    cfg.delay_us = std::atoll(argv[2]) * 1000;
    cfg.lifetime_us = std::atoll(argv[3]) * 1000000;
    cfg.log_path = argv[4];
    cfg.mark = static_cast<uint32_t>(std::strtoul(argv[5], nullptr, 0));
    return cfg.delay_us >= 0 && cfg.lifetime_us > 0;
}

// A raw ICMP socket that receives only Echo Requests to the prefix (ICMP_FILTER, and a classic BPF
// filter on the destination address so a busy host's other requests never fill its buffer), with
// kernel receive timestamps, and whose replies carry MARK past the host's nft rule.
int open_socket(const Config& cfg) {
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0) die("socket");
    icmp_filter filter{~(1U << ICMP_ECHO)};
    std::array<sock_filter, 5> code{{
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),  // the IPv4 destination address
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, cfg.mask), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, cfg.net, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0xffff),  // keep
        BPF_STMT(BPF_RET | BPF_K, 0),       // drop
    }};
    sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    int on = 1, rcvbuf = 8 << 20;
    if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0) die("ICMP_FILTER");
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) die("SO_ATTACH_FILTER");
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) die("SO_TIMESTAMPNS");
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &cfg.mark, sizeof cfg.mark) != 0) die("SO_MARK");
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) die("SO_RCVBUFFORCE");
    return fd;
}

// Reads one datagram; true with `out` filled when it is an Echo Request to the prefix.
bool receive_one(int fd, const Config& cfg, Pending& out) {
    std::array<uint8_t, 65536> buf{};
    std::array<char, 256> control{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    if (n < 0) die("recvmsg");
    out.received_us = now_us();
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            out.received_us = int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
        }
    }
    size_t ihl = size_t{buf[0] & 0x0fU} * 4;
    if (static_cast<size_t>(n) < ihl + 8) return false;
    std::memcpy(&out.src, &buf[12], 4);
    std::memcpy(&out.dst, &buf[16], 4);
    if ((ntohl(out.dst) & cfg.mask) != cfg.net || buf[ihl] != ICMP_ECHO) return false;
    out.icmp.assign(buf.begin() + static_cast<std::ptrdiff_t>(ihl), buf.begin() + n);
    out.due_us = out.received_us + cfg.delay_us;
    return true;
}

uint16_t checksum(const std::vector<uint8_t>& data) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < data.size(); i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
    if (data.size() % 2 != 0) sum += uint32_t{data.back()} << 8;
    while (sum >> 16 != 0) sum = (sum & 0xffffU) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// Sends the Echo Reply from the address that was asked (IP_PKTINFO: the host's AnyIP route makes it
// local) and logs it.
void answer(int fd, Pending& p, FILE* log) {
    p.icmp[0] = ICMP_ECHOREPLY;
    p.icmp[2] = p.icmp[3] = 0;
    uint16_t sum = checksum(p.icmp);
    p.icmp[2] = static_cast<uint8_t>(sum >> 8);
    p.icmp[3] = static_cast<uint8_t>(sum & 0xff);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = p.src;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
    iovec iov{p.icmp.data(), p.icmp.size()};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_spec_dst.s_addr = p.dst;
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    int64_t sent = now_us();
    if (sendmsg(fd, &msg, 0) < 0) {
        std::fprintf(stderr, "delay_responder: sendmsg: %s\n", std::strerror(errno));
        return;
    }
    std::array<char, INET_ADDRSTRLEN> dst{};
    inet_ntop(AF_INET, &p.dst, dst.data(), dst.size());
    std::fprintf(log, "%s %u %u %lld %lld\n", dst.data(), (p.icmp[4] << 8U) | p.icmp[5],
                 (p.icmp[6] << 8U) | p.icmp[7], static_cast<long long>(p.received_us),
                 static_cast<long long>(sent));
}

timespec span(int64_t us) {
    if (us < 0) us = 0;
    return timespec{static_cast<time_t>(us / 1000000), static_cast<long>(us % 1000000) * 1000};
}

// The timer queue: one delay for all, so requests fall due in arrival order and a FIFO suffices.
// ppoll sleeps until the first is due, the lifetime ends or a request arrives; SIGTERM/SIGINT stay
// blocked except inside ppoll, so a signal can never slip in between a check and the sleep.
void serve(int fd, const Config& cfg, FILE* log, const sigset_t& wait_mask) {
    std::deque<Pending> queue;
    const int64_t end_us = now_us() + cfg.lifetime_us;
    unsigned long answered = 0, overflow = 0;
    for (;;) {
        int64_t now = now_us();
        while (!queue.empty() && queue.front().due_us <= now) {
            answer(fd, queue.front(), log);
            queue.pop_front();
            ++answered;
        }
        if (now >= end_us) break;
        int64_t wake = queue.empty() ? end_us : std::min(end_us, queue.front().due_us);
        pollfd pfd{fd, POLLIN, 0};
        timespec timeout = span(wake - now);
        int ready = ppoll(&pfd, 1, &timeout, &wait_mask);
        if (ready < 0 && errno == EINTR) break;  // only SIGTERM/SIGINT are unblocked here
        if (ready < 0) die("ppoll");
        Pending p{};
        while (ready > 0 && receive_one(fd, cfg, p)) {
            if (queue.size() < max_pending)
                queue.push_back(std::move(p));
            else
                ++overflow;
            p = Pending{};
        }
    }
    std::fprintf(stderr,
                 "delay_responder: answered %lu, not answered: %zu still waiting, %lu over the queue limit\n",
                 answered, queue.size(), overflow);
}

extern "C" void on_stop(int /*sig*/) {}

}  // namespace

int main(int argc, char** argv) {
    Config cfg;
    if (!parse_args(argc, argv, cfg)) {
        std::fprintf(
            stderr,
            "usage: delay_responder PREFIX DELAY_MS LIFETIME_S LOG_FILE MARK (e.g. 198.18.5.0/24 20 60 "
            "/tmp/delay.log 0x1c5)\n");
        return 2;
    }
    sigset_t stop_set, wait_mask;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGINT);
    sigprocmask(SIG_BLOCK, &stop_set, &wait_mask);
    struct sigaction sa {};
    sa.sa_handler = on_stop;  // a handler, not the default action, so ppoll returns EINTR
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    prctl(PR_SET_TIMERSLACK, 1UL);  // wake within a microsecond of the due time, not 50
    // A real-time priority, when allowed, so the machine's other work does not delay the wake-ups
    // (it sleeps between replies, so it takes little CPU from the rest).
    sched_param prio{};
    prio.sched_priority = 10;
    if (sched_setscheduler(0, SCHED_FIFO, &prio) != 0)
        std::perror("delay_responder: SCHED_FIFO (delays may run late)");
    int fd = open_socket(cfg);
    FILE* log = std::fopen(cfg.log_path.c_str(), "a");
    if (log == nullptr) die(cfg.log_path.c_str());
    setvbuf(log, nullptr, _IOLBF, 0);  // a test may read the log while the responder runs
    serve(fd, cfg, log, wait_mask);
    std::fclose(log);
    close(fd);
    return 0;
}
