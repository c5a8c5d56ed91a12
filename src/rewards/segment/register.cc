// The segment family's registrations: one line per reward.
#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/segment/dense.h"

namespace merit {

void RegisterSegmentRewards(Registry& registry) {
  registry.AddReward<segment::DenseOptions>(
      {.name = "segment.dense",
       .summary = "Fine-Grained RLHF's dense reward: child rewards score each sub-sentence, "
                  "sentence or the response; weighted mapped values land on the token ending "
                  "each segment (plus an optional per-token KL term), summed.",
       .min = -std::numeric_limits<double>::infinity(),
       .max = std::numeric_limits<double>::infinity(),
       .example = "{type: segment.dense, components: [{name: no_question, level: sentence, "
                  "reward: {type: format.regex, pattern: '\\?'}, map: binary, threshold: 0.5, "
                  "pass: -0.5, fail: 0.5}]}",
       .source = "spec A §8 (Fine-Grained RLHF, arXiv 2306.01693; allenai/FineGrainedRLHF)"},
      &segment::MakeDense);
}

}  // namespace merit
