// Every registered reward, aggregator and advantage estimator keeps the registry contract
// (after ClickHouse's "all functions must be documented" test): documentation, an example that
// builds, a golden file, and a score within the declared range even for an empty sample.
#include <filesystem>

#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

#include "testutil/testutil.h"

namespace merit {
namespace {

TEST(RegistryContract, EveryEntryIsDocumentedAndItsExampleBuilds) {
  const Registry registry = BuiltinRegistry();
  for (NodeKind kind : {NodeKind::kReward, NodeKind::kAggregator, NodeKind::kAdvantage}) {
    for (const Registry::Entry* entry : registry.List(kind)) {
      SCOPED_TRACE(entry->info.name);
      EXPECT_FALSE(entry->info.summary.empty());
      EXPECT_FALSE(entry->info.source.empty());
      EXPECT_FALSE(entry->info.example.empty());
      EXPECT_LE(entry->info.min, entry->info.max);
      for (const OptionDoc& option : entry->options)
        EXPECT_FALSE(option.doc.empty()) << option.name;
      const std::string key = kind == NodeKind::kAdvantage ? "advantages" : "reward";
      std::string rest = kind == NodeKind::kAdvantage ? "\nreward: {type: field.value}" : "";
      if (!entry->info.example_backends.empty()) {
        rest += "\nbackends: " + std::string(entry->info.example_backends);
      }
      const std::string config = key + ": " + std::string(entry->info.example) + rest;
      EXPECT_EQ(testutil::ConfigError(config), "") << config;
    }
  }
}

TEST(RegistryContract, EveryRewardHasAGoldenFile) {
  const Registry registry = BuiltinRegistry();
  for (const Registry::Entry* entry : registry.List(NodeKind::kReward)) {
    const std::string_view name = entry->info.name;
    const std::size_t dot = name.find('.');
    ASSERT_NE(dot, std::string_view::npos) << name << ": reward names are family.name";
    const std::filesystem::path golden = std::filesystem::path(MERIT_SOURCE_DIR) / "tests" /
                                         "golden" / "rewards" / std::string(name.substr(0, dot)) /
                                         (std::string(name.substr(dot + 1)) + ".jsonl");
    EXPECT_TRUE(std::filesystem::exists(golden)) << "missing " << golden;
  }
}

TEST(RegistryContract, EmptySampleScoresWithinRange) {
  const Registry registry = BuiltinRegistry();
  for (const Registry::Entry* entry : registry.List(NodeKind::kReward)) {
    SCOPED_TRACE(entry->info.name);
    const Json node = testutil::ParseYaml(entry->info.example);
    Json root = Json::Obj({{"reward", node}});
    if (!entry->info.example_backends.empty()) {
      // Nothing listens there: a model-backed reward must answer with an error, not a score.
      root.Set("backends", testutil::ParseYaml(entry->info.example_backends));
    }
    StatusOr<Config> config = ConfigFromJson(std::move(root), "<example>");
    ASSERT_TRUE(config.ok());
    StatusOr<Engine> engine = Engine::Create(*config, registry);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    for (const char* sample :
         {R"({"completion": ""})", R"({"completion": "", "reference": ""})",
          R"({"completion": "\u0000\ud7ff", "reference": [], "num_tokens": 0})"}) {
      const Result r = testutil::ScoreAll(*engine, {sample}).front();
      if (r.status == ScoreStatus::kOk) {
        ASSERT_TRUE(r.reward.has_value());
        EXPECT_GE(*r.reward, entry->info.min) << sample;
        EXPECT_LE(*r.reward, entry->info.max) << sample;
      } else {
        EXPECT_FALSE(r.reward.has_value());
        EXPECT_FALSE(r.reason.empty()) << sample;
      }
    }
  }
}

}  // namespace
}  // namespace merit
