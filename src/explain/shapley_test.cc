#include "explain/shapley.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace merit::explain {
namespace {

// Spec B §21's game: players a, b, c are bits 0, 1, 2.
double SpecValue(Coalition s) {
  constexpr double kValues[] = {0.10, 0.30, 0.20, 0.55, 0.15, 0.35, 0.30, 0.70};
  return kValues[s];
}

template <typename Value>
std::vector<double> ValuesOf(const ShapleyPlan& plan, Value value) {
  std::vector<double> values;
  for (const Coalition s : plan.coalitions) {
    values.push_back(value(s));
  }
  return values;
}

template <typename Value>
ShapleyResult Solve(const ShapleyPlan& plan, Value value) {
  return SolveShapley(plan, ValuesOf(plan, value));
}

TEST(ShapleyTest, SpecWorkedExample1Exact) {
  const StatusOr<ShapleyPlan> plan = PlanExact(3);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->coalitions.size(), 8u);
  const ShapleyResult result = Solve(*plan, SpecValue);
  ASSERT_EQ(result.phi.size(), 3u);
  EXPECT_NEAR(result.phi[0], 0.291667, 5e-7);
  EXPECT_NEAR(result.phi[1], 0.216667, 5e-7);
  EXPECT_NEAR(result.phi[2], 0.091667, 5e-7);
  EXPECT_NEAR(result.sum, 0.6, 1e-12);
  EXPECT_NEAR(result.efficiency_gap, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(result.v_empty, 0.10);
  EXPECT_DOUBLE_EQ(result.v_full, 0.70);
  EXPECT_TRUE(result.standard_error.empty());
}

TEST(ShapleyTest, SpecWorkedExample1AllSixPermutationsEqualExact) {
  const std::vector<std::vector<std::uint8_t>> all = {{0, 1, 2}, {2, 1, 0}, {0, 2, 1},
                                                      {1, 2, 0}, {1, 0, 2}, {2, 0, 1}};
  const StatusOr<ShapleyPlan> plan = PlanFromPermutations(3, all);
  ASSERT_TRUE(plan.ok());
  const ShapleyResult sampled = Solve(*plan, SpecValue);
  const ShapleyResult exact = Solve(*PlanExact(3), SpecValue);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(sampled.phi[i], exact.phi[i], 1e-12) << i;
  }
}

TEST(ShapleyTest, SpecWorkedExample2TwoPermutations) {
  const std::vector<std::vector<std::uint8_t>> walks = {{0, 1, 2}, {2, 1, 0}};
  const StatusOr<ShapleyPlan> plan = PlanFromPermutations(3, walks);
  ASSERT_TRUE(plan.ok());
  const ShapleyResult result = Solve(*plan, SpecValue);
  EXPECT_NEAR(result.phi[0], 0.30, 1e-12);
  EXPECT_NEAR(result.phi[1], 0.20, 1e-12);
  EXPECT_NEAR(result.phi[2], 0.10, 1e-12);
  EXPECT_NEAR(result.efficiency_gap, 0.0, 1e-12);
  // One antithetic pair is one sample of the estimator: no standard error yet.
  ASSERT_EQ(result.standard_error.size(), 3u);
  EXPECT_TRUE(std::isnan(result.standard_error[0]));
  // ∅, a, c, ab, bc, abc: six distinct coalitions, each valued once.
  EXPECT_EQ(plan->coalitions, (std::vector<Coalition>{0, 1, 3, 4, 6, 7}));
}

TEST(ShapleyTest, SampledPairsAreAntitheticAndSeedsReproduce) {
  const StatusOr<ShapleyPlan> a = PlanPermutations(10, 7, 42);
  const StatusOr<ShapleyPlan> b = PlanPermutations(10, 7, 42);
  const StatusOr<ShapleyPlan> c = PlanPermutations(10, 7, 43);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_EQ(a->permutations.size(), 8u);  // 7 rounded up to 4 pairs.
  EXPECT_EQ(a->permutations, b->permutations);
  EXPECT_EQ(a->coalitions, b->coalitions);
  EXPECT_NE(a->permutations, c->permutations);
  for (std::size_t k = 0; k < a->permutations.size(); k += 2) {
    const std::vector<std::uint8_t> reversed(a->permutations[k].rbegin(),
                                             a->permutations[k].rend());
    EXPECT_EQ(a->permutations[k + 1], reversed);
  }
  EXPECT_TRUE(std::is_sorted(a->coalitions.begin(), a->coalitions.end()));
  EXPECT_EQ(a->coalitions.front(), 0u);
  EXPECT_EQ(a->coalitions.back(), (Coalition{1} << 10) - 1);
}

