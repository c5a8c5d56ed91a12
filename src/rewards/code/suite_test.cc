// The pure parts of code.tests: reference schema, program extraction, comparison, verdicts,
// test selection. No processes run here.
#include "rewards/code/suite.h"

#include <csignal>
#include <set>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit::code {
namespace {

TEST(CodeSuite, ParsesMeritSchema) {
  const Json ref = testutil::ParseYaml(R"({"language": "cpp", "tests": [
      {"input": "1 2\n", "output": "3\n"}, {"input": ["4 5", "6"], "output": "9"}]})");
  StatusOr<TestSuite> suite = ParseTestSuite(ref);
  ASSERT_TRUE(suite.ok()) << suite.status().ToString();
  EXPECT_EQ(suite->language, Language::kCpp);
  ASSERT_EQ(suite->tests.size(), 2u);
  EXPECT_EQ(suite->tests[0].kind, TestKind::kStdio);
  EXPECT_EQ(suite->tests[0].input, "1 2\n");
  EXPECT_EQ(suite->tests[1].input, "4 5\n6\n");  // A list of lines is joined.
}

TEST(CodeSuite, ParsesCallsAndAsserts) {
  const Json ref = testutil::ParseYaml(R"({"fn_name": "add", "setup": "import math",
      "tests": [{"input": [1, 2], "output": 3}],
      "asserts": ["assert add(2, 2) == 4", "assert add(0, 0) == 0"]})");
  StatusOr<TestSuite> suite = ParseTestSuite(ref);
  ASSERT_TRUE(suite.ok()) << suite.status().ToString();
  ASSERT_EQ(suite->tests.size(), 3u);
  EXPECT_EQ(suite->tests[0].kind, TestKind::kCall);
  EXPECT_EQ(suite->tests[0].input, "[1,2]");
  EXPECT_EQ(suite->tests[0].expected, Json::Num(3));
  EXPECT_EQ(suite->tests[1].kind, TestKind::kAssert);
  EXPECT_EQ(suite->setup, "import math");
}

TEST(CodeSuite, ParsesAppsShapes) {
  // APPS stores input_output as JSON text; prime_code passes that text as the whole reference.
  const Json as_string = Json::Str(R"({"inputs": ["1\n", "2\n"], "outputs": ["2\n", "4\n"]})");
  const Json nested = Json::Obj({{"input_output", as_string}});
  const Json call = testutil::ParseYaml(
      R"({"inputs": [[1, 2], [3, 4]], "outputs": [[3], [7]], "fn_name": "add"})");
  for (const Json* ref : {&as_string, &nested}) {
    StatusOr<TestSuite> suite = ParseTestSuite(*ref);
    ASSERT_TRUE(suite.ok()) << suite.status().ToString();
    ASSERT_EQ(suite->tests.size(), 2u);
    EXPECT_EQ(suite->tests[1].output, "4\n");
  }
  StatusOr<TestSuite> suite = ParseTestSuite(call);
  ASSERT_TRUE(suite.ok()) << suite.status().ToString();
  EXPECT_EQ(suite->fn_name, "add");
  EXPECT_EQ(suite->tests[1].kind, TestKind::kCall);
  EXPECT_EQ(suite->tests[1].input, "[3,4]");
}

TEST(CodeSuite, RejectsBadReferences) {
  for (std::string_view yaml : {
           R"(42)",
           R"({"tests": []})",
           R"({"nothing": 1})",
           R"({"tests": [{"input": "1"}]})",
           R"({"tests": [{"input": 1, "output": "1"}]})",
           R"({"language": "cobol", "tests": [{"input": "", "output": ""}]})",
           R"({"fn_name": "f", "tests": [{"input": "not a list", "output": 1}]})",
           R"({"inputs": ["1"], "outputs": []})",
           R"({"asserts": [1]})",
           R"("not json")",
       }) {
    EXPECT_FALSE(ParseTestSuite(testutil::ParseYaml(yaml)).ok()) << yaml;
  }
}

TEST(CodeSuite, ExtractsLastMatchingFence) {
  struct Case {
    std::string_view completion;
    Language language;
    Extract extract;
    std::string_view want;
  };
  const Case kCases[] = {
      {"text\n```python\nprint(1)\n```\nmore\n```python\nprint(2)\n```\n", Language::kPython,
       Extract::kAuto, "print(2)\n"},
      {"```py\na\n```\n```cpp\nb\n```", Language::kPython, Extract::kAuto, "a\n"},
      {"```py\na\n```\n```cpp\nb\n```", Language::kCpp, Extract::kAuto, "b\n"},
      {"```\nplain\n```", Language::kPython, Extract::kAuto, "plain\n"},
      {"```python\nfirst\n```\n```\nplain\n```", Language::kPython, Extract::kAuto, "first\n"},
      {"print(3)", Language::kPython, Extract::kAuto, "print(3)"},
      {"print(3)", Language::kPython, Extract::kFenced, ""},
      {"```python\nx\n```", Language::kPython, Extract::kWhole, "```python\nx\n```"},
      {"```python\ntruncated", Language::kPython, Extract::kAuto, "truncated"},
      // A fence inside a longer fence does not close it.
      {"````python\ns = '```'\n```\n````", Language::kPython, Extract::kAuto, "s = '```'\n```\n"},
      {"```python {.numberLines}\ny\n```", Language::kPython, Extract::kAuto, "y\n"},
      {"", Language::kPython, Extract::kAuto, ""},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ExtractProgram(c.completion, c.language, c.extract), c.want) << c.completion;
  }
}

