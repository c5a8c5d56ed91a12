#include "server/http_server.h"

#include <sys/socket.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "merit/config.h"

namespace merit::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kJson = "application/json";
// Response headers that carry per-request facts from the handlers to the access logger (which
// sees only the request and the response); also useful to clients.
constexpr const char* kTimingHeader = "Server-Timing";
constexpr const char* kSamplesHeader = "X-Merit-Samples";
constexpr const char* kConfigHeader = "X-Merit-Config";

// cpp-httplib's connection queue, bounded: when max_pending connections wait for a thread, the
// accept loop blocks here, and further clients wait in the kernel's listen backlog instead of in
// our memory.
class ConnectionQueue final : public httplib::TaskQueue {
 public:
  ConnectionQueue(std::size_t threads, std::size_t max_pending) : max_pending_(max_pending) {
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
      threads_.emplace_back([this] { WorkerLoop(); });
    }
  }

  void enqueue(std::function<void()> fn) override {
    {
      std::unique_lock lock(mu_);
      space_.wait(lock, [this] { return jobs_.size() < max_pending_ || shutdown_; });
      jobs_.push_back(std::move(fn));
    }
    available_.notify_one();
  }

  // Serves every connection already accepted, then joins (cpp-httplib calls this after the
  // listening socket closed).
  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
    }
    available_.notify_all();
    space_.notify_all();
    for (std::thread& t : threads_) {
      t.join();
    }
    threads_.clear();
  }

 private:
  void WorkerLoop() {
    while (true) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        available_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) {
          return;
        }
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      space_.notify_one();
      fn();
    }
  }

  const std::size_t max_pending_;
  std::mutex mu_;
  std::condition_variable available_;
  std::condition_variable space_;
  std::deque<std::function<void()>> jobs_;  // Guarded by mu_.
  bool shutdown_ = false;                   // Guarded by mu_.
  std::vector<std::thread> threads_;
};

// cpp-httplib (Debian's build) listens with a backlog of 5, so a burst of new connections would
// see dropped SYNs and one-second retransmits; listen() again with the system's maximum.
class Listener final : public httplib::Server {
 public:
  void RaiseBacklog() { (void)::listen(svr_sock_, SOMAXCONN); }
};

int HttpCode(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kCancelled:
      return 499;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

void SetError(httplib::Response& res, int code, const Status& status) {
  res.status = code;
  std::string body = "{\"error\":{\"code\":";
  AppendJsonString(StatusCodeName(status.code()), body);
  body += ",\"message\":";
  AppendJsonString(status.message(), body);
  body += "}}";
  res.set_content(body, kJson);
  if (code == 429 || code == 503) {
    res.set_header("Retry-After", "1");
  }
}

// The route label for metrics and logs: the path pattern, never the raw path (which would give
// one time series per config name or per scanner probe).
std::string_view RouteOf(const std::string& path) {
  static constexpr std::string_view kRoutes[] = {
      "/v1/score",    "/get_reward",    "/v1/configs", "/health", "/health/live",
      "/health/ready", "/metrics", "/admin/reload"};
  for (std::string_view route : kRoutes) {
    if (path == route) {
      return route;
    }
  }
  if (path.rfind("/v1/configs/", 0) == 0) {
    return "/v1/configs/{name}";
  }
  return "other";
}

// Compares without an early exit, so that response time does not reveal how much of a guessed
// token was right. REQUIRES: !expected.empty().
bool SameToken(std::string_view given, std::string_view expected) {
  unsigned diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^
            static_cast<unsigned char>(expected[i % expected.size()]);
  }
  return diff == 0;
}

