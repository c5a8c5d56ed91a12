// The rubric family's registrations: one line per reward, definitions in rubric.h.
#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/rubric/carr.h"
#include "rewards/rubric/rubric.h"

namespace merit {

void RegisterRubricRewards(Registry& registry) {
  registry.AddReward<rubric::ItemsOptions>(
      {.name = "rubric.items",
       .summary = "Weighted rubric items (nuggets) from the reference or the config, each checked "
                  "by contains, regex, answer or an LLM judge (support 1, partial 0.5, not 0; "
                  "best over paragraph blocks): sum w_i V_i / sum w_i.",
       .min = 0,
       .max = 1,
       .example = "{type: rubric.items, items: [{text: Paris, importance: vital}, "
                  "{text: \"\\\\b1889\\\\b\", check: regex, importance: okay}]}",
       .source = "issue 7; spec A §13 (Search-Gen-V nugget-as-rubric verifier)"},
      &rubric::MakeItems);
  rubric::RegisterCarr(registry);
}

}  // namespace merit
