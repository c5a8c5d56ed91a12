#include "text/normalize.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace merit::text {
namespace {

struct Case {
  std::string_view name;
  std::string_view input;
  NormalizeOptions options;
  std::string_view want;
};

// Expected values for the SQuAD rows were produced by Python 3.11 running the official
// normalize_answer logic (lower, string.punctuation, \b(a|an|the)\b, split/join); the NFKC rows by
// unicodedata.normalize('NFKC', s.casefold()).
TEST(Normalize, Table) {
  const NormalizeOptions kNone = {};
  const NormalizeOptions kFold = {.case_fold = true};
  const NormalizeOptions kNfkcFold = {.nfkc = true, .case_fold = true};
  const NormalizeOptions kCollapse = {.collapse_whitespace = true};
  const NormalizeOptions kUnicodePunct = {.remove_punctuation = true,
                                          .punctuation = PunctuationSet::kUnicode};
  const NormalizeOptions kAsciiPunct = {.remove_punctuation = true,
                                        .punctuation = PunctuationSet::kAscii};
  const NormalizeOptions kArticlesOnly = {.remove_articles = true};
  const Case kCases[] = {
      {"identity", "  Mixed CASE, text! ", kNone, "  Mixed CASE, text! "},
      {"squad_basic", "The  Eiffel-Tower!", kSquadNormalize, "eiffeltower"},
      {"squad_articles", "an apple, a pear and THE end", kSquadNormalize, "apple pear and end"},
      {"squad_article_inside_word", "theater anthem", kSquadNormalize, "theater anthem"},
      {"squad_underscore_is_punct", "a_b the_end", kSquadNormalize, "ab theend"},
      {"squad_unicode_spaces", "x\u00a0the\u3000y", kSquadNormalize, "x y"},
      {"squad_only_article", "(the)", kSquadNormalize, ""},
      {"squad_apostrophe", "don't stop", kSquadNormalize, "dont stop"},
      {"squad_fullwidth_not_article", "\uff21 \uff46\uff55\uff4c\uff4c", kSquadNormalize,
       "\uff41 \uff46\uff55\uff4c\uff4c"},
      // A combining mark is not a word character for Python's \b, so "the" + U+0301 loses "the".
      {"squad_combining_mark_boundary", "\u00e9the the\u0301", kSquadNormalize, "\u00e9the \u0301"},
      {"squad_keeps_unicode_punct", "\u201cquoted\u201d \u2014 dash", kSquadNormalize,
       "\u201cquoted\u201d \u2014 dash"},
      {"fold_ascii", "HeLLo", kFold, "hello"},
      {"fold_sharp_s", "Stra\u00dfe \u03a3\u0391\u03a3", kFold, "strasse \u03c3\u03b1\u03c3"},
      {"nfkc_fold", "\uff46\uff55\uff4c\uff4c \ufb01 \u00b2 \u216b", kNfkcFold, "full fi 2 xii"},
      {"nfkc_composes", "e\u0301", {.nfkc = true}, "\u00e9"},
      {"nfkc_reorders_marks", "a\u0301\u0316", {.nfkc = true}, "\u00e1\u0316"},
      {"collapse", " \t a \n\n b  ", kCollapse, "a b"},
      {"collapse_empty", " \t\n ", kCollapse, ""},
      {"collapse_python_separators",
       "a\x1c"
       "b\u2028c",
       kCollapse, "a b c"},
      {"collapse_keeps_zero_width_space", "a\u200bb", kCollapse, "a\u200bb"},
      {"unicode_punct", "\u00bfQu\u00e9? \u300cx\u300d $5+1", kUnicodePunct, "Qu\u00e9 x 51"},
      {"ascii_punct_keeps_unicode", "\u00bfQu\u00e9? \u300cx\u300d", kAsciiPunct,
       "\u00bfQu\u00e9 \u300cx\u300d"},
      {"articles_any_case", "The cat AN owl", kArticlesOnly, "  cat   owl"},
      {"invalid_utf8_replaced",
       "a\xff"
       "b\xc3",
       kNone,
       "a\ufffd"
       "b\ufffd"},
      {"invalid_utf8_folded", "A\xed\xa0\x80Z", kNfkcFold, "a\ufffd\ufffd\ufffdz"},
      {"empty", "", kSquadNormalize, ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Normalize(c.input, c.options), c.want);
  }
}

TEST(Normalize, IntoReusesBufferAndReplacesContents) {
  std::string out = "stale contents that are longer";
  NormalizeInto("A  B", {.case_fold = true, .collapse_whitespace = true}, out);
  EXPECT_EQ(out, "a b");
  NormalizeInto("", {}, out);
  EXPECT_EQ(out, "");
}

TEST(Normalize, OutputIsValidUtf8ForArbitraryBytes) {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  for (const NormalizeOptions& options :
       {NormalizeOptions{}, kSquadNormalize, NormalizeOptions{.nfkc = true, .case_fold = true}}) {
    const std::string out = Normalize(bytes, options);
    // Re-normalising valid UTF-8 with no options is the identity; invalid input would change.
    EXPECT_EQ(Normalize(out, {}), out);
  }
}

TEST(Normalize, LongRunOfCombiningMarksIsFast) {
  // Alternating classes 230 and 220: utf8proc's swap loop is quadratic on this.
  std::string text = "a";
  for (int i = 0; i < 100000; ++i)
    text += "\u0301\u0316";
  const std::string out = Normalize(text, {.nfkc = true});
  // All class-220 marks move before the class-230 ones; then the first U+0301 composes with the
  // "a" (the marks between have a lower class, so they do not block it): "a" + U+0301 (3 bytes)
  // becomes U+00E1 (2 bytes).
  EXPECT_EQ(out.size(), text.size() - 1);
  EXPECT_EQ(out.substr(0, 4), "\u00e1\u0316");
  EXPECT_EQ(out.substr(out.size() - 2), "\u0301");
}

TEST(Normalize, HugeAsciiInputIsLinear) {
  std::string text;
  for (int i = 0; i < 50000; ++i)
    text += "The   Answer, ";
  const std::string out = Normalize(text, kSquadNormalize);
  EXPECT_EQ(out.size(), 50000u * 7 - 1);  // "answer " repeated, minus the last space.
}

std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  WhitespaceTokenizer tokens(text);
  while (std::optional<std::string_view> token = tokens.Next())
    out.emplace_back(*token);
  return out;
}

