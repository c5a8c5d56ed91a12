// The test model server's endpoints, independent of the HTTP library: ModelService turns one
// request (method, path, headers that matter, body) into one response, applying the fault spec
// of the path (faults.h), the API key, and the statistics of GET /stats.
//
// Endpoints (docs/test-model-server.md has the shapes):
//   POST /v1/chat/completions  OpenAI chat; model "char-lm" continues the last user message with
//                              the character LM, any other model is the rule judge.
//   POST /v1/completions       OpenAI legacy completions with echo/logprobs, vLLM prompt_logprobs.
//   POST /classify, /pooling   vLLM reward-model endpoints.
//   POST /get_reward           OpenRLHF's reward server.
//   POST /score                a generic JSON API: {"text"} -> {"result": {"score"}}.
//   GET  /v1/models, /health; GET /stats, POST /stats/reset (never faulted, no API key).
//
// Thread safety: ModelService::Handle may be called concurrently; the endpoint functions are pure.
#ifndef MERIT_TESTS_MODEL_SERVER_HANDLERS_H_
#define MERIT_TESTS_MODEL_SERVER_HANDLERS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "merit/json.h"
#include "merit/status.h"

#include "model_server/faults.h"
#include "model_server/rule_judge.h"

namespace merit::model_server {

// Request bodies above this size get 413.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{8} << 20;

// One endpoint: the request body's JSON to the response JSON; kInvalidArgument becomes a 400.
using Endpoint = StatusOr<Json> (*)(const Json& request, const JudgeOptions& judge);

StatusOr<Json> ChatCompletions(const Json& request, const JudgeOptions& judge);
StatusOr<Json> Completions(const Json& request, const JudgeOptions& judge);
StatusOr<Json> Classify(const Json& request, const JudgeOptions& judge);
StatusOr<Json> Pooling(const Json& request, const JudgeOptions& judge);
StatusOr<Json> GetReward(const Json& request, const JudgeOptions& judge);
StatusOr<Json> GenericScore(const Json& request, const JudgeOptions& judge);

// The reward-model score of a text: mean per-byte log-prob under the character LM, plus 3.
double RewardModelScore(std::string_view text);

struct HttpRequest {
  std::string_view method = {};         // "GET", "POST".
  std::string_view path = {};           // With the /faults/<spec> prefix, if any.
  std::string_view authorization = {};  // The Authorization header ("" when absent).
  std::string_view body = {};
};

struct HttpResponse {
  int status = 200;
  std::string body = {};
  std::string content_type = "application/json";
  std::string retry_after = {};  // The Retry-After header; empty: none.
  bool drop = false;             // Close the connection without answering.
};

struct ServiceOptions {
  std::string api_key = {};  // Non-empty: model endpoints need "Authorization: Bearer <key>".
};

class ModelService {
 public:
  explicit ModelService(ServiceOptions options) : options_(std::move(options)) {}

  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse HandleStats(const HttpRequest& request);
  HttpResponse HandleModelRequest(const HttpRequest& request);

  const ServiceOptions options_;
  FaultCounters fault_counters_;
  std::atomic<std::int64_t> in_flight_{0};
  std::mutex stats_mu_;
  std::uint64_t requests_ = 0;                    // Guarded by stats_mu_.
  std::int64_t max_in_flight_ = 0;                // Guarded by stats_mu_.
  std::map<std::string, std::uint64_t> by_path_;  // Guarded by stats_mu_.
};

}  // namespace merit::model_server

#endif  // MERIT_TESTS_MODEL_SERVER_HANDLERS_H_
