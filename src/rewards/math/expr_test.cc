#include "rewards/math/expr.h"

#include <string>

#include <gtest/gtest.h>

#include "rewards/math/extract.h"

namespace merit::math {
namespace {

std::string Dump(std::string_view text) {
  const ParseResult r = Parse(text, {});
  if (!r.ok()) return "error: " + std::string(r.message);
  return ToDebugString(r.expr);
}

TEST(MathParse, CanonicalDumps) {
  struct Case {
    std::string_view text;
    std::string_view dump;
  };
  const Case kCases[] = {
      {"42", "num{42}"},
      {"1,000", "num{1000}"},
      {"10{,}000", "num{10000}"},
      {"371,\\!043,\\!400", "num{371043400}"},
      {"7,14,18", "list{num{7} num{14} num{18}}"},
      {"\\frac{1}{2}", "div{num{1} num{2}}"},
      {"\\frac12", "div{num{1} num{2}}"},
      {"\\dfrac{a}{b}", "div{sym{a} sym{b}}"},
      {"3\\frac12", "add{num{3} div{num{1} num{2}}}"},
      {"-3\\frac{1}{2}", "neg{add{num{3} div{num{1} num{2}}}}"},
      {"2\\pi r", "mul{mul{num{2} const{pi}} sym{r}}"},
      {"2x", "mul{num{2} sym{x}}"},
      {"x^2", "pow{sym{x} num{2}}"},
      {"2^10", "pow{num{2} num{10}}"},
      {"\\sqrt[3]{8}", "func{root num{3} num{8}}"},
      {"\\sqrt2", "func{sqrt num{2}}"},
      {"\\log_2 8", "func{log num{8} num{2}}"},
      {"\\sin^{-1} x", "func{arcsin sym{x}}"},
      {"5!", "fact{num{5}}"},
      {"\\binom{5}{2}", "func{binom num{5} num{2}}"},
      {"|x-1|", "func{abs add{sym{x} neg{num{1}}}}"},
      {"50\\%", "percent{num{50}}"},
      {"90^\\circ", "num{90}"},
      {"15\\mbox{ cm}^2", "num{15}"},
      {"4210_{5}", "sub{num{4210} num{5}}"},
      {"[0, 1)", "group[){num{0} num{1}}"},
      {"(-\\infty, 3] \\cup (5, \\infty)",
       "union{group(]{neg{const{inf}} num{3}} group(){num{5} const{inf}}}"},
      {"\\{1, 2\\}", "group{}{num{1} num{2}}"},
      {"\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
       "matrix{2r num{1} num{2} num{3} num{4}}"},
      {"y = 2x+3", "rel{= sym{y} add{mul{num{2} sym{x}} num{3}}}"},
      {"x \\le 5", "rel{<= sym{x} num{5}}"},
      {"\\text{(B)}", "text{b}"},
      {"\\text{Monday}", "text{monday}"},
      {"1 \\pm \\sqrt{5}", "pm{num{1} func{sqrt num{5}}}"},
      {"\\left( 1, 2 \\right)", "group(){num{1} num{2}}"},
      {"3 \\times 10^{4}", "mul{num{3} pow{num{10} num{4}}}"},
      {"1.5e-3", "mul{num{1.5} pow{num{10} neg{num{3}}}}"},
      {"2 \\text{ and } 3", "list{num{2} num{3}}"},
      {"\\frac{\\sqrt{3}}{2}", "div{func{sqrt num{3}} num{2}}"},
      {"x_1", "sub{sym{x} num{1}}"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(Dump(c.text), c.dump);
  }
}

TEST(MathParse, ErrorsAndLimits) {
  EXPECT_EQ(Parse("", {}).error, ParseError::kEmpty);
  EXPECT_EQ(Parse("   ", {}).error, ParseError::kEmpty);
  EXPECT_EQ(Parse("(1+2", {}).error, ParseError::kSyntax);
  EXPECT_EQ(Parse("\\frac{1}{2", {}).error, ParseError::kSyntax);
  EXPECT_EQ(Parse("1 +", {}).error, ParseError::kSyntax);
  // 5,000 nested parentheses: a limit, not a stack overflow.
  const std::string deep = std::string(5000, '(') + "1" + std::string(5000, ')');
  EXPECT_EQ(Parse(deep, {}).error, ParseError::kTooLarge);
  const std::string braces = std::string(5000, '{') + "1" + std::string(5000, '}');
  EXPECT_EQ(Parse(braces, {}).error, ParseError::kTooLarge);
  std::string fracs;
  for (int i = 0; i < 3000; ++i) fracs += "\\frac{1}{";
  EXPECT_NE(Parse(fracs, {}).error, ParseError::kNone);
  EXPECT_EQ(Parse(std::string(100000, '9'), {}).error, ParseError::kTooLarge);
}

TEST(MathExtract, Forms) {
  struct Case {
    std::string_view completion;
    std::string_view answer;
    AnswerSource source;
  };
  const Case kCases[] = {
      {"so \\boxed{\\frac{1}{2}} is it", "\\frac{1}{2}", AnswerSource::kBoxed},
      {"\\boxed{1} then \\boxed{\\{2\\}}", "\\{2\\}", AnswerSource::kBoxed},
      {"\\fbox{7}", "7", AnswerSource::kBoxed},
      {"The final answer is $12$.", "12", AnswerSource::kPhrase},
      {"Answer: 3.5", "3.5", AnswerSource::kPhrase},
      {"blah\n#### 1,234", "1,234", AnswerSource::kPhrase},
      {"we get $x = 3$ and so", "x = 3", AnswerSource::kMathSpan},
      {"\\(y\\) is \\(4\\)", "4", AnswerSource::kMathSpan},
      {"\\frac{3}{50}", "\\frac{3}{50}", AnswerSource::kWhole},
      {"<think>\\boxed{1}</think><answer>2</answer>", "2", AnswerSource::kAnswerTag},
      {"lots of text\nand then 17 apples\nmore text here", "17", AnswerSource::kLastNumber},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.completion);
    const Extraction e = ExtractAnswer(c.completion, {});
    ASSERT_FALSE(e.answers.empty());
    EXPECT_EQ(e.answers.back(), c.answer);
    EXPECT_EQ(e.source, c.source);
  }
  const Extraction all = ExtractAnswer("\\boxed{5} or \\boxed{7}", {.all_boxes = true});
  EXPECT_EQ(all.answers.size(), 2u);
  const Extraction think =
      ExtractAnswer("<think>\\boxed{1}</think> so 2", {.after_think = true});
  ASSERT_FALSE(think.answers.empty());
  EXPECT_EQ(think.answers.back(), "2");
  EXPECT_TRUE(ExtractAnswer("Let's think.\nNo numbers here.\nNone.", {}).answers.empty());
}

}  // namespace
}  // namespace merit::math
