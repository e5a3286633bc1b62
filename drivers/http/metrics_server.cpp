// The Prometheus endpoint on cpp-httplib (metrics_server.hpp says what it serves).
#include "http/metrics_server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "monitor/exposition.hpp"

namespace ics {

namespace {

constexpr const char* exposition_type = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* index_page =
    "<html><head><title>dpdk-icmpscan</title></head><body><h1>dpdk-icmpscan monitor</h1>"
    "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";
// Enough for Prometheus and a person with a browser at once; each request's formatting is serialised
// anyway, since the exchange has one consumer.
constexpr size_t http_threads = 2;

error malformed(std::string_view listen) {
    return error{
        fmt::format("--prometheus {}: give ADDRESS:PORT with a numeric address and a port up to "
                    "65535, e.g. 127.0.0.1:9374, or :9374 for every address",
                    listen)};
}

bool numeric_address(const std::string& host, int family) {
    unsigned char buf[sizeof(in6_addr)];
    return inet_pton(family, host.c_str(), buf) == 1;
}

// Why binding failed, asked again with a socket of our own (cpp-httplib says only that it failed).
int bind_errno(const listen_address& where) {
    const bool v6 = where.host.find(':') != std::string::npos;
    const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return errno;
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in a4{};
    sockaddr_in6 a6{};
    int rc = 0;
    if (v6) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons(where.port);
        inet_pton(AF_INET6, where.host.c_str(), &a6.sin6_addr);
        rc = bind(fd, reinterpret_cast<const sockaddr*>(&a6), sizeof a6);
    } else {
        a4.sin_family = AF_INET;
        a4.sin_port = htons(where.port);
        inet_pton(AF_INET, where.host.c_str(), &a4.sin_addr);
        rc = bind(fd, reinterpret_cast<const sockaddr*>(&a4), sizeof a4);
    }
    const int err = rc == 0 ? 0 : errno;
    close(fd);
    return err;
}

error bind_failed(std::string_view listen, const listen_address& where) {
    const int err = bind_errno(where);
    switch (err) {
        case EADDRINUSE:
            return error{fmt::format("--prometheus {}: address already in use; pick another port", listen)};
        case EADDRNOTAVAIL:
            return error{
                fmt::format("--prometheus {}: no interface of this host has that address; give one of "
                            "its addresses, or :{} for every address",
                            listen, where.port)};
        case EACCES:
            return error{fmt::format(
                "--prometheus {}: ports below 1024 need privileges; pick a port above 1023", listen)};
        default:
            return error{
                fmt::format("--prometheus {}: cannot listen there ({}); pick another address or port", listen,
                            err ? std::strerror(err) : "refused by the HTTP library")};
    }
}

}  // namespace

result<listen_address> parse_listen_address(std::string_view listen) {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return malformed(listen);
    std::string_view host = listen.substr(0, colon);
    const std::string_view port_text = listen.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
        port > 65535) {
        return malformed(listen);
    }
    listen_address where{.host = "0.0.0.0", .port = uint16_t(port)};
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        where.host = std::string(host.substr(1, host.size() - 2));
        if (!numeric_address(where.host, AF_INET6)) return malformed(listen);
    } else if (!host.empty()) {
        where.host = std::string(host);
        if (!numeric_address(where.host, AF_INET)) return malformed(listen);
    }
    return where;
}

struct metrics_server::impl {
    httplib::Server http;
    snapshot_exchange<metrics_snapshot>& snapshots;
    std::mutex consumer;  // the exchange has one consumer: one request reads it at a time
    std::thread thread;
    std::atomic<bool> finished{false};
    uint16_t port = 0;

    explicit impl(snapshot_exchange<metrics_snapshot>& s) : snapshots(s) {}

    void serve_metrics(httplib::Response& res) {
        std::string body;
        {
            const std::lock_guard<std::mutex> one_consumer(consumer);
            if (const metrics_snapshot* newest = snapshots.take()) body = format_exposition(*newest);
        }
        res.body = std::move(body);  // empty before the first snapshot; moved, as it may be megabytes
        res.set_header("Content-Type", exposition_type);
    }
};

metrics_server::metrics_server(std::unique_ptr<impl> running) : impl_(std::move(running)) {}

metrics_server::~metrics_server() {
    stop();
}

uint16_t metrics_server::port() const {
    return impl_->port;
}

void metrics_server::stop() {
    if (!impl_->thread.joinable()) return;
    // httplib's stop() acts only once its loop runs: wait for the loop to start (or to have ended).
    while (!impl_->http.is_running() && !impl_->finished.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    impl_->http.stop();
    impl_->thread.join();
}

result<std::unique_ptr<metrics_server>> start_metrics_server(std::string_view listen,
                                                             snapshot_exchange<metrics_snapshot>& snapshots) {
    result<listen_address> where = parse_listen_address(listen);
    if (!where) return error{where.error_message()};
    auto s = std::make_unique<metrics_server::impl>(snapshots);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second instance would
    // share the port silently instead of failing here.
    s->http.set_socket_options([](socket_t sock) {
        const int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    s->http.new_task_queue = [] { return new httplib::ThreadPool(http_threads); };
    metrics_server::impl* raw = s.get();
    s->http.Get("/metrics",
                [raw](const httplib::Request&, httplib::Response& res) { raw->serve_metrics(res); });
    s->http.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(index_page, "text/html");
    });
    const int port = where->port ? (s->http.bind_to_port(where->host, where->port) ? where->port : -1)
                                 : s->http.bind_to_any_port(where->host);
    if (port < 0) return bind_failed(listen, *where);
    s->port = uint16_t(port);
    s->thread = std::thread([raw] {
        raw->http.listen_after_bind();
        raw->finished.store(true);
    });
    return std::make_unique<metrics_server>(std::move(s));
}

}  // namespace ics
