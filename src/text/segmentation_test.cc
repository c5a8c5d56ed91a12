#include "text/segmentation.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace merit::text {
namespace {

// The spans as the text they cover, and the invariants every split must keep: non-empty,
// increasing, non-overlapping, trimmed, inside the text.
std::vector<std::string> Pieces(std::string_view text, const std::vector<TextSpan>& spans) {
  std::vector<std::string> out;
  std::size_t previous_end = 0;
  for (const TextSpan& span : spans) {
    EXPECT_LT(span.start, span.end);
    EXPECT_LE(previous_end, span.start);
    EXPECT_LE(span.end, text.size());
    if (span.start >= span.end || span.end > text.size()) {
      continue;
    }
    EXPECT_NE(text[span.start], ' ');
    EXPECT_NE(text[span.end - 1], ' ');
    previous_end = span.end;
    out.emplace_back(text.substr(span.start, span.end - span.start));
  }
  return out;
}

struct Case {
  std::string_view name;
  std::string_view text;
  std::vector<std::string> want;
};

TEST(SplitSentences, Table) {
  const Case kCases[] = {
      {"empty", "", {}},
      {"whitespace only", " \n\t \xe3\x80\x80 \n", {}},
      {"one without terminator", "  hello world  ", {"hello world"}},
      {"basic", "It rains. We stay in! Why? Because.",
       {"It rains.", "We stay in!", "Why?", "Because."}},
      {"titles", "Mr. Smith met Dr. Jones and Mrs. Lee at St. Mary's. They talked.",
       {"Mr. Smith met Dr. Jones and Mrs. Lee at St. Mary's.", "They talked."}},
      {"latin abbreviations", "Use a fruit, e.g. Apples or pears, i.e. Pome fruit. Then eat.",
       {"Use a fruit, e.g. Apples or pears, i.e. Pome fruit.", "Then eat."}},
      {"etc", "Bring pens, paper, etc. We start at nine.",
       {"Bring pens, paper, etc. We start at nine."}},
      {"dotted acronyms", "He moved to the U.S. In 2001 he left. He got a Ph.D. Later too.",
       {"He moved to the U.S. In 2001 he left.", "He got a Ph.D. Later too."}},
      {"initials", "J. K. Rowling wrote it. It sold well.",
       {"J. K. Rowling wrote it.", "It sold well."}},
      {"decimals and versions", "Pi is 3.14 and e is 2.718. Version 1.2.3 is out.",
       {"Pi is 3.14 and e is 2.718.", "Version 1.2.3 is out."}},
      {"urls", "See https://example.com/a.b?x=1&y=2. It is fine. Or www.test.org! Done.",
       {"See https://example.com/a.b?x=1&y=2.", "It is fine.", "Or www.test.org!", "Done."}},
      {"lower-case continuation", "It costs approx. three dollars. Fine.",
       {"It costs approx. three dollars.", "Fine."}},
      {"number abbreviations", "See Fig. 3 and No. 5 for this. The answer is no. Next one.",
       {"See Fig. 3 and No. 5 for this.", "The answer is no.", "Next one."}},
      {"terminator runs", "Really?! Yes... I think so. Wait\xe2\x80\xa6 Fine.",
       {"Really?!", "Yes...", "I think so.", "Wait\xe2\x80\xa6", "Fine."}},
      {"closing quotes", "He said \"Stop.\" Then he left. (It was late.) 'OK!' Good.",
       {"He said \"Stop.\"", "Then he left.", "(It was late.)", "'OK!'", "Good."}},
      {"curly quotes", "She wrote \xe2\x80\x9c" "Done.\xe2\x80\x9d Then slept.",
       {"She wrote \xe2\x80\x9c" "Done.\xe2\x80\x9d", "Then slept."}},
      // 今天很好。我们去公园！你呢？「好。」
      {"cjk",
       "\xe4\xbb\x8a\xe5\xa4\xa9\xe5\xbe\x88\xe5\xa5\xbd\xe3\x80\x82"
       "\xe6\x88\x91\xe4\xbb\xac\xe5\x8e\xbb\xe5\x85\xac\xe5\x9b\xad\xef\xbc\x81"
       "\xe4\xbd\xa0\xe5\x91\xa2\xef\xbc\x9f"
       "\xe3\x80\x8c\xe5\xa5\xbd\xe3\x80\x82\xe3\x80\x8d",
       {"\xe4\xbb\x8a\xe5\xa4\xa9\xe5\xbe\x88\xe5\xa5\xbd\xe3\x80\x82",
        "\xe6\x88\x91\xe4\xbb\xac\xe5\x8e\xbb\xe5\x85\xac\xe5\x9b\xad\xef\xbc\x81",
        "\xe4\xbd\xa0\xe5\x91\xa2\xef\xbc\x9f",
        "\xe3\x80\x8c\xe5\xa5\xbd\xe3\x80\x82\xe3\x80\x8d"}},
      {"cjk then latin", "\xe5\xa5\xbd\xe3\x80\x82OK. Yes.",
       {"\xe5\xa5\xbd\xe3\x80\x82", "OK.", "Yes."}},
      {"blank line ends a sentence", "A heading without period\n\nText here. More",
       {"A heading without period", "Text here.", "More"}},
      {"soft wrap stays", "This sentence is\nwrapped over lines. Next.",
       {"This sentence is\nwrapped over lines.", "Next."}},
      {"list items",
       "Steps:\n1. Mix the flour\n2. Bake it. Then cool\n- eat\n* share it\n# Notes\nEnjoy",
       {"Steps:", "1. Mix the flour", "2. Bake it.", "Then cool", "- eat", "* share it",
        "# Notes", "Enjoy"}},
      {"crlf blank line", "One\r\n\r\nTwo", {"One", "Two"}},
      {"unicode spaces trimmed", "\xc2\xa0Hi there.\xe3\x80\x80 Bye.\xc2\xa0",
       {"Hi there.", "Bye."}},
      {"markdown emphasis", "**Answer: 42.** That is all.", {"**Answer: 42.**", "That is all."}},
      {"invalid utf-8", "Bad \xff\xfe byte. Next \xe2\x82 one.",
       {"Bad \xff\xfe byte.", "Next \xe2\x82 one."}},
      {"terminator only", "?!", {"?!"}},
      {"period at start", ". a", {". a"}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Pieces(c.text, SplitSentences(c.text)), c.want);
  }
}

TEST(SplitSentences, OffsetsAreIntoTheGivenText) {
  const std::string_view text = "  First one.   Second one.  ";
  const std::vector<TextSpan> want = {{2, 12}, {15, 26}};
  EXPECT_EQ(SplitSentences(text), want);
}

TEST(SplitSentences, NeverSplitsInsideACodePoint) {
  // Every boundary must fall on a code point boundary of valid input: build a text of mixed
  // scripts and terminators and check that no span edge lands on a continuation byte.
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text += "\xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82 \xc3\xa9t\xc3\xa9. \xe2\x80\xa6\xe2\x80\x9d! x";
  }
  for (const TextSpan& span : SplitSentences(text)) {
    EXPECT_NE(static_cast<unsigned char>(text[span.start]) & 0xC0, 0x80);
    if (span.end < text.size()) {
      EXPECT_NE(static_cast<unsigned char>(text[span.end]) & 0xC0, 0x80);
    }
  }
}

