// text.bleu against values computed by sacrebleu 2.6.0 (BLEU(...).sentence_score, with the
// options each row names, on the samples of sacrebleu_test_cases.h), the BLEUBERI worked examples of spec A §4, and the reward contract
// (references, reasons, scale, corpus statistics).
#include <cmath>

#include <gtest/gtest.h>

#include "merit/registry.h"

#include "rewards/text/bleu.h"
#include "rewards/text/sacrebleu_test_cases.h"
#include "testutil/testutil.h"

namespace merit::sacrebleu {
namespace {

TEST(TextBleu, EqualsSacrebleuSentenceScores) {
  const SacrebleuRow kRows[] = {
      {R"({type: text.bleu, scale: 100})",
       {48.892302243490086, 32.17294420803808, 0.09118819655545167, 0.0, 0.0, 8.116697886877475,
        15.97357760615681, 0.0, 19.64073254502566}},
      {R"({type: text.bleu, scale: 100, smooth_method: floor})",
       {48.892302243490086, 21.5153445216728, 0.09118819655545167, 0.0, 0.0, 4.08248290463863,
        8.034284189446518, 0.0, 10.445522730720382}},
      {R"({type: text.bleu, scale: 100, smooth_method: add-k, smooth_value: 2})",
       {65.46536707079773, 52.59673636132225, 0.09118819655545167, 0.0, 0.0, 28.227983861579542,
        42.7287006396234, 0.0, 42.945055406976635}},
      {R"({type: text.bleu, scale: 100, smooth_method: none, effective_order: false})",
       {48.892302243490086, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}},
      {R"({type: text.bleu, scale: 100, tokenize: intl, lowercase: true})",
       {48.892302243490086, 50.81327481546149, 0.09118819655545167, 0.0, 0.0, 8.116697886877475,
        15.97357760615681, 49.99999999999999, 19.64073254502566}},
      {R"({type: text.bleu, scale: 100, tokenize: zh})",
       {48.892302243490086, 32.17294420803808, 0.09118819655545167, 0.0, 0.0, 8.116697886877475,
        15.97357760615681, 51.69731539571708, 19.64073254502566}},
      {R"({type: text.bleu, scale: 100, tokenize: char, max_ngram_order: 6})",
       {61.46488682426041, 81.40033936931246, 1.499557682047771, 0.0, 0.0, 5.90476921508761,
        7.568054616055864, 31.219746626202603, 65.63236585130905}},
  };
  ExpectSacrebleuScores(kRows);
}

TEST(TextBleu, BleuberiWorkedExamples) {
  constexpr std::string_view kReward = "{type: text.bleu, variant: bleuberi}";
  const struct {
    std::string_view sample;
    double want;
  } kCases[] = {
      {R"({"completion": "The cat sat on the mat.", "reference": "The cat is on the mat."})",
       0.594604},
      {R"({"completion": "Paris is the capital of France.", "reference": ["The capital of France is Paris.", "Paris is France's capital city, and its largest city."]})",
       0.427287},
      {R"({"completion": "Hello", "reference": "Hello world, how are you today?"})", 0.000912},
      {R"({"completion": "<think>x</think><answer> The cat sat on the mat. </answer> bye", "reference": "The cat is on the mat."})",
       0.594604},
      {R"({"completion": "<answer>The cat sat on the mat.", "reference": "The cat is on the mat."})",
       0.594604},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.sample);
    const Result result = testutil::Score(kReward, c.sample);
    ASSERT_EQ(result.status, ScoreStatus::kOk);
    EXPECT_NEAR(*result.reward, c.want, 5e-7);
  }
  const Result empty =
      testutil::Score(kReward, R"({"completion": "<answer> </answer>", "reference": "x"})");
  EXPECT_EQ(empty.reward, 0.0);
  EXPECT_EQ(empty.reason, "no_answer");
}

TEST(TextBleu, ScaleAndReasons) {
  const Result one = testutil::Score("{type: text.bleu}",
                                     R"({"completion": "a b c d", "reference": "a b c d"})");
  // sacrebleu's own float arithmetic gives a perfect match 100.00000000000004, and so does merit.
  EXPECT_EQ(one.reward, 100.00000000000004 / 100);
  const Result hundred = testutil::Score("{type: text.bleu, scale: 100}",
                                         R"({"completion": "a b c d", "reference": "a b c d"})");
  EXPECT_EQ(hundred.reward, 100.00000000000004);
  const Result empty =
      testutil::Score("{type: text.bleu}", R"({"completion": "  ", "reference": "a b"})");
  EXPECT_EQ(empty.reward, 0.0);
  EXPECT_EQ(empty.reason, "no_answer");
  EXPECT_EQ(testutil::Score("{type: text.bleu}", R"({"completion": "a"})").reason,
            "no_reference");
  EXPECT_EQ(testutil::Score("{type: text.bleu}", R"({"completion": "a", "reference": {}})").reason,
            "reference_unparseable");
  EXPECT_EQ(
      testutil::Score("{type: text.bleu, max_text_bytes: 3}", R"({"completion": "abcd", "reference": "a"})")
          .reason,
      "input_too_long");
}

TEST(TextBleu, RejectsBadOptions) {
  EXPECT_NE(testutil::ConfigError("reward: {type: text.bleu, scale: 10}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: text.bleu, tokenize: 14a}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: text.bleu, variant: bleuberi, smooth_method: floor}"),
            "");
  EXPECT_EQ(testutil::ConfigError("reward: {type: text.bleu, variant: bleuberi}"), "");
}

// Corpus statistics add up to sacrebleu's corpus_score (values from sacrebleu 2.6.0 on the same
// three segments, one with two references and two with one: nrefs "var").
TEST(TextBleu, CorpusScoreAndSignatureFromSummedStatistics) {
  const Registry registry = BuiltinRegistry();
  const std::unique_ptr<const Reward> reward =
      registry.Find("text.bleu")
          ->reward(testutil::ParseYaml("{}"), ConfigLocation("test", ""), {}, {})
          .value();
  ASSERT_EQ(reward->corpus_statistics_size(), 13u);
  const char* kSamples[] = {
      R"({"completion": "The cat sat on the mat.", "reference": ["The cat is on the mat.", "The cat sat on a mat."]})",
      R"({"completion": "Paris is the capital of France.", "reference": "The capital of France is Paris."})",
      R"({"completion": "Hello", "reference": "Hello world, how are you today?"})",
  };
  std::vector<double> sums(13, 0.0);
  std::vector<double> one(13, 0.0);
  ScoreContext context;
  for (const char* json : kSamples) {
    Sample sample;
    const Json object = testutil::ParseYaml(json);
    sample.completion_text = object.Find("completion")->str();
    sample.reference = *object.Find("reference");
    context.corpus_statistics = std::span<double>(one);
    ASSERT_TRUE(reward->Evaluate(sample, context).ok());
    for (std::size_t i = 0; i < sums.size(); ++i) {
      sums[i] += one[i];
    }
  }
  EXPECT_NEAR(reward->CorpusScore(sums), 33.116400365790604 / 100, 1e-12);
  EXPECT_EQ(reward->CorpusSignature(sums),
            "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
}

TEST(TextBleu, Signatures) {
  EXPECT_EQ(BleuSignature("1", false, false, TokenizerKind::k13a, Smoothing::kFloor, -1),
            "nrefs:1|case:mixed|eff:no|tok:13a|smooth:floor[0.10]|version:2.6.0");
  EXPECT_EQ(BleuSignature("1", true, false, TokenizerKind::kZh, Smoothing::kAddK, -1),
            "nrefs:1|case:lc|eff:no|tok:zh|smooth:add-k[1.00]|version:2.6.0");
}

}  // namespace
}  // namespace merit::sacrebleu
