#include "rewards/judge/parse.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace merit::judge {
namespace {

TEST(ParseVerdict, OnlyTheExactLastLine) {
  struct Case {
    std::string_view reply;
    std::optional<bool> want;
  };
  const Case cases[] = {
      {"VERDICT: YES", true},
      {"VERDICT: NO", false},
      {"The answers match.\nVERDICT: YES\n\n", true},
      {"  VERDICT:\tNO  \r\n", false},
      {"VERDICT:  YES", true},
      {"VERDICT: YES.", std::nullopt},
      {"verdict: yes", std::nullopt},
      {"VERDICT:YES", std::nullopt},
      {"**VERDICT: YES**", std::nullopt},
      {"VERDICT: YES or NO", std::nullopt},
      {"VERDICT: YES\nI am not sure.", std::nullopt},
      {"VERDICT: MAYBE", std::nullopt},
      {"", std::nullopt},
      {"\n\n", std::nullopt},
      {"VERDICT: ", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseVerdict(c.reply), c.want) << c.reply;
  }
}

TEST(ParseScore, NumberWithinTheScale) {
  struct Case {
    std::string_view reply;
    std::optional<double> want;
  };
  const Case cases[] = {
      {"SCORE: 7", 7},
      {"Good.\nSCORE: 7.5", 7.5},
      {"SCORE: 0", 0},
      {"SCORE: 10", 10},
      {"SCORE: +3", 3},
      {"SCORE: 10.0001", std::nullopt},
      {"SCORE: -1", std::nullopt},
      {"SCORE: 7/10", std::nullopt},
      {"SCORE: 1e1", std::nullopt},
      {"SCORE: 7.", std::nullopt},
      {"SCORE: .5", std::nullopt},
      {"SCORE: nan", std::nullopt},
      {"SCORE: 7 points", std::nullopt},
      {"Score: 7", std::nullopt},
      {"SCORE: 7\nthanks", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseScore(c.reply, 0, 10), c.want) << c.reply;
  }
  EXPECT_EQ(ParseScore("SCORE: -4", -10, 10), -4);
}

TEST(ParseWinner, ABTie) {
  EXPECT_EQ(ParseWinner("x\nWINNER: A"), Winner::kA);
  EXPECT_EQ(ParseWinner("WINNER: B\n"), Winner::kB);
  EXPECT_EQ(ParseWinner("WINNER: TIE"), Winner::kTie);
  for (const std::string_view bad :
       {"WINNER: a", "WINNER: A or B", "WINNER: Response A", "WINNER: C", "A", ""}) {
    EXPECT_EQ(ParseWinner(bad), std::nullopt) << bad;
  }
}

TEST(ParseDimensions, EveryDimensionOnceInTheLastLines) {
  const std::vector<std::string> names = {"helpfulness", "text faithfulness"};
  EXPECT_EQ(
      ParseDimensions("Critique...\nhelpfulness: 7\ntext faithfulness: 3.5\n", names, 0, 10),
      (std::vector<double>{7, 3.5}));
  EXPECT_EQ(ParseDimensions("text faithfulness: 1\nhelpfulness: 2", names, 0, 10),
            (std::vector<double>{2, 1}));
  for (const std::string_view bad : {
           "helpfulness: 7",                                     // One missing.
           "helpfulness: 7\nhelpfulness: 8",                     // Twice.
           "helpfulness: 7\ntext faithfulness: 11",              // Out of scale.
           "helpfulness: 7\ntext faithfulness: N/A",             // Not a number.
           "helpfulness: 7\ntext faithfulness: 3\nOverall fine.",  // Text after the block.
           "Helpfulness: 7\ntext faithfulness: 3",               // Name as given only.
           "",
       }) {
    EXPECT_EQ(ParseDimensions(bad, names, 0, 10), std::nullopt) << bad;
  }
}

TEST(ReplyTail, CutsAtACharacterBoundary) {
  EXPECT_EQ(ReplyTail("short"), "short");
  std::string long_reply(200, 'a');
  long_reply += "é";
  long_reply = std::string(159, 'b') + "é" + std::string(159, 'c');
  const std::string_view tail = ReplyTail(long_reply);
  EXPECT_LE(tail.size(), 160u);
  EXPECT_NE(static_cast<unsigned char>(tail.front()) & 0xC0, 0x80);
}

}  // namespace
}  // namespace merit::judge
