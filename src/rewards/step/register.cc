// The step family's registrations: one line per reward, definitions in steps.h; and the `step`
// advantage estimator, which is GRPO with fixed settings (docs/steps.md).
#include <limits>
#include <memory>
#include <tuple>

#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/step/steps.h"
#include "rl/advantages.h"

namespace merit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct NoOptions {
  static constexpr std::tuple<> kFields{};
};

}  // namespace

void RegisterStepRewards(Registry& registry) {
  registry.AddReward<step::SlateOptions>(
      {.name = "step.slate",
       .summary = "SLATE step reward of one candidate step: r_think + r_query (search) or "
                  "r_think + r_answer + λ(B - t)/B (answer), ternary judge scores (or "
                  "metadata.scores); validation: (r_answer + 1)/2.",
       .min = -2,
       .max = 3,
       .example = "{type: step.slate, budget: 4, lambda: 0.1}",
       .source = "spec A §11 (SLATE, arXiv 2602.23440)"},
      &step::MakeSlate);
  registry.AddReward<step::R3RagOptions>(
      {.name = "step.r3rag",
       .summary = "R3-RAG: per-search-step judge relevance rescaled by the outcome (x1.6 and "
                  "answer 2.0 if correct, x0.8 and 0.0 if not, x0.9 without answer, -0.9 at a "
                  "format error), per-step rewards in `steps`; reward = their mean.",
       .min = -0.9,
       .max = kInf,
       .example = "{type: step.r3rag, outcome: {type: match.exact}}",
       .source = "spec A §14 (R3-RAG, arXiv 2505.23794)"},
      &step::MakeR3Rag);
  registry.AddAdvantage<NoOptions>(
      {.name = "step",
       .summary = "SLATE step-level advantage over the candidates that share a prefix (group = "
                  "the prefix): (r - mean) / (unbiased std + 1e-6); a group of one gets 0.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: step}",
       .source = "spec A §11 (SLATE advantage), §16.1"},
      +[](const NoOptions&) -> StatusOr<std::unique_ptr<const AdvantageEstimator>> {
        // Numerically `grpo` with {epsilon: 1e-6, unbiased_std: true, singleton_as_verl: false}.
        return rl::MakeEstimator({.baseline = rl::Baseline::kGroupNormalized,
                                  .epsilon = 1e-6,
                                  .unbiased_std = true,
                                  .singleton_as_verl = false});
      });
}

}  // namespace merit
