#include "explain/players.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/field_mapping.h"
#include "testutil/testutil.h"

namespace merit::explain {
namespace {

// A sample as the field mapping makes it from {"completion": ..., "reference": ...}.
Sample MakeSample(std::string_view completion_json, std::string_view reference_json = "null") {
  Sample sample;
  sample.completion = testutil::ParseYaml(completion_json);
  sample.reference = testutil::ParseYaml(reference_json);
  EXPECT_TRUE(internal::ExtractText(sample.completion, "assistant", sample.completion_text));
  return sample;
}

std::vector<std::string> Texts(const PlayerSet& set) {
  std::vector<std::string> texts;
  for (const Player& player : set.players()) {
    texts.push_back(player.text);
  }
  return texts;
}

std::string BuiltText(const PlayerSet& set, Coalition coalition) {
  Sample out;
  set.Build(coalition, &out);
  return out.completion_text;
}

TEST(PlayersTest, KindNamesRoundTrip) {
  for (const std::string_view name : kPlayerKindNames) {
    const std::optional<PlayerKind> kind = PlayerKindFromName(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_EQ(PlayerKindName(*kind), name);
  }
  EXPECT_FALSE(PlayerKindFromName("sentences").has_value());
}

TEST(PlayersTest, SplitParagraphsTrimsAndSkipsBlankLines) {
  struct Case {
    std::string text;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"", {}},
      {"\n \n\t\n", {}},
      {"one", {"one"}},
      {"one\ntwo\n\nthree", {"one\ntwo", "three"}},
      {"\n\n  first para  \r\n \r\nsecond\n\n\n", {"first para", "second"}},
      {"a\n\nb\n\nc\n", {"a", "b", "c"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> got;
    for (const TextRange& range : SplitParagraphs(c.text)) {
      got.push_back(c.text.substr(range.start, range.end - range.start));
    }
    EXPECT_EQ(got, c.want) << c.text;
  }
}

TEST(PlayersTest, RebuildTextKeepsEachKeptPieceSeparator) {
  const std::string text = "  A one. B two.  C three.";
  const std::vector<std::size_t> starts = {2, 9, 17};
  std::string out;
  RebuildText(text, starts, 0b111, out);
  EXPECT_EQ(out, text);
  RebuildText(text, starts, 0b101, out);
  EXPECT_EQ(out, "  A one. C three.");
  RebuildText(text, starts, 0b010, out);
  EXPECT_EQ(out, "  B two.  ");
  RebuildText(text, starts, 0, out);
  EXPECT_EQ(out, "  ");
  RebuildText(text, {}, 0, out);
  EXPECT_EQ(out, text);  // No pieces: nothing to remove.
}

TEST(PlayersTest, ParagraphsOfAStringCompletion) {
  const Sample sample = MakeSample(R"("Intro.\n\nMiddle part.\n\nIntro.")");
  const StatusOr<PlayerSet> set = PlayerSet::Create(sample, {.kind = PlayerKind::kParagraphs});
  ASSERT_TRUE(set.ok()) << set.status().message();
  // The duplicate paragraph is a distinct player (spec).
  EXPECT_EQ(Texts(*set), (std::vector<std::string>{"Intro.", "Middle part.", "Intro."}));
  EXPECT_EQ(set->players()[1].start, 8u);
  EXPECT_EQ(set->players()[1].end, 20u);
  EXPECT_EQ(BuiltText(*set, 0b111), sample.completion_text);
  EXPECT_EQ(BuiltText(*set, 0b110), "Middle part.\n\nIntro.");
  EXPECT_EQ(BuiltText(*set, 0b001), "Intro.\n\n");
  Sample out;
  set->Build(0b010, &out);
  ASSERT_TRUE(out.completion.is_string());
  EXPECT_EQ(out.completion.str(), out.completion_text);
}

TEST(PlayersTest, CoalitionsOfTextDropWholeCompletionTokenData) {
  Sample sample = MakeSample(R"("a\n\nb")", R"({"rubric": ["a"]})");
  sample.num_tokens = 3;
  sample.logprobs = {-0.1, -0.2, -0.3};
  sample.id = "kept";
  Sample out;
  PlayerSet::Create(sample, {.kind = PlayerKind::kParagraphs})->Build(0b01, &out);
  EXPECT_FALSE(out.num_tokens.has_value());
  EXPECT_TRUE(out.logprobs.empty());
  EXPECT_EQ(out.id, "kept");
  // Rubric coalitions leave the completion as it is, and its token data with it.
  PlayerSet::Create(sample, {.kind = PlayerKind::kRubric})->Build(0, &out);
  EXPECT_EQ(out.num_tokens, 3);
  EXPECT_EQ(out.logprobs.size(), 3u);
}

TEST(PlayersTest, TextPiecesOfAChatCompletionReplaceTheLastAssistantMessage) {
  const Sample sample = MakeSample(R"([
    {"role": "user", "content": "q"},
    {"role": "assistant", "content": "draft"},
    {"role": "assistant", "content": [{"type": "text", "text": "A.\n\nB."}]},
    {"role": "tool", "content": "ignored"}])");
  ASSERT_EQ(sample.completion_text, "A.\n\nB.");
  const StatusOr<PlayerSet> set = PlayerSet::Create(sample, {.kind = PlayerKind::kParagraphs});
  ASSERT_TRUE(set.ok());
  Sample out;
  set->Build(0b10, &out);
  EXPECT_EQ(out.completion_text, "B.");
  ASSERT_TRUE(out.completion.is_array());
  EXPECT_EQ(out.completion.array()[2].Find("content")->str(), "B.");
  EXPECT_EQ(out.completion.array()[1].Find("content")->str(), "draft");
  std::string text;
  ASSERT_TRUE(internal::ExtractText(out.completion, "assistant", text));
  EXPECT_EQ(text, out.completion_text);  // What the field mapping would read back.
}

TEST(PlayersTest, SentencesAreSegmentsWithOffsets) {
  const Sample sample = MakeSample(R"("The sky is blue. Grass is green. Water is wet.")");
  const StatusOr<PlayerSet> set = PlayerSet::Create(sample, {.kind = PlayerKind::kSegments});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->size(), 3u);
  for (const Player& player : set->players()) {
    ASSERT_TRUE(player.start && player.end);
    EXPECT_EQ(sample.completion_text.substr(*player.start, *player.end - *player.start),
              player.text);
  }
  EXPECT_EQ(BuiltText(*set, 0b111), sample.completion_text);
  EXPECT_EQ(BuiltText(*set, 0b101).find("Grass"), std::string::npos);
  EXPECT_NE(BuiltText(*set, 0b101).find("Water is wet."), std::string::npos);
}

constexpr std::string_view kTrajectory = R"([
  {"role": "system", "content": "be brief"},
  {"role": "user", "content": "capital of France?"},
  {"role": "assistant", "content": "", "tool_calls": [{"id": "1", "function": {"name": "search"}}]},
  {"role": "tool", "tool_call_id": "1", "content": "Paris is the capital"},
  {"role": "assistant", "content": "checking", "tool_calls": [{"id": "2"}]},
  {"role": "tool", "tool_call_id": "2", "content": "yes"},
  {"role": "assistant", "content": "Paris"}])";