// {"results":[<line>,<line>,...],"config":...,"config_hash":...}: the result lines become the
// list's items. A '\n' can only be a line end, as JSON strings escape newlines.
std::string ResultsBody(const ScoredBatch& scored) {
  std::string body;
  body.reserve(scored.lines.size() + 128);
  body += "{\"results\":[";
  std::string_view lines = scored.lines;
  while (!lines.empty() && lines.back() == '\n') {
    lines.remove_suffix(1);
  }
  const std::size_t start = body.size();
  body += lines;
  for (std::size_t i = start; i < body.size(); ++i) {
    if (body[i] == '\n') {
      body[i] = ',';
    }
  }
  body += "],\"config\":";
  AppendJsonString(scored.config->name(), body);
  body += ",\"config_hash\":";
  AppendJsonString(scored.engine->config_hash(), body);
  body += '}';
  return body;
}

void AppendNumberList(const std::vector<double>& values, std::string& out) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    // NaN marks a component that was skipped or failed, as merit.openrlhf_reward_func does;
    // Python's json (which OpenRLHF reads responses with) accepts the NaN literal.
    if (std::isnan(values[i])) {
      out += "NaN";
    } else {
      AppendJsonNumber(values[i], out);
    }
  }
  out += ']';
}

// OpenRLHF's response, shaped as merit.openrlhf_reward_func with its defaults: rewards are the
// reward, or 0.0 for a sample that could not be scored; scores equal rewards; extra_logs hold
// merit/unscorable and merit/error flags and merit/<component> (NaN where skipped or failed).
std::string OpenRlhfBody(const ScoredBatch& scored) {
  const internal::LineBatch& batch = scored.batch;
  const std::vector<std::string> names = scored.engine->ComponentNames();
  const std::size_t n = batch.size();
  std::vector<double> rewards(n, 0.0);
  std::vector<double> unscorable(n, 0.0);
  std::vector<double> error(n, 0.0);
  std::vector<std::vector<double>> components(names.size(), std::vector<double>(n, std::nan("")));
  for (std::size_t i = 0; i < n; ++i) {
    if (!batch.usable[i]) {
      error[i] = 1.0;
      continue;
    }
    const internal::NodeScores& state = batch.states[i];
    const merit::Score& root = state.scores[0];
    if (root.ok()) {
      rewards[i] = root.value;
    } else if (root.status == ScoreStatus::kUnscorable) {
      unscorable[i] = 1.0;
    } else {
      error[i] = 1.0;
    }
    for (std::size_t c = 0; c < names.size(); ++c) {
      if (state.evaluated[c] && state.scores[c].ok()) {
        components[c][i] = state.scores[c].value;
      }
    }
  }
  std::string body = "{\"rewards\":";
  AppendNumberList(rewards, body);
  body += ",\"scores\":";
  AppendNumberList(rewards, body);
  body += ",\"extra_logs\":{\"merit/unscorable\":";
  AppendNumberList(unscorable, body);
  body += ",\"merit/error\":";
  AppendNumberList(error, body);
  for (std::size_t c = 0; c < names.size(); ++c) {
    body += ',';
    AppendJsonString("merit/" + names[c], body);
    body += ':';
    AppendNumberList(components[c], body);
  }
  body += "}}";
  return body;
}

void AppendStringList(const std::vector<std::string>& values, std::string& out) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    AppendJsonString(values[i], out);
  }
  out += ']';
}

