// step.slate: SLATE's decomposed step reward (spec A §11) for one candidate step.
#include <cmath>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "backends/model_reward.h"
#include "rewards/judge/templates.h"
#include "rewards/step/judge_calls.h"
#include "rewards/step/steps.h"
#include "rewards/step/trajectory.h"
#include "backends/protocol.h"

namespace merit::step {
namespace {

using backends::ModelPlan;

// Placeholders of every SLATE template, in the order RenderNamed receives their values.
constexpr std::string_view kNames[] = {"question", "context", "thinking",
                                       "query",    "answer",  "reference"};

// The prompts open with a fixed line so that a judge (and the test server's rule judge) can tell
// the three questions apart; the tags of the inputs are the template's own, so inserted text
// cannot forge them.
constexpr std::string_view kThinkTemplate =
    "SLATE step judge: reasoning.\n"
    "Rate the reasoning of one step of a search agent that answers the question. Consider its "
    "relevance, clarity, specificity, progress toward the answer, and faithfulness to the context "
    "so far.\n"
    "\n<question>\n{question}\n</question>\n"
    "\n<context>\n{context}\n</context>\n"
    "\n<thinking>\n{thinking}\n</thinking>\n"
    "\nGive one sentence of reasoning, then the score -1 (bad), 0 (neutral) or 1 (good) as "
    "<score>N</score>.";
constexpr std::string_view kQueryTemplate =
    "SLATE step judge: query.\n"
    "Rate the search query the agent issued after its reasoning. Consider progress toward the "
    "answer, specificity, searchability, alignment with the reasoning, and novelty against the "
    "context so far.\n"
    "\n<question>\n{question}\n</question>\n"
    "\n<context>\n{context}\n</context>\n"
    "\n<thinking>\n{thinking}\n</thinking>\n"
    "\n<query>\n{query}\n</query>\n"
    "\nGive one sentence of reasoning, then the score -1 (bad), 0 (neutral) or 1 (good) as "
    "<score>N</score>.";
constexpr std::string_view kAnswerTemplate =
    "SLATE step judge: answer.\n"
    "Does the answer carry the same core information as the ground truth? 1: yes; 0: partially; "
    "-1: no, or wrong.\n"
    "\n<question>\n{question}\n</question>\n"
    "\n<reference>\n{reference}\n</reference>\n"
    "\n<answer>\n{answer}\n</answer>\n"
    "\nGive one sentence of reasoning, then the score as <score>N</score>.";

enum Part : std::size_t { kThink = 0, kQuery = 1, kAnswer = 2 };
constexpr std::string_view kPartNames[] = {"think", "query", "answer"};

class Slate final : public backends::ModelReward {
 public:
  Slate(const SlateOptions& options, StepJudge judge, judge::Template think,
        judge::Template query, judge::Template answer)
      : options_(options),
        judge_(std::move(judge)),
        templates_{std::move(think), std::move(query), std::move(answer)} {}

