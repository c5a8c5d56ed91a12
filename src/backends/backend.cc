#include "backends/backend.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "backends/http_loop.h"
#include "backends/protocol.h"
#include "backends/response_cache.h"

namespace merit::backends {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kProtocols[] = {"openai", "vllm_classify", "vllm_pooling", "openrlhf",
                                           "http"};
constexpr std::string_view kCacheModes[] = {"memory", "off"};

struct BackendOptions {
  std::string protocol = "openai";
  std::string url = {};
  std::string model = {};
  std::string api_key_env = {};
  std::int64_t max_concurrency = 16;
  std::int64_t max_batch = 32;
  double timeout = 60.0;
  double deadline = 600.0;
  std::int64_t retries = 4;
  double backoff_initial = 0.5;
  double backoff_max = 8.0;
  double requests_per_minute = 0.0;
  double tokens_per_minute = 0.0;
  std::int64_t breaker_failures = 10;
  double breaker_cooldown = 5.0;
  std::string cache = "memory";
  std::string cache_file = {};
  std::int64_t score_index = 1;
  std::string score_path = "score";
  Json body = {};

  static constexpr auto kFields = std::tuple{
      Field{"protocol", &BackendOptions::protocol, "What the service speaks.",
            {.choices = kProtocols}},
      Field{"url", &BackendOptions::url,
            "Base URL (http:// or https://); for `http`, the full endpoint URL."},
      Field{"model", &BackendOptions::model, "Model name sent with each request (if any)."},
      Field{"api_key_env", &BackendOptions::api_key_env,
            "Environment variable holding the API key (sent as a Bearer token, never logged)."},
      Field{"max_concurrency", &BackendOptions::max_concurrency,
            "HTTP requests open at once.", {.min = 1, .max = 4096}},
      Field{"max_batch", &BackendOptions::max_batch,
            "Inputs per request where the endpoint takes lists.", {.min = 1, .max = 4096}},
      Field{"timeout", &BackendOptions::timeout, "Seconds per HTTP request.",
            {.min = 0.001, .max = 86400}},
      Field{"deadline", &BackendOptions::deadline,
            "Seconds per call from submission, retries included (a batch submits all its calls "
            "at once, so this also bounds the batch).",
            {.min = 0.001, .max = 86400}},
      Field{"retries", &BackendOptions::retries,
            "Retries on 429, 5xx, timeouts and dropped connections.", {.min = 0, .max = 100}},
      Field{"backoff_initial", &BackendOptions::backoff_initial,
            "Seconds: the first backoff cap (doubles per retry, full jitter).",
            {.min = 0, .max = 3600}},
      Field{"backoff_max", &BackendOptions::backoff_max, "Seconds: the largest backoff cap.",
            {.min = 0, .max = 3600}},
      Field{"requests_per_minute", &BackendOptions::requests_per_minute,
            "Request rate limit (0: none).", {.min = 0}},
      Field{"tokens_per_minute", &BackendOptions::tokens_per_minute,
            "Token rate limit, estimated as request bytes / 4 plus max_tokens (0: none).",
            {.min = 0}},
      Field{"breaker_failures", &BackendOptions::breaker_failures,
            "Consecutive failed requests that open the circuit breaker (0: no breaker).",
            {.min = 0}},
      Field{"breaker_cooldown", &BackendOptions::breaker_cooldown,
            "Seconds the circuit stays open before one probe request.", {.min = 0, .max = 3600}},
      Field{"cache", &BackendOptions::cache,
            "Response cache: identical calls are made once and reruns are free.",
            {.choices = kCacheModes}},
      Field{"cache_file", &BackendOptions::cache_file,
            "SQLite file that keeps the cache across runs (empty: memory only)."},
      Field{"score_index", &BackendOptions::score_index,
            "vllm_classify: the class whose probability is the score.", {.min = 0, .max = 65535}},
      Field{"score_path", &BackendOptions::score_path,
            "http: dotted path to the score in the response (\"result.score\", \"data.0\")."},
      Field{"body", &BackendOptions::body,
            "http: the request body; strings may use {text}, {prompt}, {completion}."},
  };

