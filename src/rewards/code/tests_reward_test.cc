// code.tests through the registry, running real programs in the sandbox.
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "rewards/code/testing.h"

namespace merit::code {
namespace {

using testing::ScoreProgram;

// Generous limits: the machine running the tests may be small and busy. Tests assert verdicts,
// never timings.
constexpr std::string_view kReward = "{type: code.tests, wall_time_limit_s: 60, parallel: 4}";

constexpr std::string_view kAddStdio = R"({"tests": [
    {"input": "1 2\n", "output": "3\n"}, {"input": "10 -4\n", "output": "6\n"},
    {"input": "0 0\n", "output": "0\n"}]})";

class CodeTests : public testing::SandboxTest {};

void ExpectScore(const Result& result, double reward, std::string_view reason) {
  ASSERT_EQ(result.status, ScoreStatus::kOk) << result.reason << ": " << result.explanation;
  ASSERT_TRUE(result.reward.has_value());
  EXPECT_DOUBLE_EQ(*result.reward, reward) << result.explanation;
  EXPECT_EQ(result.reason, reason) << result.explanation;
}

TEST_F(CodeTests, PythonStdioAllPass) {
  const Result r = ScoreProgram(kReward,
                                "Here you go:\n```python\na, b = map(int, input().split())\n"
                                "print(a + b)\n```\n",
                                kAddStdio);
  ExpectScore(r, 1.0, "passed");
  EXPECT_NE(r.explanation.find("3/3 tests passed: 0=passed 1=passed 2=passed"), std::string::npos)
      << r.explanation;
}

TEST_F(CodeTests, PythonStdioFractionAndVerdicts) {
  // Right on test 0, wrong on 1 (|a|+|b|), crashes on 2 (division by zero).
  const Result r = ScoreProgram(kReward,
                                "a, b = map(int, input().split())\n"
                                "print(abs(a) + abs(b) if a else 1 // b)\n",
                                kAddStdio);
  ExpectScore(r, 1.0 / 3, "wrong_answer");
  EXPECT_NE(r.explanation.find("0=passed 1=wrong_answer 2=runtime_error"), std::string::npos)
      << r.explanation;
  EXPECT_NE(r.explanation.find("expected \"6\\n\", got \"14\\n\""), std::string::npos)
      << r.explanation;
}

TEST_F(CodeTests, AllOrNothingStopsEarly) {
  const Result r = ScoreProgram(
      "{type: code.tests, mode: all, parallel: 1, wall_time_limit_s: 60}",
      "a, b = map(int, input().split())\nprint(a * b)\n", kAddStdio);
  ExpectScore(r, 0.0, "wrong_answer");
  // Test 0 fails (1*2 != 3), so the others never run.
  EXPECT_NE(r.explanation.find("0=wrong_answer 1=skipped 2=skipped"), std::string::npos)
      << r.explanation;
}

TEST_F(CodeTests, PythonCallTests) {
  const std::string ref = R"({"fn_name": "add", "tests": [
      {"input": [1, 2], "output": 3}, {"input": [[1], [2]], "output": [1, 2]},
      {"input": [0.1, 0.2], "output": 0.3}]})";
  ExpectScore(ScoreProgram(kReward, "def add(a, b):\n    return a + b\n", ref), 1.0, "passed");
  // A LeetCode-style class works too; printing does not confuse the returned value.
  ExpectScore(ScoreProgram(kReward,
                           "class Solution:\n    def add(self, a, b):\n"
                           "        print('debug', a)\n        return a + b\n",
                           ref),
              1.0, "passed");
  ExpectScore(ScoreProgram(kReward, "def add(a, b):\n    return b\n", ref), 0.0, "wrong_answer");
  ExpectScore(ScoreProgram(kReward, "def plus(a, b):\n    return a + b\n", ref), 0.0,
              "runtime_error");
}

TEST_F(CodeTests, PythonAssertTests) {
  const std::string ref = R"js({"setup": "import math", "asserts": [
      "assert is_prime(7)", "assert not is_prime(9)", "assert is_prime(2)"]})js";
  ExpectScore(ScoreProgram(kReward,
                           "def is_prime(n):\n    return n > 1 and all(n % d for d in "
                           "range(2, math.isqrt(n) + 1))\n",
                           ref),
              1.0, "passed");
  const Result r = ScoreProgram(kReward, "def is_prime(n):\n    return n % 2 == 1\n", ref);
  ExpectScore(r, 1.0 / 3, "wrong_answer");
  EXPECT_NE(r.explanation.find("0=passed 1=wrong_answer 2=wrong_answer"), std::string::npos)
      << r.explanation;
}

TEST_F(CodeTests, AppsInputOutputString) {
  // verl prime_code / APPS: the reference is JSON text.
  const Json ref = Json::Str(R"({"inputs": ["3\n", "5\n"], "outputs": ["9\n", "25\n"]})");
  ExpectScore(ScoreProgram(kReward, "n = int(input())\nprint(n * n)\n", ref.Dump()), 1.0,
              "passed");
}

