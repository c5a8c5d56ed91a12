// Advantage estimators against spec A §16's worked examples (computed there with an independent
// Python implementation, rounded to 6 decimals).
#include <optional>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/registry.h"

#include "testutil/testutil.h"

namespace merit {
namespace {

using testutil::Estimate;

void ExpectNear(const std::vector<std::optional<double>>& got, const std::vector<double>& want,
                double tolerance = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(got[i].has_value()) << i;
    EXPECT_NEAR(*got[i], want[i], tolerance) << "index " << i;
  }
}

const std::vector<std::size_t> kOneGroupOf4 = {0, 0, 0, 0};

TEST(Advantages, GrpoMatchesSpecExample1) {
  ExpectNear(Estimate("{type: grpo}", {1, 0, 0, 1}, kOneGroupOf4),
             {0.866024, -0.866024, -0.866024, 0.866024});
  ExpectNear(Estimate("{type: grpo}", {3.0, -3.0, 1.2, 0.0}, kOneGroupOf4),
             {1.070619, -1.308535, 0.356873, -0.118958});
  ExpectNear(Estimate("{type: grpo, unbiased_std: false}", {1, 0, 0, 1}, kOneGroupOf4),
             {0.999998, -0.999998, -0.999998, 0.999998});
}

TEST(Advantages, DrGrpoAndRlooMatchSpecExample1) {
  ExpectNear(Estimate("{type: drgrpo}", {1, 0, 0, 1}, kOneGroupOf4), {0.5, -0.5, -0.5, 0.5});
  ExpectNear(Estimate("{type: drgrpo}", {3.0, -3.0, 1.2, 0.0}, kOneGroupOf4),
             {2.7, -3.3, 0.9, -0.3});
  ExpectNear(Estimate("{type: rloo}", {1, 0, 0, 1}, kOneGroupOf4),
             {0.666667, -0.666667, -0.666667, 0.666667});
  ExpectNear(Estimate("{type: rloo}", {3.0, -3.0, 1.2, 0.0}, kOneGroupOf4), {3.6, -4.4, 1.2, -0.4});
}

TEST(Advantages, ConstantGroupIsZero) {
  for (std::string_view type : {"{type: grpo}", "{type: drgrpo}", "{type: rloo}"}) {
    ExpectNear(Estimate(type, {1, 1, 1, 1}, kOneGroupOf4), {0, 0, 0, 0}, 0);
  }
}

TEST(Advantages, GroupOfOneFollowsVerl) {
  // Spec A §0: mean 0, std 1, so the advantage is r / (1 + ε).
  ExpectNear(Estimate("{type: grpo}", {0.5}, {0}), {0.5 / (1 + 1e-6)}, 1e-15);
  ExpectNear(Estimate("{type: grpo, singleton_as_verl: false}", {0.5}, {0}), {0.0}, 0);
  ExpectNear(Estimate("{type: drgrpo}", {0.5}, {0}), {0.5}, 0);
  ExpectNear(Estimate("{type: rloo}", {0.5}, {0}), {0.0}, 0);
}

TEST(Advantages, PresetsSetEpsilon) {
  // One group [1, 0] has std sqrt(0.5); the preset's epsilon is visible in the 7th digit or so.
  const double s = std::sqrt(0.5);
  ExpectNear(Estimate("{type: grpo, preset: trl}", {1, 0}, {0, 0}),
             {0.5 / (s + 1e-4), -0.5 / (s + 1e-4)}, 1e-12);
  ExpectNear(Estimate("{type: grpo, preset: openrlhf}", {1, 0}, {0, 0}),
             {0.5 / (s + 1e-9), -0.5 / (s + 1e-9)}, 1e-12);
  ExpectNear(Estimate("{type: grpo, epsilon: 0.5}", {1, 0}, {0, 0}),
             {0.5 / (s + 0.5), -0.5 / (s + 0.5)}, 1e-12);
}

TEST(Advantages, ReinforcePlusPlusBaselineMatchesSpecExample2) {
  ExpectNear(
      Estimate("{type: reinforce_pp_baseline}", {1, 0, 0, 1, 1, 1, 1, 0}, {0, 0, 0, 0, 1, 1, 1, 1}),
      {1, -1, -1, 1, 0.5, 0.5, 0.5, -1.5}, 1e-6);
}

TEST(Advantages, ReinforcePlusPlusWhitensTheBatch) {
  // Mean 0.5, unbiased var 1/3 over [1, 0, 0, 1]: (x - 0.5) / sqrt(1/3 + 1e-8).
  const double scale = 1 / std::sqrt(1.0 / 3 + 1e-8);
  ExpectNear(Estimate("{type: reinforce_pp}", {1, 0, 0, 1}, {0, 1, 2, 3}),
             {0.5 * scale, -0.5 * scale, -0.5 * scale, 0.5 * scale}, 1e-12);
}

TEST(Advantages, MaskedSamplesAreExcludedFromStatistics) {
  // The masked sample neither gets an advantage nor moves its group's mean.
  const auto got = Estimate("{type: drgrpo}", {1, std::nullopt, 0}, {0, 0, 0});
  ASSERT_TRUE(got[0].has_value());
  EXPECT_FALSE(got[1].has_value());
  EXPECT_DOUBLE_EQ(*got[0], 0.5);
  EXPECT_DOUBLE_EQ(*got[2], -0.5);
}

}  // namespace
}  // namespace merit
