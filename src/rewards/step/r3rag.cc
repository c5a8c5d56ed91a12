// step.r3rag: R3-RAG's process reward rescaled by the outcome (spec A §14).
//
// Two objects: RelevanceJudge (a ModelReward, so a whole batch's judge calls are in flight
// together) says what the judge found — the relevance of each search step and, when no outcome
// reward is configured, whether the answer is correct — and R3Rag combines that with the
// trajectory and writes the per-step rewards to ScoreContext::steps, which ModelReward's final
// Evaluate cannot reach. The judge's findings travel in the inner score's explanation as JSON.
#include <algorithm>
#include <cmath>
#include <limits>
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

constexpr std::string_view kRelevanceNames[] = {"question", "thinking", "query", "documents"};
constexpr std::string_view kOutcomeNames[] = {"question", "reference", "answer"};

constexpr std::string_view kRelevanceTemplate =
    "R3-RAG step judge: relevance.\n"
    "Judge one retrieval step of an agent that answers the question step by step. How well do "
    "the retrieved documents match the intent of the query, and how useful are they for solving "
    "the problem? Give 0 when the reasoning is illogical or contradicts the documents.\n"
    "\n<question>\n{question}\n</question>\n"
    "\n<thinking>\n{thinking}\n</thinking>\n"
    "\n<query>\n{query}\n</query>\n"
    "\n<documents>\n{documents}\n</documents>\n"
    "\nEnd your reply with one line \"Relevance: x.xx\", a number from 0.00 to 1.00.";
constexpr std::string_view kOutcomeTemplate =
    "R3-RAG step judge: outcome.\n"
    "Does the answer satisfy any of the gold answers (one per line)?\n"
    "\n<question>\n{question}\n</question>\n"
    "\n<reference>\n{reference}\n</reference>\n"
    "\n<answer>\n{answer}\n</answer>\n"
    "\nEnd your reply with one line: True or False.";

