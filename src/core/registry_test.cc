#include "merit/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace merit {
namespace {

struct ConstOptions {
  double value = 1.0;
  static constexpr auto kFields = std::tuple{Field{"value", &ConstOptions::value, "The score."}};
};

class Const final : public Reward {
 public:
  explicit Const(double v) : v_(v) {}

  Score Evaluate(const Sample&, ScoreContext&) const override { return Score::Ok(v_); }

 private:
  double v_;
};

StatusOr<std::unique_ptr<const Reward>> MakeConst(const ConstOptions& o) {
  if (o.value < 0)
    return InvalidArgumentError("value must be >= 0");
  return std::unique_ptr<const Reward>(std::make_unique<Const>(o.value));
}

Registry TestRegistry() {
  Registry registry;
  registry.AddReward<ConstOptions>({.name = "test.const", .summary = "A constant."}, &MakeConst);
  return registry;
}

TEST(Registry, FindsListsAndBuilds) {
  const Registry registry = TestRegistry();
  ASSERT_NE(registry.Find("test.const"), nullptr);
  EXPECT_EQ(registry.Find("test.nope"), nullptr);
  EXPECT_THAT(registry.Names(NodeKind::kReward), testing::ElementsAre("test.const"));
  EXPECT_THAT(registry.Names(NodeKind::kAggregator), testing::IsEmpty());
  const Registry::Entry* entry = registry.Find("test.const");
  ASSERT_EQ(entry->options.size(), 1u);
  EXPECT_EQ(entry->options[0].name, "value");

  JsonParser parser;
  constexpr std::string_view kIgnored[] = {"type"};
  auto built = entry->reward(parser.Parse(R"({"type":"test.const","value":0.25})").value(),
                             ConfigLocation("f.yaml", "reward"), kIgnored, {});
  ASSERT_TRUE(built.ok());
  ScoreContext context;
  EXPECT_EQ((*built)->Evaluate(Sample{}, context).value, 0.25);
}

TEST(Registry, FactoryErrorsCarryTheLocation) {
  const Registry registry = TestRegistry();
  JsonParser parser;
  auto built =
      registry.Find("test.const")
          ->reward(parser.Parse(R"({"value":-1})").value(), ConfigLocation("f.yaml", "reward"), {}, {});
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().message(), "f.yaml: reward: value must be >= 0");
}

TEST(RegistryDeathTest, DuplicateNameAborts) {
  EXPECT_DEATH(
      {
        Registry registry = TestRegistry();
        registry.AddReward<ConstOptions>({.name = "test.const"}, &MakeConst);
      },
      "registered twice");
}

}  // namespace
}  // namespace merit
