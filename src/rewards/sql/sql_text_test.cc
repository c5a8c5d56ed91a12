#include "rewards/sql/sql_text.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace merit::sql {
namespace {

TEST(ExtractSql, EachMode) {
  struct Case {
    std::string_view completion;
    Extract mode;
    std::string_view want;
  };
  const Case cases[] = {
      {"```sql\nSELECT 1\n```", Extract::kAuto, "SELECT 1"},
      {"```SQL SELECT 1```", Extract::kAuto, "SELECT 1"},
      {"```sqlite\nSELECT 1\n```", Extract::kAuto, "SELECT 1"},
      {"```sql\nSELECT 1\n``` then ```sql\nSELECT 2\n```", Extract::kAuto, "SELECT 2"},
      // An unclosed last block does not count: the last complete one does (re.findall).
      {"```sql\nSELECT 1\n``` then ```sql\nSELECT 2", Extract::kAuto, "SELECT 1"},
      {"```python\nx = 1\n```", Extract::kAuto, "```python\nx = 1\n```"},
      {"<answer>\nSELECT 3\n</answer>", Extract::kAuto, "SELECT 3"},
      {"<answer>\n```sql\nSELECT 4\n```\n</answer>", Extract::kAuto, "SELECT 4"},
      {"<answer>SELECT 3</answer>", Extract::kFenced, "<answer>SELECT 3</answer>"},
      {"<answer>SELECT 3</answer>", Extract::kAnswerTag, "SELECT 3"},
      {"```sql\nSELECT 1\n```", Extract::kAnswerTag, "```sql\nSELECT 1\n```"},
      {"  SELECT 5  \n", Extract::kNone, "SELECT 5"},
      {"", Extract::kAuto, ""},
      {"</answer><answer>", Extract::kAuto, "</answer><answer>"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.completion);
    EXPECT_EQ(ExtractSql(c.completion, c.mode), c.want);
  }
}

std::vector<std::string> Kinds(std::string_view sql) {
  std::vector<Token> tokens;
  Lex(sql, tokens);
  std::vector<std::string> out;
  for (const Token& t : tokens) {
    out.push_back(std::to_string(static_cast<int>(t.kind)) + ":" +
                  std::string(sql.substr(t.start, t.end - t.start)));
  }
  return out;
}

TEST(Lex, StringsQuotesAndComments) {
  EXPECT_EQ(Kinds("SELECT 'it''s' -- c\n,\"a\"\"b\" /* x */ [c d] `e`;"),
            (std::vector<std::string>{"0:SELECT", "1:'it''s'", "8:-- c", "6:,", "2:\"a\"\"b\"",
                                      "8:/* x */", "2:[c d]", "2:`e`", "7:;"}));
  // Unterminated strings and comments run to the end.
  EXPECT_EQ(Kinds("a 'b"), (std::vector<std::string>{"0:a", "1:'b"}));
  EXPECT_EQ(Kinds("a /* b"), (std::vector<std::string>{"0:a", "8:/* b"}));
  EXPECT_EQ(Kinds("(x)"), (std::vector<std::string>{"4:(", "0:x", "5:)"}));
}

TEST(Lex, StatementShape) {
  const auto starts = [](std::string_view sql) {
    std::vector<Token> tokens;
    Lex(sql, tokens);
    return StartsWithSelect(tokens, sql);
  };
  EXPECT_TRUE(starts("select 1"));
  EXPECT_TRUE(starts("/* c */ WITH x AS (SELECT 1) SELECT * FROM x"));
  EXPECT_FALSE(starts("DELETE FROM t"));
  EXPECT_FALSE(starts("'SELECT'"));
  EXPECT_FALSE(starts(""));
  EXPECT_FALSE(HasMoreStatements("SELECT 1; -- done\n;", 8));
  EXPECT_TRUE(HasMoreStatements("SELECT 1; DROP TABLE t", 8));
  EXPECT_FALSE(HasMoreStatements("x", 100));
}

TEST(HasTopLevelOrderBy, OnlyOutsideParentheses) {
  const auto has = [](std::string_view sql) {
    std::vector<Token> tokens;
    Lex(sql, tokens);
    return HasTopLevelOrderBy(tokens, sql);
  };
  EXPECT_TRUE(has("SELECT a FROM t ORDER BY a"));
  EXPECT_TRUE(has("SELECT a FROM t UNION SELECT b FROM u order  /* x */ by 1"));
  EXPECT_FALSE(has("SELECT a FROM (SELECT a FROM t ORDER BY a)"));
  EXPECT_FALSE(has("SELECT rank() OVER (ORDER BY a) FROM t"));
  EXPECT_FALSE(has("SELECT 'ORDER BY' FROM t"));
  EXPECT_FALSE(has("SELECT \"order\" by_x FROM t"));
  EXPECT_FALSE(has("SELECT a FROM t ORDER"));
}

std::vector<std::string_view> Words(std::string_view sql, std::string& lowered) {
  std::vector<Token> tokens;
  std::vector<std::string_view> words;
  Lex(sql, tokens);
  NgramTokens(tokens, sql, lowered, words);
  return words;
}

TEST(NgramTokens, RemovesAliasesAndAs) {
  std::string l;
  // Spec A §3 worked example 2.
  EXPECT_EQ(Words("SELECT T1.name FROM singer AS T1 JOIN concert AS T2 ON T1.id = T2.singer_id",
                  l),
            (std::vector<std::string_view>{"select", "name", "from", "singer", "join", "concert",
                                           "on", "id", "singer_id"}));
  // Aliases without AS, a subquery alias, a column alias, and CAST's type kept.
  EXPECT_EQ(Words("SELECT s.a, CAST(b AS INT) total FROM s x, (SELECT 1) sub WHERE x.a > 1", l),
            (std::vector<std::string_view>{"select", "s", "a", "cast", "b", "int", "total", "from",
                                           "s", "select", "1", "where", "a", "1"}));
  EXPECT_EQ(Words("SELECT count(*) AS \"n\" FROM t -- note", l),
            (std::vector<std::string_view>{"select", "count", "from", "t"}));
  EXPECT_EQ(Words("SELECT name FROM city WHERE state = 'new york'", l),
            (std::vector<std::string_view>{"select", "name", "from", "city", "where", "state",
                                           "new", "york"}));
}

TEST(BigramJaccard, SpecWorkedExamples) {
  std::string la;
  std::string lb;
  // Example 1: 5 shared bigrams of 7.
  EXPECT_NEAR(BigramJaccard(Words("SELECT name FROM singer WHERE age > 30", la),
                            Words("SELECT name FROM singer WHERE age > 20", lb)),
              5.0 / 7.0, 1e-12);
  // Example 2: 3 of 8.
  EXPECT_NEAR(
      BigramJaccard(
          Words("SELECT T1.name FROM singer AS T1 JOIN concert AS T2 ON T1.id = T2.singer_id", la),
          Words("SELECT name FROM singer", lb)),
      3.0 / 8.0, 1e-12);
  EXPECT_EQ(BigramJaccard(Words("", la), Words("x", lb)), 0.0);
  // Repeated bigrams count once (sets).
  EXPECT_EQ(BigramJaccard(Words("a b a b", la), Words("a b", lb)), 0.5);
}

TEST(FormatScore, SpecWorkedExamples) {
  const std::string good = "<reasoning>\nx\n</reasoning>\n<answer>\nSELECT 1\n</answer>\n";
  EXPECT_NEAR(FormatScore(good), 0.5, 1e-12);
  EXPECT_NEAR(FormatScore(good + "extra"), 0.49, 1e-12);
  EXPECT_NEAR(FormatScore(good.substr(0, good.size() - 1)), 0.447, 1e-12);
  EXPECT_NEAR(FormatScore(""), 0.0, 1e-12);
  // Text after the last </answer> counts in code points, as Python's len().
  EXPECT_NEAR(FormatScore(good + "é"), 0.5 - 0.002, 1e-12);
  // Two answers: the answer terms are lost.
  EXPECT_NEAR(FormatScore(good + "\n<answer>\nx\n</answer>\n"), 0.25, 1e-12);
}

}  // namespace
}  // namespace merit::sql
