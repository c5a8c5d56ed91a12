// SLATE's selection rule over one step's candidates (spec A §11).
#include <algorithm>
#include <cmath>
#include <limits>

#include "rewards/step/steps.h"

namespace merit::step {

std::vector<double> SelectionProbabilities(std::span<const double> advantages, double eta) {
  std::vector<double> probabilities(advantages.size(), 0.0);
  if (advantages.empty()) {
    return probabilities;
  }
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  const auto value = [&](std::size_t i) {
    return std::isfinite(advantages[i]) ? advantages[i] : kNegInf;
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < advantages.size(); ++i) {
    if (value(i) > value(best)) {
      best = i;
    }
  }
  if (value(best) == kNegInf) {
    std::fill(probabilities.begin(), probabilities.end(),
              1.0 / static_cast<double>(advantages.size()));
    return probabilities;
  }
  if (eta <= 0 || !std::isfinite(eta)) {
    probabilities[best] = 1.0;
    return probabilities;
  }
  double total = 0;
  for (std::size_t i = 0; i < advantages.size(); ++i) {
    probabilities[i] = std::exp((value(i) - value(best)) / eta);
    total += probabilities[i];
  }
  for (double& p : probabilities) {
    p /= total;
  }
  return probabilities;
}

}  // namespace merit::step
