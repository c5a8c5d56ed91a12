// penalty.length and penalty.overlong: the formula (LengthPenalty), the units, and the options.
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rewards/penalty/penalty.h"
#include "testutil/testutil.h"

namespace merit {
namespace {

using testing::HasSubstr;

TEST(LengthPenalty, FollowsSpecFormula) {
  struct Case {
    std::int64_t length;
    penalty::LengthPenaltyParams params;
    double want;
  };

  const penalty::LengthPenaltyParams dapo{.max_length = 4096, .buffer = 1024};
  const Case kCases[] = {
      {3584, dapo, -0.5},  // Spec A §9 worked example 2.
      {3000, dapo, 0.0},   // Spec A §9 worked example 1.
      {0, dapo, 0.0},
      {3072, dapo, 0.0},  // L_max - B itself is not penalised.
      {3073, dapo, -1.0 / 1024},
      {4095, dapo, -1023.0 / 1024},
      {4096, dapo, -1.0},
      {4097, dapo, -1.0},  // Past L_max: clamped to -f.
      {1'000'000'000, dapo, -1.0},
      {3584, {.max_length = 4096, .buffer = 1024, .factor = 2.0}, -1.0},
      {3584, {.max_length = 4096, .buffer = 1024, .factor = 0.0}, 0.0},
      // Lower side: -f·(L_lo - L)/L_lo.
      {50, {.min_length = 100, .max_length = 4096, .buffer = 1024}, -0.5},
      {0, {.min_length = 100, .max_length = 4096, .buffer = 1024}, -1.0},
      {99, {.min_length = 100, .max_length = 4096, .buffer = 1024, .factor = 4.0}, -0.04},
      {100, {.min_length = 100, .max_length = 4096, .buffer = 1024}, 0.0},
      // buffer == max_length: every non-empty completion is on the ramp.
      {1, {.max_length = 4, .buffer = 4}, -0.25},
      {0, {.max_length = 4, .buffer = 4}, 0.0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.length);
    EXPECT_DOUBLE_EQ(penalty::LengthPenalty(c.length, c.params), c.want);
  }
  // Factor 0 gives +0, never -0 (which would print as "-0").
  EXPECT_FALSE(std::signbit(penalty::LengthPenalty(5000, {.max_length = 4096, .factor = 0.0})));
}

struct RegistryCase {
  std::string_view reward;
  std::string_view sample;
  double want;
  std::string_view reason;
};

void ExpectScores(std::span<const RegistryCase> cases) {
  for (const RegistryCase& c : cases) {
    SCOPED_TRACE(std::string(c.reward) + " on " + std::string(c.sample));
    const Result r = testutil::Score(c.reward, c.sample);
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
    ASSERT_TRUE(r.reward.has_value());
    EXPECT_DOUBLE_EQ(*r.reward, c.want);
    EXPECT_EQ(r.reason, c.reason);
  }
}

TEST(LengthPenalty, ScoresThroughTheRegistry) {
  constexpr std::string_view kOverlong = "{type: penalty.overlong, max_length: 4096, buffer: 1024}";
  constexpr std::string_view kChars =
      "{type: penalty.length, max_length: 6, buffer: 2, unit: chars}";
  const RegistryCase kCases[] = {
      {kOverlong, R"({"completion": "x", "num_tokens": 3584})", -0.5, "soft_overlong"},
      {kOverlong, R"({"completion": "x", "num_tokens": 3000})", 0.0, ""},
      {kOverlong, R"({"completion": "x", "num_tokens": 9000})", -1.0, "too_long"},
      {kOverlong, R"({"completion": "", "num_tokens": 0})", 0.0, ""},
      // Defaults are DAPO's: 20480 with a 4096 buffer.
      {"{type: penalty.overlong}", R"({"completion": "x", "num_tokens": 18432})", -0.5,
       "soft_overlong"},
      {"{type: penalty.length, max_length: 4096, buffer: 1024, factor: 0.5}",
       R"({"completion": "x", "num_tokens": 3584})", -0.25, "soft_overlong"},
      // chars: "héllo" is 5 code points (6 bytes); the ramp starts at 4.
      {kChars, R"({"completion": "h\u00e9llo"})", -0.5, "soft_overlong"},
      {kChars, R"({"completion": "h\u00e9ll"})", 0.0, ""},
      {kChars, R"({"completion": "h\u00e9llo!!"})", -1.0, "too_long"},
      // words: 3 words below min_length 4.
      {"{type: penalty.length, min_length: 4, max_length: 10, buffer: 2, unit: words}",
       R"({"completion": " one\ttwo\n three "})", -0.25, "too_short"},
      {"{type: penalty.length, min_length: 4, max_length: 10, buffer: 2, unit: words}",
       R"({"completion": ""})", -1.0, "too_short"},
      // The lower side ignores num_tokens when the unit is words.
      {"{type: penalty.length, min_length: 2, max_length: 10, buffer: 2, unit: words}",
       R"({"completion": "a b", "num_tokens": 1})", 0.0, ""},
  };
  ExpectScores(kCases);
}

TEST(LengthPenalty, MissingTokenCountIsAnError) {
  for (const std::string_view reward :
       {"{type: penalty.overlong}", "{type: penalty.length, max_length: 10, buffer: 2}"}) {
    const Result r = testutil::Score(reward, R"({"completion": "some text"})");
    EXPECT_EQ(r.status, ScoreStatus::kError);
    EXPECT_EQ(r.reason, "no_token_count");
    EXPECT_FALSE(r.reward.has_value());
  }
}

TEST(LengthPenalty, NegativeTokenCountIsAnError) {
  // Input mapping rejects it; a C++ caller building Samples directly could still pass one.
  const Engine engine = testutil::MakeEngine(
      "reward: {type: penalty.length, min_length: 10, max_length: 100, buffer: 10}");
  Sample sample;
  sample.num_tokens = -5;
  const Result r = engine.ScoreBatch(std::span<const Sample>(&sample, 1)).front();
  EXPECT_EQ(r.status, ScoreStatus::kError);
  EXPECT_EQ(r.reason, "invalid_token_count");
}

TEST(LengthPenalty, CountsLargeAndInvalidTextInBoundedTime) {
  const Engine engine = testutil::MakeEngine(
      "reward: {type: penalty.length, max_length: 1048576, buffer: 524288, unit: chars}");
  std::vector<Sample> samples(2);
  // 1 MiB of "é" (2 bytes each): 524288 code points, the start of the ramp.
  for (int i = 0; i < (1 << 19); ++i)
    samples[0].completion_text += "\xc3\xa9";
  // 1 MiB of invalid bytes: each counts one.
  samples[1].completion_text.assign(std::size_t{1} << 20, '\xff');
  const std::vector<Result> results = engine.ScoreBatch(samples);
  ASSERT_TRUE(results[0].reward.has_value());
  EXPECT_DOUBLE_EQ(*results[0].reward, 0.0);
  ASSERT_TRUE(results[1].reward.has_value());
  EXPECT_DOUBLE_EQ(*results[1].reward, -1.0);
  EXPECT_EQ(results[1].reason, "soft_overlong");
}

TEST(LengthPenalty, OptionsAreValidated) {
  using testutil::ConfigError;
  EXPECT_THAT(ConfigError("reward: {type: penalty.overlong, max_length: 100, buffer: 200}"),
              HasSubstr("buffer (200) must not exceed max_length (100)"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.overlong, max_length: 100, buffer: 0}"),
              HasSubstr("reward.buffer: expected"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.overlong, max_length: 0, buffer: 1}"),
              HasSubstr("reward.max_length: expected"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.overlong, factor: -1}"),
              HasSubstr("reward.factor: expected"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.overlong, unit: bytes}"),
              HasSubstr("reward.unit"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.length, min_length: 90, max_length: 100, "
                          "buffer: 20}"),
              HasSubstr("min_length (90) must not exceed max_length - buffer (80)"));
  // penalty.overlong has no lower side.
  EXPECT_THAT(ConfigError("reward: {type: penalty.overlong, min_length: 10}"),
              HasSubstr("reward.min_length: unknown option"));
  EXPECT_EQ(ConfigError("reward: {type: penalty.length, min_length: 80, max_length: 100, "
                        "buffer: 20, factor: 0.5, unit: words}"),
            "");
}

}  // namespace
}  // namespace merit
