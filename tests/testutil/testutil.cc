#include "testutil/testutil.h"

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/registry.h"

namespace merit::testutil {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "testutil: %s\n", what.c_str());
  std::abort();
}

}  // namespace

Json ParseYaml(std::string_view text) {
  // Wrap so that any YAML value (not only a mapping) is accepted.
  StatusOr<Config> config = ParseConfig("value: " + std::string(text), "<test>");
  if (!config.ok()) {
    StatusOr<Config> whole = ParseConfig(text, "<test>");
    if (!whole.ok())
      Die(config.status().ToString());
    return whole->root;
  }
  return *config->root.Find("value");
}

Engine MakeEngine(std::string_view config_yaml, std::size_t threads) {
  StatusOr<Config> config = ParseConfig(config_yaml, "<test>");
  if (!config.ok())
    Die(config.status().ToString());
  const Registry registry = BuiltinRegistry();
  StatusOr<Engine> engine = Engine::Create(*config, registry, {.threads = threads});
  if (!engine.ok())
    Die(engine.status().ToString());
  return std::move(engine).value();
}

std::string ConfigError(std::string_view config_yaml) {
  StatusOr<Config> config = ParseConfig(config_yaml, "<test>");
  if (!config.ok())
    return config.status().message();
  const Registry registry = BuiltinRegistry();
  StatusOr<Engine> engine = Engine::Create(*config, registry);
  return engine.ok() ? std::string() : engine.status().message();
}

std::vector<Result> ScoreAll(const Engine& engine, const std::vector<std::string>& samples_json) {
  std::vector<Sample> samples(samples_json.size());
  JsonParser parser;
  for (std::size_t i = 0; i < samples_json.size(); ++i) {
    StatusOr<Json> object = parser.Parse(samples_json[i]);
    if (!object.ok())
      Die(object.status().ToString() + " in " + samples_json[i]);
    const merit::Score mapped = engine.MapSample(*object, &samples[i]);
    if (!mapped.ok())
      Die(std::string(mapped.reason) + ": " + mapped.explanation);
  }
  return engine.ScoreBatch(samples);
}

Result ScoreText(std::string_view reward_yaml, std::string completion) {
  const Engine engine = MakeEngine("reward: " + std::string(reward_yaml));
  Sample sample;
  sample.completion_text = std::move(completion);
  return engine.ScoreBatch(std::span<const Sample>(&sample, 1)).front();
}

void ExpectTextScores(std::string_view reward_yaml, std::span<const TextCase> cases) {
  const Engine engine = MakeEngine("reward: " + std::string(reward_yaml));
  for (const TextCase& c : cases) {
    SCOPED_TRACE(std::string(reward_yaml) + " on " + testing::PrintToString(c.completion));
    Sample sample;
    sample.completion_text = c.completion;
    const Result r = engine.ScoreBatch(std::span<const Sample>(&sample, 1)).front();
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
    ASSERT_TRUE(r.reward.has_value());
    EXPECT_EQ(*r.reward, c.want);
    EXPECT_EQ(r.reason, c.reason);
  }
}

Result Score(std::string_view reward_yaml, std::string_view sample_json) {
  const Json node = ParseYaml(reward_yaml);
  Config config = ConfigFromJson(Json::Obj({{"reward", node}}), "<test>").value();
  const Registry registry = BuiltinRegistry();
  StatusOr<Engine> engine = Engine::Create(config, registry);
  if (!engine.ok())
    Die(engine.status().ToString());
  return ScoreAll(*engine, {std::string(sample_json)}).front();
}

std::vector<std::optional<double>> Estimate(std::string_view estimator_yaml,
                                            std::vector<std::optional<double>> rewards,
                                            std::vector<std::size_t> groups) {
  const Registry registry = BuiltinRegistry();
  const Json node = ParseYaml(estimator_yaml);
  const Registry::Entry* entry = registry.Find(node.Find("type")->str());
  EXPECT_NE(entry, nullptr);
  if (entry == nullptr || entry->kind != NodeKind::kAdvantage)
    return {};
  constexpr std::string_view kIgnored[] = {"type"};
  auto estimator = entry->advantage(node, ConfigLocation("<test>", "advantages"), kIgnored);
  EXPECT_TRUE(estimator.ok()) << estimator.status().ToString();
  if (!estimator.ok())
    return {};
  return (*estimator)->Compute(rewards, groups);
}

}  // namespace merit::testutil
