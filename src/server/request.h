// Request bodies of `merit serve` turned into batches of sample lines, ready for LineScorer.
//
// The body is scanned once (simdjson On-Demand: structural index, no tree); each sample is cut
// out as its raw JSON text, and LineScorer parses and maps those in parallel on the engine's
// pool, exactly as `merit score` does with JSONL lines. So a sample that is not an object, or
// lacks a field, gets a per-sample error result, never a failed request.
#ifndef MERIT_SERVER_REQUEST_H_
#define MERIT_SERVER_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "merit/status.h"

#include "io/line_scorer.h"

namespace merit::server {

struct RequestLimits {
  std::size_t max_batch = 4096;             // More samples: kResourceExhausted (HTTP 413).
  std::size_t max_sample_bytes = 16u << 20;  // A longer sample is an error result (line_too_long).
  std::size_t max_depth = 64;               // Nesting inside one sample.
};

struct ScoreRequest {
  std::string config;                    // Named config; empty: the server's default.
  std::string fields;                    // A fields preset (trl, verl, openrlhf); "": as written.
  std::optional<std::int64_t> timeout_ms;  // The caller's deadline, if it gave one.
  internal::LineBatch batch;             // One raw JSON line per sample, numbered from 1.
};

// POST /v1/score: {"config": NAME?, "fields": PRESET?, "timeout_ms": N?, "samples": [...]}.
// Errors: kInvalidArgument (malformed body, a key of the wrong type, an unknown key, no
// "samples"), kResourceExhausted (more than limits.max_batch samples).
StatusOr<ScoreRequest> ParseScoreRequest(std::string_view body, const RequestLimits& limits);

// POST /get_reward, OpenRLHF's remote reward model request: {"query": [...], "prompts": [...],
// "labels": [...]} (labels optional; other keys ignored, as OpenRLHF versions add some). Sample i
// becomes {"query": query[i], "prompt": prompts[i], "label": labels[i]}, the shape of the
// `openrlhf` fields preset and of merit.openrlhf_reward_func. fields is set to "openrlhf".
// Errors as ParseScoreRequest, plus kInvalidArgument when the lists differ in length.
StatusOr<ScoreRequest> ParseOpenRlhfRequest(std::string_view body, const RequestLimits& limits);

}  // namespace merit::server

#endif  // MERIT_SERVER_REQUEST_H_
