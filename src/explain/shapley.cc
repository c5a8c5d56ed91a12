#include "explain/shapley.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

namespace merit::explain {
namespace {

Coalition Bit(std::size_t player) {
  return Coalition{1} << player;
}

Coalition FullCoalition(std::size_t n) {
  return n == kMaxPlayers ? ~Coalition{0} : Bit(n) - 1;
}

// splitmix64 (Steele, Lea and Flood): a tiny generator whose output is fixed by its definition,
// unlike std::uniform_int_distribution's, so a seed reproduces a plan on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound): rejecting the low values that would make `% bound` biased.
  std::uint64_t Below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
      const std::uint64_t r = Next();
      if (r >= threshold) {
        return r % bound;
      }
    }
  }

 private:
  std::uint64_t state_;
};

// The walks' coalitions, de-duplicated: every prefix of every walk, ∅ and N included.
std::vector<Coalition> PrefixCoalitions(std::size_t n,
                                        std::span<const std::vector<std::uint8_t>> walks) {
  std::vector<Coalition> coalitions = {0, FullCoalition(n)};
  for (const auto& walk : walks) {
    Coalition mask = 0;
    for (const std::uint8_t player : walk) {
      mask |= Bit(player);
      coalitions.push_back(mask);
    }
  }
  std::sort(coalitions.begin(), coalitions.end());
  coalitions.erase(std::unique(coalitions.begin(), coalitions.end()), coalitions.end());
  return coalitions;
}

// Exact φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S∪{i}) − v(S)); values indexed by mask.
std::vector<double> ExactPhi(std::size_t n, std::span<const double> values) {
  // weight[s] = s!(n−s−1)!/n! = 1 / (n · C(n−1, s)), built from binomials so no factorial
  // overflows or loses precision.
  std::vector<double> weight(n);
  double binomial = 1;  // C(n−1, s)
  for (std::size_t s = 0; s < n; ++s) {
    weight[s] = 1.0 / (static_cast<double>(n) * binomial);
    binomial = binomial * static_cast<double>(n - 1 - s) / static_cast<double>(s + 1);
  }
  std::vector<double> phi(n, 0.0);
  const Coalition full = FullCoalition(n);
  for (Coalition mask = 0; mask <= full; ++mask) {
    const auto size = static_cast<std::size_t>(std::popcount(mask));
    for (std::size_t i = 0; i < n; ++i) {
      if ((mask & Bit(i)) == 0) {
        phi[i] += weight[size] * (values[mask | Bit(i)] - values[mask]);
      }
    }
    if (mask == full) {
      break;  // Also guards the loop for n = 64, where full + 1 wraps to 0.
    }
  }
  return phi;
}

}  // namespace

std::string_view ShapleyMethodName(ShapleyMethod method) {
  return method == ShapleyMethod::kExact ? "exact" : "permutation";
}

StatusOr<ShapleyPlan> PlanExact(std::size_t n) {
  if (n > kMaxExactPlayers) {
    return InvalidArgumentError(fmt::format(
        "exact Shapley values of {} players need 2^{} evaluations; at most {} players", n, n,
        kMaxExactPlayers));
  }
  ShapleyPlan plan{.players = n, .method = ShapleyMethod::kExact};
  plan.coalitions.resize(std::size_t{1} << n);
  std::iota(plan.coalitions.begin(), plan.coalitions.end(), Coalition{0});
  return plan;
}

