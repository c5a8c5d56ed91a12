#include "server/metrics.h"

#include <fmt/format.h>

namespace merit::server {
namespace {

// Label values are escaped as the exposition format asks: backslash, quote and newline.
std::string Label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Header(std::string& out, std::string_view name, std::string_view type,
            std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void AddCounts(std::map<std::pair<std::string, std::string>, std::uint64_t>& into,
               std::string_view config, const Json* counts) {
  if (counts == nullptr || !counts->is_object()) {
    return;
  }
  for (const auto& [key, value] : counts->object()) {
    if (value.is_number()) {
      into[{std::string(config), key}] += static_cast<std::uint64_t>(value.number());
    }
  }
}

}  // namespace

// Latency buckets from 1 ms to 60 s: a small batch of rule rewards answers in about a
// millisecond, a judge-backed batch can take tens of seconds.
Metrics::Metrics()
    : bounds_{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60} {}

void Metrics::CountRequest(std::string_view route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route), status}];
  if (seconds < 0) {
    return;
  }
  Histogram& h = latency_[std::string(route)];
  h.buckets.resize(bounds_.size() + 1);
  std::size_t b = 0;
  while (b < bounds_.size() && seconds > bounds_[b]) {
    ++b;
  }
  ++h.buckets[b];
  ++h.count;
  h.sum += seconds;
}

void Metrics::CountSamples(std::string_view config, const Json& summary) {
  std::lock_guard lock(mu_);
  AddCounts(statuses_, config, summary.Find("status"));
  AddCounts(reasons_, config, summary.Find("reasons"));
}

void Metrics::CountRejected(std::string_view reason) {
  std::lock_guard lock(mu_);
  ++rejected_[std::string(reason)];
}

void Metrics::CountReload(bool ok) {
  std::lock_guard lock(mu_);
  ++(ok ? reloads_ok_ : reloads_failed_);
}

std::string Metrics::Render(const Gauges& gauges) const {
  std::string out;
  auto line = [&out](std::string_view name, std::string_view labels, auto value) {
    fmt::format_to(std::back_inserter(out), "{}{}{}{} {}\n", name, labels.empty() ? "" : "{",
                   labels, labels.empty() ? "" : "}", value);
  };
  std::lock_guard lock(mu_);
  Header(out, "merit_http_requests_total", "counter", "HTTP requests by route and status code.");
  for (const auto& [key, n] : requests_) {
    line("merit_http_requests_total",
         fmt::format("route=\"{}\",code=\"{}\"", Label(key.first), key.second), n);
  }
  Header(out, "merit_http_request_duration_seconds", "histogram",
         "Time from the request body read to the response built, by route.");
  for (const auto& [route, h] : latency_) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < bounds_.size(); ++b) {
      cumulative += h.buckets[b];
      line("merit_http_request_duration_seconds_bucket",
           fmt::format("route=\"{}\",le=\"{}\"", Label(route), bounds_[b]), cumulative);
    }
    line("merit_http_request_duration_seconds_bucket",
         fmt::format("route=\"{}\",le=\"+Inf\"", Label(route)), h.count);
    line("merit_http_request_duration_seconds_sum", fmt::format("route=\"{}\"", Label(route)),
         h.sum);
    line("merit_http_request_duration_seconds_count", fmt::format("route=\"{}\"", Label(route)),
         h.count);
  }
  Header(out, "merit_samples_total", "counter", "Samples scored, by config and result status.");
  for (const auto& [key, n] : statuses_) {
    line("merit_samples_total",
         fmt::format("config=\"{}\",status=\"{}\"", Label(key.first), Label(key.second)), n);
  }
  Header(out, "merit_sample_reasons_total", "counter",
         "Samples scored, by config and result reason (no_answer, backend_unavailable, ...).");
  for (const auto& [key, n] : reasons_) {
    line("merit_sample_reasons_total",
         fmt::format("config=\"{}\",reason=\"{}\"", Label(key.first), Label(key.second)), n);
  }
  Header(out, "merit_rejected_batches_total", "counter",
         "Batches refused: queue_full (429), draining (503), deadline (504).");
  for (const auto& [reason, n] : rejected_) {
    line("merit_rejected_batches_total", fmt::format("reason=\"{}\"", Label(reason)), n);
  }
  Header(out, "merit_reloads_total", "counter", "Config reloads by result.");
  line("merit_reloads_total", "result=\"ok\"", reloads_ok_);
  line("merit_reloads_total", "result=\"failed\"", reloads_failed_);
  Header(out, "merit_queue_depth", "gauge", "Batches waiting for a scoring worker.");
  line("merit_queue_depth", "", gauges.queue_waiting);
  Header(out, "merit_queue_running", "gauge", "Batches being scored.");
  line("merit_queue_running", "", gauges.queue_running);
  Header(out, "merit_queue_capacity", "gauge", "Batches that may wait before requests get 429.");
  line("merit_queue_capacity", "", gauges.queue_capacity);
  Header(out, "merit_workers", "gauge", "Batches scored at once.");
  line("merit_workers", "", gauges.workers);
  Header(out, "merit_ready", "gauge", "1 while the server accepts scoring requests.");
  line("merit_ready", "", gauges.ready ? 1 : 0);
  Header(out, "merit_config_info", "gauge", "The configs served, with their hashes.");
  for (const auto& [name, hash] : gauges.configs) {
    line("merit_config_info", fmt::format("config=\"{}\",hash=\"{}\"", Label(name), Label(hash)),
         1);
  }
  return out;
}

}  // namespace merit::server