TEST_F(CodeTests, Cpp) {
  const std::string ref = R"({"language": "cpp", "tests": [
      {"input": "1 2\n", "output": "3\n"}, {"input": "10 -4\n", "output": "6\n"}]})";
  const std::string reward = "{type: code.tests, wall_time_limit_s: 60, compile_time_limit_s: 120}";
  ExpectScore(ScoreProgram(reward,
                           "```cpp\n#include <iostream>\nint main() { long a, b; std::cin >> a >> "
                           "b; std::cout << a + b << \"\\n\"; }\n```",
                           ref),
              1.0, "passed");
  const Result bad = ScoreProgram(reward, "```cpp\nint main() { return undeclared; }\n```", ref);
  ExpectScore(bad, 0.0, "compile_error");
  EXPECT_NE(bad.explanation.find("undeclared"), std::string::npos) << bad.explanation;
  ExpectScore(ScoreProgram(reward, "```cpp\nint main() { int* p = nullptr; return *p; }\n```", ref),
              0.0, "runtime_error");
}

TEST_F(CodeTests, SeededSubset) {
  std::string ref = R"({"tests": [)";
  for (int i = 0; i < 20; ++i) {
    ref += (i ? "," : "") + std::string(R"({"input": ")") + std::to_string(i) +
           R"(\n", "output": ")" + std::to_string(i) + R"(\n"})";
  }
  ref += "]}";
  const Result r = ScoreProgram("{type: code.tests, max_tests: 5, wall_time_limit_s: 60}",
                                "print(input())\n", ref);
  ExpectScore(r, 1.0, "passed");
  EXPECT_NE(r.explanation.find("5/5 tests passed"), std::string::npos) << r.explanation;
}

// No sandbox needed below: these never run a program.
TEST(CodeTestsNoRun, NoAnswerAndBadReferences) {
  ExpectScore(ScoreProgram(std::string(kReward), "", kAddStdio), 0.0, "no_answer");
  ExpectScore(ScoreProgram("{type: code.tests, extract: fenced}", "print(1)", kAddStdio), 0.0,
              "no_answer");
  ExpectScore(ScoreProgram("{type: code.tests, max_program_bytes: 4}", "print(1)", kAddStdio), 0.0,
              "program_too_large");
  const Result none = ScoreProgram(kReward, "print(1)", "null");
  EXPECT_EQ(none.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(none.reason, "no_reference");
  const Result bad = ScoreProgram(kReward, "print(1)", R"({"tests": 3})");
  EXPECT_EQ(bad.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(bad.reason, "reference_unparseable");
  const Result cpp_call = ScoreProgram(
      kReward, "int f();", R"({"language": "cpp", "fn_name": "f", "tests": [{"input": [], "output": 1}]})");
  EXPECT_EQ(cpp_call.reason, "reference_unparseable");
}

TEST(CodeTestsNoRun, ConfigErrors) {
  EXPECT_NE(testutil::ConfigError("reward: {type: code.tests, mode: some}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: code.tests, parallel: 0}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: code.tests, bwrap: relative/bwrap}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: code.tests, ro_binds: [/does/not/exist]}"), "");
  EXPECT_EQ(testutil::ConfigError("reward: {type: code.tests, language: cpp}"), "");
}

TEST(CodeTestsNoRun, MissingToolsAreErrorsNotScores) {
  for (std::string_view reward : {
           "{type: code.tests, python: /nonexistent/python3}",
           "{type: code.tests, python: /etc/hostname}",  // Not executable.
           "{type: code.tests, language: cpp, cpp_compiler: /opt/nowhere/g++}",
       }) {
    const Result r = ScoreProgram(reward, "print(3)", kAddStdio);
    EXPECT_EQ(r.status, ScoreStatus::kError) << reward << ": " << r.explanation;
    EXPECT_EQ(r.reason, "sandbox_unavailable") << reward;
  }
}

TEST(CodeTestsNoRun, UnreachableTempDirIsAnError) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "only a root merit switches to sandbox_uid, which must reach temp_dir";
  }
  std::string dir = "/tmp/merit-private-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);  // Mode 0700, owned by root.
  const Result r =
      ScoreProgram("{type: code.tests, temp_dir: " + dir + "}", "print(3)", kAddStdio);
  rmdir(dir.c_str());
  EXPECT_EQ(r.status, ScoreStatus::kError) << r.explanation;
  EXPECT_EQ(r.reason, "sandbox_unavailable");
}

TEST(CodeTestsNoRun, MissingBwrapIsAnErrorNotAScore) {
  const Result r = ScoreProgram("{type: code.tests, bwrap: /nonexistent/bwrap}", "print(3)",
                                kAddStdio);
  EXPECT_EQ(r.status, ScoreStatus::kError) << r.explanation;
  EXPECT_EQ(r.reason, "sandbox_unavailable");
}

}  // namespace
}  // namespace merit::code
