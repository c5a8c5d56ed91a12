// The rubric family's registrations: one line per reward, definitions in rubric.h.
#include "merit/registry.h"

#include <limits>

#include "rewards/families.h"
#include "rewards/rubric/carr.h"
#include "rewards/rubric/rubric.h"

namespace merit {
namespace {

// The examples' judge: nothing listens on port 9, so an example that reaches it gets an error.
constexpr std::string_view kExampleBackends =
    "{judge: {protocol: openai, url: \"http://127.0.0.1:9\", model: rule-judge, retries: 0}}";

}  // namespace

void RegisterRubricRewards(Registry& registry) {
  registry.AddReward<rubric::ItemsOptions>(
      {.name = "rubric.items",
       .summary = "Weighted rubric items (nuggets) from the reference or the config, each checked "
                  "by contains, regex, answer, numeric, math or an LLM judge (support 1, partial "
                  "0.5, not 0; best over paragraph blocks): sum w_i V_i / sum w_i.",
       .min = 0,
       .max = 1,
       .example = "{type: rubric.items, items: [{text: Paris, importance: vital}, "
                  "{text: \"\\\\b1889\\\\b\", check: regex, importance: okay}]}",
       .source = "issue 7; spec A §13 (Search-Gen-V nugget-as-rubric verifier)"},
      &rubric::MakeItems);
  registry.AddReward<rubric::AutoOptions>(
      {.name = "rubric.auto",
       .summary = "Auto-Rubric: a judge writes `items` (5) rubric items per distinct prompt, then "
                  "labels each as rubric.items does (support 1, partial 0.5, not 0): the mean.",
       .min = 0,
       .max = 1,
       .example = "{type: rubric.auto, backend: judge, items: 5}",
       .example_backends = kExampleBackends,
       .source = "issue 7; spec B §20c (Auto-Rubric as Reward, prompt-conditioned items)"},
      &rubric::MakeAuto);
  registry.AddReward<rubric::PairwiseOptions>(
      {.name = "rubric.pairwise",
       .summary = "Auto-Rubric pairwise: with a generated rubric, the judge compares the "
                  "completion with a reference or peer response in both orders: +lambda if "
                  "preferred in both, -gamma if not, `tie` otherwise.",
       .min = -std::numeric_limits<double>::infinity(),
       .max = std::numeric_limits<double>::infinity(),
       .example = "{type: rubric.pairwise, backend: judge, reference: peer, lambda: 1, gamma: 1}",
       .example_backends = kExampleBackends,
       .source = "issue 7; spec B §20c (ARR rubric-conditioned judge, RPO's +lambda / -gamma)"},
      &rubric::MakePairwise);
  rubric::RegisterCarr(registry);
}

}  // namespace merit
