// The step family (docs/steps.md): step-level rewards of retrieve-and-reason trajectories.
//
//   step.slate   one candidate step, scored by decomposed ternary judge scores (SLATE, spec A §11)
//   step.r3rag   per-retrieval-step relevance rescaled by the outcome (R3-RAG, spec A §14);
//                the per-step rewards go to the result's `steps`
//
// and the SLATE selection rule over a step's candidates (SelectionProbabilities). The `step`
// advantage estimator is GRPO with fixed settings (register.cc).
#ifndef MERIT_REWARDS_STEP_STEPS_H_
#define MERIT_REWARDS_STEP_STEPS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/status.h"
#include "rewards/step/trajectory.h"

namespace merit::step {

// SLATE's selection probabilities over one step's k candidates: softmax(A / eta), computed with
// the maximum subtracted (no overflow). eta <= 0 is argmax: 1 for the first largest advantage, 0
// elsewhere. Empty in, empty out; non-finite advantages count as -infinity (probability 0, or
// uniform when none is finite).
std::vector<double> SelectionProbabilities(std::span<const double> advantages, double eta);

// R3-RAG's combination (spec A §14), rounded to 3 decimals: `relevances` are the raw relevances
// of the trajectory's search steps in order. done: each × 1.6 then the answer step 2.0 when
// `correct`, else each × 0.8 then 0.0; fail: each × 0.9; format_error: the search steps raw,
// then -0.9 for the step that could not be read.
std::vector<double> CombineR3Rag(std::span<const double> relevances, TrajectoryState state,
                                 bool correct);

// Options both judge-backed step rewards have.
struct JudgeOptions {
  std::string backend = {};
  double temperature = 0.0;
  std::int64_t max_tokens = 512;
  std::string system_prompt = {};
  std::int64_t max_field_bytes = 8192;
  std::int64_t max_steps = 64;

  static constexpr auto kJudgeFields = std::tuple{
      Field{"backend", &JudgeOptions::backend,
            "Chat backend (an openai entry of the config's backends:) that runs the judge. "
            "Empty: only scores given in the sample's metadata are used."},
      Field{"temperature", &JudgeOptions::temperature, "Judge sampling temperature.",
            {.min = 0, .max = 2}},
      Field{"max_tokens", &JudgeOptions::max_tokens, "Most tokens per judge reply.",
            {.min = 1, .max = 65536}},
      Field{"system_prompt", &JudgeOptions::system_prompt,
            "System message of every judge call (plain text; empty: none)."},
      Field{"max_field_bytes", &JudgeOptions::max_field_bytes,
            "Longest text inserted per placeholder; longer text keeps its head and tail.",
            {.min = 64, .max = 1 << 24}},
      Field{"max_steps", &JudgeOptions::max_steps,
            "Most trajectory steps read from a completion; later ones are ignored.",
            {.min = 1, .max = 4096}},
  };
};

struct SlateOptions : JudgeOptions {
  std::int64_t step = 0;
  std::int64_t budget = 4;
  double lambda = 0.1;
  bool validation = false;
  std::string think_template = {};
  std::string query_template = {};
  std::string answer_template = {};
  static constexpr auto kFields = std::tuple_cat(
      kJudgeFields,
      std::tuple{
          Field{"step", &SlateOptions::step,
                "0-based turn index t of the candidate; a sample's metadata.step overrides it.",
                {.min = 0, .max = 1 << 20}},
          Field{"budget", &SlateOptions::budget,
                "Turn budget B; a sample's metadata.budget overrides it.", {.min = 1, .max = 1 << 20}},
          Field{"lambda", &SlateOptions::lambda, "Early-answer bonus weight λ.",
                {.min = 0, .max = 1}},
          Field{"validation", &SlateOptions::validation,
                "Validation reward (r_answer + 1) / 2 instead of the step reward."},
          Field{"think_template", &SlateOptions::think_template,
                "Overrides the reasoning judge's prompt: {question}, {context}, {thinking}, "
                "{query}, {answer}, {reference}."},
          Field{"query_template", &SlateOptions::query_template,
                "Overrides the query judge's prompt (same placeholders)."},
          Field{"answer_template", &SlateOptions::answer_template,
                "Overrides the answer judge's prompt (same placeholders)."},
      });
};

inline constexpr std::string_view kScalarNames[] = {"mean", "sum", "last"};

struct R3RagOptions : JudgeOptions {
  Json outcome = {};
  double outcome_threshold = 0.5;
  std::int64_t document_chars = 512;
  std::string scalar = "mean";
  std::string relevance_template = {};
  std::string outcome_template = {};
  static constexpr auto kFields = std::tuple_cat(
      kJudgeFields,
      std::tuple{
          Field{"outcome", &R3RagOptions::outcome,
                "A leaf reward that decides correctness from the answer (its completion) and the "
                "reference, e.g. {type: match.exact}; null: the judge decides (True/False)."},
          Field{"outcome_threshold", &R3RagOptions::outcome_threshold,
                "The outcome reward's value at or above which the answer is correct."},
          Field{"document_chars", &R3RagOptions::document_chars,
                "Bytes of each retrieved document shown to the relevance judge.",
                {.min = 1, .max = 1 << 24}},
          Field{"scalar", &R3RagOptions::scalar,
                "The sample's reward from its step rewards: mean, sum, or last (the final step).",
                {.choices = kScalarNames}},
          Field{"relevance_template", &R3RagOptions::relevance_template,
                "Overrides the relevance judge's prompt: {question}, {thinking}, {query}, "
                "{documents}."},
          Field{"outcome_template", &R3RagOptions::outcome_template,
                "Overrides the outcome judge's prompt: {question}, {reference}, {answer}."},
      });
};

StatusOr<std::unique_ptr<const Reward>> MakeSlate(const SlateOptions& options,
                                                  const BuildContext& build);
StatusOr<std::unique_ptr<const Reward>> MakeR3Rag(const R3RagOptions& options,
                                                  const BuildContext& build);

}  // namespace merit::step

#endif  // MERIT_REWARDS_STEP_STEPS_H_
