// penalty.repetition: the ratio against an exact reference, the reward, and its bounds.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rewards/penalty/penalty.h"
#include "testutil/testutil.h"

namespace merit {
namespace {

using penalty::MeasureRepetition;
using testing::HasSubstr;
using text::LengthUnit;

// The exact count, with std::set over the token strings: what the hashed count must equal.
std::size_t ExactDistinct(std::string_view text, LengthUnit unit, std::size_t n) {
  std::vector<std::string_view> tokens;
  if (unit == LengthUnit::kWords) {
    text::Words words(text);
    while (auto w = words.Next())
      tokens.push_back(*w);
  } else {
    text::CodePoints points(text);
    while (auto p = points.Next())
      tokens.push_back(*p);
  }
  std::set<std::vector<std::string_view>> ngrams;
  for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
    ngrams.emplace(tokens.begin() + static_cast<std::ptrdiff_t>(i),
                   tokens.begin() + static_cast<std::ptrdiff_t>(i + n));
  }
  return ngrams.size();
}

TEST(Repetition, MeasuresRepeatedNgrams) {
  struct Case {
    std::string_view text;
    LengthUnit unit;
    std::size_t n;
    std::size_t tokens, ngrams, distinct;
  };

  const Case kCases[] = {
      {"a b c a b c", LengthUnit::kWords, 3, 6, 4, 3},  // abc bca cab abc
      {"a a a a", LengthUnit::kWords, 1, 4, 4, 1},
      {"a b", LengthUnit::kWords, 3, 2, 0, 0},
      {"", LengthUnit::kWords, 1, 0, 0, 0},
      {"   ", LengthUnit::kChars, 1, 3, 3, 1},
      {"abab", LengthUnit::kChars, 2, 4, 3, 2},  // ab ba ab
      {"\xff\xff\xff", LengthUnit::kChars, 1, 3, 3, 1},
      {"h\xc3\xa9h\xc3\xa9", LengthUnit::kChars, 2, 4, 3, 2},  // hé éh hé
      // Token boundaries matter: "ab c" and "a bc" are different bigrams' material.
      {"ab c a bc", LengthUnit::kWords, 2, 4, 3, 3},
      {"x y z w", LengthUnit::kWords, 4, 4, 1, 1},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.text)));
    const auto stats = MeasureRepetition(c.text, c.unit, c.n, 1000);
    EXPECT_EQ(stats.tokens, c.tokens);
    EXPECT_EQ(stats.ngrams, c.ngrams);
    EXPECT_EQ(stats.distinct, c.distinct);
    EXPECT_FALSE(stats.truncated);
  }
}

TEST(Repetition, MatchesExactCountOnGeneratedText) {
  // A small vocabulary makes many repeats; a linear congruential generator keeps it reproducible.
  std::uint64_t state = 42;
  for (int round = 0; round < 8; ++round) {
    std::string text;
    const std::uint64_t vocabulary = 2 + static_cast<std::uint64_t>(round) * 8;
    for (int i = 0; i < 1000; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      text += "w" + std::to_string((state >> 33) % vocabulary) + (i % 7 == 0 ? "\n" : " ");
    }
    for (const std::size_t n : {1u, 2u, 3u, 5u, 16u}) {
      for (const LengthUnit unit : {LengthUnit::kWords, LengthUnit::kChars}) {
        SCOPED_TRACE(testing::Message() << "round " << round << " n " << n);
        EXPECT_EQ(MeasureRepetition(text, unit, n, 1u << 20).distinct,
                  ExactDistinct(text, unit, n));
      }
    }
  }
}

TEST(Repetition, StopsAtMaxTokens) {
  const auto stats = MeasureRepetition("a b c d a b c d", LengthUnit::kWords, 1, 4);
  EXPECT_EQ(stats.tokens, 4u);
  EXPECT_EQ(stats.distinct, 4u);
  EXPECT_TRUE(stats.truncated);
  EXPECT_EQ(stats.ratio(), 0.0);
}

