// Model backends: clients for external model services (OpenAI-compatible chat and completions,
// vLLM's /classify and /pooling, OpenRLHF's /get_reward, any JSON-over-HTTP endpoint), shared by
// every model-backed reward of a config.
//
// A config names its backends once, in a top-level `backends:` mapping; rewards refer to one by
// name (`backend: judge`). Each backend owns its policy: a concurrency limit, request batching
// where the endpoint takes lists, a deadline per request and per call (retries included), retries
// with exponential backoff and full jitter on 429, 5xx, timeouts and dropped connections (honouring
// Retry-After), a circuit breaker, request and token rate limits, and a content-addressed response
// cache. All HTTP runs on one I/O thread per BackendSet (curl multi): Submit never blocks, so a
// batch's requests are all in flight while the scoring pool works on CPU rewards.
//
// Failures are values: a Reply carries an error reason ("backend_unavailable",
// "backend_bad_response", "timeout") that rewards turn into Score::Error, never a 0 reward.
//
// Thread safety: every method is safe to call from any thread.
#ifndef MERIT_BACKENDS_BACKEND_H_
#define MERIT_BACKENDS_BACKEND_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/status.h"

namespace merit::backends {

// What the service at `url` speaks.
enum class Protocol : std::uint8_t {
  kOpenAi,        // POST {url}/v1/chat/completions and {url}/v1/completions.
  kVllmClassify,  // POST {url}/classify {"model", "input": [..]} -> data[i].probs[score_index].
  kVllmPooling,   // POST {url}/pooling {"model", "input": [..]} -> data[i].data (a number or [x]).
  kOpenRlhf,      // POST {url}/get_reward {"query": [..]} -> {"rewards": [..]}.
  kHttp,          // POST {url} with `body` (strings "{text}", "{prompt}", "{completion}" filled
                  // in) -> the number at `score_path` in the response.
};

// One model call in the backend-neutral shape rewards build.
struct Call {
  enum class Kind : std::uint8_t {
    kChat,        // body: {"messages": [...], optional "temperature", "max_tokens", "n", "seed",
                  //        "logprobs", "top_logprobs", "stop"}. Reply: the OpenAI response.
    kCompletion,  // body: {"prompt": "...", optional "max_tokens", "temperature", "echo",
                  //        "logprobs", "prompt_logprobs"}. Reply: the OpenAI response.
    kScore,       // body: {"prompt": "...", "completion": "..."} (reward-model protocols; kHttp
                  //        also sees any other keys the reward adds). Reply: {"score": number}.
  };
  Kind kind = Kind::kChat;
  Json body = {};
};

// The outcome of one Call. Exactly one of `body` (ok) or `error` (failed) is meaningful.
struct Reply {
  // Empty when ok; otherwise a static reason: "backend_unavailable" (connection failures, 429/5xx
  // after every retry, circuit open), "backend_bad_response" (a 2xx whose body is not what the
  // protocol promises, or a 4xx other than 429), "timeout" (the call's deadline passed).
  std::string_view error = {};
  std::string detail = {};  // Human-readable; never contains API keys or request headers.
  Json body = {};           // kChat/kCompletion: the service's JSON; kScore: {"score": x}.
  bool cached = false;      // Served from the response cache.
  bool ok() const { return error.empty(); }
};

// A submitted call. Wait() blocks until the reply is final (success, or failure after retries).
class PendingReply {
 public:
  virtual ~PendingReply() = default;
  virtual const Reply& Wait() const = 0;
  virtual bool done() const = 0;
};

// Counters for /metrics, tests and benchmarks. Monotonic since the BackendSet was built.
struct BackendStats {
  std::uint64_t calls = 0;          // Submitted.
  std::uint64_t http_requests = 0;  // Sent (a batch of calls is one request; retries count).
  std::uint64_t retries = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t failures = 0;  // Calls that ended with an error.
  std::uint64_t breaker_trips = 0;
  std::uint64_t max_in_flight = 0;  // The most HTTP requests that were open at once.
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const std::string& name() const = 0;
  virtual Protocol protocol() const = 0;
  // Whether the protocol can serve `kind` (kOpenAi: chat and completion; the others: score).
  bool Supports(Call::Kind kind) const;

  // Queues `call`; never blocks. The reply is final by `deadline` at the latest (it is then a
  // "timeout" failure if nothing better arrived). Identical calls share the cached reply.
  virtual std::shared_ptr<const PendingReply> Submit(
      Call call, std::chrono::steady_clock::time_point deadline) const = 0;
  // Submit with the backend's own per-call deadline (`call_timeout`).
  std::shared_ptr<const PendingReply> Submit(Call call) const;
  // Submit, then Wait: for callers outside a batch.
  Reply CallNow(Call call) const;

  virtual std::chrono::steady_clock::duration call_timeout() const = 0;
  virtual BackendStats stats() const = 0;
};

// The `backends:` section of one config: built once, shared by the rewards built from it, and
// destroyed after them (the Engine owns it).
class BackendSet {
 public:
  // `section` is the config's `backends:` mapping (null: none). Errors name the config path.
  static StatusOr<std::unique_ptr<BackendSet>> Create(const Json& section,
                                                      const ConfigLocation& location);
  virtual ~BackendSet() = default;

  // The backend named `name`, or an error naming the known ones (closest first).
  virtual StatusOr<const Backend*> Find(std::string_view name) const = 0;
  virtual std::vector<std::string> Names() const = 0;
};

// For rewards: the backend named by a reward's `backend:` option, checked to serve `kind`.
// `build_backends` may be null (a reward built outside an Engine): that is an error too.
StatusOr<const Backend*> ResolveBackend(const BackendSet* build_backends, std::string_view name,
                                        Call::Kind kind);

}  // namespace merit::backends

#endif  // MERIT_BACKENDS_BACKEND_H_
