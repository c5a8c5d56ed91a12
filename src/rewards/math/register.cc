// The math family's registration.
#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/math/math.h"

namespace merit {

void RegisterMathRewards(Registry& registry) {
  registry.AddReward<math::VerifyOptions>(
      {.name = "math.verify",
       .summary = "1 if the completion's final answer is mathematically equivalent to a reference "
                  "answer (exact big rationals, rigorous intervals, sets, intervals, tuples, "
                  "matrices, equations; bounded for any input), else 0.",
       .min = 0,
       .max = 1,
       .example = "{type: math.verify, profile: strict, after_think: true}",
       .source = "design.md §7; issue 3 (Math-Verify as the peer)"},
      &math::MakeVerify);
}

}  // namespace merit
