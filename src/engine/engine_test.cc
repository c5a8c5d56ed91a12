#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/registry.h"

#include "testutil/testutil.h"

namespace merit {
namespace {

using testutil::ConfigError;

TEST(Engine, ConfigErrorsNamePathExpectationAndSuggestions) {
  EXPECT_EQ(ConfigError("reward: {type: weighted_sum, children: [{type: field.valeu}]}"),
            "<test>: reward.children[0].type: unknown reward or aggregator \"field.valeu\", did "
            "you mean \"field.value\"?");
  EXPECT_THAT(ConfigError("reward: {type: field.value, paht: x}"),
              testing::StartsWith("<test>: reward.paht: unknown option, did you mean \"path\"?"));
  EXPECT_EQ(ConfigError("rewards: {type: field.value}"),
            "<test>: rewards: unknown top-level key, did you mean \"reward\"?");
  EXPECT_EQ(ConfigError("fields: verl"), "<test>: missing `reward:` (the root of the reward tree)");
  EXPECT_EQ(ConfigError("reward: {type: weighted_sum, children: [field.value, field.value]}"),
            "<test>: reward: two nodes share the component name \"field.value\"; give one of them "
            "a distinct `name:`");
  EXPECT_EQ(ConfigError("reward: {type: weighted_sum, children: [{type: field.value, weight: x}]}"),
            "<test>: reward.children[0].weight: expected a finite number");
  EXPECT_EQ(ConfigError("reward: {type: gate, children: [field.value]}"),
            "<test>: reward: `gate` needs `gates:` (a list of child nodes)");
  EXPECT_EQ(ConfigError("reward: {type: field.value}\nadvantages: {type: grpoo}"),
            "<test>: advantages.type: unknown advantage estimator \"grpoo\", did you mean "
            "\"grpo\" or \"rloo\"?");
  EXPECT_EQ(ConfigError("reward: {type: field.value}\nadvantages: {type: grpo, epsilon: -3}"),
            "<test>: advantages.epsilon: expected a value >= -1, got -3");
  EXPECT_EQ(ConfigError("reward: {type: field.value, missing: maybe}"),
            "<test>: reward.missing: unknown value \"maybe\" (valid: unscorable, error, zero)");
  EXPECT_EQ(ConfigError("reward: 42"),
            "<test>: reward: expected a reward node (a mapping with `type:`), got number");
}

TEST(Engine, ComponentsAreNamedByPathInPreOrder) {
  const Engine engine = testutil::MakeEngine(R"(
reward:
  type: weighted_sum
  name: total
  children:
    - {name: a, type: field.value, path: a}
    - type: max
      name: best
      children: [{name: b, type: field.value, path: b}, {name: c, type: field.value, path: c}]
)");
  EXPECT_THAT(engine.ComponentNames(),
              testing::ElementsAre("total", "a", "best", "best/b", "best/c"));
  const std::vector<Result> results =
      testutil::ScoreAll(engine, {R"({"completion": "x", "metadata": {"a": 1, "b": 2, "c": 3}})"});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].reward, 4.0);
  EXPECT_EQ(results[0].components[2].second, 3.0);
  EXPECT_FALSE(results[0].advantage.has_value());
}

TEST(Engine, GateSkipsObjectivesWhenItFails) {
  const Engine engine = testutil::MakeEngine(R"(
reward:
  type: gate
  gates: [{name: ok, type: field.value, path: ok}]
  children: [{name: judge, type: field.value, path: judge, missing: error}]
)");
  const std::vector<Result> r =
      testutil::ScoreAll(engine, {R"({"completion": "x", "metadata": {"ok": 0}})"});
  // The judge would have been an error; it was never evaluated.
  EXPECT_EQ(r[0].status, ScoreStatus::kOk);
  EXPECT_EQ(r[0].reward, 0.0);
  EXPECT_EQ(r[0].components[2].first, "judge");
  EXPECT_FALSE(r[0].components[2].second.has_value());
}

