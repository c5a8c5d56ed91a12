// Aggregator behaviour beyond the golden files (tests/golden/compose/): config validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit {
namespace {

using testutil::ConfigError;

TEST(Aggregators, SlotsAreValidated) {
  EXPECT_EQ(ConfigError("reward: {type: weighted_sum, children: []}"),
            "<test>: reward.children: expected at least 1 child node(s)");
  EXPECT_EQ(ConfigError("reward: {type: weighted_sum, children: field.value}"),
            "<test>: reward.children: expected a list of child nodes");
  EXPECT_EQ(ConfigError("reward: {type: if_correct, children: [field.value]}"),
            "<test>: reward: `if_correct` needs `outcome:` (one child node)");
  EXPECT_THAT(ConfigError("reward: {type: gate, gates: [{type: field.value, threshold: high}], "
                          "children: [{type: field.value, name: o}]}"),
              testing::HasSubstr("threshold: expected a number"));
  EXPECT_THAT(ConfigError("reward: {type: if_correct, alpha: 2, outcome: field.value, "
                          "children: [{type: field.value, name: r}]}"),
              testing::HasSubstr("reward.alpha: expected a value in [0, 1], got 2"));
}

TEST(Aggregators, ThresholdIsOnlyAllowedUnderAGate) {
  EXPECT_THAT(
      ConfigError("reward: {type: weighted_sum, children: [{type: field.value, threshold: 1}]}"),
      testing::HasSubstr("reward.children[0].threshold: unknown option"));
}

TEST(Aggregators, TreeDepthIsBounded) {
  std::string node = "field.value";
  for (int i = 0; i < 40; ++i)
    node = "{type: max, children: [" + node + "]}";
  EXPECT_THAT(ConfigError("reward: " + node), testing::HasSubstr("deeper than 32 levels"));
}

}  // namespace
}  // namespace merit
