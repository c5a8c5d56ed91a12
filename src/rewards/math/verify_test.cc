// math.verify through the registry: the issue's worked cases, hack resistance, budgets.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "merit/json.h"

#include "testutil/testutil.h"

namespace merit {
namespace {

std::string SampleJson(std::string_view completion, std::string_view reference_json,
                       std::string_view prompt = {}) {
  std::string out = "{\"completion\": ";
  AppendJsonString(completion, out);
  out += ", \"reference\": ";
  out += reference_json;
  if (!prompt.empty()) {
    out += ", \"prompt\": ";
    AppendJsonString(prompt, out);
  }
  out += "}";
  return out;
}

std::string Ref(std::string_view gold) {
  std::string out;
  AppendJsonString(gold, out);
  return out;
}

struct Case {
  std::string_view completion;
  std::string_view gold;
  double want;
  std::string_view reason = {};
};

void Expect(std::string_view reward, std::span<const Case> cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.completion) + "  vs  " + std::string(c.gold));
    const Result r = testutil::Score(reward, SampleJson(c.completion, Ref(c.gold)));
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
    EXPECT_EQ(*r.reward, c.want) << r.reason;
    if (!c.reason.empty()) {
      EXPECT_EQ(r.reason, c.reason);
    }
  }
}

TEST(MathVerify, EquivalentForms) {
  const Case kCases[] = {
      {"\\boxed{\\frac{1}{2}}", "0.5", 1, "equivalent"},
      {"\\boxed{\\frac12}", "\\dfrac{1}{2}", 1},
      {"\\boxed{0.50}", "\\frac{1}{2}", 1},
      {"\\boxed{10000}", "10{,}000", 1},
      {"\\boxed{1,000,000}", "1000000", 1},
      {"\\boxed{3\\frac12}", "\\frac{7}{2}", 1},
      {"\\boxed{2\\sqrt{2}}", "\\sqrt{8}", 1},
      {"\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{1}{2}\\sqrt{3}", 1},
      {"\\boxed{\\sqrt[3]{27}}", "3", 1},
      {"\\boxed{2\\pi r}", "2r\\pi", 1},
      {"\\boxed{\\pi/2}", "\\frac{\\pi}{2}", 1},
      {"\\boxed{e^{i\\pi}+2}", "1", 0},  // Complex exponent: unsupported, compared as text.
      {"\\boxed{i^2}", "-1", 1},
      {"\\boxed{\\frac{1}{1+i}}", "\\frac{1-i}{2}", 1},
      {"\\boxed{\\sin(\\pi/6)}", "\\frac12", 1},
      {"\\boxed{\\log_2 8}", "3", 1},
      {"\\boxed{\\ln(e^2)}", "2", 1},
      {"\\boxed{5!}", "120", 1},
      {"\\boxed{\\binom{5}{2}}", "10", 1},
      {"\\boxed{|{-3}|}", "3", 1},
      {"\\boxed{50\\%}", "\\frac{1}{2}", 1},
      {"\\boxed{90^\\circ}", "90", 1},
      {"\\boxed{15 \\text{ cm}^2}", "15", 1},
      {"\\boxed{4210_{5}}", "4210_5", 1},
      {"\\boxed{(x+1)^2}", "x^2+2x+1", 1},
      {"\\boxed{\\frac{x^2-1}{x-1}}", "x+1", 1},
      {"\\boxed{x y}", "yx", 1},
      {"\\boxed{\\lfloor n/2 \\rfloor}", "\\lfloor\\sqrt{n-1}\\rfloor", 0},
      {"\\boxed{|x-1|}", "x-1", 0},
      {"\\boxed{(1,2)}", "(1, 2)", 1},
      {"\\boxed{(2,1)}", "(1, 2)", 0},
      {"\\boxed{\\{2, 1\\}}", "\\{1,2\\}", 1},
      {"\\boxed{3, 1, 2}", "1, 2, 3", 1},
      {"\\boxed{[0, 1)}", "[0,1)", 1},
      {"\\boxed{[0, 1]}", "[0,1)", 0},
      {"\\boxed{(-\\infty, 0) \\cup (1, \\infty)}", "(1,\\infty)\\cup(-\\infty,0)", 1},
      {"\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}", "\\begin{bmatrix}1\\\\2\\end{bmatrix}",
       1},
      {"\\boxed{\\begin{pmatrix} 1 & 2 \\end{pmatrix}}", "\\begin{pmatrix}2 & 1\\end{pmatrix}", 0},
      {"\\boxed{y = 2x + 3}", "y=3+2x", 1},
      {"\\boxed{2x - y + 3 = 0}", "y = 2x + 3", 1},
      {"\\boxed{x = 5}", "5", 1},
      {"\\boxed{x \\le 5}", "5 \\ge x", 1},
      {"\\boxed{\\text{(B)}}", "B", 1},
      {"\\boxed{\\text{Monday}}", "monday", 1},
      {"\\boxed{1 \\pm \\sqrt{2}}", "1+\\sqrt2, 1-\\sqrt2", 1},
      {"The answer is 42.", "42", 1},
      {"#### 1,234", "1234", 1},
      {"<answer>7</answer>", "7", 1},
      {"So $x = \\frac{3}{4}$", "0.75", 1},
      {"\\boxed{1/2004!}", "\\frac{1}{2006!}", 0},
      {"\\boxed{1/2^{99}}", "\\frac{1}{2^{98}}", 0},
      {"\\boxed{2^{1000}}", "2^{1000}", 1},
      {"\\boxed{2^{1000}+1}", "2^{1000}", 0},
      {"\\boxed{3.14}", "\\pi", 0},
      {"\\boxed{3.14159265358979}", "\\pi", 0},
      {"\\boxed{5000}", "50", 0},
      {"\\boxed{0.5}", "50", 0},
      {"\\boxed{50}", "0.5", 0},
      {"\\boxed{50\\%}", "50", 0},
  };
  Expect("{type: math.verify}", kCases);
}