  Status Validate() const {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return InvalidArgumentError("`url` must start with http:// or https://");
    }
    if (backoff_max < backoff_initial) {
      return InvalidArgumentError("`backoff_max` is smaller than `backoff_initial`");
    }
    return OkStatus();
  }
};

Protocol ProtocolFromName(std::string_view name) {
  if (name == "vllm_classify") return Protocol::kVllmClassify;
  if (name == "vllm_pooling") return Protocol::kVllmPooling;
  if (name == "openrlhf") return Protocol::kOpenRlhf;
  if (name == "http") return Protocol::kHttp;
  return Protocol::kOpenAi;
}

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

class PendingImpl final : public PendingReply {
 public:
  const Reply& Wait() const override {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [this] { return done_; });
    return reply_;
  }

  bool done() const override {
    std::lock_guard lock(mutex_);
    return done_;
  }

  void Complete(Reply reply) {
    {
      std::lock_guard lock(mutex_);
      if (done_) {
        return;
      }
      reply_ = std::move(reply);
      done_ = true;
    }
    done_cv_.notify_all();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable done_cv_;
  bool done_ = false;
  Reply reply_;
};

Reply Failure(std::string_view reason, std::string detail) {
  return Reply{.error = reason, .detail = std::move(detail)};
}

// A token bucket holding at most one second of its rate; rate 0 admits everything.
class RateLimiter {
 public:
  explicit RateLimiter(double per_minute) : per_second_(per_minute / 60.0) {}

  // Whether `cost` fits now; if not, when it will.
  bool TryTake(double cost, Clock::time_point now, Clock::time_point* retry_at) {
    if (per_second_ <= 0) {
      return true;
    }
    const double capacity = std::max(per_second_, cost);
    if (started_) {
      available_ = std::min(
          capacity, available_ + per_second_ * std::chrono::duration<double>(now - last_).count());
    } else {
      available_ = capacity;
      started_ = true;
    }
    last_ = now;
    if (available_ >= cost) {
      available_ -= cost;
      return true;
    }
    *retry_at = now + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>((cost - available_) / per_second_));
    return false;
  }

 private:
  double per_second_;
  double available_ = 0;
  bool started_ = false;
  Clock::time_point last_ = {};
};

class BackendImpl final : public Backend {
 public:
  BackendImpl(std::string name, const BackendOptions& options, std::string api_key,
              std::unique_ptr<ResponseCache> cache, HttpLoop* loop)
      : name_(std::move(name)),
        options_(options),
        protocol_(ProtocolFromName(options.protocol)),
        api_key_(std::move(api_key)),
        cache_(std::move(cache)),
        loop_(loop),
        requests_limit_(options.requests_per_minute),
        tokens_limit_(options.tokens_per_minute),
        jitter_(std::hash<std::string>{}(name_)) {
    format_.protocol = protocol_;
    format_.url = options.url;
    while (format_.url.ends_with('/') && protocol_ != Protocol::kHttp) {
      format_.url.pop_back();
    }
    format_.model = options.model;
    format_.score_index = static_cast<std::size_t>(options.score_index);
    format_.score_path = options.score_path;
    format_.body_template = options.body;
  }

  const std::string& name() const override { return name_; }
  Protocol protocol() const override { return protocol_; }
  Clock::duration call_timeout() const override { return Millis(options_.deadline); }

