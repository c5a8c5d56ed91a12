// The match family's registrations: one line per reward, definitions in match.h.
#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/match/match.h"

namespace merit {

void RegisterMatchRewards(Registry& registry) {
  registry.AddReward<match::ExactOptions>(
      {.name = "match.exact",
       .summary = "1 if the extracted answer equals any reference after normalisation "
                  "(case folding, NFKC, whitespace; optionally punctuation and articles), else 0.",
       .min = 0,
       .max = 1,
       .example = "{type: match.exact, case_sensitive: false, extract: answer_tag}",
       .source = "spec A §5 (Mixed-R1 matching reward), §14 (R3-RAG outcome)"},
      &match::MakeExact);
  registry.AddReward<match::F1Options>(
      {.name = "match.f1",
       .summary = "SQuAD v1.1 token F1 between the extracted answer and the best reference.",
       .min = 0,
       .max = 1,
       .example = "{type: match.f1, extract: none}",
       .source = "SQuAD v1.1 evaluate-v1.1.py (normalize_answer, f1_score, max over ground "
                 "truths); spec A §14"},
      &match::MakeF1);
  registry.AddReward<match::ChoiceOptions>(
      {.name = "match.choice",
       .summary = "1 if the multiple-choice letter the completion commits to ((B), Answer: B, "
                  "\\boxed{B}, a lone B) is the reference's; hedging (\"A or B\") scores 0.",
       .min = 0,
       .max = 1,
       .example = "{type: match.choice, choices: ABCD, strict: true}",
       .source = "spec A §5 (Mixed-R1 matching reward, multiple choice)"},
      &match::MakeChoice);
  registry.AddReward<match::NumericOptions>(
      {.name = "match.numeric",
       .summary = "1 if the answer's number equals the reference number (tolerances, exact big "
                  "integers, fractions, percents, thousands separators; ChartQA relaxed mode).",
       .min = 0,
       .max = 1,
       .example = "{type: match.numeric, relaxed: true, percent_as_fraction: true}",
       .source = "spec A §5 (Mixed-R1 chart reward: ChartQA relaxed accuracy)"},
      &match::MakeNumeric);
}

}  // namespace merit
