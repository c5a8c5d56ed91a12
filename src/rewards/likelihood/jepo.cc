// The JEPO advantage (spec B §1): a group-level log-mean-exp of the rollouts' reference-answer
// log-likelihoods L_i, and for each rollout the gap between it and the same over the others.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// log(e^a + e^b) without overflow; either may be −∞ (an empty set).
double LogAddExp(double a, double b) {
  if (a == kNegInf) {
    return b;
  }
  if (b == kNegInf) {
    return a;
  }
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

class Jepo final : public AdvantageEstimator {
 public:
  std::vector<std::optional<double>> Compute(
      std::span<const std::optional<double>> rewards,
      std::span<const std::size_t> group_of) const override {
    std::vector<std::optional<double>> out(rewards.size());
    std::size_t groups = 0;
    for (std::size_t g : group_of) {
      groups = std::max(groups, g + 1);
    }
    std::vector<std::vector<std::size_t>> members(groups);
    for (std::size_t i = 0; i < rewards.size(); ++i) {
      if (rewards[i].has_value()) {
        members[group_of[i]].push_back(i);
      }
    }
    std::vector<double> likelihoods;
    std::vector<double> advantages;
    for (const std::vector<std::size_t>& group : members) {
      likelihoods.clear();
      for (std::size_t i : group) {
        likelihoods.push_back(*rewards[i]);
      }
      JepoAdvantages(likelihoods, advantages);
      for (std::size_t m = 0; m < group.size(); ++m) {
        out[group[m]] = advantages[m];
      }
    }
    return out;
  }
};

}  // namespace

void JepoAdvantages(std::span<const double> likelihoods, std::vector<double>& out) {
  const std::size_t g = likelihoods.size();
  out.assign(g, 0.0);
  if (g < 2) {
    return;  // No leave-one-out term (as RLOO gives a group of one 0).
  }
  // LSE of everything except L_i from prefix and suffix LSEs: O(G), and stable where subtracting
  // e^{L_i} from the total would cancel when L_i dominates the group.
  std::vector<double> suffix(g + 1, kNegInf);
  for (std::size_t i = g; i-- > 0;) {
    suffix[i] = LogAddExp(likelihoods[i], suffix[i + 1]);
  }
  const double group_value = suffix[0] - std::log(static_cast<double>(g));
  const double log_others = std::log(static_cast<double>(g - 1));
  double prefix = kNegInf;
  for (std::size_t i = 0; i < g; ++i) {
    out[i] = group_value - (LogAddExp(prefix, suffix[i + 1]) - log_others);
    prefix = LogAddExp(prefix, likelihoods[i]);
  }
}

AdvantageOr MakeJepo(const JepoOptions&) {
  return std::unique_ptr<const AdvantageEstimator>(std::make_unique<Jepo>());
}

}  // namespace merit::likelihood
