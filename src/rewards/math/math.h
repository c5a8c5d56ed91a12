// The math family: math.verify, a native, bounded, exact verifier of final answers.
// docs/math.md is the user manual; design.md §7 the design.
#ifndef MERIT_REWARDS_MATH_MATH_H_
#define MERIT_REWARDS_MATH_MATH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::math {

inline constexpr std::string_view kProfiles[] = {"strict", "lenient"};
inline constexpr std::string_view kLeniencyNames[] = {
    "equation_rhs", "unordered_lists", "vector_matrix", "units",      "percent",
    "decimal_rounding", "tuple_list",  "ratio",         "single_set",
};
inline constexpr std::string_view kExtractModes[] = {"auto", "none"};

struct VerifyOptions {
  std::string profile = "strict";
  std::vector<std::string> leniencies = {};
  std::string extract = "auto";
  bool strict = true;
  bool after_think = false;
  bool last_number = true;
  bool reject_echo = true;
  std::int64_t max_answer_bytes = 4096;
  std::int64_t max_nodes = 2048;
  std::int64_t max_depth = 100;
  std::int64_t max_bits = 1 << 18;
  static constexpr auto kFields = std::tuple{
      Field{"profile", &VerifyOptions::profile,
            "Named set of leniencies: strict (training; the default) or lenient (evaluation). "
            "The result's explanation records it.",
            {.choices = kProfiles}},
      Field{"leniencies", &VerifyOptions::leniencies,
            "When non-empty, exactly these leniencies instead of the profile's (see docs/math.md).",
            {.choices = kLeniencyNames}},
      Field{"extract", &VerifyOptions::extract,
            "auto: find the final answer in the completion (answer tag, \\boxed, answer phrase, "
            "last math span, a short one-line text, last number); none: the completion is the "
            "answer.",
            {.choices = kExtractModes}},
      Field{"strict", &VerifyOptions::strict,
            "Several different boxed answers, or an answer list where one answer is expected "
            "(\"5 or 7\"), score 0 (reason multiple_answers) rather than counting the last."},
      Field{"after_think", &VerifyOptions::after_think,
            "Search only the text after the last </think>."},
      Field{"last_number", &VerifyOptions::last_number,
            "When no other form is present, take the completion's last number."},
      Field{"reject_echo", &VerifyOptions::reject_echo,
            "Score 0 (reason echoes_question) an unsimplified expression copied from the prompt "
            "that differs from the reference text."},
      Field{"max_answer_bytes", &VerifyOptions::max_answer_bytes,
            "Longer extracted answers score 0 (reason answer_too_long).",
            {.min = 1, .max = 1 << 20}},
      Field{"max_nodes", &VerifyOptions::max_nodes, "Largest expression tree parsed.",
            {.min = 16, .max = 1 << 16}},
      Field{"max_depth", &VerifyOptions::max_depth, "Deepest nesting parsed.",
            {.min = 4, .max = 1000}},
      Field{"max_bits", &VerifyOptions::max_bits,
            "Largest exact intermediate number (bits); larger values become intervals.",
            {.min = 64, .max = 1 << 24}},
  };
};

StatusOr<std::unique_ptr<const Reward>> MakeVerify(const VerifyOptions& options);

}  // namespace merit::math

#endif  // MERIT_REWARDS_MATH_MATH_H_
