// What the step rewards share about their judge calls: the chat request built from a named
// template (src/rewards/judge/templates.h renders it, neutralising forged tags), the text of a
// reply, and the reply parsers of SLATE (ternary <score>) and R3-RAG (Relevance:, True/False).
//
// Thread safety: pure functions; StepJudge is immutable after construction.
#ifndef MERIT_REWARDS_STEP_JUDGE_CALLS_H_
#define MERIT_REWARDS_STEP_JUDGE_CALLS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "backends/backend.h"
#include "backends/model_reward.h"
#include "merit/json.h"
#include "merit/sample.h"
#include "merit/registry.h"
#include "merit/status.h"
#include "rewards/judge/templates.h"
#include "rewards/step/steps.h"

namespace merit::step {

// One configured judge: a chat backend and its sampling settings. backend is null when the reward
// has no `backend:` option (then only scores given in the sample can be used).
struct StepJudge {
  const backends::Backend* backend = nullptr;
  std::string system_prompt = {};
  double temperature = 0;
  std::int64_t max_tokens = 512;
  std::size_t max_field_bytes = 8192;

  // A chat call: the system prompt and `user` rendered with `values` (names as compiled).
  backends::ModelPlan::Request Request(const judge::Template& user,
                                       std::span<const std::string_view> values) const;
};

// The judge of a reward's options; its backend is resolved when `backend:` is set.
StatusOr<StepJudge> MakeStepJudge(const JudgeOptions& options, const BuildContext& build);

// A prompt option: the `given` template (the default `fallback` when empty) compiled with the
// placeholders `names`; errors name the option.
StatusOr<judge::Template> CompileOption(std::string_view option, const std::string& given,
                                        std::string_view fallback,
                                        std::span<const std::string_view> names);


// SLATE's score (spec A §11): the number in <score>...</score>; else on the first line that
// starts with "Score:" or "Rating:" (any case); else the first number in the reply; else 0.
// Rounded to an integer and clamped to {-1, 0, +1}.
int ParseTernary(std::string_view reply);

// R3-RAG's relevance: the number after the last "Relevance:" (any case) that has one, clamped to
// [0, 1] and rounded to 3 decimals; nullopt when there is none.
std::optional<double> ParseRelevance(std::string_view reply);

// R3-RAG's outcome verdict: the last non-empty line is "True" or "False" (any case, surrounding
// punctuation and markup ignored, or after a "label:"); nullopt otherwise.
std::optional<bool> ParseTrueFalse(std::string_view reply);

// Rounds to 3 decimals (half away from zero), as R3-RAG's round(x, 3) does for its values.
double Round3(double value);

// The question of a prompt: the prompt string, or the first user message's content.
std::string QuestionOf(const Sample& sample);
// The context so far: the prompt string, or every prompt message as "role: content" blocks.
std::string ContextOf(const Sample& sample);
// The reference as text: a string, the text of a number, or a list's string and number items one
// per line (other items are skipped).
std::string ReferenceText(const Json& reference);

}  // namespace merit::step

#endif  // MERIT_REWARDS_STEP_JUDGE_CALLS_H_
