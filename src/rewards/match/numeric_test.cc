#include <string>

#include <gtest/gtest.h>

#include "rewards/match/test_cases.h"

namespace merit::match {
namespace {

using testing::RewardCase;
constexpr auto kUnscorable = ScoreStatus::kUnscorable;
constexpr std::string_view kNumeric = "{type: match.numeric}";

TEST(MatchNumeric, Forms) {
  const RewardCase kCases[] = {
      {"integer", kNumeric, "42", "42", 1},
      {"string_reference", kNumeric, "42", R"("42")", 1},
      {"thousands", kNumeric, "The total is 1,234,567.", "1234567", 1},
      {"latex_thousands", kNumeric, "\\boxed{10{,}000}", "10000", 1},
      {"decimal_vs_integer", kNumeric, "5.0", "5", 1},
      {"fraction", kNumeric, "3/4", "0.75", 1},
      {"latex_fraction", kNumeric, "\\boxed{\\frac{3}{4}}", "0.75", 1},
      {"negative_latex_fraction", kNumeric, "\\boxed{-\\frac{1}{2}}", "-0.5", 1},
      {"percent_kept", kNumeric, "12.5%", "12.5", 1},
      {"percent_as_fraction", "{type: match.numeric, percent_as_fraction: true}", "12.5%", "0.125",
       1},
      {"percent_both_sides", "{type: match.numeric, percent_as_fraction: true}", "12.5%",
       R"("12.5%")", 1},
      {"scientific", kNumeric, "1.5e3", "1500", 1},
      {"scientific_latex", kNumeric, "3 \\times 10^{4}", "30000", 1},
      {"unicode_minus", kNumeric, "\u22127", "-7", 1},
      {"currency", kNumeric, "It costs $1,000.", R"("$1000")", 1},
      {"euro", kNumeric, "\u20ac9.99", "9.99", 1},
      {"sign_matters", kNumeric, "7", "-7", 0, "wrong_answer"},
      {"binary_minus_is_not_sign", kNumeric, "10-3", "-3", 0, "wrong_answer"},
      {"wrong", kNumeric, "43", "42", 0, "wrong_answer"},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchNumeric, WhichNumber) {
  const RewardCase kCases[] = {
      {"auto_last_number_in_text", kNumeric, "2 + 3 = 5", "5", 1},
      {"auto_prefers_box", kNumeric, "\\boxed{5} is more than 3", "5", 1},
      {"auto_tag", kNumeric, "<answer>x = 5</answer> and 7", "5", 1},
      {"phrase_takes_first_number", kNumeric, "The answer is 42 because 6 * 7 = 42 and 2", "42", 1},
      {"gsm8k", kNumeric, "She pays 3 * 4 = 12.\n#### 12", "12", 1},
      {"boxed_takes_last_number", kNumeric, "\\boxed{x = 2 + 3 = 5}", "5", 1},
      {"extract_boxed_missing", "{type: match.numeric, extract: boxed}", "5", "5", 0, "no_answer"},
      {"extract_none_last_number", "{type: match.numeric, extract: none}", "3 apples then 4", "4",
       1},
      {"span_without_number", kNumeric, "<answer>forty two</answer> 42", "42", 0, "no_number"},
      {"no_number_at_all", kNumeric, "I do not know", "42", 0, "no_number"},
      {"empty_completion", kNumeric, "", "42", 0, "no_answer"},
      {"thinking_numbers_ignored", kNumeric, "<think>is it 41? 43?</think>\n42", "42", 1},
      {"only_thinking", kNumeric, "<think>it is 42</think>", "42", 0, "no_answer"},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchNumeric, Tolerances) {
  const RewardCase kCases[] = {
      {"big_integers_exact", kNumeric, "12345678901234567891", R"("12345678901234567890")", 0,
       "wrong_answer"},
      {"big_integers_equal", kNumeric, "12,345,678,901,234,567,891", "12345678901234567891", 1},
      {"big_integers_by_double", "{type: match.numeric, exact_integers: false}",
       "12345678901234567891", R"("12345678901234567890")", 1},
      {"default_rel_tol", kNumeric, "0.3333333333", R"("1/3")", 1},
      {"beyond_rel_tol", kNumeric, "0.333", R"("1/3")", 0, "wrong_answer"},
      {"rel_tol_option", "{type: match.numeric, rel_tol: 0.01}", "0.333", R"("1/3")", 1},
      {"abs_tol_near_zero", "{type: match.numeric, abs_tol: 0.001}", "0.0005", "0", 1},
      {"relaxed_within_5_percent", "{type: match.numeric, relaxed: true}", "104", "100", 1},
      {"relaxed_outside", "{type: match.numeric, relaxed: true}", "106", "100", 0, "wrong_answer"},
      {"relaxed_zero_exact", "{type: match.numeric, relaxed: true}", "0.001", "0", 0,
       "wrong_answer"},
      {"relaxed_zero_equal", "{type: match.numeric, relaxed: true}", "0.0", "0", 1},
      {"relaxed_tol_option", "{type: match.numeric, relaxed: true, relaxed_tol: 0.1}", "109", "100",
       1},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchNumeric, References) {
  const RewardCase kCases[] = {
      {"list_any", kNumeric, "7", R"(["5", 7])", 1},
      {"list_with_words", kNumeric, "7", R"(["seven", "7"])", 1},
      {"reference_with_unit", kNumeric, "7", R"("7 apples")", 1},
      {"reference_two_numbers", kNumeric, "7", R"("7 to 8")", 0, "reference_unparseable",
       kUnscorable},
      {"reference_words", kNumeric, "7", R"("seven")", 0, "reference_unparseable", kUnscorable},
      {"text_fallback", "{type: match.numeric, text_fallback: true}", "Yes", R"("yes")", 1},
      {"text_fallback_wrong", "{type: match.numeric, text_fallback: true}", "No", R"("yes")", 0,
       "wrong_answer"},
      {"no_reference", kNumeric, "7", "", 0, "no_reference", kUnscorable},
      {"object_reference", kNumeric, "7", R"({"value": 7})", 0, "reference_unparseable",
       kUnscorable},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchNumeric, AdversarialInputs) {
  std::string digits(1 << 20, '7');
  Result got = testutil::Score(std::string(kNumeric), testing::SampleJson(digits, "7"));
  EXPECT_EQ(got.reason, "wrong_answer");
  got = testutil::Score(std::string(kNumeric), testing::SampleJson(digits, "\"" + digits + "\""));
  ASSERT_TRUE(got.reward.has_value());
  EXPECT_EQ(*got.reward, 1.0);
  std::string fracs;
  for (int i = 0; i < 100000; ++i)
    fracs += "\\frac{1,000}{";
  got = testutil::Score(std::string(kNumeric), testing::SampleJson(fracs + " 5", "5"));
  ASSERT_TRUE(got.reward.has_value());
  EXPECT_EQ(*got.reward, 1.0);
  const auto reward = testing::MakeReward(std::string(kNumeric));
  const Score direct = testing::EvaluateDirect(*reward, "\xff\xfe 4\xc3", Json::Num(4, "4"));
  EXPECT_EQ(direct.value, 1.0);
}

}  // namespace
}  // namespace merit::match
