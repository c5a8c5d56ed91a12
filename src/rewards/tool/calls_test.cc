// tool.calls (ToolRL): the spec's worked examples, format shapes, variants and input formats.
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/json.h"
#include "testutil/testutil.h"

namespace merit {
namespace {

// Spec A §2 worked examples: T_g = [get_weather{city: Paris, unit: C}, get_time{tz: CET}].
constexpr std::string_view kGt =
    "<tool_call>\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": "
    "\"C\"}}\n{\"name\": \"get_time\", \"parameters\": {\"tz\": \"CET\"}}\n</tool_call>";

std::string SampleJson(std::string_view completion, std::string_view reference = kGt,
                       std::string_view extra = "") {
  std::string out = "{\"completion\": ";
  AppendJsonString(completion, out);
  out += ", \"reference\": ";
  AppendJsonString(reference, out);
  out += extra;
  out += "}";
  return out;
}

std::string Completion(std::string_view lines) {
  return fmt::format("<think>I should call the tools.</think>\n<tool_call>\n{}\n</tool_call>",
                     lines);
}

double Reward(std::string_view yaml, const std::string& sample) {
  const Result r = testutil::Score(yaml, sample);
  EXPECT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
  return r.reward.value_or(-100);
}

TEST(ToolCalls, SpecWorkedExamples) {
  const std::string example1 =
      Completion(R"({"name": "get_weather", "parameters": {"city": "Paris", "unit": "F"}})");
  EXPECT_NEAR(Reward("{type: tool.calls, component: correctness}", SampleJson(example1)), -0.5,
              1e-9);
  EXPECT_NEAR(Reward("{type: tool.calls}", SampleJson(example1)), 0.5, 1e-9);
  const std::string example2 = Completion(
      "{\"name\": \"get_time\", \"parameters\": {\"tz\": \"CET\"}}\n"
      "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": \"C\", "
      "\"days\": 3}}");
  EXPECT_NEAR(Reward("{type: tool.calls, component: correctness}", SampleJson(example2)),
              2.666667, 1e-6);
  const std::string swapped = Completion(
      "{\"name\": \"get_time\", \"parameters\": {\"tz\": \"CET\"}}\n"
      "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": \"C\"}}");
  EXPECT_NEAR(Reward("{type: tool.calls, component: correctness}", SampleJson(swapped)), 3.0,
              1e-9);
  EXPECT_NEAR(Reward("{type: tool.calls}", SampleJson(swapped)), 4.0, 1e-9);
}

TEST(ToolCalls, ExactAndMissingCalls) {
  const std::string exact = Completion(
      "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": \"C\"}}\n"
      "{\"name\": \"get_time\", \"parameters\": {\"tz\": \"CET\"}}");
  EXPECT_EQ(Reward("{type: tool.calls}", SampleJson(exact)), 4.0);
  // No calls at all: min_correct, never escaping the penalty.
  const Result none = testutil::Score("{type: tool.calls}", SampleJson("<think>x</think>\nhi"));
  EXPECT_EQ(none.reward, -3.0);
  EXPECT_EQ(none.reason, "no_tool_call");
  // A malformed line: min_correct (format still fine).
  const Result bad = testutil::Score("{type: tool.calls}",
                                     SampleJson(Completion("{\"name\": \"get_weather\", ")));
  EXPECT_EQ(bad.reward, 1.0 - 3.0);
  EXPECT_EQ(bad.reason, "unparseable_tool_call");
  // Value types follow Python: "5" != 5, but 1 == 1.0.
  const std::string gt_num =
      "<tool_call>\n{\"name\": \"f\", \"parameters\": {\"n\": 1}}\n</tool_call>";
  EXPECT_EQ(Reward("{type: tool.calls, component: correctness}",
                   SampleJson(Completion(R"({"name": "f", "parameters": {"n": 1.0}})"), gt_num)),
            3.0);
  EXPECT_NEAR(Reward("{type: tool.calls, component: correctness}",
                     SampleJson(Completion(R"({"name": "f", "parameters": {"n": "1"}})"), gt_num)),
              6.0 * 2.0 / 3.0 - 3.0, 1e-9);
}

TEST(ToolCalls, NoToolCallExpected) {
  // gt with only <response>: correctness 0, format checks the response shape.
  const std::string gt = "<response>Hello</response>";
  EXPECT_EQ(Reward("{type: tool.calls}",
                   SampleJson("<think>greet</think>\n<response>Hi!</response>", gt)),
            1.0);
  EXPECT_EQ(Reward("{type: tool.calls}",
                   SampleJson("<think>greet</think>\n<response>Hi!</response>\n", gt)),
            1.0);  // One trailing newline is accepted (Python's $).
  EXPECT_EQ(Reward("{type: tool.calls}", SampleJson("<response>Hi!</response>", gt)), 0.0);
  EXPECT_EQ(Reward("{type: tool.calls}",
                   SampleJson("<think>a</think>\n<response>x</response><response>y</response>",
                              gt)),
            0.0);
}

TEST(ToolCalls, FormatShapes) {
  const std::string both = std::string(kGt) + "\n<response>Done</response>";
  const std::string call_line = R"({"name": "get_time", "parameters": {"tz": "CET"}})";
  const std::string good = "<think>t</think>\n<tool_call>\n" + call_line +
                           "\n</tool_call>\n<response>Done</response>";
  EXPECT_EQ(Reward("{type: tool.calls, component: format}", SampleJson(good, both)), 1.0);
  EXPECT_EQ(Reward("{type: tool.calls, component: format}",
                   SampleJson("<think>t</think>\n<tool_call>" + call_line + "</tool_call>")),
            0.0);  // The block needs its newlines.
  EXPECT_EQ(Reward("{type: tool.calls, component: format}",
                   SampleJson("<think>t</think>", "no tags at all")),
            1.0);
}

TEST(ToolCalls, Variants) {
  const std::string example1 =
      Completion(R"({"name": "get_weather", "parameters": {"city": "Paris", "unit": "F"}})");
  // CORRECTMAX1.
  EXPECT_NEAR(Reward("{type: tool.calls, component: correctness, max_correct: 1, min_correct: -1}",
                     SampleJson(example1)),
              2.0 * 2.5 / 6.0 - 1.0, 1e-9);
  // COARSE: all or nothing.
  EXPECT_EQ(Reward("{type: tool.calls, component: correctness, granularity: coarse}",
                   SampleJson(example1)),
            -3.0);
  // INTERMEDIATE: names J = 1/2, no exactly equal tool: S = 0.5 / 3.
  EXPECT_NEAR(Reward("{type: tool.calls, component: correctness, granularity: intermediate}",
                     SampleJson(example1)),
              6.0 * 0.5 / 3.0 - 3.0, 1e-9);
  // REFINED: unequal name lists score 0; keys equal; one value: S = 2 / 6.
  EXPECT_NEAR(Reward("{type: tool.calls, component: correctness, granularity: refined}",
                     SampleJson(example1)),
              6.0 * 2.0 / 6.0 - 3.0, 1e-9);
  // Schedules read the step from metadata.
  const Result missing =
      testutil::Score("{type: tool.calls, schedule: two_stage}", SampleJson(example1));
  EXPECT_EQ(missing.status, ScoreStatus::kError);
  EXPECT_EQ(missing.reason, "missing_field");
  EXPECT_NEAR(Reward("{type: tool.calls, schedule: two_stage, component: correctness}",
                     SampleJson(example1, kGt, R"(, "metadata": {"step": 10})")),
              -0.5 / 3.0, 1e-9);
  EXPECT_NEAR(Reward("{type: tool.calls, schedule: two_stage, component: format}",
                     SampleJson(example1, kGt, R"(, "metadata": {"step": 30})")),
              0.5, 1e-9);
  // SCHEDULEREWARD at step 0: correctness in [-2, 2], format in [-2, 2].
  EXPECT_NEAR(Reward("{type: tool.calls, schedule: smooth, component: correctness}",
                     SampleJson(example1, kGt, R"(, "metadata": {"step": 0})")),
              4.0 * 2.5 / 6.0 - 2.0, 1e-9);
  EXPECT_NEAR(Reward("{type: tool.calls, schedule: smooth, component: format}",
                     SampleJson("no format", kGt, R"(, "metadata": {"step": 0})")),
              -2.0, 1e-9);
  EXPECT_NEAR(Reward("{type: tool.calls, schedule: smooth, component: format}",
                     SampleJson(example1, kGt, R"(, "metadata": {"step": 150})")),
              1.0, 1e-9);
}

TEST(ToolCalls, LengthReward) {
  std::string think;
  for (int i = 0; i < 256; ++i) {
    think += "word ";
  }
  const std::string completion = "<think>" + think + "</think>\nhi";
  EXPECT_NEAR(Reward("{type: tool.calls, component: length}", SampleJson(completion)), 0.5, 1e-9);
  EXPECT_NEAR(Reward("{type: tool.calls, component: length, length_target: 128}",
                     SampleJson(completion)),
              1.0, 1e-9);
  EXPECT_EQ(Reward("{type: tool.calls, component: length}", SampleJson("no think")), 0.0);
}

TEST(ToolCalls, SourcesAndReferences) {
  // auto reads Python syntax and JSON lists; tags reads only ToolRL blocks.
  const std::string python =
      "<think>t</think>\n[get_weather(city='Paris', unit='C'), get_time(tz='CET')]";
  EXPECT_EQ(Reward("{type: tool.calls, component: correctness}", SampleJson(python)), 3.0);
  EXPECT_EQ(Reward("{type: tool.calls, component: correctness, source: tags}", SampleJson(python)),
            -3.0);
  // A reference given as a list of calls.
  const std::string sample = R"({"completion": "[get_time(tz='CET')]",
      "reference": [{"name": "get_time", "arguments": {"tz": "CET"}}]})";
  EXPECT_EQ(Reward("{type: tool.calls, component: correctness}", sample), 3.0);
  // Chat messages with OpenAI tool_calls.
  const std::string chat = R"({"completion": [{"role": "assistant", "content": null,
      "tool_calls": [{"type": "function", "function": {"name": "get_time",
      "arguments": "{\"tz\": \"CET\"}"}}]}],
      "reference": [{"name": "get_time", "arguments": {"tz": "CET"}}]})";
  EXPECT_EQ(Reward("{type: tool.calls, component: correctness}", chat), 3.0);
  // No reference, unparseable reference.
  EXPECT_EQ(testutil::Score("{type: tool.calls}", R"({"completion": "x"})").status,
            ScoreStatus::kUnscorable);
  const Result bad_ref = testutil::Score(
      "{type: tool.calls}", SampleJson("x", "<tool_call>\n{not json}\n</tool_call>"));
  EXPECT_EQ(bad_ref.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(bad_ref.reason, "reference_unparseable");
}

TEST(ToolCalls, RejectsBadOptions) {
  EXPECT_THAT(testutil::ConfigError("reward: {type: tool.calls, max_correct: -5}"),
              testing::HasSubstr("max_"));
  EXPECT_THAT(testutil::ConfigError("reward: {type: tool.calls, granularity: medium}"),
              testing::HasSubstr("granularity"));
}

}  // namespace
}  // namespace merit