 protected:
  // state: {"kind": "search"|"answer", "t": t, "budget": B, "think"/"query"/"answer": given
  // score or null, "calls": [part, ...] in request order}.
  ModelPlan Plan(const Sample& sample, const backends::GroupView& /*group*/) const override {
    ModelPlan plan;
    const Trajectory trajectory = ParseTrajectory(sample, {.max_steps = 1});
    const Step& step = trajectory.steps.front();
    if (step.kind == StepKind::kInvalid) {
      plan.decided = Score::Ok(options_.validation ? 0.0 : -2.0,
                               trajectory.problem == "no_steps" ? "no_action" : "format_error");
      plan.decided->explanation = std::string(trajectory.problem);
      return plan;
    }
    const bool search = step.kind == StepKind::kSearch;
    if (options_.validation && search) {
      plan.decided = Score::Ok(0.0, "no_answer");
      return plan;
    }
    std::int64_t t = options_.step;
    std::int64_t budget = options_.budget;
    for (const auto& [key, out] : {std::pair{std::string_view("step"), &t},
                                   std::pair{std::string_view("budget"), &budget}}) {
      const Json* given = sample.metadata.Find(key);
      if (given == nullptr || given->is_null()) {
        continue;
      }
      if (!given->is_number() || given->number() != std::floor(given->number()) ||
          given->number() < 0 || given->number() > 1e9) {
        plan.decided = Score::Error("invalid_step", fmt::format("metadata.{} is not a turn", key));
        return plan;
      }
      *out = static_cast<std::int64_t>(given->number());
    }
    if (budget < 1 || t > budget) {
      plan.decided = Score::Error(
          "invalid_step", fmt::format("step {} is outside the budget {} (0 <= t <= B, B >= 1)",
                                      t, budget));
      return plan;
    }
    Json given_scores[3] = {};
    if (const Json* scores = sample.metadata.Find("scores"); scores != nullptr) {
      for (std::size_t part = 0; part < 3; ++part) {
        const Json* value = scores->Find(kPartNames[part]);
        if (value != nullptr && value->is_number() && std::isfinite(value->number())) {
          given_scores[part] = Json::Num(std::clamp(std::round(value->number()), -1.0, 1.0));
        }
      }
    }
    // An empty answer is wrong without asking.
    if (!search && step.answer.empty() && given_scores[kAnswer].is_null()) {
      given_scores[kAnswer] = Json::Num(-1);
    }
    const bool needs[3] = {!options_.validation, search, !search};
    const std::string question = QuestionOf(sample);
    const std::string context = ContextOf(sample);
    const std::string reference = ReferenceText(sample.reference);
    const std::string_view values[] = {question,    context,     step.thinking,
                                       step.query,  step.answer, reference};
    Json calls = Json::Arr();
    for (std::size_t part = 0; part < 3; ++part) {
      if (!needs[part] || !given_scores[part].is_null()) {
        continue;
      }
      if (judge_.backend == nullptr) {
        plan.decided = Score::Error(
            "missing_field", fmt::format("metadata.scores.{} is absent and no backend: is set",
                                         kPartNames[part]));
        return plan;
      }
      if (part == kAnswer && reference.empty()) {
        plan.decided = Score::Unscorable("no_reference", "the answer judge needs a reference");
        return plan;
      }
      plan.requests.push_back(judge_.Request(templates_[part], values));
      calls.array().push_back(Json::Num(static_cast<double>(part)));
    }
    plan.state = Json::Obj({{"search", Json::Bool(search)},
                            {"t", Json::Num(static_cast<double>(t))},
                            {"budget", Json::Num(static_cast<double>(budget))},
                            {"think", std::move(given_scores[kThink])},
                            {"query", std::move(given_scores[kQuery])},
                            {"answer", std::move(given_scores[kAnswer])},
                            {"calls", std::move(calls)}});
    if (plan.requests.empty()) {
      plan.decided = Combine(plan.state);
    }
    return plan;
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& plan,
                  std::span<const backends::Reply* const> replies) const override {
    Json state = plan.state;
    const Json::Array& calls = plan.state.Find("calls")->array();
    for (std::size_t i = 0; i < calls.size() && i < replies.size(); ++i) {
      const std::optional<std::string_view> text = backends::ChatReplyText(*replies[i]);
      if (!text) {
        return Score::Error("backend_bad_response", "the chat reply has no message content");
      }
      state.Set(std::string(kPartNames[static_cast<std::size_t>(calls[i].number())]),
                Json::Num(ParseTernary(*text)));
    }
    return Combine(state);
  }

 private:
  Score Combine(const Json& state) const {
    const auto part = [&](std::size_t p) {
      const Json* value = state.Find(kPartNames[p]);
      return value != nullptr && value->is_number() ? value->number() : 0.0;
    };
    if (options_.validation) {
      return Score::Ok((part(kAnswer) + 1) / 2);
    }
    if (state.Find("search")->boolean()) {
      Score score = Score::Ok(part(kThink) + part(kQuery));
      score.explanation = fmt::format("search: think {} + query {}", part(kThink), part(kQuery));
      return score;
    }
    const double t = state.Find("t")->number();
    const double budget = state.Find("budget")->number();
    const double bonus = options_.lambda * (budget - t) / budget;
    Score score = Score::Ok(part(kThink) + part(kAnswer) + bonus,
                            part(kAnswer) < 0 ? "wrong_answer" : std::string_view());
    score.explanation = fmt::format("answer: think {} + answer {} + bonus {}", part(kThink),
                                    part(kAnswer), bonus);
    return score;
  }

  SlateOptions options_;
  StepJudge judge_;
  judge::Template templates_[3];
};

}  // namespace

StatusOr<std::unique_ptr<const Reward>> MakeSlate(const SlateOptions& options,
                                                  const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(StepJudge judge, MakeStepJudge(options, build));
  MERIT_ASSIGN_OR_RETURN(judge::Template think,
                         CompileOption("think_template", options.think_template,
                                       kThinkTemplate, kNames));
  MERIT_ASSIGN_OR_RETURN(judge::Template query,
                         CompileOption("query_template", options.query_template,
                                       kQueryTemplate, kNames));
  MERIT_ASSIGN_OR_RETURN(judge::Template answer,
                         CompileOption("answer_template", options.answer_template,
                                       kAnswerTemplate, kNames));
  return std::make_unique<Slate>(options, std::move(judge), std::move(think), std::move(query),
                                 std::move(answer));
}

}  // namespace merit::step
