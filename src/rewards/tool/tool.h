// The tool family: rewards for tool-calling completions. Registered in register.cc.
//
//   tool.calls  ToolRL (spec A §2): format reward + fine-grained correctness reward over tool
//               names, parameter names and values, with the paper's variants as options.
//   tool.ast    BFCL's AST checker (bfcl.h): 1 if the calls answer the question given function
//               docs and per-parameter acceptable values, else 0 with BFCL's error type.
//
// Both parse calls with tool_call.h (never evaluating text). Rewards are immutable and
// thread-safe.
#ifndef MERIT_REWARDS_TOOL_TOOL_H_
#define MERIT_REWARDS_TOOL_TOOL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::tool {

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;

// ---- tool.calls (ToolRL) ----

inline constexpr std::string_view kComponents[] = {"total", "format", "correctness", "length"};
inline constexpr std::string_view kSources[] = {"auto", "tags"};
inline constexpr std::string_view kGranularities[] = {"fine", "refined", "intermediate", "coarse"};
inline constexpr std::string_view kSchedules[] = {"none", "two_stage", "smooth"};

struct CallsOptions {
  std::string component = "total";
  std::string source = "auto";
  std::string granularity = "fine";
  std::string schedule = "none";
  double max_format = 1.0;
  double min_format = 0.0;
  double max_correct = 3.0;
  double min_correct = -3.0;
  bool length = false;
  double max_length = 1.0;
  double min_length = 0.0;
  std::int64_t length_target = 512;
  bool schedule_length = false;
  std::string step_field = "step";
  static constexpr auto kFields = std::tuple{
      Field{"component",
            &CallsOptions::component,
            "What to return: total (format + correctness [+ length]), or one component.",
            {.choices = kComponents}},
      Field{"source",
            &CallsOptions::source,
            "Where predicted calls come from. tags: ToolRL exactly (the first <tool_call> block, "
            "one JSON object per line; anything else scores min_correct). auto: chat tool_calls, "
            "else <tool_call> blocks, else Python call syntax, else a JSON object/list in the "
            "text.",
            {.choices = kSources}},
      Field{"granularity",
            &CallsOptions::granularity,
            "fine: the paper's default. refined (REFINEDREWARD): name and key similarity are 1 "
            "only for equal lists. intermediate (INTERMEDIATEREWARD): 1 per exactly matched "
            "tool. coarse (COARSEREWARD): max_correct if all calls equal, else min_correct.",
            {.choices = kGranularities}},
      Field{"schedule",
            &CallsOptions::schedule,
            "none; two_stage (MAX1STEP30MAX3: correctness range / 3 before step 30, format range "
            "/ 2 from step 30); smooth (SCHEDULEREWARD: correctness [-2, 2] -> [-3, 3] and format "
            "[-2, 2] -> [-1, 1] over 150 steps). Reads the step from metadata.",
            {.choices = kSchedules}},
      Field{"max_format", &CallsOptions::max_format, "Format reward when the shape matches."},
      Field{"min_format", &CallsOptions::min_format, "Format reward otherwise."},
      Field{"max_correct", &CallsOptions::max_correct,
            "Correctness for exactly the reference calls (CORRECTMAX1: 1)."},
      Field{"min_correct", &CallsOptions::min_correct,
            "Correctness for no or unparseable calls (CORRECTMAX1: -1)."},
      Field{"length", &CallsOptions::length,
            "Add ToolRL's length reward (WITHLENGTH): words in <think> / length_target, capped at "
            "1, mapped to [min_length, max_length]."},
      Field{"max_length", &CallsOptions::max_length, "Length reward at the target length."},
      Field{"min_length", &CallsOptions::min_length, "Length reward with no <think> block."},
      Field{"length_target",
            &CallsOptions::length_target,
            "Words of reasoning that earn the full length reward.",
            {.min = 1, .max = 1e9}},
      Field{"schedule_length", &CallsOptions::schedule_length,
            "SCHEDULELENGTH: the target grows from 384 to 640 words over 105 steps."},
      Field{"step_field", &CallsOptions::step_field,
            "Dotted path in the sample's metadata to the training step (needed by schedules)."},
  };
  Status Validate() const;
};

RewardOr MakeCalls(const CallsOptions& options);

// ---- tool.ast (BFCL) ----

inline constexpr std::string_view kLanguages[] = {"auto", "python", "java", "javascript"};
inline constexpr std::string_view kCategories[] = {"auto",     "simple",      "multiple",
                                                   "parallel", "irrelevance", "relevance"};
inline constexpr std::string_view kNameMatches[] = {"exact", "underscore", "either"};
inline constexpr std::string_view kDecoders[] = {"strip", "raw", "bracket_span"};

struct AstOptions {
  std::string language = "auto";
  std::string category = "auto";
  std::string name_match = "either";
  std::string decode = "strip";
  std::int64_t max_depth = 32;
  static constexpr auto kFields = std::tuple{
      Field{"language",
            &AstOptions::language,
            "Parameter type rules. auto: from the sample's test_category (\"javascript\", "
            "\"java\"), else python.",
            {.choices = kLanguages}},
      Field{"category",
            &AstOptions::category,
            "Which check. auto: from the sample's test_category as BFCL dispatches it "
            "(irrelevance, relevance, parallel, multiple, else simple); without one, parallel "
            "(order-free, one output call per expected call).",
            {.choices = kCategories}},
      Field{"name_match",
            &AstOptions::name_match,
            "exact; underscore (BFCL's underscore_to_dot models: a documented a.b is expected as "
            "a_b); either.",
            {.choices = kNameMatches}},
      Field{"decode",
            &AstOptions::decode,
            "How text completions are decoded. strip: BFCL's default (trim backticks, spaces, "
            "newlines; wrap in [] when needed). raw: the text as it is must be a Python list "
            "(BFCL's 2024 OpenAI prompt handler). bracket_span: the first '[' to the last ']' "
            "(BFCL's Gemma handler).",
            {.choices = kDecoders}},
      Field{"max_depth",
            &AstOptions::max_depth,
            "Most nested brackets in a Python-syntax call; deeper is a decode failure.",
            {.min = 1, .max = 256}},
  };
};

RewardOr MakeAst(const AstOptions& options);

}  // namespace merit::tool

#endif  // MERIT_REWARDS_TOOL_TOOL_H_
