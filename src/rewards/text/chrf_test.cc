// text.chrf against values computed by sacrebleu 2.6.0 (CHRF(...).sentence_score, with the
// options each row names, on the samples of sacrebleu_test_cases.h) and the reward contract.
#include <gtest/gtest.h>

#include "rewards/text/chrf.h"
#include "rewards/text/sacrebleu_test_cases.h"
#include "testutil/testutil.h"

namespace merit::sacrebleu {
namespace {

TEST(TextChrf, EqualsSacrebleuSentenceScores) {
  const SacrebleuRow kRows[] = {
      {R"({type: text.chrf, scale: 100})",
       {67.17273492330233, 74.24971405406188, 14.792020371949018, 0.0, 0.0, 17.857142857142858,
        17.868921870125238, 42.288359788359784, 54.6771559185685}},
      {R"({type: text.chrf, scale: 100, word_order: 2})",
       {69.43695278069349, 70.56823792149878, 14.851973184840439, 0.0, 0.0, 19.531249999999996,
        18.613922384917213, 36.24716553287982, 49.92584221526112}},
      {R"({type: text.chrf, scale: 100, whitespace: true, lowercase: true})",
       {75.94996591547141, 79.32729148246388, 12.350635480212977, 0.0, 0.0, 16.666666666666664,
        24.36785230582588, 42.288359788359784, 62.56948815793145}},
      {R"({type: text.chrf, scale: 100, eps_smoothing: true, beta: 1})",
       {65.85083492017121, 74.24971405406187, 17.793690968136005, 0.0, 1.0000000000000002e-14,
        4.166666666666676, 13.955026455026461, 42.288359788359784, 48.30826242153473}},
  };
  ExpectSacrebleuScores(kRows);
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