  BackendStats stats() const override {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  std::shared_ptr<const PendingReply> Submit(Call call, Clock::time_point deadline) const override {
    auto pending = std::make_shared<PendingImpl>();
    std::string key;
    {
      std::lock_guard lock(mutex_);
      ++stats_.calls;
    }
    if (!Supports(call.kind)) {
      pending->Complete(Failure("backend_bad_response",
                                fmt::format("backend \"{}\" ({}) cannot serve this kind of call",
                                            name_, options_.protocol)));
      return pending;
    }
    if (cache_ != nullptr) {
      key = CacheKey(call);
      if (std::optional<Json> hit = cache_->Get(key)) {
        {
          std::lock_guard lock(mutex_);
          ++stats_.cache_hits;
        }
        pending->Complete(Reply{.body = std::move(*hit), .cached = true});
        return pending;
      }
    }
    {
      std::lock_guard lock(mutex_);
      if (!key.empty()) {
        // The same call already in flight: share its reply instead of asking twice.
        if (auto it = followers_.find(key); it != followers_.end()) {
          it->second.push_back(pending);
          ++stats_.cache_hits;
          return pending;
        }
        followers_[key];
      }
      queue_.push_back(Job{.pending = pending,
                           .call = std::move(call),
                           .key = std::move(key),
                           .deadline = deadline});
    }
    // A batch submits thousands of calls at once: one wake-up of the loop serves them all.
    if (!pump_scheduled_.exchange(true)) {
      loop_->Post([this] {
        pump_scheduled_ = false;
        Pump();
      });
    }
    return pending;
  }

  // Runs on the loop thread: start what the limits allow, fail what has expired.
  void Pump() const {
    std::vector<std::pair<Job, Reply>> failed;
    std::vector<std::vector<Job>> to_send;
    {
      std::lock_guard lock(mutex_);
      const Clock::time_point now = Clock::now();
      // The loop calls Pump after every event; sweeping the whole queue that often costs more
      // than deadlines need (they are seconds long), so sweep at most every 10 ms.
      const bool sweep = now >= next_sweep_;
      if (sweep) {
        next_sweep_ = now + std::chrono::milliseconds(10);
      }
      for (auto it = queue_.begin(); sweep && it != queue_.end();) {
        if (it->deadline <= now) {
          failed.emplace_back(std::move(*it), Failure("timeout", DeadlineDetail()));
          it = queue_.erase(it);
        } else {
          ++it;
        }
      }
      if (breaker_open_ && now < breaker_until_) {
        while (!queue_.empty()) {
          failed.emplace_back(std::move(queue_.front()),
                              Failure("backend_unavailable",
                                      fmt::format("backend \"{}\": circuit breaker open after {} "
                                                  "consecutive failed requests; last: {}",
                                                  name_, consecutive_failures_, last_failure_)));
          queue_.pop_front();
        }
      }
      // Half-open after the cooldown: a single probe request decides.
      const std::size_t limit =
          breaker_open_ ? 1 : static_cast<std::size_t>(options_.max_concurrency);
      while (!queue_.empty() && in_flight_ < limit && !(rate_wait_ > now)) {
        std::vector<Job> batch;
        const std::size_t batch_limit =
            Batchable(protocol_) ? static_cast<std::size_t>(options_.max_batch) : 1;
        while (!queue_.empty() && batch.size() < batch_limit) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        Clock::time_point retry_at{};
        const double tokens = EstimatedTokens(batch);
        if (!requests_limit_.TryTake(1.0, now, &retry_at) ||
            !tokens_limit_.TryTake(tokens, now, &retry_at)) {
          for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
            queue_.push_front(std::move(*it));
          }
          rate_wait_ = retry_at;
          loop_->At(retry_at, [this] { Pump(); });
          break;
        }
        ++in_flight_;
        ++stats_.http_requests;
        stats_.max_in_flight = std::max<std::uint64_t>(stats_.max_in_flight, in_flight_);
        to_send.push_back(std::move(batch));
      }
    }
    for (auto& [job, reply] : failed) {
      Finish(job, std::move(reply));
    }
    for (std::vector<Job>& batch : to_send) {
      Send(std::move(batch));
    }
  }

  // The BackendSet is going away: nothing queued will be sent.
  void FailQueued() const {
    std::deque<Job> queued;
    {
      std::lock_guard lock(mutex_);
      queued.swap(queue_);
    }
    for (Job& job : queued) {
      Finish(job, Failure("backend_unavailable", "the backend client is shutting down"));
    }
  }

 private:
  struct Job {
    std::shared_ptr<PendingImpl> pending;
    Call call;
    std::string key;  // Cache key; empty when the cache is off.
    Clock::time_point deadline;
    std::int64_t attempt = 0;
  };

  std::string DeadlineDetail() const {
    return fmt::format("backend \"{}\": no reply within the call deadline ({} s)", name_,
                       options_.deadline);
  }

