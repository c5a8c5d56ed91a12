// Fault injection for the test model server, through the URL path: a request path
// "/faults/<spec>/<normal path>" gets the faults of <spec>, a comma-separated list of key=value:
//
//   latency_ms=N    sleep N ms (at most 60000) before answering, on every request
//   status=S        answer HTTP S (400..599) instead of the normal reply
//   fail_first=N    only the first N requests under this spec are faulty (0: none)
//   fail_every=K    only every K-th request under this spec is faulty
//   retry_after=S   faulty status replies carry "Retry-After: S"
//   malformed=1     faulty requests get 200 with a body that is not JSON
//   drop=1          faulty requests get their connection closed without a response
//   garble=1        faulty judge requests get a reply with no verdict line
//   bias=first|second  the judge prefers response A (B) in pairwise prompts, always
//   any other key   (e.g. tag=my_test) only makes the spec string, hence its counters, distinct
//
// Without fail_first and fail_every every request is faulty. fail_first or fail_every alone means
// status=503. Counters are per exact spec string, so tests that use distinct specs never share
// state.
//
// Thread safety: FaultCounters is safe to use from any thread; the rest are pure functions.
#ifndef MERIT_TESTS_MODEL_SERVER_FAULTS_H_
#define MERIT_TESTS_MODEL_SERVER_FAULTS_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "merit/status.h"

#include "model_server/rule_judge.h"

namespace merit::model_server {

struct FaultSpec {
  std::int64_t latency_ms = 0;
  int status = 0;  // 0: none.
  std::int64_t fail_first = 0;
  std::int64_t fail_every = 0;
  bool gated = false;               // fail_first or fail_every was given (even as 0).
  std::int64_t retry_after_s = -1;  // -1: no header.
  bool malformed = false;
  bool drop = false;
  bool garble = false;
  JudgeBias bias = JudgeBias::kNone;
};

// The parts of a request path: "/faults/a=1,b=2/v1/completions" -> {"a=1,b=2", "/v1/completions"};
// a path without the prefix has an empty spec.
struct FaultPath {
  std::string_view spec = {};
  std::string_view path = {};
};

FaultPath SplitFaultPath(std::string_view path);

// Errors: kInvalidArgument naming the bad key or value.
StatusOr<FaultSpec> ParseFaultSpec(std::string_view spec);

// Whether the `nth` request (1-based) under `spec` is faulty.
bool IsFaulty(const FaultSpec& spec, std::uint64_t nth);

// Per-spec request counters.
class FaultCounters {
 public:
  // Counts one more request under `spec` and returns its 1-based number.
  std::uint64_t Next(std::string_view spec);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::uint64_t> counts_;  // Guarded by mu_.
};

}  // namespace merit::model_server

#endif  // MERIT_TESTS_MODEL_SERVER_FAULTS_H_
