// The Prometheus endpoint on loopback: /metrics serves the newest published snapshot, exactly as
// format_exposition prints it; a port in use and a malformed address are error sentences returned
// by start_metrics_server; stop() closes the port.
#include "http/metrics_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <string>
#include <thread>

#include "monitor/exposition.hpp"

using namespace ics;

namespace {
metrics_snapshot numbered_snapshot(uint64_t rounds) {
    metrics_snapshot s;
    s.run.rounds_closed = rounds;
    s.run.source = "198.18.0.1";
    group_metrics& g = s.groups.emplace_back();
    append_prom_label(g.labels, "pop", "ams");
    g.counters.sent = 10 * rounds;
    g.rtt.add(700);
    target_metrics& t = s.targets.emplace_back();
    t.ip = 0xc6120007;  // 198.18.0.7
    t.counters.sent = rounds;
    t.rtt.add(700);
    return s;
}

std::unique_ptr<metrics_server> start_on_free_port(snapshot_exchange<metrics_snapshot>& x) {
    result<std::unique_ptr<metrics_server>> r = start_metrics_server("127.0.0.1:0", x);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error_message());
    return r.ok() ? std::move(*r) : nullptr;
}
}  // namespace

TEST(MetricsServer, ServesTheNewestSnapshotAsFormatted) {
    snapshot_exchange<metrics_snapshot> x;
    std::unique_ptr<metrics_server> server = start_on_free_port(x);
    ASSERT_NE(server, nullptr);
    ASSERT_NE(server->port(), 0);
    httplib::Client client("127.0.0.1", server->port());
    httplib::Result before = client.Get("/metrics");
    ASSERT_TRUE(before) << httplib::to_string(before.error());
    EXPECT_EQ(before->status, 200);
    EXPECT_EQ(before->body, "");  // nothing published yet

    for (uint64_t rounds = 1; rounds <= 3; ++rounds) {
        x.back() = numbered_snapshot(rounds);
        x.publish();
    }
    httplib::Result got = client.Get("/metrics");
    ASSERT_TRUE(got) << httplib::to_string(got.error());
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(got->body, format_exposition(numbered_snapshot(3)));
    EXPECT_NE(got->body.find("\ndpdk_icmpscan_rounds_closed_total 3\n"), std::string::npos);
}

// Scrapes while the producer publishes as fast as it can: every body is one whole snapshot (equal to
// its formatting, numbered by rounds_closed) and the numbers never go back.
TEST(MetricsServer, ScrapesDuringPublishingSeeWholeSnapshotsInOrder) {
    snapshot_exchange<metrics_snapshot> x;
    std::unique_ptr<metrics_server> server = start_on_free_port(x);
    ASSERT_NE(server, nullptr);
    x.back() = numbered_snapshot(1);  // before the first scrape
    x.publish();
    std::atomic<bool> stop{false};
    std::thread producer([&] {
        for (uint64_t rounds = 2; !stop.load(); ++rounds) {
            x.back() = numbered_snapshot(rounds);
            x.publish();
        }
    });
    httplib::Client client("127.0.0.1", server->port());
    uint64_t last = 0;
    for (int scrape = 0; scrape < 50; ++scrape) {
        httplib::Result got = client.Get("/metrics");
        ASSERT_TRUE(got) << httplib::to_string(got.error());
        const std::string key = "\ndpdk_icmpscan_rounds_closed_total ";
        const size_t at = got->body.find(key);
        ASSERT_NE(at, std::string::npos) << scrape;
        const uint64_t rounds = std::stoull(got->body.substr(at + key.size()));
        EXPECT_EQ(got->body, format_exposition(numbered_snapshot(rounds))) << scrape;
        EXPECT_GE(rounds, last) << scrape;
        last = rounds;
    }
    stop.store(true);
    producer.join();
}

TEST(MetricsServer, IndexPageLinksMetricsAndOtherPathsAreNotFound) {
    snapshot_exchange<metrics_snapshot> x;
    std::unique_ptr<metrics_server> server = start_on_free_port(x);
    ASSERT_NE(server, nullptr);
    httplib::Client client("127.0.0.1", server->port());
    httplib::Result index = client.Get("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_NE(index->body.find("<a href=\"/metrics\">"), std::string::npos);
    httplib::Result other = client.Get("/nothing-here");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 404);
}

TEST(MetricsServer, PortInUseIsASentenceBeforeAnythingIsServed) {
    snapshot_exchange<metrics_snapshot> x;
    std::unique_ptr<metrics_server> first = start_on_free_port(x);
    ASSERT_NE(first, nullptr);
    const std::string listen = "127.0.0.1:" + std::to_string(first->port());
    snapshot_exchange<metrics_snapshot> y;
    result<std::unique_ptr<metrics_server>> second = start_metrics_server(listen, y);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error_message(),
              "--prometheus " + listen + ": address already in use; pick another port");
}

TEST(MetricsServer, StopClosesThePortAndIsIdempotent) {
    snapshot_exchange<metrics_snapshot> x;
    std::unique_ptr<metrics_server> server = start_on_free_port(x);
    ASSERT_NE(server, nullptr);
    const uint16_t port = server->port();
    server->stop();
    server->stop();
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1);
    EXPECT_FALSE(client.Get("/metrics"));
    // The port is free again: a new server takes it.
    snapshot_exchange<metrics_snapshot> y;
    result<std::unique_ptr<metrics_server>> again =
        start_metrics_server("127.0.0.1:" + std::to_string(port), y);
    EXPECT_TRUE(again.ok()) << (again.ok() ? "" : again.error_message());
}

TEST(ListenAddress, AcceptedForms) {
    result<listen_address> v4 = parse_listen_address("127.0.0.1:9374");
    ASSERT_TRUE(v4.ok());
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 9374);
    result<listen_address> any = parse_listen_address(":9374");
    ASSERT_TRUE(any.ok());
    EXPECT_EQ(any->host, "0.0.0.0");
    EXPECT_EQ(any->port, 9374);
    result<listen_address> v6 = parse_listen_address("[::1]:65535");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 65535);
}

TEST(ListenAddress, MalformedOnesAreOneSentence) {
    for (const char* bad : {"9374", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:93x4",
                            "localhost:9374", "127.0.0:9374", "::1:9374", "[127.0.0.1]:9374", ""}) {
        result<listen_address> r = parse_listen_address(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error_message(), std::string("--prometheus ") + bad +
                                         ": give ADDRESS:PORT with a numeric address and a port up to 65535, "
                                         "e.g. 127.0.0.1:9374, or :9374 for every address");
    }
    snapshot_exchange<metrics_snapshot> x;
    result<std::unique_ptr<metrics_server>> r = start_metrics_server("127.0.0.1:http", x);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error_message().rfind("--prometheus 127.0.0.1:http: give ADDRESS:PORT", 0), 0u);
}