TEST(WhitespaceTokenizer, SplitsLikePythonSplit) {
  EXPECT_EQ(Tokens(""), std::vector<std::string>{});
  EXPECT_EQ(Tokens("  \t\n"), std::vector<std::string>{});
  EXPECT_EQ(Tokens(" a  bc\td\u3000e\u00a0f "),
            (std::vector<std::string>{"a", "bc", "d", "e", "f"}));
  EXPECT_EQ(Tokens("x\xff y"), (std::vector<std::string>{"x\xff", "y"}));
  EXPECT_EQ(CountWhitespaceTokens(" one two  three "), 3u);
}

TEST(IsPythonWhitespace, MatchesStrIsspace) {
  // Every code point below U+3001 for which Python's str.isspace() is true.
  const std::vector<char32_t> spaces = {
      0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x1C,   0x1D,   0x1E,   0x1F,   0x20,
      0x85,   0xA0,   0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
      0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
  std::size_t found = 0;
  for (char32_t c = 0; c <= 0x3000; ++c) {
    if (IsPythonWhitespace(c))
      ++found;
  }
  EXPECT_EQ(found, spaces.size());
  for (char32_t c : spaces)
    EXPECT_TRUE(IsPythonWhitespace(c)) << static_cast<int>(c);
  EXPECT_FALSE(IsPythonWhitespace(0x200B));
}

}  // namespace
}  // namespace merit::text
