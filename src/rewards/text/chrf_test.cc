// text.chrf against values computed by sacrebleu 2.6.0 (CHRF(...).sentence_score, with the
// options each row names) and the reward contract.
#include <gtest/gtest.h>

#include "rewards/text/chrf.h"
#include "testutil/testutil.h"

namespace merit::sacrebleu {
namespace {

struct SacrebleuCase {
  std::string_view reward;
  std::string_view sample;
  double want;  // sacrebleu 2.6.0 sentence_score(...).score (Python 3.11).
};

TEST(TextChrf, EqualsSacrebleuSentenceScores) {
  const SacrebleuCase kCases[] = {
      {R"({type: text.chrf, scale: 100})", R"({"completion": "The cat sat on the mat.", "reference": "The cat is on the mat."})", 67.17273492330233},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "Paris is the capital of France.", "reference": ["The capital of France is Paris.", "Paris is France's capital city, and its largest city."]})", 74.24971405406188},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "Hello", "reference": "Hello world, how are you today?"})", 14.792020371949018},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "", "reference": "Some reference."})", 0.0},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "Only words here", "reference": ""})", 0.0},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "!!! ...", "reference": "?!"})", 17.857142857142858},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "the the the the", "reference": "the cat"})", 17.868921870125238},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "東京は日本の首都です。", "reference": "日本の首都は東京です。"})", 42.288359788359784},
      {R"({type: text.chrf, scale: 100})", R"({"completion": "It costs 1,000.50 € — cheap!", "reference": ["It costs 1.000,50 € – cheap.", "Cost: 1,000.50 €"]})", 54.6771559185685},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "The cat sat on the mat.", "reference": "The cat is on the mat."})", 69.43695278069349},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "Paris is the capital of France.", "reference": ["The capital of France is Paris.", "Paris is France's capital city, and its largest city."]})", 70.56823792149878},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "Hello", "reference": "Hello world, how are you today?"})", 14.851973184840439},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "", "reference": "Some reference."})", 0.0},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "Only words here", "reference": ""})", 0.0},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "!!! ...", "reference": "?!"})", 19.531249999999996},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "the the the the", "reference": "the cat"})", 18.613922384917213},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "東京は日本の首都です。", "reference": "日本の首都は東京です。"})", 36.24716553287982},
      {R"({type: text.chrf, scale: 100, word_order: 2})", R"({"completion": "It costs 1,000.50 € — cheap!", "reference": ["It costs 1.000,50 € – cheap.", "Cost: 1,000.50 €"]})", 49.92584221526112},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "The cat sat on the mat.", "reference": "The cat is on the mat."})", 75.94996591547141},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "Paris is the capital of France.", "reference": ["The capital of France is Paris.", "Paris is France's capital city, and its largest city."]})", 79.32729148246388},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "Hello", "reference": "Hello world, how are you today?"})", 12.350635480212977},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "", "reference": "Some reference."})", 0.0},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "Only words here", "reference": ""})", 0.0},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "!!! ...", "reference": "?!"})", 16.666666666666664},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "the the the the", "reference": "the cat"})", 24.36785230582588},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "東京は日本の首都です。", "reference": "日本の首都は東京です。"})", 42.288359788359784},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})", R"({"completion": "It costs 1,000.50 € — cheap!", "reference": ["It costs 1.000,50 € – cheap.", "Cost: 1,000.50 €"]})", 62.56948815793145},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "The cat sat on the mat.", "reference": "The cat is on the mat."})", 65.85083492017121},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "Paris is the capital of France.", "reference": ["The capital of France is Paris.", "Paris is France's capital city, and its largest city."]})", 74.24971405406187},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "Hello", "reference": "Hello world, how are you today?"})", 17.793690968136005},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "", "reference": "Some reference."})", 0.0},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "Only words here", "reference": ""})", 1.0000000000000002e-14},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "!!! ...", "reference": "?!"})", 4.166666666666676},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "the the the the", "reference": "the cat"})", 13.955026455026461},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "東京は日本の首都です。", "reference": "日本の首都は東京です。"})", 42.288359788359784},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})", R"({"completion": "It costs 1,000.50 € — cheap!", "reference": ["It costs 1.000,50 € – cheap.", "Cost: 1,000.50 €"]})", 48.30826242153473},
  };
  for (const SacrebleuCase& c : kCases) {
    SCOPED_TRACE(std::string(c.reward) + " " + std::string(c.sample));
    const Result result = testutil::Score(c.reward, c.sample);
    ASSERT_EQ(result.status, ScoreStatus::kOk) << result.explanation;
    EXPECT_NEAR(*result.reward, c.want, 1e-9);
  }
}

TEST(TextChrf, ScaleReasonsAndSignature) {
  EXPECT_EQ(testutil::Score("{type: text.chrf}", R"({"completion": "abc", "reference": "abc"})")
                .reward,
            1.0);
  const Result empty =
      testutil::Score("{type: text.chrf}", R"({"completion": "", "reference": "abc"})");
  EXPECT_EQ(empty.reward, 0.0);
  EXPECT_EQ(empty.reason, "no_answer");
  EXPECT_EQ(testutil::Score("{type: text.chrf}", R"({"completion": "a", "reference": []})").reason,
            "no_reference");
  EXPECT_EQ(ChrfSignature("1", {.word_order = 2}),
            "nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0");
  EXPECT_NE(testutil::ConfigError("reward: {type: text.chrf, scale: 2}"), "");
}

}  // namespace
}  // namespace merit::sacrebleu