StatusOr<ShapleyPlan> PlanPermutations(std::size_t n, std::size_t count, std::uint64_t seed) {
  if (count == 0) {
    return InvalidArgumentError("permutation sampling needs at least one permutation");
  }
  if (n > kMaxPlayers) {
    return InvalidArgumentError(
        fmt::format("{} players; permutation sampling handles at most {}", n, kMaxPlayers));
  }
  std::vector<std::vector<std::uint8_t>> walks;
  if (n > 0) {
    SplitMix64 random(seed);
    const std::size_t pairs = (count + 1) / 2;
    walks.reserve(2 * pairs);
    std::vector<std::uint8_t> walk(n);
    for (std::size_t pair = 0; pair < pairs; ++pair) {
      std::iota(walk.begin(), walk.end(), std::uint8_t{0});
      for (std::size_t i = n - 1; i > 0; --i) {  // Fisher–Yates.
        std::swap(walk[i], walk[random.Below(i + 1)]);
      }
      walks.push_back(walk);
      walks.emplace_back(walk.rbegin(), walk.rend());
    }
  }
  return PlanFromPermutations(n, walks);
}

StatusOr<ShapleyPlan> PlanFromPermutations(std::size_t n,
                                           std::span<const std::vector<std::uint8_t>> walks) {
  if (n > kMaxPlayers) {
    return InvalidArgumentError(
        fmt::format("{} players; permutation sampling handles at most {}", n, kMaxPlayers));
  }
  for (std::size_t k = 0; k < walks.size(); ++k) {
    Coalition seen = 0;
    for (const std::uint8_t player : walks[k]) {
      if (player < n) {
        seen |= Bit(player);
      }
    }
    if (walks[k].size() != n || seen != FullCoalition(n)) {
      return InvalidArgumentError(
          fmt::format("walk {} is not a permutation of the {} players", k, n));
    }
  }
  ShapleyPlan plan{.players = n, .method = ShapleyMethod::kPermutation};
  plan.permutations.assign(walks.begin(), walks.end());
  plan.coalitions = PrefixCoalitions(n, walks);
  return plan;
}

ShapleyResult SolveShapley(const ShapleyPlan& plan, std::span<const double> values) {
  const std::size_t n = plan.players;
  ShapleyResult result;
  result.v_empty = values.front();
  result.v_full = values.back();
  if (plan.method == ShapleyMethod::kExact) {
    result.phi = ExactPhi(n, values);
  } else {
    const auto value_of = [&](Coalition mask) {
      const auto it = std::lower_bound(plan.coalitions.begin(), plan.coalitions.end(), mask);
      return values[static_cast<std::size_t>(it - plan.coalitions.begin())];
    };
    const std::size_t walks = plan.permutations.size();
    // Antithetic pairs are one unit each: their two walks are dependent by design.
    const std::size_t unit = walks % 2 == 0 ? 2 : 1;
    const std::size_t units = walks / unit;
    // gain[u * n + i]: player i's mean marginal gain over the walks of unit u.
    std::vector<double> gain(units * n, 0.0);
    for (std::size_t k = 0; k < walks; ++k) {
      Coalition mask = 0;
      double previous = result.v_empty;
      double* unit_gain = &gain[(k / unit) * n];
      for (const std::uint8_t player : plan.permutations[k]) {
        mask |= Bit(player);
        const double current = value_of(mask);
        unit_gain[player] += (current - previous) / static_cast<double>(unit);
        previous = current;
      }
    }
    result.phi.assign(n, 0.0);
    result.standard_error.assign(n, std::numeric_limits<double>::quiet_NaN());
    const double count = static_cast<double>(units);
    for (std::size_t i = 0; i < n && units > 0; ++i) {
      for (std::size_t u = 0; u < units; ++u) {
        result.phi[i] += gain[u * n + i];
      }
      result.phi[i] /= count;
      if (units < 2) {
        continue;
      }
      // Two passes, so that a player whose every unit gains the same gets exactly 0.
      double squares = 0;
      for (std::size_t u = 0; u < units; ++u) {
        const double deviation = gain[u * n + i] - result.phi[i];
        squares += deviation * deviation;
      }
      result.standard_error[i] = std::sqrt(squares / (count - 1) / count);
    }
  }
  result.sum = std::accumulate(result.phi.begin(), result.phi.end(), 0.0);
  result.efficiency_gap = result.sum - (result.v_full - result.v_empty);
  return result;
}

}  // namespace merit::explain
