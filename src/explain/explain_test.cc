#include "explain/explain.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit::explain {
namespace {

std::vector<Sample> MapAll(const Engine& engine, const std::vector<std::string>& lines) {
  std::vector<Sample> samples(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Score mapped = engine.MapSample(testutil::ParseYaml(lines[i]), &samples[i]);
    EXPECT_TRUE(mapped.ok()) << lines[i];
  }
  return samples;
}

Explanation ExplainOne(const Engine& engine, const std::string& line,
                       const ExplainOptions& options) {
  const std::vector<Sample> samples = MapAll(engine, {line});
  return ExplainBatch(engine, samples, options).front();
}

Json OutputJson(const Explanation& explanation, PlayerKind kind) {
  std::string out;
  AppendExplanationJson(7, "id-7", kind, explanation, out);
  JsonParser parser;
  StatusOr<Json> parsed = parser.Parse(out);
  EXPECT_TRUE(parsed.ok()) << out;
  return parsed.ok() ? *parsed : Json();
}

// Four weighted contains-checks; the completion meets items 0, 1 and 3.
constexpr std::string_view kRubricConfig = "reward: {type: rubric.items, check: contains}";
const std::string kRubricLine = R"({"completion": "Paris is the capital; it has 2 million people.",
  "reference": {"rubric": [{"text": "Paris", "weight": 3}, {"text": "capital", "weight": 1},
                           {"text": "Seine", "weight": 2}, {"text": "million", "weight": 2}]}})";

TEST(ExplainTest, RubricItemsGetTheirWeightedContribution) {
  const Engine engine = testutil::MakeEngine(kRubricConfig);
  const Explanation e =
      ExplainOne(engine, kRubricLine, {.players = {.kind = PlayerKind::kRubric}});
  ASSERT_TRUE(e.error.empty()) << e.detail;
  EXPECT_EQ(e.method, ShapleyMethod::kExact);
  EXPECT_EQ(e.evaluations, 16u);
  const double want[] = {3.0 / 8, 1.0 / 8, 0.0, 2.0 / 8};
  ASSERT_EQ(e.shapley.phi.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(e.shapley.phi[i], want[i], 1e-12) << i;
  }
  EXPECT_NEAR(e.shapley.v_empty, 0.0, 1e-12);
  EXPECT_NEAR(e.shapley.v_full, 0.75, 1e-12);
  EXPECT_NEAR(e.shapley.efficiency_gap, 0.0, 1e-9);
  EXPECT_EQ(e.players[2].text, "Seine");
}

TEST(ExplainTest, DroppingEveryRubricItemIsACoalitionError) {
  const Engine engine = testutil::MakeEngine(kRubricConfig);
  const Explanation e = ExplainOne(
      engine, kRubricLine,
      {.players = {.kind = PlayerKind::kRubric, .rubric_absent = RubricAbsent::kDrop}});
  // rubric.items does not score an empty rubric: never a silent 0.
  EXPECT_EQ(e.error, "coalition_not_ok");
  EXPECT_NE(e.detail.find("coalition {}"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("no_rubric"), std::string::npos) << e.detail;
}

TEST(ExplainTest, EfficiencyHoldsOverSentencesAndParagraphs) {
  const Engine engine = testutil::MakeEngine(R"(reward:
  type: weighted_sum
  children:
    - {type: penalty.length, min_length: 12, max_length: 40, buffer: 10, unit: words}
    - {type: penalty.repetition, ngram: 2}
    - {type: text.rouge, rouge_type: rouge1})");
  const std::string line = R"({"completion": "The cat sat on the mat. The cat sat on the mat.\n\nIt was a sunny day and the birds sang loudly. Then it rained.\n\nThe end.",
    "reference": "The cat sat on the mat on a sunny day."})";
  for (const PlayerKind kind : {PlayerKind::kSegments, PlayerKind::kParagraphs}) {
    const Explanation e = ExplainOne(engine, line, {.players = {.kind = kind}});
    ASSERT_TRUE(e.error.empty()) << e.detail;
    EXPECT_EQ(e.method, ShapleyMethod::kExact);
    EXPECT_GE(e.players.size(), 3u);
    EXPECT_NEAR(e.shapley.efficiency_gap, 0.0, 1e-9) << PlayerKindName(kind);
    EXPECT_NEAR(e.shapley.sum, e.shapley.v_full - e.shapley.v_empty, 1e-9);
    EXPECT_NE(e.shapley.v_full, e.shapley.v_empty);
  }
}