  std::string CacheKey(const Call& call) const {
    std::string identity = fmt::format("merit-backend-v1\n{}\n{}\n{}\n{}\n{}\n", options_.protocol,
                                       format_.url, format_.model,
                                       static_cast<int>(call.kind), format_.score_path);
    format_.body_template.DumpTo(identity);
    identity += '\n';
    call.body.DumpTo(identity);
    return Sha256Hex(identity);
  }

  static double EstimatedTokens(const std::vector<Job>& batch) {
    double tokens = 0;
    for (const Job& job : batch) {
      std::string text;
      job.call.body.DumpTo(text);
      tokens += static_cast<double>(text.size()) / 4.0;
      if (const Json* max_tokens = job.call.body.Find("max_tokens");
          max_tokens != nullptr && max_tokens->is_number()) {
        tokens += std::max(0.0, max_tokens->number());
      }
    }
    return tokens;
  }

  void Send(std::vector<Job> batch) const {
    std::vector<const Call*> calls;
    for (const Job& job : batch) {
      calls.push_back(&job.call);
    }
    StatusOr<WireRequest> wire = BuildRequest(format_, calls);
    if (!wire.ok()) {
      ReleaseSlot();
      for (Job& job : batch) {
        Finish(job, Failure("backend_bad_response", wire.status().message()));
      }
      return;
    }
    Clock::time_point deadline = batch.front().deadline;
    for (const Job& job : batch) {
      deadline = std::min(deadline, job.deadline);
    }
    HttpRequest request;
    request.url = std::move(wire->url);
    request.body = std::move(wire->body);
    request.timeout = std::clamp(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
        std::chrono::milliseconds(1), Millis(options_.timeout));
    if (!api_key_.empty()) {
      request.headers.push_back("Authorization: Bearer " + api_key_);
    }
    auto shared = std::make_shared<std::vector<Job>>(std::move(batch));
    loop_->Start(std::move(request), [this, shared](HttpResponse response) {
      OnResponse(std::move(*shared), std::move(response));
    });
  }

  void ReleaseSlot() const {
    std::lock_guard lock(mutex_);
    if (in_flight_ > 0) {
      --in_flight_;
    }
  }

  // Breaker and concurrency bookkeeping for one finished request.
  void OnRequestDone(bool success, std::string failure = {}) const {
    std::lock_guard lock(mutex_);
    if (in_flight_ > 0) {
      --in_flight_;
    }
    if (success) {
      consecutive_failures_ = 0;
      breaker_open_ = false;
      return;
    }
    ++consecutive_failures_;
    last_failure_ = std::move(failure);
    if (options_.breaker_failures > 0 && consecutive_failures_ >= options_.breaker_failures) {
      if (!breaker_open_) {
        ++stats_.breaker_trips;
      }
      breaker_open_ = true;
      breaker_until_ = Clock::now() + Millis(options_.breaker_cooldown);
    }
  }

