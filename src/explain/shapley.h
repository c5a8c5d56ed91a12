// Shapley values of n players (spec B §21): exact enumeration over all 2^n coalitions, and
// permutation sampling with antithetic pairs and a seed.
//
// Every v(S) is a reward computation that may call a model, so the value function is never
// called from here: a ShapleyPlan lists the distinct coalitions it needs, the caller values them
// (in one batch, all calls in flight together) and SolveShapley turns the values into φ.
//
//   ShapleyPlan plan = PlanExact(3);                 // or PlanPermutations(n, 64, seed)
//   std::vector<double> values = ValueAll(plan.coalitions);   // the caller's batch
//   ShapleyResult result = SolveShapley(plan, values);
//
// Thread safety: pure functions.
#ifndef MERIT_EXPLAIN_SHAPLEY_H_
#define MERIT_EXPLAIN_SHAPLEY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "merit/status.h"

namespace merit::explain {

// A set of players as a bitmask: bit i set means player i is present. Caps n at 64.
using Coalition = std::uint64_t;
inline constexpr std::size_t kMaxPlayers = 64;
// 2^20 evaluations is already far more than any reward-backed value function can afford.
inline constexpr std::size_t kMaxExactPlayers = 20;

enum class ShapleyMethod : std::uint8_t { kExact, kPermutation };

std::string_view ShapleyMethodName(ShapleyMethod method);  // "exact", "permutation"

struct ShapleyPlan {
  std::size_t players = 0;
  ShapleyMethod method = ShapleyMethod::kExact;
  // The distinct coalitions whose values SolveShapley needs, in a fixed order: ascending
  // bitmask, so ∅ is first and, for n >= 1, N is last.
  std::vector<Coalition> coalitions = {};
  // Permutation sampling only: the walks, players in order of arrival. Consecutive pairs
  // (2k, 2k + 1) are antithetic: one is the reverse of the other.
  std::vector<std::vector<std::uint8_t>> permutations = {};
};

// All 2^n coalitions. Errors: kInvalidArgument when n > kMaxExactPlayers.
StatusOr<ShapleyPlan> PlanExact(std::size_t n);

// `count` permutations (rounded up to an even number: antithetic pairs π, reverse(π)), drawn
// with a generator seeded by `seed`: the same (n, count, seed) gives the same plan on every
// platform. n = 0 gives no permutations. Errors: kInvalidArgument when n > kMaxPlayers or
// count is 0.
StatusOr<ShapleyPlan> PlanPermutations(std::size_t n, std::size_t count, std::uint64_t seed);

// A plan walking the given permutations (each a permutation of 0..n-1), credited as sampled
// permutations; pairs for the standard error are consecutive permutations, as above.
// Errors: kInvalidArgument when one is not a permutation of 0..n-1 or n > kMaxPlayers.
StatusOr<ShapleyPlan> PlanFromPermutations(std::size_t n,
                                           std::span<const std::vector<std::uint8_t>> walks);

struct ShapleyResult {
  std::vector<double> phi = {};
  // Permutation sampling: the standard error of each phi over the antithetic pairs (the pair
  // mean is the independent unit); NaN with fewer than two pairs. Empty for exact.
  std::vector<double> standard_error = {};
  double v_empty = 0;
  double v_full = 0;
  double sum = 0;             // Σ φ_i.
  double efficiency_gap = 0;  // Σ φ_i − (v(N) − v(∅)); 0 up to rounding for both methods.
};

// φ from the values of the plan's coalitions: values[k] = v(plan.coalitions[k]).
// REQUIRES: values.size() == plan.coalitions.size().
ShapleyResult SolveShapley(const ShapleyPlan& plan, std::span<const double> values);

}  // namespace merit::explain

#endif  // MERIT_EXPLAIN_SHAPLEY_H_