TEST(PlayersTest, StepsGroupAnAssistantMessageWithItsToolResults) {
  const Sample sample = MakeSample(kTrajectory);
  const StatusOr<PlayerSet> set = PlayerSet::Create(sample, {.kind = PlayerKind::kSteps});
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->size(), 3u);
  EXPECT_NE(set->players()[0].text.find("search"), std::string::npos);  // Its tool call.
  EXPECT_EQ(set->players()[1].text, "checking");
  EXPECT_EQ(set->players()[2].text, "Paris");
  EXPECT_FALSE(set->players()[0].start.has_value());

  Sample out;
  set->Build(0b101, &out);
  const Json::Array& kept = out.completion.array();
  ASSERT_EQ(kept.size(), 5u);  // system, user, step 0 (2 messages), step 2.
  EXPECT_EQ(kept[3].Find("content")->str(), "Paris is the capital");
  EXPECT_EQ(kept[4].Find("content")->str(), "Paris");
  EXPECT_EQ(out.completion_text, "Paris");

  set->Build(0b011, &out);  // No final answer: the text is the last kept assistant message.
  EXPECT_EQ(out.completion_text, "checking");
  set->Build(0, &out);
  EXPECT_EQ(out.completion.array().size(), 2u);
  set->Build(0b111, &out);
  EXPECT_EQ(out.completion, sample.completion);
}

TEST(PlayersTest, StepsNeedChatMessages) {
  const StatusOr<PlayerSet> set =
      PlayerSet::Create(MakeSample(R"("plain text")"), {.kind = PlayerKind::kSteps});
  EXPECT_FALSE(set.ok());
  const StatusOr<PlayerSet> none = PlayerSet::Create(
      MakeSample(R"([{"role": "user", "content": "hi"}])"), {.kind = PlayerKind::kSteps});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 0u);
}

TEST(PlayersTest, RubricFromEachPlaceInTheReference) {
  struct Case {
    std::string_view reference;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {R"(["a", "b"])", {"a", "b"}},
      {R"({"rubric": ["a", {"text": "b", "weight": 2}]})", {"a", "b"}},
      {R"({"rubrics": [{"text": "x"}, "x"]})", {"x", "x"}},
      {R"({"rubric": "only"})", {"only"}},
  };
  for (const Case& c : cases) {
    const StatusOr<PlayerSet> set =
        PlayerSet::Create(MakeSample(R"("answer")", c.reference), {.kind = PlayerKind::kRubric});
    ASSERT_TRUE(set.ok()) << c.reference;
    EXPECT_EQ(Texts(*set), c.want) << c.reference;
  }
  for (const std::string_view bad : {"null", R"("Paris")", R"({"answer": "x"})"}) {
    EXPECT_FALSE(
        PlayerSet::Create(MakeSample(R"("answer")", bad), {.kind = PlayerKind::kRubric}).ok())
        << bad;
  }
}

TEST(PlayersTest, AbsentRubricItemsAreUnmetOrDropped) {
  const Sample sample = MakeSample(
      R"("answer")", R"({"rubric": ["a", {"text": "b", "importance": "vital"}], "k": 1})");
  const StatusOr<PlayerSet> unmet =
      PlayerSet::Create(sample, {.kind = PlayerKind::kRubric,
                                 .rubric_absent = RubricAbsent::kUnmet});
  ASSERT_TRUE(unmet.ok());
  Sample out;
  unmet->Build(0b01, &out);
  EXPECT_EQ(out.reference.Find("k")->number(), 1);
  const Json::Array& items = out.reference.Find("rubric")->array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].str(), "a");
  EXPECT_EQ(items[1].Find("importance")->str(), "vital");  // Its weight still counts.
  EXPECT_TRUE(items[1].Find("check")->Find("regex") != nullptr);

  const StatusOr<PlayerSet> drop =
      PlayerSet::Create(sample, {.kind = PlayerKind::kRubric,
                                 .rubric_absent = RubricAbsent::kDrop});
  ASSERT_TRUE(drop.ok());
  drop->Build(0b10, &out);
  ASSERT_EQ(out.reference.Find("rubric")->array().size(), 1u);
  EXPECT_EQ(out.reference.Find("rubric")->array()[0].Find("text")->str(), "b");
}

}  // namespace
}  // namespace merit::explain
