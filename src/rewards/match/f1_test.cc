#include <string>

#include <gtest/gtest.h>

#include "rewards/match/match.h"
#include "rewards/match/test_cases.h"

namespace merit::match {
namespace {

using testing::RewardCase;
constexpr auto kUnscorable = ScoreStatus::kUnscorable;

// Expected F1 values: tools/reference/squad_f1.py (the official v1.1 logic, Python 3.11.7).
TEST(MatchF1, Table) {
  const RewardCase kCases[] = {
      {"identical", "{type: match.f1}", "Denver Broncos", R"("Denver Broncos")", 1.0},
      {"partial", "{type: match.f1}", "the Denver Broncos team", R"("Denver Broncos")", 0.8},
      {"normalised", "{type: match.f1}", "DENVER, broncos!", R"("the Denver Broncos")", 1.0},
      {"multiset", "{type: match.f1}", "the the cat cat cat", R"("cat sat on the mat cat")", 0.5},
      {"disjoint", "{type: match.f1}", "Carolina Panthers", R"("Denver Broncos")", 0.0},
      {"max_over_list", "{type: match.f1}", "Santa Clara, California",
       R"(["Levi's Stadium", "Santa Clara"])", 0.8},
      {"number_reference", "{type: match.f1}", "1,000 people", "1000", 2.0 / 3.0},
      {"only_articles", "{type: match.f1}", "the", R"("an")", 0.0},
      {"unicode_punct_kept_by_default", "{type: match.f1}", "\u201cParis\u201d", R"("Paris")", 0.0},
      {"unicode_punct_option", "{type: match.f1, punctuation: unicode}", "\u201cParis\u201d",
       R"("Paris")", 1.0},
      {"nfkc_option", "{type: match.f1, nfkc: true}", "\uff30\uff41\uff52\uff49\uff53",
       R"("paris")", 1.0},
      {"extract_tag", "{type: match.f1}", "<answer>Denver Broncos</answer> Panthers",
       R"("Denver Broncos")", 1.0},
      {"extract_none", "{type: match.f1, extract: none}", "<answer>Denver</answer>", R"("Denver")",
       0.0},
      {"extract_boxed_missing", "{type: match.f1, extract: boxed}", "Denver", R"("Denver")", 0,
       "no_answer"},
      {"empty_completion", "{type: match.f1}", "", R"("Denver")", 0, "no_answer"},
      {"no_reference", "{type: match.f1}", "Denver", "", 0, "no_reference", kUnscorable},
      {"bool_reference", "{type: match.f1}", "Denver", "false", 0, "reference_unparseable",
       kUnscorable},
  };
  testing::ExpectCases(kCases);
}

TEST(TokenF1, MatchesTheOfficialArithmetic) {
  EXPECT_EQ(TokenF1("", ""), 0.0);  // v1.1: no common token is 0, even for two empty answers.
  EXPECT_EQ(TokenF1("a b", ""), 0.0);
  EXPECT_EQ(TokenF1("a b c", "c b a"), 1.0);
  EXPECT_DOUBLE_EQ(TokenF1("a a b", "a b b"), 2.0 / 3.0);
  // More than 32 distinct reference tokens switches to the hash map; same result.
  std::string reference;
  for (int i = 0; i < 40; ++i)
    reference += "t" + std::to_string(i) + " ";
  reference += "alpha beta";
  EXPECT_DOUBLE_EQ(TokenF1("alpha beta", reference), 0.0909090909090909);
  EXPECT_DOUBLE_EQ(TokenF1("alpha alpha t3", reference),
                   2 * (2.0 / 3) * (2.0 / 42) / (2.0 / 3 + 2.0 / 42));
}

TEST(MatchF1, HugeCompletionIsLinear) {
  std::string completion;
  for (int i = 0; i < 200000; ++i)
    completion += "word ";
  completion += "Denver";
  const Result got = testutil::Score("{type: match.f1, extract: none}",
                                     testing::SampleJson(completion, R"("Denver")"));
  ASSERT_TRUE(got.reward.has_value());
  EXPECT_DOUBLE_EQ(*got.reward, 2 * (1.0 / 200001) / (1.0 / 200001 + 1));
}

TEST(MatchF1, InvalidUtf8IsReplacedNotFatal) {
  const auto reward = testing::MakeReward("{type: match.f1}");
  const Score got =
      testing::EvaluateDirect(*reward, "Denver \xff\xfe Broncos", Json::Str("Denver Broncos"));
  EXPECT_TRUE(got.ok());
  EXPECT_DOUBLE_EQ(got.value, 0.8);  // "denver", "\ufffd\ufffd", "broncos" vs two tokens.
}

}  // namespace
}  // namespace merit::match
