// The judge family's registrations: one line per reward, definitions in judges.h.
#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/judge/judges.h"

namespace merit {
namespace {

// The examples' judge: nothing listens on port 9, so an example that reaches it gets an error.
constexpr std::string_view kExampleBackends =
    "{judge: {protocol: openai, url: \"http://127.0.0.1:9\", model: rule-judge, retries: 0}}";

}  // namespace

void RegisterJudgeRewards(Registry& registry) {
  registry.AddReward<judge::VerifyOptions>(
      {.name = "judge.verify",
       .summary = "1 if an LLM judge finds the completion's extracted final answer equivalent to "
                  "the reference (any of a list), else 0; master keys and empty answers score 0 "
                  "without a call.",
       .min = 0,
       .max = 1,
       .example = "{type: judge.verify, backend: judge}",
       .example_backends = kExampleBackends,
       .source = "issue 6; spec B §18 (One Token to Fool: master-key hardening)"},
      &judge::MakeVerify);
  registry.AddReward<judge::ScoreOptions>(
      {.name = "judge.score",
       .summary = "An LLM judge's score of the completion on a scale (optionally under "
                  "natural-language principles), mapped onto [0, 1].",
       .min = 0,
       .max = 1,
       .example = "{type: judge.score, backend: judge, min: 1, max: 5, principles: Be concise.}",
       .example_backends = kExampleBackends,
       .source = "spec B §20a (RewardAnything, principle-conditioned scoring), §18 (hardening)"},
      &judge::MakeScore);
  registry.AddReward<judge::PairwiseOptions>(
      {.name = "judge.pairwise",
       .summary = "An LLM judge compares the completion with a reference response (the "
                  "sample's, or a BRPO peer drawn from the group) in both orders: 1 win, 0.5 tie "
                  "or inconsistent orders, 0 loss.",
       .min = 0,
       .max = 1,
       .example = "{type: judge.pairwise, backend: judge, reference: group, seed: 7}",
       .example_backends = kExampleBackends,
       .source = "spec A §12 (Writing-Zero BRPO), spec B §20c/§20e (both orders, ties)"},
      &judge::MakePairwise);
  registry.AddReward<judge::CritiqueOptions>(
      {.name = "judge.critique",
       .summary = "An LLM judge critiques the completion, then scores each dimension; the "
                  "weighted mean, mapped onto [0, 1] (per-dimension values in the explanation).",
       .min = 0,
       .max = 1,
       .example = "{type: judge.critique, backend: judge, dimensions: [helpfulness, accuracy], "
                  "weights: [1, 2], min: 1, max: 4}",
       .example_backends = kExampleBackends,
       .source = "spec B §20b (RationalRewards critique-then-score), §20d (multi-aspect)"},
      &judge::MakeCritique);
  registry.AddReward<judge::GapOptions>(
      {.name = "judge.gap",
       .summary = "PIT quality gap: an LLM judge rates how much better the completion is than "
                  "the sample's reference response, on [min, max] mapped onto [0, 1].",
       .min = 0,
       .max = 1,
       .example = "{type: judge.gap, backend: judge, calibrate: true}",
       .example_backends = kExampleBackends,
       .source = "spec B §13 (PIT: reward = quality gap over a reference response)"},
      &judge::MakeGap);
}

}  // namespace merit