  void OnResponse(std::vector<Job> batch, HttpResponse response) const {
    const bool transport_failure = response.status == 0;
    const bool retryable =
        transport_failure || response.status == 429 || response.status >= 500;
    if (response.status >= 200 && response.status < 300) {
      std::vector<const Call*> calls;
      for (const Job& job : batch) {
        calls.push_back(&job.call);
      }
      StatusOr<std::vector<Json>> replies = ParseResponse(format_, calls, response.body);
      OnRequestDone(true);
      if (!replies.ok()) {
        for (Job& job : batch) {
          Finish(job, Failure("backend_bad_response",
                              fmt::format("backend \"{}\": {}", name_, replies.status().message())));
        }
      } else {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          if (cache_ != nullptr) {
            cache_->Put(batch[i].key, (*replies)[i]);
          }
          Finish(batch[i], Reply{.body = std::move((*replies)[i])});
        }
      }
      Pump();
      return;
    }
    const std::string what =
        transport_failure ? response.transport_error : fmt::format("HTTP {}", response.status);
    if (response.shutting_down) {
      ReleaseSlot();
      for (Job& job : batch) {
        Finish(job, Failure("backend_unavailable", what));
      }
      return;
    }
    if (!retryable) {
      // A 4xx other than 429 will not get better by asking again (bad request, bad key).
      OnRequestDone(true);
      for (Job& job : batch) {
        Finish(job, Failure("backend_bad_response",
                            fmt::format("backend \"{}\": {}: {}", name_, what,
                                        response.body.substr(0, 200))));
      }
      Pump();
      return;
    }
    OnRequestDone(false, what);
    const Clock::time_point now = Clock::now();
    for (Job& job : batch) {
      if (job.attempt >= options_.retries) {
        Finish(job, Failure("backend_unavailable",
                            fmt::format("backend \"{}\": {} after {} attempts", name_, what,
                                        job.attempt + 1)));
        continue;
      }
      const Clock::duration delay = Backoff(job.attempt, response.retry_after_seconds);
      if (now + delay >= job.deadline) {
        Finish(job, Failure("timeout", fmt::format("{}; last: {}", DeadlineDetail(), what)));
        continue;
      }
      ++job.attempt;
      {
        std::lock_guard lock(mutex_);
        ++stats_.retries;
      }
      auto shared = std::make_shared<Job>(std::move(job));
      loop_->At(now + delay, [this, shared] {
        {
          std::lock_guard lock(mutex_);
          queue_.push_front(std::move(*shared));
        }
        Pump();
      });
    }
    Pump();
  }

  // Exponential backoff with full jitter; a server's Retry-After wins when it asks for longer.
  Clock::duration Backoff(std::int64_t attempt, double retry_after_seconds) const {
    const double cap = std::min(options_.backoff_max,
                                options_.backoff_initial * std::ldexp(1.0, static_cast<int>(
                                                                               std::min<std::int64_t>(attempt, 30))));
    double seconds = 0;
    {
      std::lock_guard lock(mutex_);
      seconds = std::uniform_real_distribution<double>(0.0, cap)(jitter_);
    }
    seconds = std::max(seconds, retry_after_seconds);
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  void Finish(Job& job, Reply reply) const {
    std::vector<std::shared_ptr<PendingImpl>> followers;
    {
      std::lock_guard lock(mutex_);
      if (!reply.ok()) {
        ++stats_.failures;
      }
      if (!job.key.empty()) {
        if (auto it = followers_.find(job.key); it != followers_.end()) {
          followers = std::move(it->second);
          followers_.erase(it);
        }
      }
    }
    for (const auto& follower : followers) {
      follower->Complete(reply);
    }
    job.pending->Complete(std::move(reply));
  }

  const std::string name_;
  const BackendOptions options_;
  const Protocol protocol_;
  const std::string api_key_;
  const std::unique_ptr<ResponseCache> cache_;
  HttpLoop* const loop_;
  WireFormat format_;

  // Dispatcher state: touched by Submit (any thread) and the loop thread.
  mutable std::mutex mutex_;
  mutable std::deque<Job> queue_;
  mutable std::unordered_map<std::string, std::vector<std::shared_ptr<PendingImpl>>> followers_;
  mutable std::size_t in_flight_ = 0;
  mutable RateLimiter requests_limit_;
  mutable RateLimiter tokens_limit_;
  mutable Clock::time_point rate_wait_ = {};
  mutable Clock::time_point next_sweep_ = {};
  mutable std::atomic<bool> pump_scheduled_{false};
  mutable std::int64_t consecutive_failures_ = 0;
  mutable std::string last_failure_;
  mutable bool breaker_open_ = false;
  mutable Clock::time_point breaker_until_ = {};
  mutable std::mt19937_64 jitter_;
  mutable BackendStats stats_;
};

class BackendSetImpl final : public BackendSet {
 public:
  StatusOr<const Backend*> Find(std::string_view name) const override {
    for (const auto& backend : backends_) {
      if (backend->name() == name) {
        return backend.get();
      }
    }
    std::vector<std::string> names = Names();
    std::vector<std::string_view> views(names.begin(), names.end());
    if (views.empty()) {
      return NotFoundError(fmt::format(
          "unknown backend \"{}\": the config has no `backends:` section", name));
    }
    return NotFoundError(
        fmt::format("unknown backend \"{}\"{}", name, SuggestionText(name, views)));
  }

