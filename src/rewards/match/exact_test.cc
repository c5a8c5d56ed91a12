#include <string>

#include <gtest/gtest.h>

#include "rewards/match/test_cases.h"

namespace merit::match {
namespace {

using testing::RewardCase;
constexpr auto kUnscorable = ScoreStatus::kUnscorable;

TEST(MatchExact, Table) {
  const RewardCase kCases[] = {
      {"equal", "{type: match.exact}", "Paris", R"("Paris")", 1},
      {"case_insensitive_by_default", "{type: match.exact}", "PARIS", R"("paris")", 1},
      {"case_sensitive", "{type: match.exact, case_sensitive: true}", "PARIS", R"("paris")", 0,
       "wrong_answer"},
      {"whitespace_collapsed", "{type: match.exact}", "  New \n York ", R"("new york")", 1},
      {"whitespace_kept", "{type: match.exact, collapse_whitespace: false}", "New  York",
       R"("New York")", 0, "wrong_answer"},
      {"nfkc_by_default", "{type: match.exact}", "\uff30\uff41\uff52\uff49\uff53", R"("Paris")", 1},
      {"nfkc_off", "{type: match.exact, nfkc: false}", "\uff30\uff41\uff52\uff49\uff53",
       R"("Paris")", 0, "wrong_answer"},
      {"unicode_case_folding", "{type: match.exact}", "STRASSE", R"("Stra\u00dfe")", 1},
      {"punctuation_kept_by_default", "{type: match.exact}", "Paris!", R"("Paris")", 0,
       "wrong_answer"},
      {"punctuation_removed", "{type: match.exact, remove_punctuation: true}", "\u00abParis!\u00bb",
       R"("Paris")", 1},
      {"ascii_punctuation_keeps_guillemets",
       "{type: match.exact, remove_punctuation: true, punctuation: ascii}", "\u00abParis!\u00bb",
       R"("Paris")", 0, "wrong_answer"},
      {"articles", "{type: match.exact, remove_articles: true}", "The Beatles", R"("beatles")", 1},
      {"sentence_period_dropped", "{type: match.exact}", "The answer is Paris.", R"("Paris")", 1},
      {"reference_period_too", "{type: match.exact}", "U.S.", R"("U.S.")", 1},
      {"wrong", "{type: match.exact}", "Lyon", R"("Paris")", 0, "wrong_answer"},
      {"substring_is_not_equal", "{type: match.exact}", "Paris, France", R"("Paris")", 0,
       "wrong_answer"},
      {"list_any", "{type: match.exact}", "NYC", R"(["New York", "NYC"])", 1},
      {"list_none", "{type: match.exact}", "LA", R"(["New York", "NYC"])", 0, "wrong_answer"},
      {"number_reference_uses_text", "{type: match.exact}", "42", "42", 1},
      {"number_reference_text_not_value", "{type: match.exact}", "42.0", "42", 0, "wrong_answer"},
      {"extract_tag", "{type: match.exact, extract: answer_tag}",
       "<think>maybe Lyon</think><answer> Paris </answer>", R"("Paris")", 1},
      {"extract_tag_missing", "{type: match.exact, extract: answer_tag}", "Paris", R"("Paris")", 0,
       "no_answer"},
      {"extract_boxed", "{type: match.exact, extract: boxed}", "so \\boxed{\\text{Paris}}",
       R"("\\text{Paris}")", 1},
      {"extract_final_answer", "{type: match.exact, extract: final_answer}",
       "Reasoning...\nFinal Answer: Paris", R"("Paris")", 1},
      {"extract_none_whole_text", "{type: match.exact, extract: none}", "<answer>Paris</answer>",
       R"("Paris")", 0, "wrong_answer"},
      {"auto_tag_first", "{type: match.exact}", "answer: Lyon <answer>Paris</answer>", R"("Paris")",
       1},
      {"empty_completion", "{type: match.exact}", "", R"("Paris")", 0, "no_answer"},
      {"normalises_to_nothing", "{type: match.exact, remove_punctuation: true}", "?!", R"("...")",
       0, "no_answer"},
      {"no_reference", "{type: match.exact}", "Paris", "", 0, "no_reference", kUnscorable},
      {"null_reference", "{type: match.exact}", "Paris", "null", 0, "no_reference", kUnscorable},
      {"empty_list_reference", "{type: match.exact}", "Paris", "[]", 0, "no_reference",
       kUnscorable},
      {"object_reference", "{type: match.exact}", "Paris", R"({"a": 1})", 0,
       "reference_unparseable", kUnscorable},
      {"bool_in_list", "{type: match.exact}", "Paris", R"(["Paris", true])", 0,
       "reference_unparseable", kUnscorable},
  };
  testing::ExpectCases(kCases);
}

TEST(MatchExact, HugeCompletion) {
  std::string completion(4 << 20, 'x');
  completion += "<answer>Paris</answer>";
  const std::string sample = testing::SampleJson(completion, R"("paris")");
  const Result got = testutil::Score("{type: match.exact}", sample);
  ASSERT_TRUE(got.reward.has_value());
  EXPECT_EQ(*got.reward, 1.0);
}

TEST(MatchExact, InvalidUtf8NeverCrashesAndNeverMatchesValidText) {
  const auto reward = testing::MakeReward("{type: match.exact}");
  const Score bad = testing::EvaluateDirect(*reward, "Par\xffis", Json::Str("Paris"));
  EXPECT_TRUE(bad.ok());
  EXPECT_EQ(bad.value, 0.0);
  EXPECT_EQ(bad.reason, "wrong_answer");
  // Bad bytes become U+FFFD, so the same bytes still compare equal to themselves.
  const Score same = testing::EvaluateDirect(*reward, "Par\xffis", Json::Str("Par\xffis"));
  EXPECT_EQ(same.value, 1.0);
}

TEST(MatchExact, RejectsBadOptions) {
  EXPECT_NE(testutil::ConfigError("reward: {type: match.exact, extract: last}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: match.exact, punctuation: latin1}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: match.exact, case_insensitive: true}"), "");
}

}  // namespace
}  // namespace merit::match