TEST(ShapleyTest, PinnedSeedGivesPinnedPermutations) {
  // splitmix64 and Fisher–Yates are defined bit for bit, so these walks are the same on every
  // platform; a change here changes every published explanation.
  const StatusOr<ShapleyPlan> plan = PlanPermutations(5, 2, 1);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->permutations,
            (std::vector<std::vector<std::uint8_t>>{{2, 1, 4, 3, 0}, {0, 3, 4, 1, 2}}));
  const StatusOr<ShapleyPlan> eight = PlanPermutations(8, 4, 1);
  ASSERT_TRUE(eight.ok());
  EXPECT_EQ(eight->permutations[2], (std::vector<std::uint8_t>{6, 0, 3, 7, 2, 4, 1, 5}));
}

TEST(ShapleyTest, AdditiveGameIsRecoveredExactlyByEveryMethod) {
  const std::vector<double> weights = {0.5, -0.25, 0.125, 2.0, 0.0, 1.5};
  const auto additive = [&](Coalition s) {
    double v = 0.3;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      v += (s >> i & 1) != 0 ? weights[i] : 0.0;
    }
    return v;
  };
  const ShapleyResult exact = Solve(*PlanExact(weights.size()), additive);
  const ShapleyResult sampled = Solve(*PlanPermutations(weights.size(), 16, 7), additive);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    EXPECT_NEAR(exact.phi[i], weights[i], 1e-12);
    EXPECT_NEAR(sampled.phi[i], weights[i], 1e-12);
    EXPECT_NEAR(sampled.standard_error[i], 0.0, 1e-9);  // Every walk credits the same gain.
  }
}

TEST(ShapleyTest, EfficiencyHoldsForSamplingOnANonAdditiveGame) {
  const auto game = [](Coalition s) {
    const int k = std::popcount(s);
    return std::sqrt(static_cast<double>(k)) + ((s & 5) == 5 ? 1.0 : 0.0);
  };
  const ShapleyResult sampled = Solve(*PlanPermutations(30, 64, 3), game);
  EXPECT_NEAR(sampled.efficiency_gap, 0.0, 1e-9);
  for (const double se : sampled.standard_error) {
    EXPECT_TRUE(std::isfinite(se));
    EXPECT_GE(se, 0.0);
  }
  const ShapleyResult exact = Solve(*PlanExact(12), game);
  EXPECT_NEAR(exact.efficiency_gap, 0.0, 1e-9);
  // Symmetric players get equal shares; the interacting pair (0, 2) gets the bonus.
  EXPECT_NEAR(exact.phi[1], exact.phi[3], 1e-12);
  EXPECT_NEAR(exact.phi[0] - exact.phi[1], 0.5, 1e-12);
}

TEST(ShapleyTest, NoPlayersIsAnEmptyResult) {
  for (const StatusOr<ShapleyPlan>& plan : {PlanExact(0), PlanPermutations(0, 64, 1)}) {
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->coalitions, std::vector<Coalition>{0});
    const ShapleyResult result = SolveShapley(*plan, std::vector<double>{0.4});
    EXPECT_TRUE(result.phi.empty());
    EXPECT_DOUBLE_EQ(result.v_empty, 0.4);
    EXPECT_DOUBLE_EQ(result.v_full, 0.4);
    EXPECT_DOUBLE_EQ(result.efficiency_gap, 0.0);
  }
}

TEST(ShapleyTest, OnePlayerGetsTheWholeGain) {
  const ShapleyResult result = SolveShapley(*PlanExact(1), std::vector<double>{0.25, 1.0});
  ASSERT_EQ(result.phi.size(), 1u);
  EXPECT_DOUBLE_EQ(result.phi[0], 0.75);
}

TEST(ShapleyTest, SixtyFourPlayersAreSampled) {
  const StatusOr<ShapleyPlan> plan = PlanPermutations(64, 2, 9);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->coalitions.back(), ~Coalition{0});
  EXPECT_EQ(plan->coalitions.size(), 2u * 63 + 2);  // ∅, N, and 63 proper prefixes per walk.
  const ShapleyResult result =
      Solve(*plan, [](Coalition s) { return static_cast<double>(std::popcount(s)); });
  for (const double phi : result.phi) {
    EXPECT_DOUBLE_EQ(phi, 1.0);
  }
}

TEST(ShapleyTest, BadPlansAreRejected) {
  EXPECT_FALSE(PlanExact(kMaxExactPlayers + 1).ok());
  EXPECT_FALSE(PlanPermutations(kMaxPlayers + 1, 2, 1).ok());
  EXPECT_FALSE(PlanPermutations(3, 0, 1).ok());
  const std::vector<std::vector<std::uint8_t>> repeated = {{0, 0, 1}};
  EXPECT_FALSE(PlanFromPermutations(3, repeated).ok());
  const std::vector<std::vector<std::uint8_t>> short_walk = {{0, 1}};
  EXPECT_FALSE(PlanFromPermutations(3, short_walk).ok());
  const std::vector<std::vector<std::uint8_t>> out_of_range = {{0, 1, 7}};
  EXPECT_FALSE(PlanFromPermutations(3, out_of_range).ok());
}

}  // namespace
}  // namespace merit::explain
