// segment.dense: the pure token placement and whitening, then the reward through an Engine with
// deterministic children (a test reward that looks each segment's value up in the sample's
// metadata), spec A §8's worked examples 1 and 2 exactly, failures, bounds, and a judge-backed
// component against the test model server.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/json.h"
#include "merit/registry.h"
#include "model_server/server_suite.h"
#include "rewards/segment/dense.h"
#include "testutil/testutil.h"

namespace merit::segment {
namespace {

using ::testing::HasSubstr;

// ---- Pure parts --------------------------------------------------------------------------

TEST(TokenOfSegmentEnd, TokenHoldingTheLastByte) {
  // Tokens [0,3) [3,5) [5,9); a special token (empty range) is not listed.
  const std::vector<std::size_t> starts = {0, 3, 5};
  const std::vector<std::size_t> index = {0, 1, 3};
  EXPECT_EQ(TokenOfSegmentEnd(starts, index, 0), 0u);
  EXPECT_EQ(TokenOfSegmentEnd(starts, index, 1), 0u);
  EXPECT_EQ(TokenOfSegmentEnd(starts, index, 3), 0u);
  EXPECT_EQ(TokenOfSegmentEnd(starts, index, 4), 1u);
  EXPECT_EQ(TokenOfSegmentEnd(starts, index, 6), 3u);
  EXPECT_EQ(TokenOfSegmentEnd(starts, index, 100), 3u);
  EXPECT_EQ(TokenOfSegmentEnd({}, {}, 5), 0u);
}

TEST(WhitenRewards, ReleasedAndCorrected) {
  const std::vector<double> r = {1.0, 3.0};  // Mean 2, population std 1, variance 1.
  const std::vector<double> released = WhitenRewards(r, false);
  const std::vector<double> corrected = WhitenRewards(r, true);
  EXPECT_NEAR(released[0], 2.0 - 1.0 / std::sqrt(1.0 + 1e-8), 1e-12);
  EXPECT_NEAR(corrected[1], 2.0 + 1.0 / std::sqrt(1.0 + 1e-8), 1e-12);
  // std 2, variance 4: the released code divides by sqrt(2), the corrected one by 2.
  const std::vector<double> wide = {0.0, 4.0};
  EXPECT_NEAR(WhitenRewards(wide, false)[1], 2.0 + 2.0 / std::sqrt(2.0 + 1e-8), 1e-12);
  EXPECT_NEAR(WhitenRewards(wide, true)[1], 2.0 + 2.0 / std::sqrt(4.0 + 1e-8), 1e-12);
  EXPECT_TRUE(WhitenRewards({}, false).empty());
}

// ---- Through an Engine, with deterministic children ------------------------------------

// test.lookup: the value metadata[key][completion] (a number); a missing entry is
// Error("missing_field"), the string "unscorable" is Unscorable("no_reference").
struct LookupOptions {
  std::string key = {};
  static constexpr auto kFields = std::tuple{Field{"key", &LookupOptions::key, "Metadata key."}};
};

class LookupReward final : public Reward {
 public:
  explicit LookupReward(std::string key) : key_(std::move(key)) {}
  Score Evaluate(const Sample& sample, ScoreContext& /*context*/) const override {
    const Json* table = sample.metadata.is_object() ? sample.metadata.Find(key_) : nullptr;
    const Json* value = table != nullptr && table->is_object()
                            ? table->Find(sample.completion_text)
                            : nullptr;
    if (value == nullptr) {
      return Score::Error("missing_field", "no value for \"" + sample.completion_text + "\"");
    }
    if (value->is_string()) {
      return Score::Unscorable("no_reference", "marked unscorable");
    }
    return Score::Ok(value->number());
  }

