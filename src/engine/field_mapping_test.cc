#include "engine/field_mapping.h"

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit::internal {
namespace {

FieldMapping Mapping(std::string_view yaml) {
  StatusOr<FieldMapping> m =
      FieldMapping::Create(testutil::ParseYaml(yaml), ConfigLocation("c.yaml", "fields"));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

Sample Map(const FieldMapping& mapping, std::string_view json) {
  Sample sample;
  JsonParser parser;
  const merit::Score s = mapping.Map(parser.Parse(json).value(), &sample);
  EXPECT_TRUE(s.ok()) << s.reason << ": " << s.explanation;
  return sample;
}

TEST(FieldMapping, DefaultPreset) {
  const Sample s = Map(Mapping("null"), R"({"id": 7, "prompt": "2+2?", "completion": "4",
      "reference": ["4", "four"], "num_tokens": 3, "metadata": {"k": 1}, "logprobs": [-0.5, -1]})");
  EXPECT_EQ(s.id, "7");
  EXPECT_EQ(s.prompt_text, "2+2?");
  EXPECT_EQ(s.completion_text, "4");
  EXPECT_EQ(s.reference.array().size(), 2u);
  EXPECT_EQ(s.group, "2+2?");  // No explicit group: rollouts of one prompt form a group.
  EXPECT_EQ(s.num_tokens, 3);
  EXPECT_EQ(s.metadata.Find("k")->number(), 1);
  EXPECT_EQ(s.logprobs, (std::vector<double>{-0.5, -1}));
}

TEST(FieldMapping, VerlPreset) {
  const Sample s = Map(Mapping("verl"), R"({"data_source": "openai/gsm8k",
      "solution_str": "#### 72", "ground_truth": "72", "extra_info": {"index": 12, "split": "train"}})");
  EXPECT_EQ(s.completion_text, "#### 72");
  EXPECT_EQ(s.reference.str(), "72");
  EXPECT_EQ(s.data_source, "openai/gsm8k");
  EXPECT_EQ(s.group, "12");
  EXPECT_EQ(s.metadata.Find("split")->str(), "train");
}

TEST(FieldMapping, OpenRlhfPresetStripsThePrompt) {
  const Sample s = Map(Mapping("openrlhf"),
                       R"({"query": "Q: 1+1? A: 2", "prompt": "Q: 1+1? A:", "label": "2"})");
  EXPECT_EQ(s.completion_text, " 2");
  EXPECT_EQ(s.reference.str(), "2");
}

TEST(FieldMapping, TrlPresetWithChatMessages) {
  const Sample s = Map(Mapping("trl"), R"({
      "prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "2+2?"}],
      "completion": [{"role": "assistant", "content": [{"type": "text", "text": "4"}]}],
      "solution": "4"})");
  EXPECT_EQ(s.prompt_text, "2+2?");
  EXPECT_EQ(s.completion_text, "4");
  EXPECT_EQ(s.reference.str(), "4");
  EXPECT_TRUE(s.completion.is_array());
}

TEST(FieldMapping, CustomPathsFirstPresentWins) {
  const FieldMapping m = Mapping("{preset: trl, reference: [gold.answer, answer], group: uid}");
  const Sample s = Map(m, R"({"completion": "x", "answer": "y", "uid": "g1"})");
  EXPECT_EQ(s.reference.str(), "y");
  EXPECT_EQ(s.group, "g1");
}

TEST(FieldMapping, InputErrors) {
  const FieldMapping m = Mapping("null");
  JsonParser parser;
  Sample sample;

  struct Case {
    const char* json;
    std::string_view reason;
  };

  const Case kCases[] = {
      {R"({"prompt": "p"})", "missing_field"},
      {R"({"completion": 5})", "wrong_type"},
      {R"({"completion": "x", "num_tokens": -1})", "wrong_type"},
      {R"({"completion": "x", "num_tokens": 1.5})", "wrong_type"},
      {R"({"completion": "x", "logprobs": [1, "a"]})", "wrong_type"},
      {R"({"completion": [1, 2]})", "wrong_type"},
      {R"([1, 2])", "not_an_object"},
  };
  for (const Case& c : kCases) {
    const merit::Score s = m.Map(parser.Parse(c.json).value(), &sample);
    EXPECT_EQ(s.status, ScoreStatus::kError) << c.json;
    EXPECT_EQ(s.reason, c.reason) << c.json;
    EXPECT_FALSE(s.explanation.empty());
  }
}

TEST(FieldMapping, ConfigErrors) {
  const auto error = [](std::string_view yaml) {
    return FieldMapping::Create(testutil::ParseYaml(yaml), ConfigLocation("c.yaml", "fields"))
        .status()
        .message();
  };
  EXPECT_EQ(error("verll"), "c.yaml: fields: unknown preset \"verll\", did you mean \"verl\"?");
  EXPECT_NE(error("{completon: x}").find("did you mean \"completion\""), std::string::npos);
  EXPECT_EQ(error("{completion: 3}"),
            "c.yaml: fields.completion: expected a dotted path or a non-empty list of paths");
}

}  // namespace
}  // namespace merit::internal
