// format.regex: search, full match, flags, match counts, bounds and config errors.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit {
namespace {

using testing::HasSubstr;

using testutil::ScoreText;

struct Case {
  std::string_view reward;
  std::string completion;
  double want;
  std::string_view reason;
};

void ExpectScores(std::span<const Case> cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.reward) + " on " + testing::PrintToString(c.completion));
    const Result r = ScoreText(c.reward, c.completion);
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
    ASSERT_TRUE(r.reward.has_value());
    EXPECT_EQ(*r.reward, c.want);
    EXPECT_EQ(r.reason, c.reason);
  }
}

TEST(FormatRegex, MatchesAndCounts) {
  constexpr std::string_view kBoxed = R"({type: format.regex, pattern: '\\boxed\{[^}]+\}'})";
  constexpr std::string_view kOneBox =
      R"({type: format.regex, pattern: '\\boxed\{[^}]+\}', max_matches: 1})";
  const Case kCases[] = {
      {kBoxed, R"(so the answer is \boxed{42}.)", 1, ""},
      {kBoxed, "42", 0, "no_match"},
      {kBoxed, "", 0, "no_match"},
      {kOneBox, R"(\boxed{1} or \boxed{2})", 0, "too_many_matches"},
      {kOneBox, R"(\boxed{1})", 1, ""},
      {"{type: format.regex, pattern: 'x', min_matches: 3}", "x x", 0, "too_few_matches"},
      {"{type: format.regex, pattern: 'x', min_matches: 3}", "x x x x", 1, ""},
      // min 0, max 0: the pattern is forbidden.
      {"{type: format.regex, pattern: 'As an AI', min_matches: 0, max_matches: 0}",
       "As an AI, I cannot", 0, "too_many_matches"},
      {"{type: format.regex, pattern: 'As an AI', min_matches: 0, max_matches: 0}", "Sure.", 1, ""},
      // Empty matches: '' at 0, 'a' at 1, 'a' at 2, '' at 3 (Python's re.findall agrees).
      {"{type: format.regex, pattern: 'a|', min_matches: 4, max_matches: 4}", "baa", 1, ""},
      {"{type: format.regex, pattern: '^', min_matches: 2}", "abc", 0, "too_few_matches"},
      {"{type: format.regex, pattern: '^$'}", "", 1, ""},
  };
  ExpectScores(kCases);
}

TEST(FormatRegex, FullMatchAndFlags) {
  const Case kCases[] = {
      {"{type: format.regex, pattern: '\\d+', full_match: true}", "123", 1, ""},
      {"{type: format.regex, pattern: '\\d+', full_match: true}", "123a", 0, "no_match"},
      {"{type: format.regex, pattern: '\\d+'}", "123a", 1, ""},
      {"{type: format.regex, pattern: 'answer'}", "ANSWER", 0, "no_match"},
      {"{type: format.regex, pattern: 'answer', case_sensitive: false}", "ANSWER", 1, ""},
      {"{type: format.regex, pattern: '<think>.*</think>', full_match: true}",
       "<think>a\nb</think>", 0, "no_match"},
      {"{type: format.regex, pattern: '<think>.*</think>', full_match: true, dot_all: true}",
       "<think>a\nb</think>", 1, ""},
      // ToolRL's response shape (spec A §2.1); \n?$ stands in for Python's $.
      {"{type: format.regex, pattern: '^<think>.*?</think>\\n<response>.*?</response>\\n?$', "
       "dot_all: true}",
       "<think>x\ny</think>\n<response>hi</response>\n", 1, ""},
      {"{type: format.regex, pattern: '^<think>.*?</think>\\n<response>.*?</response>\\n?$', "
       "dot_all: true}",
       "<think>x</think><response>hi</response>", 0, "no_match"},
      // Invalid UTF-8: `.` matches whole characters only, so a stray byte breaks a full match
      // but not a search for the text around it.
      {"{type: format.regex, pattern: '.*', full_match: true, dot_all: true}",
       "a\xff"
       "b",
       0, "no_match"},
      {"{type: format.regex, pattern: 'b'}",
       "a\xff"
       "b",
       1, ""},
      {"{type: format.regex, pattern: '\\xff'}",
       "a\xc3\xbf"
       "b",
       1, ""},  // U+00FF, not the byte.
      // An empty match before an invalid byte steps over it.
      {"{type: format.regex, pattern: 'x*', min_matches: 4, max_matches: 4}", "\xff\xc3\xa9x", 1,
       ""},
  };
  ExpectScores(kCases);
}

TEST(FormatRegex, LargeCompletionsStayLinear) {
  std::string a_run(std::size_t{1} << 20, 'a');
  const Case kCases[] = {
      {"{type: format.regex, pattern: 'a+b'}", a_run + "b", 1, ""},
      // Backtracking engines take exponential time here; RE2 is linear.
      {"{type: format.regex, pattern: '(a|aa)*c'}", a_run, 0, "no_match"},
      {"{type: format.regex, pattern: '(a*)*b', full_match: true}", a_run, 0, "no_match"},
      // Counting stops once the verdict is known: at most max_matches + 1 searches.
      {"{type: format.regex, pattern: 'a|a.*z', max_matches: 100}", a_run, 0, "too_many_matches"},
      {"{type: format.regex, pattern: 'a', min_matches: 100}", a_run, 1, ""},
  };
  ExpectScores(kCases);
}

TEST(FormatRegex, ConfigErrors) {
  using testutil::ConfigError;
  EXPECT_THAT(ConfigError("reward: {type: format.regex, pattern: '(a'}"),
              HasSubstr("reward: pattern: missing )"));
  EXPECT_THAT(ConfigError("reward: {type: format.regex}"), HasSubstr("pattern: required"));
  EXPECT_THAT(ConfigError("reward: {type: format.regex, pattern: 'a', min_matches: 3, "
                          "max_matches: 2}"),
              HasSubstr("max_matches (2) is below min_matches (3)"));
  EXPECT_THAT(ConfigError("reward: {type: format.regex, pattern: 'a', max_matches: 1000}"),
              HasSubstr("reward.max_matches: expected"));
  // A program beyond RE2's memory budget is refused when the config loads.
  EXPECT_THAT(ConfigError("reward: {type: format.regex, pattern: '((a{100}){100}){100}'}"),
              HasSubstr("reward: pattern:"));
  EXPECT_THAT(ConfigError("reward: {type: format.regex, pattern: 'a', full_match: true, "
                          "min_matches: 2}"),
              HasSubstr("can never be reached with full_match"));
  EXPECT_THAT(ConfigError("reward: {type: format.regex, pattern: 'a', flags: i}"),
              HasSubstr("reward.flags: unknown option"));
}

}  // namespace
}  // namespace merit