TEST(ExplainTest, TheFinalAnswerStepCarriesAnExactMatch) {
  const Engine engine = testutil::MakeEngine("reward: {type: match.exact, extract: none}");
  const std::string line = R"({"completion": [
    {"role": "user", "content": "capital of France?"},
    {"role": "assistant", "content": "Lyon", "tool_calls": [{"id": "1"}]},
    {"role": "tool", "tool_call_id": "1", "content": "Paris is the capital"},
    {"role": "assistant", "content": "Paris"}], "reference": "Paris"})";
  const Explanation e = ExplainOne(engine, line, {.players = {.kind = PlayerKind::kSteps}});
  ASSERT_TRUE(e.error.empty()) << e.detail;
  ASSERT_EQ(e.shapley.phi.size(), 2u);
  EXPECT_NEAR(e.shapley.phi[0], 0.0, 1e-12);
  EXPECT_NEAR(e.shapley.phi[1], 1.0, 1e-12);
}

TEST(ExplainTest, SampledExplanationsReproduceWithTheirSeedWhateverTheThreads) {
  std::string completion;
  for (int i = 0; i < 16; ++i) {
    completion += "Paragraph " + std::to_string(i) + (i % 3 == 0 ? " Paris" : " Rome") + ".\n\n";
  }
  completion.resize(completion.size() - 2);  // No blank line at the end.
  const std::string line =
      R"({"id": "s", "completion": ")" + completion + R"(", "reference": "Paris Paris"})";
  // JSON needs escaped newlines.
  std::string escaped;
  for (const char c : line) {
    escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  const std::string config = "reward: {type: match.f1, extract: none}";
  const Engine one = testutil::MakeEngine(config, 1);
  const Engine three = testutil::MakeEngine(config, 3);
  const ExplainOptions options{.players = {.kind = PlayerKind::kParagraphs}, .permutations = 8,
                               .seed = 5};
  const Explanation a = ExplainOne(one, escaped, options);
  const Explanation b = ExplainOne(three, escaped, options);
  ASSERT_TRUE(a.error.empty()) << a.detail;
  EXPECT_EQ(a.method, ShapleyMethod::kPermutation);  // 16 players > max_exact 12.
  EXPECT_EQ(a.players.size(), 16u);
  EXPECT_EQ(a.shapley.phi, b.shapley.phi);
  EXPECT_EQ(a.shapley.standard_error, b.shapley.standard_error);
  EXPECT_NEAR(a.shapley.efficiency_gap, 0.0, 1e-9);
  ExplainOptions other = options;
  other.seed = 6;
  const Explanation c = ExplainOne(one, escaped, other);
  EXPECT_NE(a.shapley.phi, c.shapley.phi);
  const Json json = OutputJson(a, PlayerKind::kParagraphs);
  EXPECT_EQ(json.Find("method")->str(), "permutation");
  EXPECT_TRUE(json.Find("players")->array()[0].Find("se") != nullptr);

  ExplainOptions exact = options;
  exact.method = MethodChoice::kExact;
  EXPECT_EQ(ExplainOne(one, escaped, exact).error, "too_many_players");
  ExplainOptions capped = options;
  capped.max_players = 10;
  EXPECT_EQ(ExplainOne(one, escaped, capped).error, "too_many_players");
  ExplainOptions few = options;
  few.max_evaluations = 20;
  EXPECT_EQ(ExplainOne(one, escaped, few).error, "too_many_evaluations");
}

TEST(ExplainTest, NoPlayersIsAnEmptyExplanation) {
  const Engine engine = testutil::MakeEngine("reward: {type: match.exact, extract: none}");
  const Explanation e = ExplainOne(engine, R"({"completion": "  ", "reference": "x"})",
                                   {.players = {.kind = PlayerKind::kParagraphs}});
  ASSERT_TRUE(e.error.empty()) << e.detail;
  EXPECT_TRUE(e.players.empty());
  EXPECT_EQ(e.evaluations, 1u);
  const Json json = OutputJson(e, PlayerKind::kParagraphs);
  EXPECT_TRUE(json.Find("players")->array().empty());
  EXPECT_EQ(json.Find("sum")->number(), 0);
}

TEST(ExplainTest, AFullRewardThatIsNotOkIsAnErrorLine) {
  const Engine engine = testutil::MakeEngine("reward: {type: match.exact}");
  const Explanation e =
      ExplainOne(engine, R"({"completion": "x"})", {.players = {.kind = PlayerKind::kParagraphs}});
  EXPECT_EQ(e.error, "reward_not_ok");
  EXPECT_NE(e.detail.find("unscorable"), std::string::npos) << e.detail;
  const Json json = OutputJson(e, PlayerKind::kParagraphs);
  EXPECT_EQ(json.Find("error")->str(), "reward_not_ok");
  EXPECT_EQ(json.Find("line")->number(), 7);
  EXPECT_EQ(json.Find("id")->str(), "id-7");
}

TEST(ExplainTest, TokenCountsOfTheWholeCompletionAreNotReusedForItsParts) {
  const Engine engine =
      testutil::MakeEngine("reward: {type: penalty.overlong, max_length: 8, buffer: 4}");
  const Explanation e = ExplainOne(engine, R"({"completion": "a\n\nb", "num_tokens": 7})",
                                   {.players = {.kind = PlayerKind::kParagraphs}});
  EXPECT_EQ(e.error, "coalition_not_ok");
  EXPECT_NE(e.detail.find("coalition {}"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("error"), std::string::npos) << e.detail;
}

TEST(ExplainTest, ABatchMixesGoodAndBadSamples) {
  const Engine engine = testutil::MakeEngine(kRubricConfig);
  const std::vector<Sample> samples = MapAll(
      engine, {kRubricLine, R"({"completion": "no rubric", "reference": "Paris"})", kRubricLine});
  const std::vector<Explanation> explanations =
      ExplainBatch(engine, samples, {.players = {.kind = PlayerKind::kRubric}});
  ASSERT_EQ(explanations.size(), 3u);
  EXPECT_TRUE(explanations[0].error.empty());
  EXPECT_FALSE(explanations[1].error.empty());
  EXPECT_EQ(explanations[0].shapley.phi, explanations[2].shapley.phi);
}

TEST(ExplainTest, SmallChunksGiveTheSameValues) {
  const Engine engine = testutil::MakeEngine(kRubricConfig);
  const ExplainOptions whole{.players = {.kind = PlayerKind::kRubric}};
  ExplainOptions chunked = whole;
  chunked.max_chunk_samples = 3;
  EXPECT_EQ(ExplainOne(engine, kRubricLine, whole).shapley.phi,
            ExplainOne(engine, kRubricLine, chunked).shapley.phi);
}

TEST(ExplainTest, OutputTextIsCutAtACharacterBoundary) {
  Explanation e;
  std::string long_text(199, 'a');
  long_text += "\xc3\xa9tail";  // é straddles byte 200.
  e.players.push_back({.text = long_text, .start = 0, .end = long_text.size()});
  e.shapley.phi = {0.5};
  const Json json = OutputJson(e, PlayerKind::kSegments);
  const Json& player = json.Find("players")->array()[0];
  EXPECT_EQ(player.Find("text")->str(), std::string(199, 'a'));
  EXPECT_EQ(player.Find("kind")->str(), "sentence");
  EXPECT_EQ(player.Find("end")->number(), static_cast<double>(long_text.size()));
  EXPECT_EQ(player.Find("se"), nullptr);
}

}  // namespace
}  // namespace merit::explain