// The documents as the judge sees them: each cut to `chars` bytes (at a UTF-8 boundary).
std::string DocumentsText(const Step& step, std::size_t chars) {
  std::string text;
  for (std::size_t i = 0; i < step.documents.size(); ++i) {
    std::string_view doc = step.documents[i];
    if (doc.size() > chars) {
      std::size_t cut = chars;
      while (cut > 0 && (static_cast<unsigned char>(doc[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      doc = doc.substr(0, cut);
    }
    text += fmt::format("{}[{}] {}", i == 0 ? "" : "\n", i + 1, doc);
  }
  return text;
}

// What the judge found: "relevance" (one number per search step) and "correct" (bool or null).
Score Findings(Json relevance, Json correct) {
  Score score = Score::Ok(0);
  score.explanation =
      Json::Obj({{"relevance", std::move(relevance)}, {"correct", std::move(correct)}}).Dump();
  return score;
}

class RelevanceJudge final : public backends::ModelReward {
 public:
  RelevanceJudge(const R3RagOptions& options, bool outcome_by_judge, StepJudge judge,
                 judge::Template relevance, judge::Template outcome)
      : options_(options),
        outcome_by_judge_(outcome_by_judge),
        judge_(std::move(judge)),
        relevance_(std::move(relevance)),
        outcome_(std::move(outcome)) {}

 protected:
  // state: {"relevance": [number | null], "correct": bool | null, "calls": [search index, or -1
  // for the outcome, in request order]}.
  ModelPlan Plan(const Sample& sample, const backends::GroupView& /*group*/) const override {
    ModelPlan plan;
    const Trajectory trajectory =
        ParseTrajectory(sample, {.max_steps = static_cast<std::size_t>(options_.max_steps)});
    const Json* given = sample.metadata.Find("relevance");
    const Json::Array no_given;
    const Json::Array& given_list = given != nullptr && given->is_array() ? given->array()
                                                                          : no_given;
    const std::string question = QuestionOf(sample);
    Json relevance = Json::Arr();
    Json calls = Json::Arr();
    std::size_t search = 0;
    for (const Step& step : trajectory.steps) {
      if (step.kind != StepKind::kSearch) {
        continue;
      }
      if (search < given_list.size() && given_list[search].is_number() &&
          std::isfinite(given_list[search].number())) {
        relevance.array().push_back(
            Json::Num(Round3(std::clamp(given_list[search].number(), 0.0, 1.0))));
      } else if (step.documents_missing) {
        relevance.array().push_back(Json::Num(0));  // Nothing retrieved is nothing relevant.
      } else if (judge_.backend == nullptr) {
        plan.decided = Score::Error(
            "missing_field",
            fmt::format("metadata.relevance[{}] is absent and no backend: is set", search));
        return plan;
      } else {
        const std::string documents =
            DocumentsText(step, static_cast<std::size_t>(options_.document_chars));
        const std::string_view values[] = {question, step.thinking, step.query, documents};
        plan.requests.push_back(judge_.Request(relevance_, values));
        calls.array().push_back(Json::Num(static_cast<double>(search)));
        relevance.array().emplace_back();
      }
      ++search;
    }
    Json correct;
    if (trajectory.state == TrajectoryState::kDone) {
      const Step& answer = trajectory.steps.back();
      if (const Json* given_correct = sample.metadata.Find("correct");
          given_correct != nullptr && given_correct->is_bool()) {
        correct = *given_correct;
      } else if (answer.answer.empty()) {
        correct = Json::Bool(false);
      } else if (outcome_by_judge_) {
        const std::string reference = ReferenceText(sample.reference);
        if (reference.empty()) {
          plan.decided = Score::Unscorable("no_reference", "the outcome judge needs a reference");
          return plan;
        }
        if (judge_.backend == nullptr) {
          plan.decided = Score::Error(
              "missing_field", "metadata.correct is absent and neither outcome: nor backend: is set");
          return plan;
        }
        const std::string_view values[] = {question, reference, answer.answer};
        plan.requests.push_back(judge_.Request(outcome_, values));
        calls.array().push_back(Json::Num(-1));
      }
    }
    if (plan.requests.empty()) {
      plan.decided = Findings(std::move(relevance), std::move(correct));
      return plan;
    }
    plan.state = Json::Obj({{"relevance", std::move(relevance)},
                            {"correct", std::move(correct)},
                            {"calls", std::move(calls)}});
    return plan;
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& plan,
                  std::span<const backends::Reply* const> replies) const override {
    Json relevance = *plan.state.Find("relevance");
    Json correct = *plan.state.Find("correct");
    const Json::Array& calls = plan.state.Find("calls")->array();
    for (std::size_t i = 0; i < calls.size() && i < replies.size(); ++i) {
      const std::optional<std::string_view> text = backends::ChatReplyText(*replies[i]);
      if (!text) {
        return Score::Error("backend_bad_response", "the chat reply has no message content");
      }
      const double which = calls[i].number();
      if (which < 0) {
        const std::optional<bool> verdict = ParseTrueFalse(*text);
        if (!verdict) {
          return Score::Error("judge_unparseable", "the outcome reply's last line is not True/False");
        }
        correct = Json::Bool(*verdict);
        continue;
      }
      const std::optional<double> value = ParseRelevance(*text);
      if (!value) {
        return Score::Error("judge_unparseable", "the relevance reply has no \"Relevance: x.xx\"");
      }
      relevance.array()[static_cast<std::size_t>(which)] = Json::Num(*value);
    }
    return Findings(std::move(relevance), std::move(correct));
  }

 private:
  R3RagOptions options_;
  bool outcome_by_judge_;
  StepJudge judge_;
  judge::Template relevance_;
  judge::Template outcome_;
};

class R3Rag final : public Reward {
 public:
  R3Rag(const R3RagOptions& options, std::unique_ptr<const RelevanceJudge> judge,
        std::unique_ptr<const Reward> outcome)
      : options_(options), judge_(std::move(judge)), outcome_(std::move(outcome)) {}

  std::unique_ptr<BatchWork> StartBatch(std::span<const Sample> samples,
                                        std::span<const std::uint8_t> usable) const override {
    return judge_->StartBatch(samples, usable);
  }

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    const Score found = judge_->Evaluate(sample, context);
    if (!found.ok()) {
      return found;
    }
    JsonParser parser;
    const StatusOr<Json> findings = parser.Parse(found.explanation);
    if (!findings.ok()) {
      return Score::Error("internal", "unreadable judge findings");
    }
    const Trajectory trajectory =
        ParseTrajectory(sample, {.max_steps = static_cast<std::size_t>(options_.max_steps)});
    std::vector<double> relevances;
    for (const Json& value : findings->Find("relevance")->array()) {
      relevances.push_back(value.number());
    }
    bool correct = false;
    if (trajectory.state == TrajectoryState::kDone) {
      const Json* judged = findings->Find("correct");
      if (judged != nullptr && judged->is_bool()) {
        correct = judged->boolean();
      } else if (outcome_ == nullptr) {
        return Score::Error("internal", "no outcome was judged");  // The judge always decides.
      } else {
        Sample answer;
        answer.id = sample.id;
        answer.prompt = sample.prompt;
        answer.prompt_text = sample.prompt_text;
        answer.reference = sample.reference;
        answer.group = sample.group;
        answer.data_source = sample.data_source;
        answer.completion_text = trajectory.steps.back().answer;
        answer.completion = Json::Str(answer.completion_text);
        std::vector<Span>* steps = std::exchange(context.steps, nullptr);
        const Score outcome = outcome_->Evaluate(answer, context);
        context.steps = steps;
        if (!outcome.ok()) {
          return PropagateFailure(outcome, "outcome");
        }
        correct = outcome.value >= options_.outcome_threshold;
      }
    }
    const std::vector<double> rewards = CombineR3Rag(relevances, trajectory.state, correct);
    if (context.steps != nullptr) {
      for (std::size_t i = 0; i < rewards.size() && i < trajectory.steps.size(); ++i) {
        const Step& step = trajectory.steps[i];
        context.steps->push_back({.start = step.start,
                                  .end = step.end,
                                  .reward = rewards[i],
                                  .component = std::string(StepKindName(step.kind))});
      }
    }
    double value = 0;
    if (!rewards.empty()) {
      if (options_.scalar == "last") {
        value = rewards.back();
      } else {
        for (const double r : rewards) {
          value += r;
        }
        if (options_.scalar == "mean") {
          value /= static_cast<double>(rewards.size());
        }
      }
    }
    std::string_view reason = trajectory.problem;
    if (trajectory.state == TrajectoryState::kDone && !correct) {
      reason = "wrong_answer";
    }
    Score score = Score::Ok(value, reason);
    score.explanation = fmt::format("{}, {} steps: [{}]", TrajectoryStateName(trajectory.state),
                                    rewards.size(), fmt::join(rewards, ", "));
    return score;
  }

 private:
  R3RagOptions options_;
  std::unique_ptr<const RelevanceJudge> judge_;
  std::unique_ptr<const Reward> outcome_;  // Null: the judge decides.
};

}  // namespace

std::vector<double> CombineR3Rag(std::span<const double> relevances, TrajectoryState state,
                                 bool correct) {
  double factor = 1.0;
  switch (state) {
    case TrajectoryState::kDone:
      factor = correct ? 1.6 : 0.8;
      break;
    case TrajectoryState::kFail:
      factor = 0.9;
      break;
    case TrajectoryState::kFormatError:
      factor = 1.0;
      break;
  }
  std::vector<double> rewards;
  rewards.reserve(relevances.size() + 1);
  for (const double r : relevances) {
    rewards.push_back(Round3(r * factor));
  }
  if (state == TrajectoryState::kDone) {
    rewards.push_back(correct ? 2.0 : 0.0);
  } else if (state == TrajectoryState::kFormatError) {
    rewards.push_back(Round3(-1 * (1 - 0.1)));
  }
  return rewards;
}

StatusOr<std::unique_ptr<const Reward>> MakeR3Rag(const R3RagOptions& options,
                                                  const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(StepJudge judge, MakeStepJudge(options, build));
  std::unique_ptr<const Reward> outcome;
  if (!options.outcome.is_null()) {
    MERIT_ASSIGN_OR_RETURN(outcome, BuildLeafReward(options.outcome, "outcome", build));
  }
  MERIT_ASSIGN_OR_RETURN(judge::Template relevance,
                         CompileOption("relevance_template", options.relevance_template,
                                 kRelevanceTemplate, kRelevanceNames));
  MERIT_ASSIGN_OR_RETURN(judge::Template outcome_prompt,
                         CompileOption("outcome_template", options.outcome_template, kOutcomeTemplate,
                                 kOutcomeNames));
  auto inner = std::make_unique<const RelevanceJudge>(options, outcome == nullptr,
                                                      std::move(judge), std::move(relevance),
                                                      std::move(outcome_prompt));
  return std::make_unique<R3Rag>(options, std::move(inner), std::move(outcome));
}

}  // namespace merit::step
