// Group advantage estimators (spec A §16). Each takes one batch's rewards (nullopt = masked) and
// group numbers and returns per-sample advantages; masked samples get nullopt and are excluded
// from every statistic.
#ifndef MERIT_RL_ADVANTAGES_H_
#define MERIT_RL_ADVANTAGES_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "merit/options.h"
#include "merit/reward.h"

namespace merit::rl {

enum class Baseline : std::uint8_t {
  kGroupNormalized,   // GRPO: (r - mean) / (std + ε)
  kGroupCentered,     // Dr. GRPO: r - mean
  kLeaveOneOut,       // RLOO: r - mean of the others
  kBatchWhitened,     // REINFORCE++: whiten r over the batch
  kCenteredWhitened,  // REINFORCE++-baseline: r - group mean, then whiten over the batch
};

struct EstimatorSettings {
  Baseline baseline = Baseline::kGroupNormalized;
  double epsilon = 1e-6;
  bool unbiased_std = true;
  bool singleton_as_verl = true;  // A group of one: mean 0, std 1 (verl); else advantage 0.
};

// The estimator behind every advantage registration.
std::unique_ptr<const AdvantageEstimator> MakeEstimator(const EstimatorSettings& settings);

}  // namespace merit::rl

#endif  // MERIT_RL_ADVANTAGES_H_
