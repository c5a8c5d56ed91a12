#include <limits>

#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/penalty/penalty.h"

namespace merit {

void RegisterPenaltyRewards(Registry& registry) {
  // The floor is -factor, and factor is an option: the declared range is the widest one.
  constexpr double kFloor = -std::numeric_limits<double>::infinity();
  registry.AddReward<penalty::OverlongOptions>(
      {.name = "penalty.overlong",
       .summary = "DAPO soft overlong punishment: 0 up to max_length - buffer, then a linear ramp "
                  "to -factor at max_length, -factor beyond.",
       .min = kFloor,
       .max = 0.0,
       .example = "{type: penalty.overlong, max_length: 4096, buffer: 1024, unit: tokens}",
       .source = "spec A §9 (DAPO overlong reward shaping, verl DAPO reward manager)"},
      &penalty::MakeOverlong);
  registry.AddReward<penalty::LengthOptions>(
      {.name = "penalty.length",
       .summary = "Generalized length penalty: penalty.overlong plus an optional lower side "
                  "-factor·(min_length - L)/min_length below min_length.",
       .min = kFloor,
       .max = 0.0,
       .example = "{type: penalty.length, min_length: 16, max_length: 512, buffer: 128, "
                  "unit: words}",
       .source = "spec A §9 (Beyond Monolithic Rewards; lower side UNVERIFIED)"},
      &penalty::MakeLength);
  registry.AddReward<penalty::RepetitionOptions>(
      {.name = "penalty.repetition",
       .summary = "-factor times the repeated n-gram ratio 1 - distinct/total (above an optional "
                  "threshold t, rescaled by 1/(1 - t)).",
       .min = kFloor,
       .max = 0.0,
       .example = "{type: penalty.repetition, ngram: 3, unit: words}",
       .source = "merit design (design.md §6 catalogue; no paper-exact formula)"},
      &penalty::MakeRepetition);
}

}  // namespace merit
