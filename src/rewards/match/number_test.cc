#include "rewards/match/number.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace merit::match {
namespace {

struct Want {
  double value;
  bool is_integer;
};

std::vector<ParsedNumber> All(std::string_view text, NumberOptions options = {}) {
  std::string scratch;
  NumberScanner scanner(text, options, scratch);
  std::vector<ParsedNumber> out;
  while (std::optional<ParsedNumber> n = scanner.Next())
    out.push_back(*n);
  return out;
}

TEST(NumberScanner, Table) {
  struct Case {
    std::string_view text;
    std::vector<Want> want;
  };

  const Case kCases[] = {
      {"42", {{42, true}}},
      {"-3.5 and +2", {{-3.5, false}, {2, true}}},
      {".5", {{0.5, false}}},
      {"007", {{7, true}}},
      {"1,234,567", {{1234567, true}}},
      {"10{,}000", {{10000, true}}},
      {"1\\,000", {{1000, true}}},
      {"1,2345", {{1, true}, {2345, true}}},  // Not a thousands group.
      {"1, 2, 3", {{1, true}, {2, true}, {3, true}}},
      {"1,234.5", {{1234.5, false}}},
      {"1.5e-3", {{0.0015, false}}},
      {"2E5", {{200000, false}}},
      {"3 \\times 10^{4}", {{30000, false}}},
      {"3\xC3\x97"
       "10^4",
       {{30000, false}}},
      {"3 \\cdot 10^{-2}", {{0.03, false}}},
      {"3 * 4", {{3, true}, {4, true}}},
      {"3/4", {{0.75, false}}},
      {"3/0", {{3, true}, {0, true}}},
      {"\\frac{3}{4}", {{0.75, false}}},
      {"-\\dfrac{1}{2}", {{-0.5, false}}},
      {"\\frac{-1}{4}", {{-0.25, false}}},
      {"\\tfrac12", {{0.5, false}}},
      {"\\frac{x}{2}", {{2, true}}},  // Not numeric: only the 2 is a number.
      {"\\frac{1}{0}", {{1, true}, {0, true}}},
      {"12.5%", {{12.5, false}}},
      {"50\\%", {{50, true}}},
      {"$1,000", {{1000, true}}},
      {"-$5", {{-5, true}}},
      {"$-5", {{-5, true}}},
      {"\\$5", {{5, true}}},
      {"\xE2\x82\xAC"
       "9.99",
       {{9.99, false}}},
      {"\xE2\x88\x92"
       "7",
       {{-7, true}}},
      {"3-5", {{3, true}, {5, true}}},  // A binary minus.
      {"x-1", {{1, true}}},
      {"is -5.", {{-5, true}}},
      {"5.", {{5, true}}},
      {"3em", {{3, true}}},
      {"v1.2.3", {{1.2, false}, {3, true}}},
      {"no numbers here", {}},
      {"", {}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const std::vector<ParsedNumber> got = All(c.text);
    ASSERT_EQ(got.size(), c.want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_DOUBLE_EQ(got[i].value, c.want[i].value) << i;
      EXPECT_EQ(got[i].is_integer, c.want[i].is_integer) << i;
    }
  }
}

TEST(NumberScanner, PercentAsFraction) {
  const std::vector<ParsedNumber> got = All("12.5% and 50 %", {.percent_as_fraction = true});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_DOUBLE_EQ(got[0].value, 0.125);
  EXPECT_DOUBLE_EQ(got[1].value, 0.5);
  EXPECT_FALSE(got[1].is_integer);
}

TEST(NumberScanner, SpansCoverSignAndCurrency) {
  const std::vector<ParsedNumber> got = All("pay -$1,000 now");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].begin, 4u);
  EXPECT_EQ(got[0].end, 11u);
  EXPECT_TRUE(got[0].negative);
  EXPECT_EQ(got[0].integer_digits, "1,000");
}

TEST(NumberScanner, HugeNumbersSaturate) {
  const std::string big(5000, '9');
  std::vector<ParsedNumber> got = All(big);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(got[0].is_integer);
  got = All("1e-999999999999999999999");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, 0.0);
  got = All("-1e999999");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, -std::numeric_limits<double>::infinity());
}

TEST(ParseSingleNumber, OnlyOneNumber) {
  std::string scratch;
  EXPECT_TRUE(ParseSingleNumber("5 apples", {}, scratch).has_value());
  EXPECT_TRUE(ParseSingleNumber(" $1,234.50 ", {}, scratch).has_value());
  EXPECT_FALSE(ParseSingleNumber("3 to 4", {}, scratch).has_value());
  EXPECT_FALSE(ParseSingleNumber("five", {}, scratch).has_value());
}

TEST(SameInteger, ComparesDigitsExactly) {
  std::string scratch;
  const auto n = [&](std::string_view text) {
    return *ParseSingleNumber(text, {}, scratch);
  };
  EXPECT_TRUE(SameInteger(n("12345678901234567891"), n("12,345,678,901,234,567,891")));
  EXPECT_FALSE(SameInteger(n("12345678901234567891"), n("12345678901234567890")));
  EXPECT_TRUE(SameInteger(n("007"), n("7")));
  EXPECT_TRUE(SameInteger(n("-0"), n("0")));
  EXPECT_FALSE(SameInteger(n("-5"), n("5")));
  EXPECT_FALSE(SameInteger(n("10"), n("100")));
  EXPECT_TRUE(SameInteger(n("10{,}000"), n("10000")));
}

}  // namespace
}  // namespace merit::match
