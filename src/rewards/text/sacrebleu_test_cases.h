// The sacrebleu parity table that bleu_test.cc and chrf_test.cc share: nine samples (plain,
// several references, empty hypothesis, empty reference, punctuation only, repeats, CJK, numbers
// with separators and non-ASCII punctuation), each scored under several reward configurations
// against the score sacrebleu 2.6.0 gives them (sentence_score(...).score, Python 3.11).
#ifndef MERIT_REWARDS_TEXT_SACREBLEU_TEST_CASES_H_
#define MERIT_REWARDS_TEXT_SACREBLEU_TEST_CASES_H_

#include <array>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "merit/result.h"
#include "testutil/testutil.h"

namespace merit::sacrebleu {

inline constexpr std::string_view kSacrebleuSamples[] = {
    R"({"completion": "The cat sat on the mat.", "reference": "The cat is on the mat."})",
    R"({"completion": "Paris is the capital of France.", "reference": ["The capital of France is Paris.", "Paris is France's capital city, and its largest city."]})",
    R"({"completion": "Hello", "reference": "Hello world, how are you today?"})",
    R"({"completion": "", "reference": "Some reference."})",
    R"({"completion": "Only words here", "reference": ""})",
    R"({"completion": "!!! ...", "reference": "?!"})",
    R"({"completion": "the the the the", "reference": "the cat"})",
    R"({"completion": "東京は日本の首都です。", "reference": "日本の首都は東京です。"})",
    R"({"completion": "It costs 1,000.50 € — cheap!", "reference": ["It costs 1.000,50 € – cheap.", "Cost: 1,000.50 €"]})",
};

// One reward configuration and sacrebleu's score of each of kSacrebleuSamples under it.
struct SacrebleuRow {
  std::string_view reward;
  std::array<double, std::size(kSacrebleuSamples)> want = {};
};

// Scores every sample with every row's reward; expects status ok and sacrebleu's score (1e-9).
inline void ExpectSacrebleuScores(std::span<const SacrebleuRow> rows) {
  for (const SacrebleuRow& row : rows) {
    for (std::size_t i = 0; i < std::size(kSacrebleuSamples); ++i) {
      SCOPED_TRACE(std::string(row.reward) + " " + std::string(kSacrebleuSamples[i]));
      const Result result = testutil::Score(row.reward, kSacrebleuSamples[i]);
      ASSERT_EQ(result.status, ScoreStatus::kOk) << result.explanation;
      EXPECT_NEAR(*result.reward, row.want[i], 1e-9);
    }
  }
}

}  // namespace merit::sacrebleu

#endif  // MERIT_REWARDS_TEXT_SACREBLEU_TEST_CASES_H_