TEST(MathVerify, LenientProfile) {
  const Case kCases[] = {
      {"\\boxed{50\\%}", "50", 1},
      {"\\boxed{0.333}", "\\frac13", 1},
      {"\\boxed{3.14}", "\\pi", 1},
      {"\\boxed{1:2}", "\\frac12", 1},
      {"\\boxed{1, 2}", "(1, 2)", 1},
      {"\\boxed{5000}", "50", 0},
      {"\\boxed{0.5}", "50", 0},
  };
  Expect("{type: math.verify, profile: lenient}", kCases);
  const Result r = testutil::Score("{type: math.verify, profile: lenient}",
                                   SampleJson("\\boxed{1}", "\"1\""));
  EXPECT_EQ(r.explanation, "profile lenient");
  const Result s = testutil::Score("{type: math.verify}", SampleJson("\\boxed{1}", "\"1\""));
  EXPECT_EQ(s.explanation, "profile strict");
}

TEST(MathVerify, HackResistance) {
  const Case kCases[] = {
      {":", "5", 0},
      {".", "5", 0, "no_answer"},
      {"", "5", 0, "no_answer"},
      {"Let's solve this problem step by step.", "5", 0},
      {"Thought process:", "5", 0},
      {"\\boxed{}", "5", 0, "no_answer"},
      {"\\boxed{x}", "5", 0},
      {"\\boxed{5} \\boxed{7}", "5", 0, "multiple_answers"},
      {"\\boxed{5} or maybe \\boxed{5}", "5", 1},
      {"The answer is 5 or 7", "5", 0, "multiple_answers"},
      {"\\boxed{9^{9^{9^9}}}", "5", 0},
      {"\\boxed{10^{10^{10^{10}}}}", "10^{10^{10^{10}}} + 1", 0},
      {"\\boxed{99999!}", "5", 0},
      {"\\boxed{\\frac{1}{0}}", "5", 0},
  };
  Expect("{type: math.verify}", kCases);
  // Not strict: the last box counts.
  const Case kLast[] = {{"\\boxed{7} \\boxed{5}", "5", 1}};
  Expect("{type: math.verify, strict: false}", kLast);
}

TEST(MathVerify, EchoedQuestionScoresZero) {
  const Result echo = testutil::Score(
      "{type: math.verify}", SampleJson("\\boxed{17 + 25}", "\"42\"", "What is $17 + 25$?"));
  EXPECT_EQ(*echo.reward, 0.0);
  EXPECT_EQ(echo.reason, "echoes_question");
  const Result ok = testutil::Score("{type: math.verify}",
                                    SampleJson("\\boxed{42}", "\"42\"", "What is $17 + 25$?"));
  EXPECT_EQ(*ok.reward, 1.0);
}

TEST(MathVerify, References) {
  Result r = testutil::Score("{type: math.verify}", SampleJson("\\boxed{3}", R"(["2", "3"])"));
  EXPECT_EQ(*r.reward, 1.0);
  r = testutil::Score("{type: math.verify}", SampleJson("\\boxed{3}", "3"));
  EXPECT_EQ(*r.reward, 1.0);
  r = testutil::Score("{type: math.verify}", SampleJson("\\boxed{3}", "\"\\\\frac{1}{\""));
  EXPECT_EQ(r.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(r.reason, "gold_unparseable");
  r = testutil::Score("{type: math.verify}", SampleJson("\\boxed{3}", "null"));
  EXPECT_EQ(r.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(r.reason, "no_reference");
  r = testutil::Score("{type: math.verify}", SampleJson("\\boxed{3}", "{}"));
  EXPECT_EQ(r.status, ScoreStatus::kUnscorable);
  r = testutil::Score("{type: math.verify}", SampleJson("no box", "\"3\""));
  EXPECT_EQ(r.status, ScoreStatus::kOk);
}

TEST(MathVerify, AdversarialInputsAreFast) {
  const std::string kInputs[] = {
      "\\boxed{9^{9^{9^9}}}",
      "\\boxed{" + std::string(100000, '7') + "}",
      "\\boxed{" + std::string(5000, '(') + "1" + std::string(5000, ')') + "}",
      std::string(5000, '(') + "1" + std::string(5000, ')'),
      "\\boxed{" + std::string(2000, '1') + "!}",
      "\\boxed{2^{2^{2^{2^{2^{2^{2}}}}}}}",
      "\\boxed{(1+x)^{100000}}",
      "\\boxed{\\sin(\\sin(\\sin(\\sin(10^{100}))))}",
      std::string(1 << 20, '{'),
      [] {
        std::string s;
        for (int i = 0; i < 2000; ++i) s += "\\frac{1}{";
        return s;
      }(),
      [] {
        std::string s = "\\boxed{";
        for (int i = 0; i < 1000; ++i) s += "x^";
        return s + "2}";
      }(),
  };
  for (const std::string& input : kInputs) {
    SCOPED_TRACE(input.substr(0, 40));
    const auto start = std::chrono::steady_clock::now();
    const Result r = testutil::Score("{type: math.verify}", SampleJson(input, "\"5\""));
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.status, ScoreStatus::kOk);
    EXPECT_EQ(*r.reward, 0.0);
    // Debug builds with sanitizers are slower; the benchmark checks the 10 ms target.
    EXPECT_LT(ms, 2000.0);  // Unguarded, these run for minutes or overflow the stack.
  }
}

}  // namespace
}  // namespace merit
