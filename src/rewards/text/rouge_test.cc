// text.rouge: tokenisation and P/R/F against values printed by rouge-score 0.1.2 (with NLTK 3.10.4's
// Porter stemmer) on the same inputs, and the reward's contract through the registry.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "merit/json.h"
#include "rewards/text/rouge.h"
#include "testutil/testutil.h"

namespace merit::text_metrics {
namespace {

struct TokenCase {
  std::string text;
  bool stem;
  std::vector<std::string> want;
};

TEST(RougeTokenize, EqualsRougeScoreTokenizer) {
  const std::vector<TokenCase> cases = {
      {"Hello, World! It's 3.14", false, {"hello", "world", "it", "s", "3", "14"}},
      {"İstanbul Kelvin Straße", false, {"i", "stanbul", "kelvin", "stra", "e"}},
      {"naïve café—résumé", false, {"na", "ve", "caf", "r", "sum"}},
      {"running flies dies generously", false, {"running", "flies", "dies", "generously"}},
      {"  \n\t ", false, {}},
      {"ABC-def_ghi", false, {"abc", "def", "ghi"}},
      {"Hello, World! It's 3.14", true, {"hello", "world", "it", "s", "3", "14"}},
      {"İstanbul Kelvin Straße", true, {"i", "stanbul", "kelvin", "stra", "e"}},
      {"naïve café—résumé", true, {"na", "ve", "caf", "r", "sum"}},
      {"running flies dies generously", true, {"run", "fli", "die", "gener"}},
      {"  \n\t ", true, {}},
      {"ABC-def_ghi", true, {"abc", "def", "ghi"}},
  };
  for (const TokenCase& c : cases) {
    SCOPED_TRACE(c.text);
    std::string buffer;
    std::vector<std::string_view> tokens;
    RougeTokenize(c.text, c.stem, buffer, tokens);
    EXPECT_EQ(std::vector<std::string>(tokens.begin(), tokens.end()), c.want);
  }
}

// The tokenizer maps 16 ASCII bytes at a time and finds token boundaries 64 mapped bytes at a
// time: tokens and the non-ASCII characters whose lower case is ASCII must come out the same
// wherever those blocks cut them. Texts are glued from pieces with known tokens, shifted by
// 0..79 leading spaces so every piece meets every block offset.
TEST(RougeTokenize, TokensAcrossBlockBoundaries) {
  struct Piece {
    std::string text;
    std::vector<std::string> tokens;
  };
  const std::vector<Piece> words = {
      {"Word", {"word"}},
      {"\u212Aelvin", {"kelvin"}},          // KELVIN SIGN lower-cases to 'k'.
      {"\u0130x", {"i", "x"}},              // U+0130: 'i' + a combining dot that separates.
      {"AB7", {"ab7"}},
      {std::string(70, 'Q'), {std::string(70, 'q')}},
      {"z", {"z"}},
  };
  const std::vector<std::string> separators = {" ", "\n", ", ", "\u00e9", "\u2014", "--\n--"};
  std::uint32_t state = 12345;
  const auto next = [&state](std::size_t bound) {
    state = state * 1664525U + 1013904223U;
    return static_cast<std::size_t>(state >> 8) % bound;
  };
  for (int round = 0; round < 200; ++round) {
    std::string text(static_cast<std::size_t>(round % 80), ' ');
    std::vector<std::string> want;
    const std::size_t pieces = 1 + next(30);
    for (std::size_t p = 0; p < pieces; ++p) {
      const Piece& word = words[next(words.size())];
      text += word.text;
      want.insert(want.end(), word.tokens.begin(), word.tokens.end());
      text += separators[next(separators.size())];
    }
    SCOPED_TRACE(text);
    std::string buffer;
    std::vector<std::string_view> tokens;
    RougeTokenize(text, false, buffer, tokens);
    EXPECT_EQ(std::vector<std::string>(tokens.begin(), tokens.end()), want);
  }
}

struct ScoreCase {
  std::string reference;
  std::string prediction;
  bool stem;
  std::string type;
  RougeScore want;
};

RougeSpec SpecFor(std::string_view type, bool stem) {
  RougeSpec spec{.use_stemmer = stem};
  if (type == "rougeL") {
    spec.kind = RougeSpec::Kind::kL;
  } else if (type == "rougeLsum") {
    spec.kind = RougeSpec::Kind::kLsum;
  } else {
    spec.kind = RougeSpec::Kind::kN;
    spec.n = type.back() - '0';
  }
  return spec;
}

TEST(RougeScoreOf, EqualsRougeScore) {
  const std::vector<ScoreCase> cases = {
      {"The cat is on the mat.", "The cat sat on the mat.", false, "rouge1", {0.8333333333333334, 0.8333333333333334, 0.8333333333333334}},
      {"The cat is on the mat.", "The cat sat on the mat.", false, "rouge2", {0.6, 0.6, 0.6}},
      {"The cat is on the mat.", "The cat sat on the mat.", false, "rouge3", {0.25, 0.25, 0.25}},
      {"The cat is on the mat.", "The cat sat on the mat.", false, "rougeL", {0.8333333333333334, 0.8333333333333334, 0.8333333333333334}},
      {"The cat is on the mat.", "The cat sat on the mat.", false, "rougeLsum", {0.8333333333333334, 0.8333333333333334, 0.8333333333333334}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", false, "rouge1", {0.75, 0.6666666666666666, 0.7058823529411765}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", false, "rouge2", {0.2857142857142857, 0.25, 0.26666666666666666}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", false, "rouge3", {0.16666666666666666, 0.14285714285714285, 0.15384615384615383}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", false, "rougeL", {0.625, 0.5555555555555556, 0.5882352941176471}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", false, "rougeLsum", {0.625, 0.5555555555555556, 0.5882352941176471}},
      {"", "something", false, "rouge1", {0.0, 0.0, 0.0}},
      {"", "something", false, "rouge2", {0.0, 0.0, 0.0}},
      {"", "something", false, "rouge3", {0.0, 0.0, 0.0}},
      {"", "something", false, "rougeL", {0, 0, 0}},
      {"", "something", false, "rougeLsum", {0, 0, 0}},
      {"something", "", false, "rouge1", {0.0, 0.0, 0.0}},
      {"something", "", false, "rouge2", {0.0, 0.0, 0.0}},
      {"something", "", false, "rouge3", {0.0, 0.0, 0.0}},
      {"something", "", false, "rougeL", {0, 0, 0}},
      {"something", "", false, "rougeLsum", {0, 0, 0}},
      {"", "", false, "rouge1", {0.0, 0.0, 0.0}},
      {"", "", false, "rouge2", {0.0, 0.0, 0.0}},
      {"", "", false, "rouge3", {0.0, 0.0, 0.0}},
      {"", "", false, "rougeL", {0, 0, 0}},
      {"", "", false, "rougeLsum", {0, 0, 0}},
      {"...", "!!!", false, "rouge1", {0.0, 0.0, 0.0}},
      {"...", "!!!", false, "rouge2", {0.0, 0.0, 0.0}},
      {"...", "!!!", false, "rouge3", {0.0, 0.0, 0.0}},
      {"...", "!!!", false, "rougeL", {0, 0, 0}},
      {"...", "!!!", false, "rougeLsum", {0, 0, 0}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", false, "rouge1", {0.42857142857142855, 0.3333333333333333, 0.375}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", false, "rouge2", {0.0, 0.0, 0.0}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", false, "rouge3", {0.0, 0.0, 0.0}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", false, "rougeL", {0.42857142857142855, 0.3333333333333333, 0.375}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", false, "rougeLsum", {0.42857142857142855, 0.3333333333333333, 0.375}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", false, "rouge1", {1.0, 0.7777777777777778, 0.8750000000000001}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", false, "rouge2", {0.8333333333333334, 0.625, 0.7142857142857143}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", false, "rouge3", {0.6, 0.42857142857142855, 0.5}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", false, "rougeL", {0.7142857142857143, 0.5555555555555556, 0.6250000000000001}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", false, "rougeLsum", {0.8571428571428571, 0.6666666666666666, 0.75}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", false, "rouge1", {0.42857142857142855, 0.3, 0.3529411764705882}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", false, "rouge2", {0.3333333333333333, 0.2222222222222222, 0.26666666666666666}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", false, "rouge3", {0.2, 0.125, 0.15384615384615385}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", false, "rougeL", {0.42857142857142855, 0.3, 0.3529411764705882}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", false, "rougeLsum", {0.42857142857142855, 0.3, 0.3529411764705882}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", false, "rouge1", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", false, "rouge2", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", false, "rouge3", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", false, "rougeL", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", false, "rougeLsum", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", false, "rouge1", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", false, "rouge2", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", false, "rouge3", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", false, "rougeL", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", false, "rougeLsum", {1.0, 1.0, 1.0}},
      {"The cat is on the mat.", "The cat sat on the mat.", true, "rouge1", {0.8333333333333334, 0.8333333333333334, 0.8333333333333334}},
      {"The cat is on the mat.", "The cat sat on the mat.", true, "rouge2", {0.6, 0.6, 0.6}},
      {"The cat is on the mat.", "The cat sat on the mat.", true, "rouge3", {0.25, 0.25, 0.25}},
      {"The cat is on the mat.", "The cat sat on the mat.", true, "rougeL", {0.8333333333333334, 0.8333333333333334, 0.8333333333333334}},
      {"The cat is on the mat.", "The cat sat on the mat.", true, "rougeLsum", {0.8333333333333334, 0.8333333333333334, 0.8333333333333334}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", true, "rouge1", {0.75, 0.6666666666666666, 0.7058823529411765}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", true, "rouge2", {0.2857142857142857, 0.25, 0.26666666666666666}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", true, "rouge3", {0.16666666666666666, 0.14285714285714285, 0.15384615384615383}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", true, "rougeL", {0.625, 0.5555555555555556, 0.5882352941176471}},
      {"the quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.", true, "rougeLsum", {0.625, 0.5555555555555556, 0.5882352941176471}},
      {"", "something", true, "rouge1", {0.0, 0.0, 0.0}},
      {"", "something", true, "rouge2", {0.0, 0.0, 0.0}},
      {"", "something", true, "rouge3", {0.0, 0.0, 0.0}},
      {"", "something", true, "rougeL", {0, 0, 0}},
      {"", "something", true, "rougeLsum", {0, 0, 0}},
      {"something", "", true, "rouge1", {0.0, 0.0, 0.0}},
      {"something", "", true, "rouge2", {0.0, 0.0, 0.0}},
      {"something", "", true, "rouge3", {0.0, 0.0, 0.0}},
      {"something", "", true, "rougeL", {0, 0, 0}},
      {"something", "", true, "rougeLsum", {0, 0, 0}},
      {"", "", true, "rouge1", {0.0, 0.0, 0.0}},
      {"", "", true, "rouge2", {0.0, 0.0, 0.0}},
      {"", "", true, "rouge3", {0.0, 0.0, 0.0}},
      {"", "", true, "rougeL", {0, 0, 0}},
      {"", "", true, "rougeLsum", {0, 0, 0}},
      {"...", "!!!", true, "rouge1", {0.0, 0.0, 0.0}},
      {"...", "!!!", true, "rouge2", {0.0, 0.0, 0.0}},
      {"...", "!!!", true, "rouge3", {0.0, 0.0, 0.0}},
      {"...", "!!!", true, "rougeL", {0, 0, 0}},
      {"...", "!!!", true, "rougeLsum", {0, 0, 0}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", true, "rouge1", {0.8571428571428571, 0.6666666666666666, 0.75}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", true, "rouge2", {0.16666666666666666, 0.125, 0.14285714285714288}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", true, "rouge3", {0.0, 0.0, 0.0}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", true, "rougeL", {0.5714285714285714, 0.4444444444444444, 0.5}},
      {"Running runners ran quickly\nThe dogs were barking loudly.", "the runner runs quick\ndogs bark loudly", true, "rougeLsum", {0.7142857142857143, 0.5555555555555556, 0.6250000000000001}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", true, "rouge1", {1.0, 0.7777777777777778, 0.8750000000000001}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", true, "rouge2", {0.8333333333333334, 0.625, 0.7142857142857143}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", true, "rouge3", {0.6, 0.42857142857142855, 0.5}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", true, "rougeL", {0.7142857142857143, 0.5555555555555556, 0.6250000000000001}},
      {"a b c a b c\n\nb c a\n", "c b a b c\na b", true, "rougeLsum", {0.8571428571428571, 0.6666666666666666, 0.75}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", true, "rouge1", {0.42857142857142855, 0.3, 0.3529411764705882}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", true, "rouge2", {0.3333333333333333, 0.2222222222222222, 0.26666666666666666}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", true, "rouge3", {0.2, 0.125, 0.15384615384615385}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", true, "rougeL", {0.42857142857142855, 0.3, 0.3529411764705882}},
      {"İstanbul 5K KELVIN 5Kx Straße café naïve 東京 😀", "istanbul 5k kelvin 5kx strasse cafe naive", true, "rougeLsum", {0.42857142857142855, 0.3, 0.3529411764705882}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", true, "rouge1", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", true, "rouge2", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", true, "rouge3", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", true, "rougeL", {1.0, 1.0, 1.0}},
      {"1,000.50 $3.14 -42 1e10", "1 000 50 3 14 42 1e10", true, "rougeLsum", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", true, "rouge1", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", true, "rouge2", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", true, "rouge3", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", true, "rougeL", {1.0, 1.0, 1.0}},
      {"one\r\ntwo\rthree\n\n  \nfour", "one two\nthree four", true, "rougeLsum", {1.0, 1.0, 1.0}},
  };
  for (const ScoreCase& c : cases) {
    SCOPED_TRACE(c.reference + " | " + c.prediction + " | " + c.type + (c.stem ? " stem" : ""));
    const std::optional<RougeScore> got = RougeScoreOf(c.reference, c.prediction, SpecFor(c.type, c.stem));
    ASSERT_TRUE(got.has_value());
    EXPECT_DOUBLE_EQ(got->precision, c.want.precision);
    EXPECT_DOUBLE_EQ(got->recall, c.want.recall);
    EXPECT_DOUBLE_EQ(got->fmeasure, c.want.fmeasure);
  }
}

TEST(RougeScoreOf, LongInputsUseTheBitParallelPathAndTheCap) {
  // 3000 tokens on one line each side: rougeL and rougeLsum run on 47-word bit rows.
  std::string reference;
  std::string prediction;
  for (int i = 0; i < 3000; ++i) {
    reference += "w" + std::to_string(i % 97) + " ";
    prediction += "w" + std::to_string((i * 7) % 89) + " ";
  }
  const auto l = RougeScoreOf(reference, prediction, {.kind = RougeSpec::Kind::kL});
  const auto lsum = RougeScoreOf(reference, prediction, {.kind = RougeSpec::Kind::kLsum});
  ASSERT_TRUE(l.has_value() && lsum.has_value());
  // One line each: summary-level LCS is the LCS (hits are capped by counts, which an LCS respects).
  EXPECT_DOUBLE_EQ(l->fmeasure, lsum->fmeasure);
  EXPECT_FALSE(RougeScoreOf(reference, prediction, {.kind = RougeSpec::Kind::kL, .max_tokens = 2999})
                   .has_value());
}

TEST(RougeReward, MeasuresAndMultipleReferences) {
  struct Case {
    std::string_view yaml;
    std::string_view sample;
    double want;
  };
  const Case kCases[] = {
      // spec A §4 worked example 1: ROUGE-L F = 0.833333.
      {"{type: text.rouge}",
       R"({"completion": "The cat sat on the mat.", "reference": "The cat is on the mat."})",
       5.0 / 6.0},
      {"{type: text.rouge, measure: precision}",
       R"({"completion": "the cat sat", "reference": "the cat"})", 2.0 / 3.0},
      {"{type: text.rouge, measure: recall}",
       R"({"completion": "the cat sat", "reference": "the cat"})", 1.0},
      // score_multi keeps the reference with the best F ("cat sat": P 2/3, R 1, F 0.8) and
      // reports its precision, not the best precision over references.
      {"{type: text.rouge, measure: precision}",
       R"({"completion": "the cat sat", "reference": ["the cat", "a cat sat on the mat", "cat sat"]})",
       0.6666666666666666},
      {"{type: text.rouge, multi_reference: mean, rouge_type: rouge1}",
       R"({"completion": "a b", "reference": ["a b", "c d"]})", 0.5},
      {"{type: text.rouge, rouge_type: rouge2, use_stemmer: true}",
       R"({"completion": "dogs running", "reference": "dog runs"})", 1.0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.yaml) + " " + std::string(c.sample));
    const Result r = testutil::Score(c.yaml, c.sample);
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
    EXPECT_DOUBLE_EQ(*r.reward, c.want);
  }
}

TEST(RougeReward, EdgeCases) {
  struct Case {
    std::string_view sample;
    ScoreStatus status;
    std::string_view reason;
    double want;
  };
  constexpr Case kCases[] = {
      {R"({"completion": "", "reference": "a b"})", ScoreStatus::kOk, "no_answer", 0},
      {R"({"completion": "?!", "reference": "a b"})", ScoreStatus::kOk, "no_answer", 0},
      {R"({"completion": "a b", "reference": ""})", ScoreStatus::kOk, "", 0},
      {R"({"completion": "a b"})", ScoreStatus::kUnscorable, "no_reference", 0},
      {R"({"completion": "a b", "reference": [[1]]})", ScoreStatus::kUnscorable,
       "reference_unparseable", 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.sample);
    const Result r = testutil::Score("{type: text.rouge}", c.sample);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.reason, c.reason);
    if (c.status == ScoreStatus::kOk) {
      EXPECT_EQ(*r.reward, c.want);
    }
  }
  const Result too_long =
      testutil::Score("{type: text.rouge, max_tokens: 2}", R"({"completion": "a b c", "reference": "a"})");
  EXPECT_EQ(too_long.status, ScoreStatus::kError);
  EXPECT_EQ(too_long.reason, "too_long");
  EXPECT_NE(testutil::ConfigError("reward: {type: text.rouge, rouge_type: rouge0}"), "");
}

}  // namespace
}  // namespace merit::text_metrics