  std::vector<std::string> Names() const override {
    std::vector<std::string> names;
    for (const auto& backend : backends_) {
      names.push_back(backend->name());
    }
    return names;
  }

  // The loop must outlive the backends' callbacks and the backends must outlive the loop's
  // queued tasks: stop the loop first (it fails what is open), then drop the backends.
  ~BackendSetImpl() override {
    loop_.reset();
    for (const auto& backend : backends_) {
      backend->FailQueued();
    }
    backends_.clear();
  }

  std::unique_ptr<HttpLoop> loop_;
  std::vector<std::unique_ptr<BackendImpl>> backends_;
};

}  // namespace

bool Backend::Supports(Call::Kind kind) const {
  return protocol() == Protocol::kOpenAi ? kind != Call::Kind::kScore
                                         : kind == Call::Kind::kScore;
}

std::shared_ptr<const PendingReply> Backend::Submit(Call call) const {
  return Submit(std::move(call), Clock::now() + call_timeout());
}

Reply Backend::CallNow(Call call) const { return Submit(std::move(call))->Wait(); }

StatusOr<std::unique_ptr<BackendSet>> BackendSet::Create(const Json& section,
                                                         const ConfigLocation& location) {
  auto set = std::make_unique<BackendSetImpl>();
  if (section.is_null()) {
    return std::unique_ptr<BackendSet>(std::move(set));
  }
  if (!section.is_object()) {
    return location.Error("expected a mapping of backend names to backend settings");
  }
  std::vector<std::pair<std::string, BackendOptions>> parsed;
  for (const auto& [name, node] : section.object()) {
    const ConfigLocation where = location.Key(name);
    MERIT_ASSIGN_OR_RETURN(BackendOptions options, ParseOptions<BackendOptions>(node, where, {}));
    parsed.emplace_back(name, std::move(options));
  }
  set->loop_ = std::make_unique<HttpLoop>();
  for (auto& [name, options] : parsed) {
    const ConfigLocation where = location.Key(name);
    std::string api_key;
    if (!options.api_key_env.empty()) {
      const char* value = std::getenv(options.api_key_env.c_str());
      if (value == nullptr || *value == '\0') {
        return where.Key("api_key_env")
            .Error(fmt::format("the environment variable {} is not set", options.api_key_env));
      }
      api_key = value;
    }
    std::unique_ptr<ResponseCache> cache;
    if (options.cache != "off") {
      StatusOr<std::unique_ptr<ResponseCache>> opened = ResponseCache::Open(options.cache_file);
      if (!opened.ok()) {
        return where.Key("cache_file").Error(opened.status().message());
      }
      cache = std::move(*opened);
    }
    auto backend = std::make_unique<BackendImpl>(name, options, std::move(api_key),
                                                 std::move(cache), set->loop_.get());
    BackendImpl* raw = backend.get();
    set->loop_->AddTicker([raw] { raw->Pump(); });
    set->backends_.push_back(std::move(backend));
  }
  return std::unique_ptr<BackendSet>(std::move(set));
}

StatusOr<const Backend*> ResolveBackend(const BackendSet* build_backends, std::string_view name,
                                        Call::Kind kind) {
  if (name.empty()) {
    return InvalidArgumentError("`backend:` is required: the name of an entry under `backends:`");
  }
  if (build_backends == nullptr) {
    return FailedPreconditionError(fmt::format(
        "backend \"{}\": this reward calls a model, so it must be built from a config (Engine)",
        name));
  }
  MERIT_ASSIGN_OR_RETURN(const Backend* backend, build_backends->Find(name));
  if (!backend->Supports(kind)) {
    const char* wanted = kind == Call::Kind::kScore ? "a reward-model protocol (vllm_classify, "
                                                      "vllm_pooling, openrlhf, http)"
                                                    : "protocol: openai";
    return InvalidArgumentError(
        fmt::format("backend \"{}\" cannot serve this reward: it needs {}", name, wanted));
  }
  return backend;
}

}  // namespace merit::backends