TEST(SplitSentences, LargeAdversarialInputsStayLinear) {
  // A quarter megabyte of periods, of "Ab. ", of one long word ending in a period and of
  // newlines: each must finish quickly (a quadratic scan would take minutes here).
  const std::size_t kSize = 1 << 18;
  EXPECT_EQ(SplitSentences(std::string(kSize, '.')).size(), 1u);
  std::string many;
  while (many.size() < kSize) {
    many += "Ab. ";
  }
  EXPECT_EQ(SplitSentences(many).size(), many.size() / 4);
  EXPECT_EQ(SplitSentences(std::string(kSize, 'x') + ". Y").size(), 2u);
  EXPECT_TRUE(SplitSentences(std::string(kSize, '\n')).empty());
  EXPECT_EQ(SplitSubSentences(std::string(kSize / 2, ',') + " a").size(), 1u);
}

// Expected pieces computed with the released code's get_sub_sentence_starts
// (allenai/FineGrainedRLHF fgrlhf/reward_utils.py) on str.split() tokens.
TEST(SplitSubSentences, SpecRule) {
  struct SubCase {
    std::string_view name;
    std::string_view text;
    std::size_t min_words;
    std::vector<std::string> want;
  };
  const SubCase kCases[] = {
      {"empty", "", 5, {}},
      {"split after a comma", "one two three four five, six seven eight nine ten eleven twelve", 5,
       {"one two three four five,", "six seven eight nine ten eleven twelve"}},
      {"first piece too short is rejected (s = 0)", "a, b c d e f g h i j k", 5,
       {"a, b c d e f g h i j k"}},
      {"short piece merges into the previous (s > 0)",
       "one two three four five, six seven, eight nine ten eleven twelve thirteen fourteen", 5,
       {"one two three four five, six seven,", "eight nine ten eleven twelve thirteen fourteen"}},
      {"same with min_words 2",
       "one two three four five, six seven, eight nine ten eleven twelve thirteen fourteen", 2,
       {"one two three four five,", "six seven,",
        "eight nine ten eleven twelve thirteen fourteen"}},
      {"too close to the end (N - p > min_words fails)",
       "one two three four five, six seven eight nine ten", 5,
       {"one two three four five, six seven eight nine ten"}},
      {"just far enough from the end",
       "one two three four five, six seven eight nine ten eleven", 5,
       {"one two three four five,", "six seven eight nine ten eleven"}},
      {"several candidates",
       "one two three four five, six seven eight nine ten, eleven twelve, thirteen fourteen "
       "fifteen sixteen seventeen",
       5,
       {"one two three four five,", "six seven eight nine ten,",
        "eleven twelve, thirteen fourteen fifteen sixteen seventeen"}},
      {"chain of merges", "Yes; no; maybe; so; we; go; on; and; on; again", 2,
       {"Yes; no; maybe; so; we; go; on;", "and; on; again"}},
      {"every sentence starts one", "Short one. Another short one, yes. A third",
       5, {"Short one.", "Another short one, yes.", "A third"}},
      {"min_words 0 splits at every candidate", "a, b; c d", 0, {"a,", "b;", "c d"}},
  };
  for (const SubCase& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Pieces(c.text, SplitSubSentences(c.text, c.min_words)), c.want);
  }
}

TEST(SplitSubSentences, CoversEveryTokenOfEverySentence) {
  const std::string_view text =
      "Paris is the capital of France, and it is known for the Eiffel Tower, which was built in "
      "1889; it is 330 metres tall.  Lyon, by contrast, is known for food!";
  const std::vector<TextSpan> sentences = SplitSentences(text);
  const std::vector<TextSpan> subs = SplitSubSentences(text);
  ASSERT_EQ(sentences.size(), 2u);
  EXPECT_EQ(subs.front().start, sentences.front().start);
  EXPECT_EQ(subs.back().end, sentences.back().end);
  EXPECT_EQ(Pieces(text, subs),
            (std::vector<std::string>{
                "Paris is the capital of France,", "and it is known for the Eiffel Tower,",
                "which was built in 1889; it is 330 metres tall.",
                "Lyon, by contrast, is known for food!"}));
}

}  // namespace
}  // namespace merit::text
