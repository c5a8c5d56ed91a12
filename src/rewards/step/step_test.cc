// step.slate, step.r3rag and the `step` estimator through the registry, against spec A §11 and §14
// worked examples, with the judge scores given in the samples (no model needed).
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "merit/registry.h"
#include "rewards/step/steps.h"
#include "testutil/testutil.h"

namespace merit::step {
namespace {

constexpr std::string_view kSearch = "<think>which year?</think><search>year of the treaty</search>";
constexpr std::string_view kAnswer = "<think>done</think><answer>1648</answer>";

std::string SlateSample(std::string_view completion, std::string_view scores, int t = 1) {
  return fmt::format(
      R"({{"prompt": "When was the Peace of Westphalia?", "completion": "{}", "reference": "1648",
          "metadata": {{"step": {}, "budget": 4, "scores": {}}}}})",
      completion, t, scores);
}

double Reward(const Result& result) {
  EXPECT_EQ(result.status, ScoreStatus::kOk) << result.reason << ": " << result.explanation;
  return result.reward.value_or(-100);
}

using testutil::Estimate;

// Spec A §11: B = 4, t = 1, five candidates sharing a prefix.
std::vector<double> SlateExampleRewards() {
  const std::string candidates[] = {
      SlateSample(kSearch, R"({"think": 1, "query": 1})"),
      SlateSample(kSearch, R"({"think": 0, "query": 1})"),
      SlateSample(kSearch, R"({"think": -1, "query": 0})"),
      SlateSample(kAnswer, R"({"think": 1, "answer": 1})"),
      SlateSample(kAnswer, R"({"think": 0, "answer": -1})"),
  };
  std::vector<double> rewards;
  for (const std::string& sample : candidates) {
    rewards.push_back(Reward(testutil::Score("{type: step.slate}", sample)));
  }
  return rewards;
}

TEST(Slate, WorkedExampleRewards) {
  const std::vector<double> rewards = SlateExampleRewards();
  const std::vector<double> want = {2, 1, -1, 2.075, -0.925};
  ASSERT_EQ(rewards.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(rewards[i], want[i], 1e-12) << i;
  }
}

TEST(Slate, WorkedExample1Advantages) {
  const std::vector<double> rewards = SlateExampleRewards();
  const std::vector<std::optional<double>> got =
      Estimate("{type: step}", {rewards.begin(), rewards.end()}, {0, 0, 0, 0, 0});
  const double want[] = {0.904494, 0.244279, -1.07615, 0.95401, -1.026634};
  for (std::size_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(got[i].has_value());
    EXPECT_NEAR(*got[i], want[i], 1e-6) << i;
  }
  // The same numbers as grpo with the fixed settings it documents.
  const std::vector<std::optional<double>> grpo =
      Estimate("{type: grpo, epsilon: 0.000001, unbiased_std: true, singleton_as_verl: false}",
               {rewards.begin(), rewards.end()}, {0, 0, 0, 0, 0});
  EXPECT_EQ(got, grpo);
}

