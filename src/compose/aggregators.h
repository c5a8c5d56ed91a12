// Factories for merit's aggregators (registered in compose/register.cc). Definitions follow
// ../shared/spec/rewards-A.md: gate §7, hierarchy §10, hybrid §9, if_correct §1.4.
#ifndef MERIT_COMPOSE_AGGREGATORS_H_
#define MERIT_COMPOSE_AGGREGATORS_H_

#include <memory>
#include <span>
#include <string>
#include <tuple>

#include "merit/options.h"
#include "merit/reward.h"

namespace merit::compose {

using AggregatorOr = StatusOr<std::unique_ptr<const Aggregator>>;

// weighted_sum, mean, min, max, product: one reduction with an operator.
enum class ReduceOp : std::uint8_t { kWeightedSum, kWeightedMean, kMin, kMax, kProduct };

struct ReduceOptions {
  static constexpr std::tuple<> kFields{};
};

AggregatorOr MakeReduce(ReduceOp op, std::span<const ChildSpec> children);

inline constexpr std::string_view kGateModes[] = {"hard", "soft_min", "soft_product"};

struct GateOptions {
  std::string mode = "hard";
  double fail_reward = 0.0;
  static constexpr auto kFields = std::tuple{
      Field{"mode",
            &GateOptions::mode,
            "hard: fail_reward unless every gate reaches its threshold, else the weighted sum of "
            "`children`; soft_min / soft_product: the weighted sum times the min / product of "
            "the gate scores.",
            {.choices = kGateModes}},
      Field{"fail_reward", &GateOptions::fail_reward,
            "Reward when a hard gate fails (use -1 to rank violations below any good answer)."},
  };
};

AggregatorOr MakeGate(const GateOptions& options, std::span<const ChildSpec> children);

inline constexpr std::string_view kPositionWeights[] = {"none", "log"};

struct HierarchyOptions {
  double page_weight = 1.0;
  double item_weight = 1.0;
  std::string position_weights = "none";
  static constexpr auto kFields = std::tuple{
      Field{"page_weight", &HierarchyOptions::page_weight, "λ_p: weight of the page-level score."},
      Field{"item_weight", &HierarchyOptions::item_weight, "λ_i: weight of the mean item score."},
      Field{"position_weights",
            &HierarchyOptions::position_weights,
            "log: item k (1-based) is weighted 1/log2(k+1) on top of its own weight.",
            {.choices = kPositionWeights}},
  };
};

AggregatorOr MakeHierarchy(const HierarchyOptions& options, std::span<const ChildSpec> children);

struct HybridOptions {
  double confidence = 1.0;
  double aspect_weight = 1.0;
  static constexpr auto kFields = std::tuple{
      Field{"confidence",
            &HybridOptions::confidence,
            "κ: trust in the rule verifier; the rule score gets κ, the model 1-κ. An unscorable "
            "rule (not applicable) gets κ = 0.",
            {.min = 0, .max = 1}},
      Field{"aspect_weight", &HybridOptions::aspect_weight,
            "λ_asp: weight of the weighted aspect sum."},
  };
};

AggregatorOr MakeHybrid(const HybridOptions& options, std::span<const ChildSpec> children);

inline constexpr std::string_view kIfCorrectModes[] = {"only_positive", "only_negative", "both"};

struct IfCorrectOptions {
  double alpha = 0.3;
  std::string mode = "only_positive";
  double correct_above = 0.0;
  bool normalize = false;
  bool positive_uses_normalized = false;
  static constexpr auto kFields = std::tuple{
      Field{"alpha",
            &IfCorrectOptions::alpha,
            "α: weight of the `children` score.",
            {.min = 0, .max = 1}},
      Field{"mode",
            &IfCorrectOptions::mode,
            "only_positive (C-GRPO): 0 unless the outcome is correct, else (1-α)·R_o + α·X; "
            "only_negative: R_o when correct, else α·X; both: (1-α)·R_o + α·X.",
            {.choices = kIfCorrectModes}},
      Field{"correct_above", &IfCorrectOptions::correct_above,
            "The outcome counts as correct when its score is above this."},
      Field{"normalize", &IfCorrectOptions::normalize,
            "Divide X by its maximum over the group (when that maximum is > 0)."},
      Field{"positive_uses_normalized", &IfCorrectOptions::positive_uses_normalized,
            "In only_positive mode, use the normalised X; false reproduces the released CaRR "
            "code, which uses the raw X there."},
  };
};

AggregatorOr MakeIfCorrect(const IfCorrectOptions& options, std::span<const ChildSpec> children);

struct NormalizeThenSumOptions {
  double epsilon = 1e-4;
  bool unbiased_std = true;
  static constexpr auto kFields = std::tuple{
      Field{"epsilon",
            &NormalizeThenSumOptions::epsilon,
            "Added to each component's group std.",
            {.min = 0}},
      Field{"unbiased_std", &NormalizeThenSumOptions::unbiased_std,
            "Bessel-corrected (sample) std, as torch.std."},
  };
};

AggregatorOr MakeNormalizeThenSum(const NormalizeThenSumOptions& options,
                                  std::span<const ChildSpec> children);

// clip, scale, affine: one transform x -> clamp(a·x + b, lo, hi).
struct Transform {
  double scale = 1.0;
  double offset = 0.0;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

AggregatorOr MakeTransform(const Transform& transform);

}  // namespace merit::compose

#endif  // MERIT_COMPOSE_AGGREGATORS_H_
