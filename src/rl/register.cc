#include "merit/registry.h"

#include "rewards/families.h"
#include "rl/advantages.h"

namespace merit {
namespace {

using EstimatorOr = StatusOr<std::unique_ptr<const AdvantageEstimator>>;
constexpr double kInf = std::numeric_limits<double>::infinity();

inline constexpr std::string_view kPresets[] = {"verl", "openrlhf", "trl"};

struct GrpoOptions {
  std::string preset = "verl";
  double epsilon = -1;
  bool unbiased_std = true;
  bool singleton_as_verl = true;
  static constexpr auto kFields = std::tuple{
      Field{"preset",
            &GrpoOptions::preset,
            "Framework whose epsilon to use: verl 1e-6, openrlhf 1e-9, trl 1e-4.",
            {.choices = kPresets}},
      Field{"epsilon",
            &GrpoOptions::epsilon,
            "Added to the group std; -1 (the default) means the preset's value.",
            {.min = -1}},
      Field{"unbiased_std", &GrpoOptions::unbiased_std, "Bessel-corrected std (torch.std)."},
      Field{"singleton_as_verl", &GrpoOptions::singleton_as_verl,
            "A group of one has mean 0 and std 1 (verl); false gives it advantage 0."},
  };
};

struct SimpleOptions {
  bool singleton_as_verl = true;
  static constexpr auto kFields = std::tuple{
      Field{"singleton_as_verl", &SimpleOptions::singleton_as_verl,
            "A group of one has mean 0 (verl); false gives it advantage 0."},
  };
};

struct NoOptions {
  static constexpr std::tuple<> kFields{};
};

double PresetEpsilon(std::string_view preset) {
  if (preset == "openrlhf") {
    return 1e-9;
  }
  if (preset == "trl") {
    return 1e-4;
  }
  return 1e-6;
}

}  // namespace

void RegisterAdvantageEstimators(Registry& registry) {
  registry.AddAdvantage<GrpoOptions>(
      {.name = "grpo",
       .summary = "GRPO: (r - group mean) / (group std + ε).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: grpo, preset: verl}",
       .source = "spec A §16.1"},
      +[](const GrpoOptions& o) -> EstimatorOr {
        if (o.epsilon != -1 && o.epsilon < 0) {
          return InvalidArgumentError("epsilon: expected >= 0, or -1 for the preset's");
        }
        return rl::MakeEstimator({.baseline = rl::Baseline::kGroupNormalized,
                                  .epsilon = o.epsilon >= 0 ? o.epsilon : PresetEpsilon(o.preset),
                                  .unbiased_std = o.unbiased_std,
                                  .singleton_as_verl = o.singleton_as_verl});
      });
  registry.AddAdvantage<SimpleOptions>(
      {.name = "drgrpo",
       .summary = "Dr. GRPO: r - group mean (no std division).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: drgrpo}",
       .source = "spec A §16.2"},
      +[](const SimpleOptions& o) -> EstimatorOr {
        return rl::MakeEstimator(
            {.baseline = rl::Baseline::kGroupCentered, .singleton_as_verl = o.singleton_as_verl});
      });
  registry.AddAdvantage<NoOptions>(
      {.name = "rloo",
       .summary = "RLOO: r - mean of the other rollouts of the group (0 for a group of one).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: rloo}",
       .source = "spec A §16.3"},
      +[](const NoOptions&) -> EstimatorOr {
        return rl::MakeEstimator({.baseline = rl::Baseline::kLeaveOneOut});
      });
  registry.AddAdvantage<NoOptions>(
      {.name = "reinforce_pp",
       .summary = "REINFORCE++ (sequence level): rewards whitened over the whole batch.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: reinforce_pp}",
       .source = "spec A §16.4"},
      +[](const NoOptions&) -> EstimatorOr {
        return rl::MakeEstimator({.baseline = rl::Baseline::kBatchWhitened});
      });
  registry.AddAdvantage<SimpleOptions>(
      {.name = "reinforce_pp_baseline",
       .summary = "REINFORCE++-baseline: r - group mean, then whitened over the whole batch.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: reinforce_pp_baseline}",
       .source = "spec A §16.4"},
      +[](const SimpleOptions& o) -> EstimatorOr {
        return rl::MakeEstimator({.baseline = rl::Baseline::kCenteredWhitened,
                                  .singleton_as_verl = o.singleton_as_verl});
      });
}

}  // namespace merit