TEST(Slate, WorkedExample2SelectionProbabilities) {
  const std::vector<double> advantages = {0.904494, 0.244279, -1.07615, 0.95401, -1.026634};
  const std::vector<double> p = SelectionProbabilities(advantages, 0.7);
  const double want[] = {0.386831, 0.15063, 0.02284, 0.415186, 0.024514};
  ASSERT_EQ(p.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(p[i], want[i], 1e-6) << i;
  }
  // eta <= 0: argmax.
  EXPECT_EQ(SelectionProbabilities(advantages, 0), (std::vector<double>{0, 0, 0, 1, 0}));
  EXPECT_EQ(SelectionProbabilities(advantages, -1), (std::vector<double>{0, 0, 0, 1, 0}));
  EXPECT_TRUE(SelectionProbabilities({}, 0.7).empty());
  // Huge advantages do not overflow; non-finite ones get 0.
  const std::vector<double> big = {1e308, 1e308, -std::numeric_limits<double>::infinity(),
                                   std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(SelectionProbabilities(big, 0.7), (std::vector<double>{0.5, 0.5, 0, 0}));
}

TEST(StepEstimator, MasksAndGroups) {
  const std::vector<std::optional<double>> got =
      Estimate("{type: step}", {1.0, std::nullopt, 3.0, 5.0}, {0, 0, 0, 1});
  ASSERT_EQ(got.size(), 4u);
  EXPECT_NEAR(*got[0], -0.707106, 1e-6);
  EXPECT_FALSE(got[1].has_value());
  EXPECT_NEAR(*got[2], 0.707106, 1e-6);
  EXPECT_EQ(*got[3], 0.0);  // A lone candidate has nothing to be compared with.
}

TEST(Slate, ValidationBonusAndEdges) {
  const std::string_view validation = "{type: step.slate, validation: true}";
  EXPECT_EQ(Reward(testutil::Score(validation, SlateSample(kAnswer, R"({"answer": 1})"))), 1.0);
  EXPECT_EQ(Reward(testutil::Score(validation, SlateSample(kAnswer, R"({"answer": 0})"))), 0.5);
  EXPECT_EQ(Reward(testutil::Score(validation, SlateSample(kAnswer, R"({"answer": -1})"))), 0.0);
  Result r = testutil::Score(validation, SlateSample(kSearch, "{}"));
  EXPECT_EQ(Reward(r), 0.0);
  EXPECT_EQ(r.reason, "no_answer");
  // Answering at turn 0 gives the whole bonus λ.
  EXPECT_NEAR(Reward(testutil::Score("{type: step.slate}",
                                     SlateSample(kAnswer, R"({"think": 0, "answer": 0})", 0))),
              0.1, 1e-12);
  // Scores outside {-1, 0, 1} are rounded and clamped.
  EXPECT_EQ(Reward(testutil::Score("{type: step.slate}",
                                   SlateSample(kSearch, R"({"think": 7, "query": -0.4})"))),
            1.0);
  // An empty answer is wrong without asking anyone.
  r = testutil::Score("{type: step.slate}",
                      SlateSample("<answer> </answer>", R"({"think": 0})", 4));
  EXPECT_EQ(Reward(r), -1.0);
  EXPECT_EQ(r.reason, "wrong_answer");
  // No action, or one that cannot be read: the lowest step reward.
  r = testutil::Score("{type: step.slate}", SlateSample("only thinking", "{}"));
  EXPECT_EQ(Reward(r), -2.0);
  EXPECT_EQ(r.reason, "no_action");
  r = testutil::Score("{type: step.slate}", SlateSample("<search>unclosed", "{}"));
  EXPECT_EQ(Reward(r), -2.0);
  EXPECT_EQ(r.reason, "format_error");
  // Missing scores without a judge, and a step outside the budget, are errors.
  r = testutil::Score("{type: step.slate}", SlateSample(kSearch, R"({"think": 1})"));
  EXPECT_EQ(r.status, ScoreStatus::kError);
  EXPECT_EQ(r.reason, "missing_field");
  r = testutil::Score("{type: step.slate}", SlateSample(kSearch, "{}", 9));
  EXPECT_EQ(r.status, ScoreStatus::kError);
  EXPECT_EQ(r.reason, "invalid_step");
}

TEST(Slate, ConfigErrors) {
  EXPECT_NE(testutil::ConfigError("reward: {type: step.slate, think_template: \"{nope}\"}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: step.slate, backend: judge}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: step.r3rag, outcome: {type: no.such}}"), "");
}

// Spec A §14: step relevances 0.8, 0.45, 0.9.
constexpr std::string_view kThreeSearches =
    "<search>a</search><information>x</information>"
    "<search>b</search><information>y</information>"
    "<search>c</search><information>z</information>";

std::vector<double> StepRewards(const Result& result) {
  EXPECT_EQ(result.status, ScoreStatus::kOk) << result.reason << ": " << result.explanation;
  std::vector<double> rewards;
  for (const Span& span : result.steps) {
    rewards.push_back(span.reward);
  }
  return rewards;
}

Result R3Rag(std::string_view completion, std::string_view relevance = "[0.8, 0.45, 0.9]",
             std::string_view reward = "{type: step.r3rag, outcome: {type: match.exact}}") {
  return testutil::Score(reward, fmt::format(R"({{"completion": "{}", "reference": "Paris",
                                               "metadata": {{"relevance": {}}}}})",
                                             completion, relevance));
}

TEST(R3Rag, WorkedExample1) {
  Result r = R3Rag(fmt::format("{}<answer>Paris</answer>", kThreeSearches));
  EXPECT_EQ(StepRewards(r), (std::vector<double>{1.28, 0.72, 1.44, 2.0}));
  EXPECT_NEAR(*r.reward, (1.28 + 0.72 + 1.44 + 2.0) / 4, 1e-12);
  r = R3Rag(fmt::format("{}<answer>Lyon</answer>", kThreeSearches));
  EXPECT_EQ(StepRewards(r), (std::vector<double>{0.64, 0.36, 0.72, 0.0}));
  EXPECT_EQ(r.reason, "wrong_answer");
}

