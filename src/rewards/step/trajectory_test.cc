// The trajectory parser: chat messages with tool calls and Search-R1 tagged text, and bad input.
#include "rewards/step/trajectory.h"

#include <string>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit::step {
namespace {

Trajectory Chat(std::string_view yaml, TrajectoryOptions options = {}) {
  return ParseChatTrajectory(testutil::ParseYaml(yaml), options);
}

TEST(TextTrajectory, SearchR1Tags) {
  const std::string text =
      "<think>need the capital</think>\n<search>capital of France</search>\n"
      "<information>Doc 1: Paris is the capital.</information>\n"
      "<think>found it</think><answer> Paris </answer>trailing";
  const Trajectory t = ParseTextTrajectory(text);
  EXPECT_EQ(t.state, TrajectoryState::kDone);
  EXPECT_TRUE(t.problem.empty());
  ASSERT_EQ(t.steps.size(), 2u);
  EXPECT_EQ(t.steps[0].kind, StepKind::kSearch);
  EXPECT_EQ(t.steps[0].thinking, "need the capital");
  EXPECT_EQ(t.steps[0].query, "capital of France");
  ASSERT_EQ(t.steps[0].documents.size(), 1u);
  EXPECT_EQ(t.steps[0].documents[0], "Doc 1: Paris is the capital.");
  EXPECT_EQ(t.steps[0].start, 0u);
  EXPECT_EQ(text.substr(t.steps[0].end - 14, 14), "</information>");
  EXPECT_EQ(t.steps[1].kind, StepKind::kAnswer);
  EXPECT_EQ(t.steps[1].answer, "Paris");
  EXPECT_EQ(t.steps[1].thinking, "found it");
  EXPECT_EQ(t.steps[1].start, t.steps[0].end);
  EXPECT_EQ(text.substr(t.steps[1].end - 9, 9), "</answer>");
}

TEST(TextTrajectory, PlainTextBeforeAStepIsItsReasoning) {
  const Trajectory t = ParseTextTrajectory("I should look it up. <search>x</search>");
  ASSERT_EQ(t.steps.size(), 1u);
  EXPECT_EQ(t.steps[0].thinking, "I should look it up.");
  EXPECT_TRUE(t.steps[0].documents_missing);
  EXPECT_EQ(t.state, TrajectoryState::kFail);
  EXPECT_EQ(t.problem, "no_answer");
}

TEST(TextTrajectory, FormatErrors) {
  struct Case {
    std::string text;
    std::string_view problem;
    std::size_t steps;
  };
  const Case cases[] = {
      {"", "no_steps", 1},
      {"just text, no tags", "no_steps", 1},
      {"<search>a</search><search>b", "unclosed_tag", 2},
      {"<search>a</search><information>docs", "unclosed_tag", 1},
      {"<search>  </search>", "empty_query", 1},
      {"<think>unclosed", "unclosed_tag", 1},
      {"<answer>never closed", "unclosed_tag", 1},
  };
  for (const Case& c : cases) {
    const Trajectory t = ParseTextTrajectory(c.text);
    EXPECT_EQ(t.state, TrajectoryState::kFormatError) << c.text;
    EXPECT_EQ(t.problem, c.problem) << c.text;
    ASSERT_EQ(t.steps.size(), c.steps) << c.text;
    EXPECT_EQ(t.steps.back().kind, StepKind::kInvalid) << c.text;
  }
}

TEST(TextTrajectory, HugeTrajectoryIsBounded) {
  std::string text;
  for (int i = 0; i < 100000; ++i) {
    text += "<search>q</search><information>d</information>";
  }
  text += "<answer>a</answer>";
  const Trajectory t = ParseTextTrajectory(text, {.max_steps = 5});
  EXPECT_EQ(t.steps.size(), 5u);
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.state, TrajectoryState::kFail);
  EXPECT_EQ(t.problem, "too_many_steps");
  // A million unmatched '<' are one linear scan.
  const Trajectory lt = ParseTextTrajectory(std::string(1 << 20, '<'));
  EXPECT_EQ(lt.problem, "no_steps");
}

