#include "merit/registry.h"

#include "rewards/code/code.h"
#include "rewards/families.h"

namespace merit {

void RegisterCodeRewards(Registry& registry) {
  registry.AddReward<code::TestsOptions>(
      {.name = "code.tests",
       .summary = "Runs the completion's program (Python 3 or C++) against the reference's "
                  "tests, each in a fresh bubblewrap + seccomp + rlimit sandbox; the fraction "
                  "passed (or 1/0 with mode: all), with per-test verdicts in the explanation.",
       .min = 0.0,
       .max = 1.0,
       .example = "{type: code.tests, mode: fraction, parallel: 4, wall_time_limit_s: 10}",
       .source = "issue 5 item 4; APPS/TACO input_output and verl prime_code test formats; "
                 "docs/code-sandbox.md"},
      &code::MakeTests);
}

}  // namespace merit