// The top-level input keys an engine's field mapping reads (what a remote TRL adapter sends).
std::vector<std::string> InputKeys(const Engine& engine) {
  const internal::FieldMapping& f = engine.state().fields;
  std::vector<std::string> keys;
  for (const auto* paths : {&f.id, &f.prompt, &f.completion, &f.reference, &f.group,
                            &f.data_source, &f.metadata, &f.num_tokens, &f.logprobs,
                            &f.ref_logprobs}) {
    for (const std::string& path : *paths) {
      std::string key = path.substr(0, path.find('.'));
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        keys.push_back(std::move(key));
      }
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

void AppendConfigInfo(const NamedConfig& config, const Engine& engine, bool is_default,
                      std::string& out) {
  out += "{\"name\":";
  AppendJsonString(config.name(), out);
  out += ",\"source\":";
  AppendJsonString(config.spec().path, out);
  out += ",\"config_hash\":";
  AppendJsonString(engine.config_hash(), out);
  out += ",\"default\":";
  out += is_default ? "true" : "false";
  out += ",\"components\":";
  AppendStringList(engine.ComponentNames(), out);
  out += ",\"has_advantages\":";
  out += engine.has_advantages() ? "true" : "false";
  out += ",\"group_level\":";
  out += engine.state().tree.has_group_level() ? "true" : "false";
  out += ",\"input_keys\":";
  AppendStringList(InputKeys(engine), out);
  out += ",\"threads\":";
  out += std::to_string(engine.threads());
  out += ",\"config\":";
  engine.state().config.root.DumpTo(out);
  out += '}';
}

std::string NowIso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03d}Z", text, millis);
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(Service& service, HttpOptions options) : service_(service), options_(std::move(options)) {
    const std::size_t threads = options_.http_threads;
    const std::size_t pending = options_.max_pending_connections;
    server_.new_task_queue = [threads, pending] { return new ConnectionQueue(threads, pending); };
    server_.set_payload_max_length(options_.max_body_bytes);
    server_.set_keep_alive_timeout(options_.keep_alive_seconds);
    // Trainers send many batches over one connection; cpp-httplib's default closes it after 5.
    server_.set_keep_alive_max_count(100000);
    server_.set_tcp_nodelay(true);
    // A client that stalls mid-request must not hold a connection thread for long.
    server_.set_read_timeout(30);
    server_.set_write_timeout(30);
    Routes();
  }

  StatusOr<int> Bind() {
    int port = options_.port;
    if (port == 0) {
      port = server_.bind_to_any_port(options_.host);
      if (port < 0) {
        port = 0;
      }
    } else if (!server_.bind_to_port(options_.host, port)) {
      port = 0;
    }
    if (port == 0) {
      return FailedPreconditionError(
          fmt::format("cannot listen on {}:{} (in use, not permitted, or not a local address)",
                      options_.host, options_.port));
    }
    server_.RaiseBacklog();
    return port;
  }

  void Run() { server_.listen_after_bind(); }

  void Stop() { server_.stop(); }

 private:
  // Wraps a handler: times it and leaves facts for the access log in response headers.
  template <typename Handler>
  httplib::Server::Handler Timed(Handler handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      const Clock::time_point start = Clock::now();
      handler(req, res);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      res.set_header(kTimingHeader, fmt::format("merit;dur={:.3f}", ms));
    };
  }

  void Routes() {
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return Authorize(req, res);
    });
    server_.Post("/v1/score", Timed([this](const httplib::Request& req, httplib::Response& res) {
      if (RefuseIfBusy(res)) {
        return;
      }
      Score(req, res, ParseScoreRequest(req.body, service_.options().limits), &ResultsBody);
    }));
    server_.Post("/get_reward", Timed([this](const httplib::Request& req, httplib::Response& res) {
      if (RefuseIfBusy(res)) {
        return;
      }
      StatusOr<ScoreRequest> request = ParseOpenRlhfRequest(req.body, service_.options().limits);
      if (request.ok() && req.has_param("config")) {
        request->config = req.get_param_value("config");
      }
      Score(req, res, std::move(request), &OpenRlhfBody);
    }));
    server_.Get("/v1/configs", Timed([this](const httplib::Request&, httplib::Response& res) {
      const std::shared_ptr<const Catalog> catalog = service_.catalog();
      std::string body = "{\"configs\":[";
      for (std::size_t i = 0; i < catalog->configs.size(); ++i) {
        if (i > 0) {
          body += ',';
        }
        AppendConfigInfo(*catalog->configs[i], catalog->configs[i]->engine(), i == 0, body);
      }
      body += "],\"default\":";
      AppendJsonString(catalog->configs.front()->name(), body);
      body += ",\"merit_version\":";
      AppendJsonString(MeritVersion(), body);
      body += '}';
      res.set_content(body, kJson);
    }));
    server_.Get(R"(/v1/configs/([^/]+))",
                Timed([this](const httplib::Request& req, httplib::Response& res) {
                  ConfigInfo(req, res);
                }));
    const auto health = [this](const httplib::Request& req, httplib::Response& res) {
      const bool live_only = req.path == "/health/live";
      const bool ready = !service_.draining();
      res.status = ready || live_only ? 200 : 503;
      res.set_content(fmt::format(R"({{"status":"{}","live":true,"ready":{}}})",
                                  ready ? "ok" : "draining", ready ? "true" : "false"),
                      kJson);
    };
    server_.Get("/health", Timed(health));
    server_.Get("/health/live", Timed(health));
    server_.Get("/health/ready", Timed(health));
    server_.Get("/metrics", Timed([this](const httplib::Request&, httplib::Response& res) {
      res.set_content(service_.metrics().Render(service_.SampleGauges()),
                      "text/plain; version=0.0.4");
    }));
    server_.Post("/admin/reload",
                 Timed([this](const httplib::Request&, httplib::Response& res) { Reload(res); }));
    server_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) {
        return;  // A handler's own error body.
      }
      const std::string message =
          res.status == 413 ? "request body larger than the server's --max-body-mb"
          : res.status == 404
              ? fmt::format("no route {} {}", req.method, req.path)
              : fmt::format("HTTP {}", res.status);
      SetError(res, res.status,
               Status(res.status == 413 ? StatusCode::kResourceExhausted
                      : res.status == 404 ? StatusCode::kNotFound
                                          : StatusCode::kInvalidArgument,
                      message));
    });
    // Counted before the response is written (the logger runs after it is sent), so a client
    // that reads /metrics right after its own response always sees that response counted.
    server_.set_post_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { Count(req, res); });
    server_.set_logger(
        [this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
  }

  httplib::Server::HandlerResponse Authorize(const httplib::Request& req,
                                             httplib::Response& res) {
    if (options_.token.empty() || req.path.rfind("/health", 0) == 0) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.rfind(kBearer, 0) == 0 &&
        SameToken(std::string_view(header).substr(kBearer.size()), options_.token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    SetError(res, 401,
             Status(StatusCode::kFailedPrecondition, "missing or wrong bearer token"));
    res.set_header("WWW-Authenticate", "Bearer");
    return httplib::Server::HandlerResponse::Handled;
  }

  // A full queue refuses before the body is parsed; Service::Score checks again atomically.
  bool RefuseIfBusy(httplib::Response& res) {
    if (!service_.QueueFull()) {
      return false;
    }
    service_.metrics().CountRejected("queue_full");
    SetError(res, 429, ResourceExhaustedError("server busy: the work queue is full; retry later"));
    return true;
  }

  void Score(const httplib::Request&, httplib::Response& res, StatusOr<ScoreRequest> request,
             std::string (*format)(const ScoredBatch&)) {
    if (!request.ok()) {
      SetError(res, HttpCode(request.status()), request.status());
      return;
    }
    const std::size_t samples = request->batch.size();
    res.set_header(kSamplesHeader, std::to_string(samples));
    const std::string config_name = request->config;
    StatusOr<std::shared_ptr<const ScoredBatch>> scored = service_.Score(*std::move(request));
    if (!scored.ok()) {
      // A full queue is back-pressure (429), not an oversized request (413).
      const int code = scored.status().code() == StatusCode::kResourceExhausted
                           ? 429
                           : HttpCode(scored.status());
      SetError(res, code, scored.status());
      return;
    }
    res.set_header(kConfigHeader, (*scored)->config->name());
    res.set_content(format(**scored), kJson);
  }

  void ConfigInfo(const httplib::Request& req, httplib::Response& res) {
    const std::shared_ptr<const Catalog> catalog = service_.catalog();
    StatusOr<std::shared_ptr<const NamedConfig>> config = catalog->Find(req.matches[1].str());
    if (!config.ok()) {
      SetError(res, HttpCode(config.status()), config.status());
      return;
    }
    StatusOr<std::shared_ptr<const Engine>> engine =
        (*config)->EngineFor(req.has_param("fields") ? req.get_param_value("fields") : "");
    if (!engine.ok()) {
      SetError(res, HttpCode(engine.status()), engine.status());
      return;
    }
    std::string body;
    AppendConfigInfo(**config, **engine, *config == catalog->configs.front(), body);
    res.set_content(body, kJson);
  }

  void Reload(httplib::Response& res) {
    const Status status = service_.Reload();
    if (!status.ok()) {
      // The files are wrong, not the request: the server keeps serving the previous configs.
      SetError(res, 500, status);
      return;
    }
    std::string body = "{\"status\":\"reloaded\",\"configs\":[";
    const std::shared_ptr<const Catalog> catalog = service_.catalog();
    for (std::size_t i = 0; i < catalog->configs.size(); ++i) {
      if (i > 0) {
        body += ',';
      }
      body += "{\"name\":";
      AppendJsonString(catalog->configs[i]->name(), body);
      body += ",\"config_hash\":";
      AppendJsonString(catalog->configs[i]->engine().config_hash(), body);
      body += '}';
    }
    body += "]}";
    res.set_content(body, kJson);
  }

  // The handler's own time, from the Server-Timing header Timed sets; -1 when it has none.
  static double HandlerMs(const httplib::Response& res) {
    const std::string timing = res.get_header_value(kTimingHeader);
    if (const std::size_t at = timing.find("dur="); at != std::string::npos) {
      return std::strtod(timing.c_str() + at + 4, nullptr);
    }
    return -1;
  }

  void Count(const httplib::Request& req, const httplib::Response& res) {
    const double ms = HandlerMs(res);
    service_.metrics().CountRequest(RouteOf(req.path), res.status, ms < 0 ? -1.0 : ms / 1000.0);
  }

  void Log(const httplib::Request& req, const httplib::Response& res) {
    if (!options_.access_log) {
      return;
    }
    std::string line = "{\"ts\":\"" + NowIso8601() + "\",\"remote\":";
    AppendJsonString(req.remote_addr, line);
    line += ",\"method\":";
    AppendJsonString(req.method, line);
    line += ",\"path\":";
    AppendJsonString(req.path, line);
    fmt::format_to(std::back_inserter(line), ",\"status\":{},\"bytes_in\":{},\"bytes_out\":{}",
                   res.status, req.body.size(), res.body.size());
    if (const double ms = HandlerMs(res); ms >= 0) {
      fmt::format_to(std::back_inserter(line), ",\"ms\":{:.3f}", ms);
    }
    if (res.has_header(kSamplesHeader)) {
      line += ",\"samples\":" + res.get_header_value(kSamplesHeader);
    }
    if (res.has_header(kConfigHeader)) {
      line += ",\"config\":";
      AppendJsonString(res.get_header_value(kConfigHeader), line);
    }
    if (res.status >= 400 && res.body.size() < 4096) {
      line += ",\"error\":";
      AppendJsonString(res.body, line);
    }
    line += "}\n";
    // One write per line, so that lines from concurrent requests never interleave.
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  Service& service_;
  const HttpOptions options_;
  Listener server_;
};

HttpServer::HttpServer(Service& service, HttpOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {}

HttpServer::~HttpServer() = default;

StatusOr<int> HttpServer::Bind() {
  return impl_->Bind();
}

void HttpServer::Run() {
  impl_->Run();
}

void HttpServer::Stop() {
  impl_->Stop();
}

}  // namespace merit::server
