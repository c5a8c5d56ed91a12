#include <string>

#include <gtest/gtest.h>

#include "rewards/match/test_cases.h"

namespace merit::match {
namespace {

using testing::RewardCase;
constexpr auto kUnscorable = ScoreStatus::kUnscorable;
constexpr std::string_view kChoice = "{type: match.choice}";
constexpr std::string_view kLoose = "{type: match.choice, strict: false}";

TEST(MatchChoice, AnswerForms) {
  const RewardCase kCases[] = {
      {"lone_letter", kChoice, "B", R"("B")", 1},
      {"lone_letter_with_period", kChoice, " B. ", R"("B")", 1},
      {"parenthesised", kChoice, "(B)", R"("B")", 1},
      {"answer_colon", kChoice, "Answer: B", R"("B")", 1},
      {"answer_is_paren", kChoice, "so the answer is (B) because it is prime", R"("B")", 1},
      {"answer_is_bold", kChoice, "The correct answer is: **C**", R"("C")", 1},
      {"option_word", kChoice, "The answer is option D.", R"("D")", 1},
      {"boxed", kChoice, "Thus $\\boxed{B}$.", R"("B")", 1},
      {"boxed_text", kChoice, "\\boxed{\\text{(B)}}", R"("B")", 1},
      {"answer_tag", kChoice, "<think>A looks wrong</think><answer>B</answer>", R"("B")", 1},
      {"answer_tag_with_text", kChoice, "<answer>B) 42</answer>", R"("B")", 1},
      {"gsm8k_marker", kChoice, "work\n#### C", R"("C")", 1},
      {"line_start_period", kChoice, "B. Paris is the capital", R"("B")", 1},
      {"line_start_paren", kChoice, "Thinking...\nC) 42", R"("C")", 1},
      {"parenthesised_on_last_line", kChoice, "So I pick (D) here", R"("D")", 1},
      {"lowercase_parenthesised", kChoice, "Answer: (b)", R"("B")", 1},
      {"lowercase_whole_signal", kChoice, "answer: b.", R"("B")", 1},
      {"lowercase_lone", kChoice, "b", R"("B")", 1},
      {"wrong_letter", kChoice, "Answer: C", R"("B")", 0, "wrong_answer"},
      {"same_letter_twice_is_fine", kChoice, "Answer: B\n\\boxed{B}", R"("B")", 1},
      {"thinking_is_not_a_signal", kChoice,
       "<think>So the answer is A? No, (C) fits better.</think>\nAnswer: C", R"("C")", 1},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchChoice, FalsePositivesAreNotAnswers) {
  const RewardCase kCases[] = {
      {"article_a_in_running_text", kChoice, "A train leaves at noon.", R"("A")", 0, "no_answer"},
      {"lowercase_article_after_phrase", kChoice, "The answer is a prime number.", R"("A")", 0,
       "no_answer"},
      {"word_starting_with_letter", kChoice, "Answer: Because it is", R"("B")", 0, "no_answer"},
      {"letter_outside_choices", kChoice, "Answer: Z", R"("B")", 0, "no_answer"},
      {"lowercase_list_item", kChoice, "a) first thing", R"("A")", 0, "no_answer"},
      {"answer_not_phrase", kChoice, "The answer is not obvious.", R"("B")", 0, "no_answer"},
      {"empty", kChoice, "", R"("B")", 0, "no_answer"},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchChoice, StrictRefusesHedging) {
  const RewardCase kCases[] = {
      {"a_or_b", kChoice, "Answer: A or B", R"("A")", 0, "ambiguous_answer"},
      {"a_or_b_reference_b", kChoice, "The answer is A or B", R"("B")", 0, "ambiguous_answer"},
      {"comma_list", kChoice, "Answer: A, B, C, D", R"("C")", 0, "ambiguous_answer"},
      {"slash", kChoice, "\\boxed{A/B}", R"("A")", 0, "ambiguous_answer"},
      {"parenthesised_pair", kChoice, "Answer: (A) or (B)", R"("A")", 0, "ambiguous_answer"},
      {"conflicting_signals", kChoice, "The answer is A.\nFinal answer: \\boxed{B}", R"("B")", 0,
       "ambiguous_answer"},
      {"two_parenthesised_on_last_line", kChoice, "Either (A) or (C)", R"("A")", 0,
       "ambiguous_answer"},
      {"last_line_or", kChoice, "A or B", R"("A")", 0, "ambiguous_answer"},
      {"loose_takes_last_signal", kLoose, "The answer is A.\nFinal answer: \\boxed{B}", R"("B")",
       1},
      {"loose_takes_first_of_chain", kLoose, "Answer: A or B", R"("A")", 1},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchChoice, ReferencesAndOptions) {
  const RewardCase kCases[] = {
      {"reference_parenthesised", kChoice, "B", "\"(B)\"", 1},
      {"reference_lowercase", kChoice, "B", R"("b")", 1},
      {"reference_with_text", kChoice, "B", R"("B. Paris")", 1},
      {"reference_index", kChoice, "C", "2", 1},
      {"reference_index_out_of_range", kChoice, "C", "10", 0, "reference_unparseable", kUnscorable},
      {"reference_fractional_index", kChoice, "C", "1.5", 0, "reference_unparseable", kUnscorable},
      {"reference_list", kChoice, "C", R"(["A", "C"])", 1},
      {"reference_not_a_letter", kChoice, "C", R"("Paris")", 0, "reference_unparseable",
       kUnscorable},
      {"no_reference", kChoice, "C", "", 0, "no_reference", kUnscorable},
      {"custom_choices", "{type: match.choice, choices: ABCD}", "Answer: E", R"("A")", 0,
       "no_answer"},
      {"case_sensitive_rejects_lowercase", "{type: match.choice, case_sensitive: true}",
       "Answer: (b)", R"("B")", 0, "no_answer"},
      {"case_sensitive_lowercase_choices",
       "{type: match.choice, case_sensitive: true, choices: abcd}", "Answer: b", R"("b")", 1},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchChoice, RejectsBadChoices) {
  EXPECT_NE(testutil::ConfigError("reward: {type: match.choice, choices: ''}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: match.choice, choices: AB1}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: match.choice, choices: ABa}"), "");
  EXPECT_EQ(testutil::ConfigError("reward: {type: match.choice, choices: ABa, "
                                  "case_sensitive: true}"),
            "");
}

TEST(MatchChoice, AdversarialInputs) {
  // Many answer phrases on one line: bounded work per phrase.
  std::string phrases;
  for (int i = 0; i < 100000; ++i)
    phrases += "answer: (";
  Result got = testutil::Score(std::string(kChoice), testing::SampleJson(phrases, R"("B")"));
  EXPECT_EQ(got.reason, "no_answer");
  // A huge completion whose final signal is clear.
  std::string huge(4 << 20, 'z');
  huge += "\nAnswer: B";
  got = testutil::Score(std::string(kChoice), testing::SampleJson(huge, R"("B")"));
  ASSERT_TRUE(got.reward.has_value());
  EXPECT_EQ(*got.reward, 1.0);
  // Invalid UTF-8 around the letter.
  const auto reward = testing::MakeReward(std::string(kChoice));
  const Score direct = testing::EvaluateDirect(*reward, "\xff\xfe\nAnswer: B\xff", Json::Str("B"));
  EXPECT_EQ(direct.value, 1.0);
}

}  // namespace
}  // namespace merit::match
