// sacrebleu's tokenizers, case by case: the expected strings are what sacrebleu 2.6.0 gives for
// BLEU(tokenize=..., lowercase=...)._preprocess_segment(text) followed by split() (Python 3.11,
// regex 2026.11.19).
#include "rewards/text/sacrebleu_tokenize.h"

#include <gtest/gtest.h>

#include "rewards/text/python_text.h"

namespace merit::sacrebleu {
namespace {

struct TokenizeCase {
  TokenizerKind kind;
  bool lowercase;
  std::string_view text;
  std::string_view want;
};

TEST(SacrebleuTokenize, MatchesSacrebleu) {
  const TokenizeCase kCases[] = {
      {TokenizerKind::k13a, false, "Hello, world!", "Hello , world !"},
      {TokenizerKind::k13a, false, "It's 1,000.50 dollars.", "It's 1,000.50 dollars ."},
      {TokenizerKind::k13a, false, "a.,b", "a . , b"},
      {TokenizerKind::k13a, false, "5-6 items, 3.-4.", "5 - 6 items , 3 . -4 ."},
      {TokenizerKind::k13a, false, "&quot;quoted&quot; &amp;amp; &lt;b&gt;", "\" quoted \" & amp ; < b >"},
      {TokenizerKind::k13a, false, "line-\nbreak <skipped> here <skip-\nped>", "linebreak here < skipped >"},
      {TokenizerKind::k13a, false, "in 2017.", "in 2017 ."},
      {TokenizerKind::k13a, false, "U.S.A. (hi) e-mail don't", "U . S . A . ( hi ) e-mail don't"},
      {TokenizerKind::k13a, false, "x\u00a0y\u3000z\u2028w", "x y z w"},
      {TokenizerKind::k13a, false, "価格は1,000円です。", "価格は1,000円です。"},
      {TokenizerKind::k13a, false, "emoji 😀!! é. ,é", "emoji 😀 ! ! é . , é"},
      {TokenizerKind::kIntl, false, "Hello, world!", "Hello , world !"},
      {TokenizerKind::kIntl, false, "1,000.50 $5 «quoted» a—b", "1,000.50 $ 5 « quoted » a — b"},
      {TokenizerKind::kIntl, false, "in 2017. C++ is 1st.", "in 2017 . C + + is 1st ."},
      {TokenizerKind::kIntl, false, "€5 ≥ 3° ½", "€ 5 ≥ 3 ° ½"},
      {TokenizerKind::kZh, false, "我爱北京天安门。", "我 爱 北 京 天 安 门 。"},
      {TokenizerKind::kZh, false, "price: 1,000元 in 2017.", "price : 1,000 元 in 2017."},
      {TokenizerKind::kZh, false, "a—b “q” €5 → x", "a — b “ q ” € 5 → x"},
      {TokenizerKind::kChar, false, "ab c 日本 語", "a b c 日 本 語"},
      {TokenizerKind::kNone, false, "a  b\tc. d,", "a b c. d,"},
      {TokenizerKind::k13a, true, "İSTANBUL ΣΟΦΟΣ Σ ΑΣ'Σ", "i̇stanbul σοφος σ ασ'ς"},
      {TokenizerKind::kNone, true, "ΣΑ Σ ΌΣΟΣ. AΣ\u0301 Σ\u0301A", "σα σ όσος. aς\u0301 σ\u0301a"},
  };
  for (const TokenizeCase& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(TokenizeToString(c.text, {.kind = c.kind, .lowercase = c.lowercase}), c.want);
  }
}

TEST(SacrebleuTokenize, InvalidUtf8BytesAreKeptAsTheyAre) {
  // Each stray byte is one code point (Python's surrogateescape), never whitespace.
  EXPECT_EQ(TokenizeToString("a\xff\xfe b.", {}), "a\xff\xfe b .");
  EXPECT_EQ(TokenizeToString("\xe2\x82 x", {.kind = TokenizerKind::kChar}), "\xe2 \x82 x");
  EXPECT_EQ(TokenizeToString("\xc2\xa0", {}), "");  // A real NBSP is whitespace.
  EXPECT_EQ(TokenizeToString("\xa0", {.kind = TokenizerKind::kIntl}), "\xa0");
}

TEST(PythonText, LowerStripAndClasses) {
  std::string out;
  PythonLower("\xce\xa3", out);  // A lone capital sigma has no cased letter before it.
  EXPECT_EQ(out, "\xcf\x83");
  PythonLower("A\xce\xa3", out);
  EXPECT_EQ(out, "a\xcf\x82");
  EXPECT_EQ(RStrip(" a \u3000\n"), " a");
  EXPECT_EQ(Strip("\u2028a b\u00a0"), "a b");
  EXPECT_TRUE(IsPunctuation(U'\u00ab'));
  EXPECT_TRUE(IsSymbol(U'\u20ac'));
  EXPECT_TRUE(IsNumber(U'\u00bd'));
  EXPECT_TRUE(IsZhChinese(U'\u2014'));  // sacrebleu's table quirk (see python_text.h).
  EXPECT_FALSE(IsZhChinese(U'\u2000'));
}

TEST(SacrebleuTokenize, LongInputIsLinear) {
  std::string text;
  for (int i = 0; i < 100000; ++i) {
    text += "1,0.a-b, ";
  }
  std::vector<std::string_view> tokens;
  Tokenizer tokenizer;
  tokenizer.Tokenize(text, {}, tokens);
  EXPECT_EQ(tokens.size(), 400000u);
}

}  // namespace
}  // namespace merit::sacrebleu
