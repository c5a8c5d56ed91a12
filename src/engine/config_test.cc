#include "merit/config.h"

#include <gtest/gtest.h>

#include "merit/registry.h"

namespace merit {
namespace {

TEST(Config, YamlScalarsFollowTheCoreSchema) {
  StatusOr<Config> c = ParseConfig(R"(
a: 1.0e-6
b: "1.5"
c: true
d: null
e: text
f: [1, '2']
g: +3
)",
                                   "x.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const Json& r = c->root;
  EXPECT_TRUE(r.Find("a")->is_number());
  EXPECT_DOUBLE_EQ(r.Find("a")->number(), 1e-6);
  EXPECT_TRUE(r.Find("b")->is_string());  // Quoted: always a string.
  EXPECT_TRUE(r.Find("c")->boolean());
  EXPECT_TRUE(r.Find("d")->is_null());
  EXPECT_EQ(r.Find("e")->str(), "text");
  EXPECT_TRUE(r.Find("f")->array()[1].is_string());
  EXPECT_EQ(r.Find("g")->number(), 3);
}

TEST(Config, HashIsStableAcrossFormattingAndKeyOrder) {
  const auto hash = [](std::string_view text) {
    return ParseConfig(text, "x").value().hash;
  };
  const std::string a = hash("reward: {type: weighted_sum, children: [a]}\nadvantages: grpo\n");
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a, hash("advantages: grpo\nreward:\n  children: [a]\n  type: weighted_sum\n"));
  EXPECT_EQ(
      a, hash(R"({"reward": {"type": "weighted_sum", "children": ["a"]}, "advantages": "grpo"})"));
  EXPECT_NE(a, hash("reward: {type: weighted_sum, children: [b]}\nadvantages: grpo\n"));
  EXPECT_EQ(hash("x: 1.0e-6"), hash("x: 0.000001"));
}

TEST(Config, ErrorsNameTheFileAndLine) {
  StatusOr<Config> bad = ParseConfig("reward: {type: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(bad.status().message().starts_with("bad.yaml: line ")) << bad.status().message();

  StatusOr<Config> duplicate = ParseConfig("a: 1\na: 2\n", "dup.yaml");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().message(), "dup.yaml: line 2: duplicate key \"a\"");

  StatusOr<Config> scalar = ParseConfig("just text", "s.yaml");
  ASSERT_FALSE(scalar.ok());
  EXPECT_NE(scalar.status().message().find("expected a mapping at the top level"),
            std::string::npos);

  EXPECT_EQ(LoadConfigFile("/nonexistent/merit.yaml").status().code(), StatusCode::kNotFound);
}

TEST(Config, AliasExpansionIsBounded) {
  // "Billion laughs": each level doubles; without a cap this would materialise 2^40 nodes.
  std::string text = "l0: &l0 [x, x]\n";
  for (int i = 1; i <= 40; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) +
            ", *l" + std::to_string(i - 1) + "]\n";
  }
  StatusOr<Config> c = ParseConfig(text, "bomb.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("too large"), std::string::npos) << c.status().message();
}

TEST(Config, DeepNestingIsAnError) {
  const std::string text = "a: " + std::string(500, '[') + std::string(500, ']');
  StatusOr<Config> c = ParseConfig(text, "deep.yaml");
  EXPECT_FALSE(c.ok());
}

// Rewards that apply other rewards (per segment, per step) build them with BuildLeafReward; its
// errors carry the full location, once.
TEST(Config, NestedLeafRewardsBuildWithTheirLocation) {
  const Registry registry = BuiltinRegistry();
  const ConfigLocation location("x.yaml", "reward");
  const BuildContext build{.registry = &registry, .location = &location};
  EXPECT_TRUE(BuildLeafReward(Json::Str("match.exact"), "components[0].reward", build).ok());

  const auto error = [&](std::string_view yaml_type, std::string_view option) {
    Json node = Json::Obj({{"type", Json::Str(std::string(yaml_type))}});
    if (!option.empty())
      node.Set(std::string(option), Json::Num(1.0));
    return BuildLeafReward(node, "components[0].reward", build).status().message();
  };
  const std::string unknown = error("match.exat", "");
  EXPECT_EQ(unknown.rfind("x.yaml: reward.components[0].reward.type: unknown reward \"match.exat\"", 0),
            0u);
  EXPECT_NE(unknown.find("did you mean \"match.exact\""), std::string::npos) << unknown;
  EXPECT_NE(error("weighted_sum", "").find("unknown reward \"weighted_sum\""), std::string::npos);
  EXPECT_EQ(error("match.exact", "case_sensitiv").rfind("x.yaml: reward.components[0].reward."
                                                        "case_sensitiv: unknown option",
                                                        0),
            0u);
  EXPECT_FALSE(BuildLeafReward(Json::Str("match.exact"), "r", BuildContext{}).ok());
}

}  // namespace
}  // namespace merit
