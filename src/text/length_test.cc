#include "text/length.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace merit::text {
namespace {

// Expected counts were checked against Python 3.11:
//   len(bytes.decode("utf-8", "surrogateescape")) for chars (one code point per invalid byte),
//   len(str.split()) for words.
TEST(Length, CountsCodePoints) {
  struct Case {
    std::string_view text;
    std::size_t want;
  };

  const Case kCases[] = {
      {"", 0},
      {"abc", 3},
      {"h\xc3\xa9llo", 5},
      {"\xe2\x82\xac", 1},      // U+20AC, 3 bytes.
      {"\xf0\x9f\x98\x80", 1},  // U+1F600, 4 bytes.
      {"\xff", 1},              // Never valid in UTF-8.
      {"\xe2\x82"
       "a",
       3},                      // Truncated sequence: each byte counts.
      {"\xc0\xaf", 2},          // Overlong '/'.
      {"\xe0\x80\x80", 3},      // Overlong NUL.
      {"\xed\xa0\x80", 3},      // Surrogate U+D800.
      {"\xf4\x90\x80\x80", 4},  // Above U+10FFFF.
      {"\xf0\x9f\x98", 3},      // Truncated at the end of the text.
      {"a\x80"
       "b",
       3},  // Lone continuation byte.
      {std::string_view("a\0b", 3), 3},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.text)));
    EXPECT_EQ(CountCodePoints(c.text), c.want);
    std::size_t iterated = 0;
    std::size_t bytes = 0;
    CodePoints points(c.text);
    while (std::optional<std::string_view> p = points.Next()) {
      ++iterated;
      bytes += p->size();
      EXPECT_EQ(p->size(), CodePointLength(*p));
    }
    EXPECT_EQ(iterated, c.want);
    EXPECT_EQ(bytes, c.text.size());
  }
}

TEST(Length, CountsWordsLikePythonSplit) {
  struct Case {
    std::string_view text;
    std::vector<std::string_view> want;
  };

  const Case kCases[] = {
      {"", {}},
      {"   \n\t ", {}},
      {"a b", {"a", "b"}},
      {"  a\tb\n", {"a", "b"}},
      {"a\xc2\xa0"
       "b",
       {"a", "b"}},  // U+00A0 no-break space.
      {"a\xe3\x80\x80"
       "b\xe2\x80\xa8"
       "c",
       {"a", "b", "c"}},  // U+3000, U+2028.
      {"a\x1c"
       "b",
       {"a", "b"}},  // File separator: Python splits.
      {"a\xc2\x85"
       "b",
       {"a", "b"}},                                 // U+0085 next line.
      {"\xe2\x80\x8bx y", {"\xe2\x80\x8bx", "y"}},  // U+200B is not whitespace.
      {"a\xff b", {"a\xff", "b"}},                  // Invalid bytes stay in words.
      {"\xc2 x", {"\xc2", "x"}},                    // Truncated sequence, then space.
      {"one  two\r\nthree", {"one", "two", "three"}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.text)));
    EXPECT_EQ(CountWords(c.text), c.want.size());
    std::vector<std::string_view> got;
    Words words(c.text);
    while (std::optional<std::string_view> w = words.Next())
      got.push_back(*w);
    EXPECT_EQ(got, c.want);
    EXPECT_EQ(IsBlank(c.text), c.want.empty());
  }
}

TEST(Length, CompletionLengthByUnit) {
  Sample sample;
  sample.completion_text = "Hello, w\xc3\xb6rld!  Bye";
  EXPECT_EQ(CompletionLength(sample, LengthUnit::kChars), 18);
  EXPECT_EQ(CompletionLength(sample, LengthUnit::kWords), 3);
  EXPECT_EQ(CompletionLength(sample, LengthUnit::kTokens), std::nullopt);
  sample.num_tokens = 7;
  EXPECT_EQ(CompletionLength(sample, LengthUnit::kTokens), 7);
}

TEST(Length, ParsesEveryUnitName) {
  EXPECT_EQ(ParseLengthUnit(kLengthUnits[0]), LengthUnit::kChars);
  EXPECT_EQ(ParseLengthUnit(kLengthUnits[1]), LengthUnit::kWords);
  EXPECT_EQ(ParseLengthUnit(kLengthUnits[2]), LengthUnit::kTokens);
  EXPECT_EQ(ParseLengthUnit(kTextLengthUnits[0]), LengthUnit::kChars);
  EXPECT_EQ(ParseLengthUnit(kTextLengthUnits[1]), LengthUnit::kWords);
}

TEST(Length, LargeInputsAreLinear) {
  // 4 MiB of mixed ASCII, multi-byte text and invalid bytes: a quadratic scan would not finish.
  std::string text;
  const std::string_view chunk = "ab \xc3\xa9\xff\xe3\x80\x80";  // 'a' 'b' ' ' é \xff U+3000
  while (text.size() < (4u << 20))
    text.append(chunk);
  const std::size_t chunks = text.size() / chunk.size();
  EXPECT_EQ(CountCodePoints(text), chunks * 6);
  // Each chunk holds the words "ab" and "é\xff" separated by spaces.
  EXPECT_EQ(CountWords(text), chunks * 2);
  EXPECT_FALSE(IsBlank(text));
}

}  // namespace
}  // namespace merit::text
