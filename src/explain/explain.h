// Shapley explanations of an Engine's reward (spec B §21, `merit explain`): each sample's reward
// is attributed to its players (players.h) by exact enumeration for small n or by permutation
// sampling with a seed, and the efficiency property Σφ = v(N) − v(∅) is checked.
//
// Every v(S) is the Engine's reward of the sample that coalition S leaves. The coalitions of a
// whole batch of samples are scored together through Engine::ScoreBatch, so they run on the
// engine's threads and a model-backed reward has all of their calls in flight at once. Each
// coalition sample is scored in a group of its own (its `group` is cleared): group-level rewards
// would otherwise mix the coalitions of one sample.
//
// Thread safety: pure functions over a const Engine.
#ifndef MERIT_EXPLAIN_EXPLAIN_H_
#define MERIT_EXPLAIN_EXPLAIN_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/engine.h"
#include "merit/sample.h"

#include "explain/players.h"
#include "explain/shapley.h"

namespace merit::explain {

// kAuto: exact up to max_exact players, permutation sampling above.
enum class MethodChoice : std::uint8_t { kAuto, kExact, kPermutation };

struct ExplainOptions {
  PlayerOptions players = {};
  MethodChoice method = MethodChoice::kAuto;
  std::size_t max_exact = 12;     // auto: exact up to this many players, then permutations.
  std::size_t permutations = 64;  // Rounded up to even (antithetic pairs).
  std::uint64_t seed = 1;
  std::size_t max_players = 64;  // More players: the sample is not explained (too_many_players).
  // A sample whose plan needs more coalitions is not explained (too_many_evaluations); with the
  // defaults, exact (2^12) and permutations (64 × 64 + 1) both fit.
  std::size_t max_evaluations = 8192;
  // Coalition samples per ScoreBatch call, further cut so that a chunk holds about
  // max_chunk_bytes of completion and prompt text: a 16 MiB completion has thousands of
  // coalitions, which must not all be in memory at once.
  std::size_t max_chunk_samples = 1024;
  std::size_t max_chunk_bytes = std::size_t{256} << 20;
};

struct Explanation {
  // Empty when the sample was explained; else a machine-readable code (too_many_players,
  // too_many_evaluations, no_players, reward_not_ok, coalition_not_ok) and what went wrong.
  std::string_view error = {};
  std::string detail = {};
  std::vector<Player> players = {};
  ShapleyMethod method = ShapleyMethod::kExact;
  ShapleyResult shapley = {};
  std::size_t evaluations = 0;  // Distinct coalitions scored, the full sample included.
};

// Explains samples[i] into result[i]. Sample-level failures are Explanations with an error;
// nothing here fails as a whole. The result does not depend on the engine's thread count.
std::vector<Explanation> ExplainBatch(const Engine& engine, std::span<const Sample> samples,
                                      const ExplainOptions& options);

// Appends one output line's JSON object (no newline): {"line", "id", "players": [{"index",
// "kind", "text" (cut to 200 bytes), "start", "end" (text pieces), "phi", "se" (permutation
// sampling)}], "v_empty", "v_full", "sum", "efficiency_gap", "method", "evaluations"}, or
// {"line", "id", "error", "detail"} for an explanation with an error.
void AppendExplanationJson(std::size_t line, std::string_view id, PlayerKind kind,
                           const Explanation& explanation, std::string& out);

// The error line of an input line that never became a sample (bad JSON, a missing field); its
// "id" is null when the line has none.
void AppendLineErrorJson(std::size_t line, std::optional<std::string_view> id,
                         std::string_view error, std::string_view detail, std::string& out);

}  // namespace merit::explain

#endif  // MERIT_EXPLAIN_EXPLAIN_H_