TEST(R3Rag, WorkedExample2) {
  Result r = R3Rag(kThreeSearches);
  EXPECT_EQ(StepRewards(r), (std::vector<double>{0.72, 0.405, 0.81}));
  EXPECT_EQ(r.reason, "no_answer");
  r = R3Rag(
      "<search>a</search><information>x</information><search>b</search><information>y"
      "</information><search>c</search><information>never closed",
      "[0.8, 0.45]");
  EXPECT_EQ(StepRewards(r), (std::vector<double>{0.8, 0.45, -0.9}));
  EXPECT_EQ(r.reason, "unclosed_tag");
}

TEST(R3Rag, CombinationIsThePapers) {
  const double relevances[] = {0.8, 0.45, 0.9};
  EXPECT_EQ(CombineR3Rag(relevances, TrajectoryState::kDone, true),
            (std::vector<double>{1.28, 0.72, 1.44, 2.0}));
  EXPECT_EQ(CombineR3Rag(relevances, TrajectoryState::kDone, false),
            (std::vector<double>{0.64, 0.36, 0.72, 0.0}));
  EXPECT_EQ(CombineR3Rag(relevances, TrajectoryState::kFail, false),
            (std::vector<double>{0.72, 0.405, 0.81}));
  EXPECT_EQ(CombineR3Rag(std::span(relevances, 2), TrajectoryState::kFormatError, false),
            (std::vector<double>{0.8, 0.45, -0.9}));
}

TEST(R3Rag, StepsPositionsAndScalars) {
  const std::string text = fmt::format("{}<answer>Paris</answer>", kThreeSearches);
  Result r = R3Rag(text);
  ASSERT_EQ(r.steps.size(), 4u);
  EXPECT_EQ(r.steps[0].start, 0u);
  EXPECT_EQ(r.steps[3].end, text.size());
  EXPECT_EQ(r.steps[0].component, "search");
  EXPECT_EQ(r.steps[3].component, "answer");
  r = R3Rag(text, "[0.8, 0.45, 0.9]",
            "{type: step.r3rag, outcome: {type: match.exact}, scalar: last}");
  EXPECT_EQ(*r.reward, 2.0);
  r = R3Rag(text, "[0.8, 0.45, 0.9]", "{type: step.r3rag, outcome: {type: match.exact}, scalar: sum}");
  EXPECT_NEAR(*r.reward, 5.44, 1e-12);
}

TEST(R3Rag, BadInput) {
  // No steps at all is a format error at the first step: the policy cannot escape by silence.
  Result r = R3Rag("", "[]");
  EXPECT_EQ(StepRewards(r), (std::vector<double>{-0.9}));
  EXPECT_EQ(r.reason, "no_steps");
  // A search without results is not relevant (no judge needed).
  r = R3Rag("<search>a</search><answer>Paris</answer>", "[]");
  EXPECT_EQ(StepRewards(r), (std::vector<double>{0.0, 2.0}));
  // Relevance needed but neither given nor judged.
  r = R3Rag("<search>a</search><information>x</information>", "[]");
  EXPECT_EQ(r.status, ScoreStatus::kError);
  EXPECT_EQ(r.reason, "missing_field");
  // Given relevances are clamped and rounded.
  r = R3Rag("<search>a</search><information>x</information><search>b</search>"
            "<information>y</information>",
            "[7, 0.12345]");
  EXPECT_EQ(StepRewards(r), (std::vector<double>{0.9, 0.111}));
  // metadata.correct decides without an outcome reward; the outcome reward needs a reference.
  r = testutil::Score("{type: step.r3rag}",
                      R"({"completion": "<answer>x</answer>", "metadata": {"correct": true}})");
  EXPECT_EQ(StepRewards(r), (std::vector<double>{2.0}));
  r = testutil::Score("{type: step.r3rag, outcome: {type: match.exact}}",
                      R"({"completion": "<answer>x</answer>"})");
  EXPECT_EQ(r.status, ScoreStatus::kUnscorable);
  // Chat trajectory with malformed arguments.
  r = testutil::Score("{type: step.r3rag, outcome: {type: match.exact}}", R"({
      "completion": [
        {"role": "assistant", "tool_calls": [{"function": {"name": "search", "arguments": "{\"query\": \"a\"}"}}]},
        {"role": "tool", "content": "doc"},
        {"role": "assistant", "tool_calls": [{"function": {"name": "search", "arguments": "{bad"}}]}],
      "reference": "Paris", "metadata": {"relevance": [0.5]}})");
  EXPECT_EQ(StepRewards(r), (std::vector<double>{0.5, -0.9}));
  EXPECT_EQ(r.reason, "malformed_tool_arguments");
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[1].start, 1u);
  EXPECT_EQ(r.steps[1].end, 2u);
}

}  // namespace
}  // namespace merit::step