TEST(CodeSuite, ComparesOutputs) {
  EXPECT_TRUE(OutputMatches("3  \n\n\n", "3\n", Compare::kLines, 0));
  EXPECT_TRUE(OutputMatches("1\r\n2\r\n", "1\n2", Compare::kLines, 0));
  EXPECT_FALSE(OutputMatches(" 3\n", "3\n", Compare::kLines, 0));  // Leading space matters.
  EXPECT_FALSE(OutputMatches("3\n4\n", "3\n", Compare::kLines, 0));
  EXPECT_FALSE(OutputMatches("", "3", Compare::kLines, 0));
  EXPECT_TRUE(OutputMatches("", "\n\n", Compare::kLines, 0));
  EXPECT_FALSE(OutputMatches("3\n", "3", Compare::kExact, 0));
  EXPECT_TRUE(OutputMatches("3", "3", Compare::kExact, 0));
  EXPECT_TRUE(OutputMatches("1 2\n3", "1\n2 3\n", Compare::kTokens, 0));
  EXPECT_TRUE(OutputMatches("0.3333333", "0.33333333", Compare::kTokens, 1e-6));
  EXPECT_FALSE(OutputMatches("0.33", "0.3333", Compare::kTokens, 1e-6));
  EXPECT_FALSE(OutputMatches("1 2", "1 2 3", Compare::kTokens, 0));
  EXPECT_FALSE(OutputMatches("nan", "nan2", Compare::kTokens, 1));
}

TEST(CodeSuite, ComparesValues) {
  const auto value = [](std::string_view yaml) { return testutil::ParseYaml(yaml); };
  EXPECT_TRUE(ValueMatches(value("3"), value("3.0"), 0));
  EXPECT_TRUE(ValueMatches(value("3"), value("[3]"), 0));  // APPS's wrapped outputs.
  EXPECT_TRUE(ValueMatches(value("[1, [2, 3]]"), value("[1, [2, 3]]"), 0));
  EXPECT_TRUE(ValueMatches(value(R"({"a": 1, "b": [true]})"), value(R"({"b": [true], "a": 1})"), 0));
  EXPECT_TRUE(ValueMatches(value("0.1000001"), value("0.1"), 1e-5));
  EXPECT_FALSE(ValueMatches(value("[1, 2]"), value("[2, 1]"), 0));
  EXPECT_FALSE(ValueMatches(value("\"3\""), value("3"), 0));
  EXPECT_FALSE(ValueMatches(value("true"), value("1"), 0));
  EXPECT_FALSE(ValueMatches(value("null"), value("[]"), 0));
}

TEST(CodeSuite, ClassifiesRuns) {
  const auto run = [](Stop stop, int exit_code, std::string err) {
    return RunResult{.stop = stop, .exit_code = exit_code, .err = std::move(err)};
  };
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 0, ""), TestKind::kStdio), Verdict::kPassed);
  EXPECT_EQ(ClassifyRun(run(Stop::kWallTimeout, 137, ""), TestKind::kStdio), Verdict::kTimeLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 128 + SIGXCPU, ""), TestKind::kStdio),
            Verdict::kTimeLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kOutputLimit, 137, ""), TestKind::kStdio),
            Verdict::kOutputLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 128 + SIGXFSZ, ""), TestKind::kStdio),
            Verdict::kOutputLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 1, "...\nMemoryError\n"), TestKind::kStdio),
            Verdict::kMemoryLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 134, "what():  std::bad_alloc"), TestKind::kStdio),
            Verdict::kMemoryLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 137, ""), TestKind::kStdio), Verdict::kTimeLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 1, "OSError: [Errno 27] File too large"),
                        TestKind::kStdio),
            Verdict::kOutputLimit);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 1, "AssertionError"), TestKind::kAssert),
            Verdict::kWrongAnswer);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 1, "AssertionError"), TestKind::kStdio),
            Verdict::kRuntimeError);
  EXPECT_EQ(ClassifyRun(run(Stop::kExited, 1, "ZeroDivisionError"), TestKind::kCall),
            Verdict::kRuntimeError);
}

TEST(CodeSuite, SelectsSeededSubsets) {
  EXPECT_EQ(SelectTests(5, 0, 1), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(SelectTests(3, 10, 1), (std::vector<std::size_t>{0, 1, 2}));
  const std::vector<std::size_t> a = SelectTests(100, 10, 7);
  EXPECT_EQ(a, SelectTests(100, 10, 7));  // Deterministic per seed.
  EXPECT_EQ(a.size(), 10u);
  EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 10u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  // Across seeds every test gets picked (never "the first N").
  std::set<std::size_t> seen;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    for (std::size_t i : SelectTests(100, 10, seed)) {
      seen.insert(i);
    }
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_NE(SelectTests(100, 10, 1), SelectTests(100, 10, 2));
}

}  // namespace
}  // namespace merit::code