 private:
  std::string key_;
};

StatusOr<std::unique_ptr<const Reward>> MakeLookup(const LookupOptions& options) {
  return std::make_unique<LookupReward>(options.key);
}

Registry TestRegistry() {
  Registry registry = BuiltinRegistry();
  registry.AddReward<LookupOptions>({.name = "test.lookup", .example = "{type: test.lookup}"},
                                    &MakeLookup);
  return registry;
}

std::vector<Result> ScoreWith(std::string_view reward_yaml, const std::vector<Json>& objects,
                              std::size_t threads = 1) {
  const Registry registry = TestRegistry();
  StatusOr<Config> config = ParseConfig(fmt::format("reward: {}\n", reward_yaml), "test.yaml");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  StatusOr<Engine> engine = Engine::Create(*config, registry, {.threads = threads});
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  std::vector<Sample> samples(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const Score mapped = engine->MapSample(objects[i], &samples[i]);
    EXPECT_TRUE(mapped.ok()) << mapped.explanation;
  }
  return engine->ScoreBatch(samples);
}

std::string BuildError(std::string_view reward_yaml) {
  const Registry registry = TestRegistry();
  StatusOr<Config> config = ParseConfig(fmt::format("reward: {}\n", reward_yaml), "test.yaml");
  if (!config.ok()) {
    return config.status().ToString();
  }
  StatusOr<Engine> engine = Engine::Create(*config, registry);
  return engine.ok() ? "" : engine.status().ToString();
}

// A sample whose test.lookup table `v` maps each listed text to its value.
Json LookupSample(std::string completion,
                  const std::vector<std::pair<std::string, double>>& values) {
  Json table = Json::Obj();
  for (const auto& [text, value] : values) {
    table.Set(text, Json::Num(value));
  }
  return Json::Obj({{"completion", Json::Str(std::move(completion))},
                    {"metadata", Json::Obj({{"v", table}})}});
}

// One component of `level` that looks each segment up in `v`, with extra component keys.
std::string LookupConfig(std::string_view level, std::string_view extra = "",
                         std::string_view dense_options = "") {
  return fmt::format(
      "{{type: segment.dense, {}components: [{{level: {}, {}reward: {{type: test.lookup, key: "
      "v}}}}]}}",
      dense_options, level, extra);
}

// Spec A §8's worked example: 12 tokens; sub-sentences end on tokens 3, 7, 11, sentences on 7, 11.
// The first sentence has 11 words, so the sub-sentence rule splits it after "epsilon,".
const std::vector<std::string> kTokens = {
    "Alpha", " beta",    " gamma", " delta epsilon,", " zeta eta", " theta",
    " iota kappa", " lambda.", " Mu nu", " xi", " omicron", " pi."};
constexpr std::string_view kSub1 = "Alpha beta gamma delta epsilon,";
constexpr std::string_view kSub2 = "zeta eta theta iota kappa lambda.";
constexpr std::string_view kSentence1 =
    "Alpha beta gamma delta epsilon, zeta eta theta iota kappa lambda.";
constexpr std::string_view kSentence2 = "Mu nu xi omicron pi.";

constexpr std::string_view kSpecReward =
    "{type: segment.dense, components: ["
    "{name: relevance, level: sub_sentence, reward: {type: test.lookup, key: r1}, map: binary, "
    "pass: 0.3, fail: -0.3},"
    "{name: factuality, level: sentence, reward: {type: test.lookup, key: r2}, map: binary, "
    "pass: 0.5, fail: -0.5},"
    "{name: completeness, level: response, reward: {type: test.lookup, key: r3}, map: affine, "
    "mean: -0.44677690555995353, std: 8.301160619054132, scale: 0.3, bias: 0}]";

Json SpecSample(bool with_offsets, bool with_kl) {
  std::string text;
  Json::Array offsets;
  for (const std::string& token : kTokens) {
    offsets.push_back(Json::Arr({Json::Num(static_cast<double>(text.size())),
                                 Json::Num(static_cast<double>(text.size() + token.size()))}));
    text += token;
  }
  Json r1 = Json::Obj();
  r1.Set(std::string(kSub1), Json::Num(1));  // No error.
  r1.Set(std::string(kSub2), Json::Num(0));  // Error.
  r1.Set(std::string(kSentence2), Json::Num(1));
  Json r2 = Json::Obj();
  r2.Set(std::string(kSentence1), Json::Num(1));
  r2.Set(std::string(kSentence2), Json::Num(0));
  Json r3 = Json::Obj();
  r3.Set(text, Json::Num(1.2));
  Json metadata = Json::Obj({{"r1", r1}, {"r2", r2}, {"r3", r3}});
  if (with_offsets) {
    metadata.Set("token_offsets", Json::Arr(std::move(offsets)));
  }
  Json sample = Json::Obj({{"completion", Json::Str(text)}, {"metadata", metadata}});
  if (with_kl) {
    sample.Set("logprobs", Json::Arr(Json::Array(12, Json::Num(0.1))));
    sample.Set("ref_logprobs", Json::Arr(Json::Array(12, Json::Num(0.0))));
  }
  return sample;
}

constexpr double kCompleteness = (1.2 + 0.44677690555995353) / 8.301160619054132 * 0.3;

TEST(SegmentDense, SpecWorkedExample1) {
  const Result r = ScoreWith(std::string(kSpecReward) + "}", {SpecSample(true, false)}).front();
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << ": " << r.explanation;
  ASSERT_EQ(r.tokens.size(), 12u);
  for (std::size_t t = 0; t < 12; ++t) {
    EXPECT_EQ(r.tokens[t].start, t);
    if (t != 3 && t != 7 && t != 11) {
      EXPECT_EQ(r.tokens[t].reward, 0.0) << t;
    }
  }
  EXPECT_NEAR(r.tokens[3].reward, 0.3, 1e-12);
  EXPECT_NEAR(r.tokens[7].reward, 0.2, 1e-12);
  EXPECT_NEAR(r.tokens[11].reward, -0.140486, 1e-6);
  EXPECT_NEAR(r.tokens[11].reward, 0.3 - 0.5 + kCompleteness, 1e-12);
  EXPECT_NEAR(kCompleteness, 0.059514, 1e-6);
  ASSERT_TRUE(r.reward.has_value());
  EXPECT_NEAR(*r.reward, 0.359514, 1e-6);
  EXPECT_NEAR(*r.reward, 0.3 + 0.2 + 0.3 - 0.5 + kCompleteness, 1e-12);

  // One span per (component, segment), in component order, with the weighted mapped value.
  ASSERT_EQ(r.segments.size(), 6u);
  const std::string text = SpecSample(false, false).Find("completion")->str();
  const auto piece = [&](const Span& s) { return text.substr(s.start, s.end - s.start); };
  EXPECT_EQ(piece(r.segments[0]), kSub1);
  EXPECT_EQ(piece(r.segments[1]), kSub2);
  EXPECT_EQ(piece(r.segments[2]), kSentence2);
  EXPECT_EQ(piece(r.segments[3]), kSentence1);
  EXPECT_EQ(piece(r.segments[4]), kSentence2);
  EXPECT_EQ(piece(r.segments[5]), text);
  EXPECT_EQ(r.segments[0].component, "relevance");
  EXPECT_EQ(r.segments[1].reward, -0.3);
  EXPECT_EQ(r.segments[3].component, "factuality");
  EXPECT_EQ(r.segments[4].reward, -0.5);
  EXPECT_EQ(r.segments[5].component, "completeness");
  EXPECT_NEAR(r.segments[5].reward, kCompleteness, 1e-15);
}

TEST(SegmentDense, SpecWorkedExample2WithKl) {
  const Result r =
      ScoreWith(std::string(kSpecReward) + ", kl_beta: 0.3}", {SpecSample(true, true)}).front();
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << ": " << r.explanation;
  ASSERT_EQ(r.tokens.size(), 12u);
  EXPECT_NEAR(r.tokens[11].reward, -0.170486, 1e-6);
  EXPECT_NEAR(r.tokens[3].reward, 0.27, 1e-12);
  EXPECT_NEAR(r.tokens[7].reward, 0.17, 1e-12);
  for (std::size_t t : {0, 1, 2, 4, 5, 6, 8, 9, 10}) {
    EXPECT_NEAR(r.tokens[t].reward, -0.03, 1e-12) << t;
  }
  EXPECT_NEAR(*r.reward, 0.3 + 0.2 + 0.3 - 0.5 + kCompleteness - 12 * 0.03, 1e-12);
}

TEST(SegmentDense, WithoutOffsetsTheValueIsTheSegmentSum) {
  const Result r = ScoreWith(std::string(kSpecReward) + "}", {SpecSample(false, false)}).front();
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
  EXPECT_TRUE(r.tokens.empty());
  EXPECT_EQ(r.segments.size(), 6u);
  EXPECT_NEAR(*r.reward, 0.3 + 0.2 + 0.3 - 0.5 + kCompleteness, 1e-12);
  // With KL but no offsets: the KL terms still count.
  const Result kl =
      ScoreWith(std::string(kSpecReward) + ", kl_beta: 0.3}", {SpecSample(false, true)}).front();
  EXPECT_NEAR(*kl.reward, *r.reward - 12 * 0.03, 1e-12);
}

TEST(SegmentDense, LaterSegmentOnTheSameTokenOverwritesWithinAComponent) {
  // One token covers the whole text: both sentences end on it; the later one wins, and the value
  // is the token sum.
  Json sample = LookupSample("Good one. Bad one.", {{"Good one.", 1}, {"Bad one.", -2}});
  Json metadata = *sample.Find("metadata");
  metadata.Set("token_offsets", Json::Arr({Json::Arr({Json::Num(0), Json::Num(18)})}));
  sample.Set("metadata", metadata);
  const Result r = ScoreWith(
      "{type: segment.dense, components: [{level: sentence, reward: {type: test.lookup, key: v}}, "
      "{level: sentence, weight: 0.5, reward: {type: test.lookup, key: v}}]}",
      {sample}).front();
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
  ASSERT_EQ(r.tokens.size(), 1u);
  EXPECT_EQ(r.tokens[0].reward, -2.0 + -1.0);
  EXPECT_EQ(*r.reward, -3.0);
  EXPECT_EQ(r.segments.size(), 4u);
  EXPECT_EQ(r.segments[0].component, "test.lookup");
}

TEST(SegmentDense, ChildFailureFailsTheSampleNamingTheSegment) {
  Json sample = SpecSample(true, false);
  Json metadata = *sample.Find("metadata");
  Json r1 = *metadata.Find("r1");
  Json::Object kept;
  for (const auto& [key, value] : r1.object()) {
    if (key != kSub2) {
      kept.emplace_back(key, value);
    }
  }
  metadata.Set("r1", Json::Obj(kept));
  sample.Set("metadata", metadata);
  const Result r = ScoreWith(std::string(kSpecReward) + "}", {sample}).front();
  EXPECT_EQ(r.status, ScoreStatus::kError);
  EXPECT_EQ(r.reason, "missing_field");
  EXPECT_THAT(r.explanation, HasSubstr("component relevance segment 1 [32, 65)"));
  EXPECT_FALSE(r.reward.has_value());

  Json unscorable = SpecSample(true, false);
  Json meta2 = *unscorable.Find("metadata");
  Json r3 = Json::Obj();
  r3.Set(unscorable.Find("completion")->str(), Json::Str("unscorable"));
  meta2.Set("r3", r3);
  unscorable.Set("metadata", meta2);
  const Result u = ScoreWith(std::string(kSpecReward) + "}", {unscorable}).front();
  EXPECT_EQ(u.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(u.reason, "no_reference");
  EXPECT_THAT(u.explanation, HasSubstr("component completeness segment 0"));
}

TEST(SegmentDense, BadInputsAreErrors) {
  const auto with = [](std::string_view key, Json value) {
    Json sample = SpecSample(true, false);
    if (key == "token_offsets") {
      Json metadata = *sample.Find("metadata");
      metadata.Set("token_offsets", std::move(value));
      sample.Set("metadata", metadata);
    } else {
      sample.Set(std::string(key), std::move(value));
    }
    return sample;
  };
  const std::string reward = std::string(kSpecReward) + "}";
  const std::string kl_reward = std::string(kSpecReward) + ", kl_beta: 0.3}";
  EXPECT_EQ(ScoreWith(reward, {with("token_offsets", Json::Str("x"))})[0].reason,
            "bad_token_offsets");
  EXPECT_EQ(ScoreWith(reward, {with("token_offsets", Json::Arr({Json::Arr({Json::Num(0)})}))})[0]
                .reason,
            "bad_token_offsets");
  EXPECT_EQ(ScoreWith(reward, {with("token_offsets",
                                    Json::Arr({Json::Arr({Json::Num(0), Json::Num(1e9)})}))})[0]
                .reason,
            "bad_token_offsets");
  EXPECT_EQ(ScoreWith(reward, {with("token_offsets",
                                    Json::Arr({Json::Arr({Json::Num(5), Json::Num(6)}),
                                               Json::Arr({Json::Num(0), Json::Num(1)})}))})[0]
                .reason,
            "bad_token_offsets");
  EXPECT_EQ(ScoreWith(kl_reward, {SpecSample(true, false)})[0].reason, "missing_field");
  EXPECT_EQ(ScoreWith(kl_reward, {with("logprobs", Json::Arr({Json::Num(0.1)}))})[0].reason,
            "missing_field");
  Json short_kl = SpecSample(true, true);
  short_kl.Set("logprobs", Json::Arr({Json::Num(0.1)}));
  EXPECT_EQ(ScoreWith(kl_reward, {short_kl})[0].reason, "length_mismatch");
}

TEST(SegmentDense, MaxSegmentsJoinsTheRestIntoTheLast) {
  const Result r = ScoreWith(LookupConfig("sentence", "", "max_segments: 2, "),
                             {LookupSample("One. Two. Three. Four.",
                                           {{"One.", 1}, {"Two. Three. Four.", 10}})})
                       .front();
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
  EXPECT_EQ(*r.reward, 11.0);
  ASSERT_EQ(r.segments.size(), 2u);
  EXPECT_EQ(r.segments[1].start, 5u);
  EXPECT_EQ(r.segments[1].end, 22u);
}

TEST(SegmentDense, PrefixContextAndBlankCompletion) {
  const Result r = ScoreWith(LookupConfig("sentence", "context: prefix, "),
                             {LookupSample("A b. C d.", {{"A b.", 1}, {"A b. C d.", 2}})})
                       .front();
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
  EXPECT_EQ(*r.reward, 3.0);

  // A blank completion has no sentences; the response-level child still judges it.
  const Result b = ScoreWith(
      "{type: segment.dense, components: [{level: sentence, reward: {type: test.lookup, key: v}}, "
      "{level: response, reward: {type: test.lookup, key: v}}]}",
      {LookupSample("  ", {{"  ", -1}})}).front();
  ASSERT_EQ(b.status, ScoreStatus::kOk) << b.explanation;
  EXPECT_EQ(*b.reward, -1.0);
  EXPECT_EQ(b.reason, "no_answer");
}

TEST(SegmentDense, ManySamplesAndThreadsGiveTheSameResults) {
  std::vector<Json> samples(16, SpecSample(true, false));
  const std::vector<Result> one = ScoreWith(std::string(kSpecReward) + "}", samples, 1);
  const std::vector<Result> four = ScoreWith(std::string(kSpecReward) + "}", samples, 4);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    ASSERT_TRUE(one[i].reward && four[i].reward);
    EXPECT_EQ(*one[i].reward, *four[i].reward);
    EXPECT_NEAR(*one[i].reward, 0.359514, 1e-6);
  }
}

TEST(SegmentDense, ConfigErrors) {
  EXPECT_THAT(BuildError("{type: segment.dense}"),
              HasSubstr("reward.components: expected a non-empty list"));
  EXPECT_THAT(BuildError("{type: segment.dense, components: []}"), HasSubstr("non-empty list"));
  EXPECT_THAT(BuildError("{type: segment.dense, components: [{level: sentence}]}"),
              HasSubstr("reward.components[0]: missing `reward:`"));
  EXPECT_THAT(BuildError("{type: segment.dense, components: [{levl: sentence, reward: "
                         "match.exact}]}"),
              HasSubstr("did you mean \"level\""));
  EXPECT_THAT(BuildError("{type: segment.dense, components: [{level: word, reward: match.exact}]}"),
              HasSubstr("reward.components[0].level"));
  EXPECT_THAT(BuildError("{type: segment.dense, components: [{map: affine, std: 0, reward: "
                         "match.exact}]}"),
              HasSubstr("std must be a positive number"));
  EXPECT_THAT(BuildError("{type: segment.dense, components: [{reward: {type: match.exat}}]}"),
              HasSubstr("reward.components[0].reward.type: unknown reward"));
  EXPECT_EQ(BuildError("{type: segment.dense, components: [{reward: match.exact}]}"), "");
}

// ---- A judge-backed component against the test model server -----------------------------

class SegmentServerTest : public merit::testing::ModelServerSuite {};

TEST_F(SegmentServerTest, JudgeVerifiesEverySentenceInOneBatch) {
  // The rule judge says YES when the response's last number equals the reference's number.
  const Json a = Json::Obj({{"prompt", Json::Str("What is 6 times 7?")},
                            {"completion", Json::Str("Six times seven is 42. Paris is in France. "
                                                     "So the answer is 42.")},
                            {"reference", Json::Str("42")}});
  const Json b = Json::Obj({{"prompt", Json::Str("What is 6 times 7?")},
                            {"completion", Json::Str("It is 41. I am sure.")},
                            {"reference", Json::Str("42")}});
  const std::string reward =
      "{type: segment.dense, components: [{name: correct, level: sentence, map: binary, "
      "pass: 0.5, fail: -0.5, reward: {type: judge.verify, backend: judge}}]}";
  const std::uint64_t before = Requests();
  const std::vector<Result> results = ScoreAll(Backend("judge", "rule-judge"), reward, {a, b});
  ASSERT_EQ(results[0].status, ScoreStatus::kOk) << results[0].explanation;
  ASSERT_EQ(results[1].status, ScoreStatus::kOk) << results[1].explanation;
  EXPECT_DOUBLE_EQ(*results[0].reward, 0.5 - 0.5 + 0.5);
  EXPECT_DOUBLE_EQ(*results[1].reward, -0.5 - 0.5);
  ASSERT_EQ(results[0].segments.size(), 3u);
  EXPECT_EQ(results[0].segments[1].reward, -0.5);
  EXPECT_EQ(Requests() - before, 5u);  // One judge call per sentence.
}

TEST_F(SegmentServerTest, BackendFailureFailsTheSample) {
  const Json a = Json::Obj({{"prompt", Json::Str("Q?")},
                            {"completion", Json::Str("One. Two.")},
                            {"reference", Json::Str("1")}});
  const std::string url = server_->url() + "/faults/status=500,fail_every=2";
  const std::string reward =
      "{type: segment.dense, components: [{level: sentence, reward: {type: judge.verify, "
      "backend: judge}}]}";
  const Result r = ScoreOne(Backend("judge", "rule-judge", url), reward, a);
  EXPECT_EQ(r.status, ScoreStatus::kError);
  EXPECT_THAT(r.explanation, HasSubstr("segment"));
}

// examples/long_form: its config (pointed at this server) scores its answers by nuggets and by
// sentence; the per-segment breakdown is what the example's README shows.
TEST_F(SegmentServerTest, LongFormExample) {
  const ExampleRun run = ScoreExample("long_form", "answers.jsonl");
  const std::vector<std::string>& lines = run.lines;
  const std::vector<Result>& results = run.results;
  ASSERT_EQ(results.size(), 4u);
  // complete, misconception, partial, hedging: nuggets + sentences.
  const double want[] = {1.0 + 0.4, 0.4 - 0.2, 0.4 + 0.2, 0.6 - 0.2};
  for (std::size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(results[i].status, ScoreStatus::kOk) << results[i].explanation;
    EXPECT_NEAR(*results[i].reward, want[i], 1e-12);
  }
  // "Maybe the tilt plays a small role too," is the hedging sub-sentence of the misconception.
  const std::string misconception = testutil::ParseYaml(lines[1]).Find("completion")->str();
  const auto hedged = std::find_if(results[1].segments.begin(), results[1].segments.end(),
                                   [](const Span& s) { return s.reward == -0.2; });
  ASSERT_NE(hedged, results[1].segments.end());
  EXPECT_EQ(hedged->component, "hedging");
  EXPECT_EQ(misconception.substr(hedged->start, hedged->end - hedged->start),
            "Maybe the tilt plays a small role too,");
  EXPECT_EQ(results[0].segments.size(), 4u + 5u);  // 4 sentences, 5 sub-sentences.
}

}  // namespace
}  // namespace merit::segment