TEST(ChatTrajectory, ToolCallsAndResults) {
  const Trajectory t = Chat(R"([
    {role: assistant, content: "I need the capital.", tool_calls: [
      {id: c1, type: function, function: {name: search, arguments: "{\"query\": \"capital of France\"}"}},
      {id: c2, type: function, function: {name: search, arguments: {q: "France capital city"}}}]},
    {role: tool, tool_call_id: c2, content: "doc B"},
    {role: tool, tool_call_id: c1, content: [{type: text, text: "doc A"}]},
    {role: assistant, content: "<think>so</think><answer>Paris</answer>"},
    {role: assistant, content: "ignored"}])");
  EXPECT_EQ(t.state, TrajectoryState::kDone);
  EXPECT_FALSE(t.from_text);
  ASSERT_EQ(t.steps.size(), 3u);
  EXPECT_EQ(t.steps[0].query, "capital of France");
  EXPECT_EQ(t.steps[0].thinking, "I need the capital.");
  EXPECT_EQ(t.steps[0].documents, std::vector<std::string>{"doc A"});
  EXPECT_EQ(t.steps[1].query, "France capital city");
  EXPECT_TRUE(t.steps[1].thinking.empty());
  EXPECT_EQ(t.steps[1].documents, std::vector<std::string>{"doc B"});
  EXPECT_EQ(t.steps[2].answer, "Paris");
  EXPECT_EQ(t.steps[2].thinking, "so");
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    EXPECT_EQ(t.steps[i].start, i);
    EXPECT_EQ(t.steps[i].end, i + 1);
  }
}

TEST(ChatTrajectory, BadInput) {
  // Arguments that are not JSON: a format error at that step, earlier steps kept.
  Trajectory t = Chat(R"([
    {role: assistant, tool_calls: [{function: {name: search, arguments: "{\"query\": \"a\"}"}}]},
    {role: tool, content: "d"},
    {role: assistant, tool_calls: [{function: {name: search, arguments: "{query: oops"}}]}])");
  EXPECT_EQ(t.state, TrajectoryState::kFormatError);
  EXPECT_EQ(t.problem, "malformed_tool_arguments");
  ASSERT_EQ(t.steps.size(), 2u);
  EXPECT_EQ(t.steps[0].kind, StepKind::kSearch);
  EXPECT_EQ(t.steps[1].kind, StepKind::kInvalid);

  // A missing tool result: the step has no documents; no answer: fail.
  t = Chat(R"([{role: assistant, tool_calls: [{function: {name: search, arguments: {query: a}}}]}])");
  EXPECT_EQ(t.state, TrajectoryState::kFail);
  EXPECT_EQ(t.problem, "no_answer");
  ASSERT_EQ(t.steps.size(), 1u);
  EXPECT_TRUE(t.steps[0].documents_missing);

  // A call without any string argument has no query.
  t = Chat(R"([{role: assistant, tool_calls: [{function: {name: search, arguments: {k: 3}}}]}])");
  EXPECT_EQ(t.problem, "missing_query");

  // No steps at all, and not a message list.
  EXPECT_EQ(Chat("[]").problem, "no_steps");
  EXPECT_EQ(Chat("[{role: user, content: hi}]").problem, "no_steps");
  EXPECT_EQ(Chat("{a: 1}").problem, "no_steps");
  // A stray tool result is ignored.
  t = Chat("[{role: tool, content: x}, {role: assistant, content: Paris}]");
  EXPECT_EQ(t.state, TrajectoryState::kDone);
  EXPECT_EQ(t.steps.back().answer, "Paris");
}

TEST(ChatTrajectory, HugeTrajectoryIsBounded) {
  const Json message = testutil::ParseYaml(
      "{role: assistant, tool_calls: [{function: {name: search, arguments: {query: q}}}]}");
  Json messages = Json::Arr(Json::Array(20000, message));
  const Trajectory t = ParseChatTrajectory(messages, {.max_steps = 64});
  EXPECT_EQ(t.steps.size(), 64u);
  EXPECT_TRUE(t.truncated);
}

}  // namespace
}  // namespace merit::step