TEST(Engine, AdvantagesMaskFailuresAndUseGroups) {
  const Engine engine = testutil::MakeEngine(R"(
reward: {type: field.value, path: r}
advantages: drgrpo
)");
  const std::vector<Result> r =
      testutil::ScoreAll(engine, {R"({"completion": "x", "group": "g1", "metadata": {"r": 1}})",
                                  R"({"completion": "x", "group": "g2", "metadata": {"r": 5}})",
                                  R"({"completion": "x", "group": "g1", "metadata": {}})",
                                  R"({"completion": "x", "group": "g1", "metadata": {"r": 0}})",
                                  R"({"completion": "x", "group": "g2", "metadata": {"r": 7}})"});
  EXPECT_EQ(r[0].advantage, 0.5);
  EXPECT_EQ(r[1].advantage, -1.0);
  EXPECT_EQ(r[2].status, ScoreStatus::kUnscorable);
  EXPECT_FALSE(r[2].advantage.has_value());
  EXPECT_FALSE(r[2].reward.has_value());
  EXPECT_EQ(r[3].advantage, -0.5);
  EXPECT_EQ(r[4].advantage, 1.0);
}

TEST(Engine, ResultsDoNotDependOnThreadCount) {
  const std::string config = R"(
reward:
  type: weighted_sum
  children:
    - {name: a, type: field.value, path: a}
    - {name: n, type: normalize_then_sum, children: [{type: field.value, path: b}]}
advantages: grpo
)";
  std::vector<std::string> samples;
  for (int i = 0; i < 5000; ++i) {
    samples.push_back(R"({"completion": "x", "group": "g)" + std::to_string(i % 37) +
                      R"(", "metadata": {"a": )" + std::to_string((i * 7919) % 13) + R"(, "b": )" +
                      std::to_string((i * 104729) % 17) + "}}");
  }
  const auto one = testutil::ScoreAll(testutil::MakeEngine(config, 1), samples);
  const auto four = testutil::ScoreAll(testutil::MakeEngine(config, 4), samples);
  ASSERT_EQ(one.size(), four.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    ASSERT_EQ(one[i].reward, four[i].reward) << i;
    ASSERT_EQ(one[i].advantage, four[i].advantage) << i;
    ASSERT_EQ(one[i].components, four[i].components) << i;
  }
}

TEST(Engine, BareNameIsShorthandForType) {
  const Engine engine = testutil::MakeEngine("reward: {type: max, children: [field.value]}");
  EXPECT_THAT(engine.ComponentNames(), testing::ElementsAre("max", "field.value"));
}

}  // namespace
}  // namespace merit

namespace merit {
namespace {

// A test-only reward that emits one dense segment per '.'-terminated sentence.
struct NoOptions {
  static constexpr std::tuple<> kFields{};
};

class SentenceSegments final : public Reward {
 public:
  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    std::size_t start = 0;
    for (std::size_t i = 0; i < sample.completion_text.size(); ++i) {
      if (sample.completion_text[i] == '.' && context.segments != nullptr) {
        context.segments->push_back(
            {.start = start, .end = i + 1, .reward = 0.5, .component = "s"});
        start = i + 1;
      }
    }
    return Score::Ok(1.0);
  }
};

StatusOr<std::unique_ptr<const Reward>> MakeSentenceSegments(const NoOptions&) {
  return std::unique_ptr<const Reward>(std::make_unique<SentenceSegments>());
}

TEST(Engine, DenseSegmentsReachTheResult) {
  Registry registry = BuiltinRegistry();
  registry.AddReward<NoOptions>({.name = "test.sentences", .summary = "test"},
                                &MakeSentenceSegments);
  const Config config = ParseConfig("reward: {type: test.sentences}", "<test>").value();
  const Engine engine = Engine::Create(config, registry).value();
  std::vector<Sample> samples(2);
  samples[0].completion_text = "One. Two.";
  samples[1].completion_text = "none";
  const std::vector<Result> r = engine.ScoreBatch(samples);
  ASSERT_EQ(r[0].segments.size(), 2u);
  EXPECT_EQ(r[0].segments[1].start, 4u);
  EXPECT_EQ(r[0].segments[1].end, 9u);
  EXPECT_EQ(r[0].segments[1].reward, 0.5);
  EXPECT_TRUE(r[1].segments.empty());  // Per-sample: nothing leaks from the previous sample.
}

}  // namespace
}  // namespace merit
