// Metrics: the counters and histograms behind GET /metrics, rendered in the Prometheus text
// exposition format (version 0.0.4).
//
// Updated once per request (never per sample), under one mutex: a few map look-ups per request
// cost nothing next to scoring a batch.
//
// Thread safety: every method may be called from any thread.
#ifndef MERIT_SERVER_METRICS_H_
#define MERIT_SERVER_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "merit/json.h"

namespace merit::server {

// Values sampled when /metrics is scraped (queue depth and the like).
struct Gauges {
  std::size_t queue_waiting = 0;
  std::size_t queue_running = 0;
  std::size_t queue_capacity = 0;
  std::size_t workers = 0;
  bool ready = false;
  // (config name, config hash) of the configs being served.
  std::vector<std::pair<std::string, std::string>> configs = {};
};

class Metrics {
 public:
  Metrics();

  // One HTTP request: its route ("/v1/score", or "other" for unknown paths), status code and
  // latency in seconds (negative when the handler never ran, e.g. a 413 from the body reader).
  void CountRequest(std::string_view route, int status, double seconds);
  // The samples of one scored batch: `summary` is LineScorer's Summary::ToJson (status and
  // reason counts).
  void CountSamples(std::string_view config, const Json& summary);
  // A refused batch: reason "queue_full", "draining" or "deadline".
  void CountRejected(std::string_view reason);
  void CountReload(bool ok);

  std::string Render(const Gauges& gauges) const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // Cumulative at render time; per-bucket here.
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mu_;
  std::vector<double> bounds_;  // Latency bucket upper bounds, seconds. Constant.
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;         // Guarded by mu_.
  std::map<std::string, Histogram> latency_;                              // Guarded by mu_.
  std::map<std::pair<std::string, std::string>, std::uint64_t> statuses_;  // Guarded by mu_.
  std::map<std::pair<std::string, std::string>, std::uint64_t> reasons_;   // Guarded by mu_.
  std::map<std::string, std::uint64_t> rejected_;                         // Guarded by mu_.
  std::uint64_t reloads_ok_ = 0;                                          // Guarded by mu_.
  std::uint64_t reloads_failed_ = 0;                                      // Guarded by mu_.
};

}  // namespace merit::server

#endif  // MERIT_SERVER_METRICS_H_
