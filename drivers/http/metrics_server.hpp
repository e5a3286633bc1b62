// The Prometheus endpoint of monitor mode: GET /metrics serves the newest snapshot the output lcore
// published (formatted in the HTTP thread, so a scrape never stalls the data path) and GET / a page
// that links it. The only user of cpp-httplib, kept out of this header so that nothing else sees it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "monitor/metrics_snapshot.hpp"
#include "monitor/snapshot_exchange.hpp"
#include "util/result.hpp"

namespace ics {

// Where to listen: "127.0.0.1:9374", ":9374" (every IPv4 address) or "[::1]:9374"; port 0 takes a
// free port (tests).
struct listen_address {
    std::string host;  // a numeric address, as the socket API takes it
    uint16_t port = 0;
};
result<listen_address> parse_listen_address(std::string_view listen);

class metrics_server {
public:
    struct impl;
    explicit metrics_server(std::unique_ptr<impl> running);
    ~metrics_server();  // stops it
    metrics_server(const metrics_server&) = delete;
    metrics_server& operator=(const metrics_server&) = delete;

    // The port it listens on (the one the system chose for port 0).
    uint16_t port() const;
    // Closes the listening socket and waits for the server's thread; a request being served is
    // finished first. Idempotent.
    void stop();

private:
    std::unique_ptr<impl> impl_;
};

// Binds before it returns, so that a bad address or a port in use is an error sentence naming
// --prometheus before anything is sent; then serves in a thread of its own. This thread is the
// exchange's only consumer for as long as the server runs.
result<std::unique_ptr<metrics_server>> start_metrics_server(std::string_view listen,
                                                             snapshot_exchange<metrics_snapshot>& snapshots);

}  // namespace ics