TEST(Repetition, ScoresThroughTheRegistry) {
  struct Case {
    std::string_view reward;
    std::string_view completion;
    double want;
    std::string_view reason;
  };

  const Case kCases[] = {
      {"{type: penalty.repetition}", "a b c a b c", -0.25, "repetitive"},
      {"{type: penalty.repetition}", "the quick brown fox jumps", 0.0, ""},
      {"{type: penalty.repetition}", "a b", 0.0, "too_few_tokens"},
      {"{type: penalty.repetition}", "", 0.0, "too_few_tokens"},
      {"{type: penalty.repetition, ngram: 1}", "a a a a", -0.75, "repetitive"},
      {"{type: penalty.repetition, ngram: 1, factor: 2}", "a a a a", -1.5, "repetitive"},
      // threshold 0.5: (0.75 - 0.5) / 0.5.
      {"{type: penalty.repetition, ngram: 1, threshold: 0.5}", "a a a a", -0.5, "repetitive"},
      {"{type: penalty.repetition, ngram: 1, threshold: 0.75}", "a a a a", 0.0, ""},
      {"{type: penalty.repetition, ngram: 2, unit: chars}", "abab", -1.0 / 3, "repetitive"},
      {"{type: penalty.repetition, ngram: 1, max_tokens: 4}", "a b c d a b c d", 0.0, ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.reward) + " on " + std::string(c.completion));
    const Result r =
        testutil::Score(c.reward, R"({"completion": ")" + std::string(c.completion) + R"("})");
    ASSERT_TRUE(r.reward.has_value()) << r.reason << " " << r.explanation;
    EXPECT_DOUBLE_EQ(*r.reward, c.want);
    EXPECT_EQ(r.reason, c.reason);
  }
}

TEST(Repetition, LargeAndInvalidCompletions) {
  const Engine engine = testutil::MakeEngine(
      "reward: {type: weighted_sum, children: ["
      "{name: words, type: penalty.repetition}, "
      "{name: chars, type: penalty.repetition, unit: chars, ngram: 4}]}");
  std::vector<Sample> samples(3);
  // 1 MiB of "the cat ": 2 distinct trigrams among W - 2, 2 distinct 4-grams of characters.
  while (samples[0].completion_text.size() < (1u << 20))
    samples[0].completion_text += "the cat ";
  // 1 MiB of distinct words: no repetition (the hash table must not report false repeats).
  for (int i = 0; samples[1].completion_text.size() < (1u << 20); ++i) {
    samples[1].completion_text += std::to_string(i) + " ";
  }
  // Invalid UTF-8: every byte is a code point of its own.
  samples[2].completion_text.assign(1000, '\xff');
  const std::vector<Result> results = engine.ScoreBatch(samples);
  const auto component = [&](std::size_t i, std::string_view name) {
    for (const auto& [n, v] : results[i].components) {
      if (n == name)
        return v.value_or(99.0);
    }
    return 99.0;
  };
  const double words = static_cast<double>(samples[0].completion_text.size() / 8 * 2);
  EXPECT_DOUBLE_EQ(component(0, "words"), -(1.0 - 2.0 / (words - 2)));
  const double chars = static_cast<double>(samples[0].completion_text.size());
  EXPECT_DOUBLE_EQ(component(0, "chars"), -(1.0 - 8.0 / (chars - 3)));
  EXPECT_EQ(component(1, "words"), 0.0);
  EXPECT_DOUBLE_EQ(component(2, "chars"), -(1.0 - 1.0 / 997));
}

TEST(Repetition, OptionsAreValidated) {
  using testutil::ConfigError;
  EXPECT_THAT(ConfigError("reward: {type: penalty.repetition, threshold: 1}"),
              HasSubstr("threshold (1) must be below 1"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.repetition, ngram: 0}"),
              HasSubstr("reward.ngram: expected"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.repetition, ngram: 17}"),
              HasSubstr("reward.ngram: expected"));
  // Tokens need the text; num_tokens carries no token identities.
  EXPECT_THAT(ConfigError("reward: {type: penalty.repetition, unit: tokens}"),
              HasSubstr("reward.unit"));
  EXPECT_THAT(ConfigError("reward: {type: penalty.repetition, max_tokens: 100000000}"),
              HasSubstr("reward.max_tokens: expected"));
}

}  // namespace
}  // namespace merit
