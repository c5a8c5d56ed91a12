// Test suites for code.tests: the reference schema, program extraction, output comparison and
// verdicts. Pure functions (no processes); the sandbox is in sandbox.h. docs/code-sandbox.md
// documents the schema for users.
#ifndef MERIT_REWARDS_CODE_SUITE_H_
#define MERIT_REWARDS_CODE_SUITE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/status.h"
#include "rewards/code/sandbox.h"

namespace merit::code {

enum class Language : std::uint8_t { kPython, kCpp };

// "python" / "python3" / "py" and "cpp" / "c++" / "cxx" / "cc" (any case); nullopt otherwise.
std::optional<Language> ParseLanguage(std::string_view name);

enum class Verdict : std::uint8_t {
  kPassed,
  kWrongAnswer,
  kRuntimeError,
  kTimeLimit,
  kMemoryLimit,
  kOutputLimit,
  kCompileError,
  kSkipped,  // Not run: all-or-nothing mode stopped at an earlier failure.
};

// "passed", "wrong_answer", ... (static strings, usable as a Score reason).
std::string_view VerdictName(Verdict verdict);

enum class TestKind : std::uint8_t {
  kStdio,   // The program reads `input` on stdin; its stdout must match `output`.
  kCall,    // fn_name(*input) must return `expected` (compared as JSON).
  kAssert,  // The program, then `setup`, then the assertion code must run without error.
};

struct TestCase {
  TestKind kind = TestKind::kStdio;
  std::string input = {};   // stdin (kStdio), the JSON argument list (kCall), the code (kAssert).
  std::string output = {};  // Expected stdout (kStdio).
  Json expected = {};       // Expected return value (kCall).
};

struct TestSuite {
  std::optional<Language> language;  // From the reference; nullopt: the reward's option.
  std::string fn_name;               // For kCall tests.
  std::string setup;                 // For kAssert tests.
  std::vector<TestCase> tests;
};

// Upper bound on the tests of one reference (each is a process, so this bounds a sample's time).
inline constexpr std::size_t kMaxTestsPerReference = 10000;

// Parses a reference (see docs/code-sandbox.md for the schema): merit's own
//   {"language"?, "tests": [{"input", "output"}], "fn_name"?, "asserts"?, "setup"?}
// and the APPS/TACO/verl prime_code shape {"inputs": [...], "outputs": [...], "fn_name"?}, either
// directly, under "input_output", or as a JSON string holding one of these.
// Errors: kInvalidArgument saying what is wrong (the reward reports reference_unparseable).
StatusOr<TestSuite> ParseTestSuite(const Json& reference);

enum class Extract : std::uint8_t {
  kAuto,    // The last fenced block for the language, else the last untagged one, else all text.
  kFenced,  // Only a fenced block (as kAuto, without the whole-text fallback).
  kWhole,   // The whole completion.
};

// The program in `completion`. Fences are CommonMark-style lines (``` or longer, closed by a line
// of at least as many backticks); the info string's first word names the language ("python",
// "py", "python3"; "cpp", "c++", "cxx", "cc"). A block left open at the end of the text (a
// truncated generation) runs to the end. Empty when there is nothing to run.
std::string_view ExtractProgram(std::string_view completion, Language language, Extract extract);

enum class Compare : std::uint8_t {
  kLines,   // Line by line, ignoring trailing whitespace on each line and trailing blank lines.
  kExact,   // Byte for byte.
  kTokens,  // Whitespace-separated tokens; numeric tokens equal within the tolerance.
};

// Whether a program's stdout `got` matches `want`. `tolerance` (kTokens): absolute or relative.
bool OutputMatches(std::string_view got, std::string_view want, Compare compare, double tolerance);

// Whether a returned value matches the expected one: JSON equality where numbers may differ by
// `tolerance` (absolute or relative). APPS wraps call-based outputs in a list, so `want` = [x]
// also accepts x.
bool ValueMatches(const Json& got, const Json& want, double tolerance);

// The verdict of a finished run, before any output comparison: kPassed means "ran cleanly".
// Memory exhaustion is recognised from the runtime's message (Python's MemoryError, C++'s
// std::bad_alloc), a write past the file-size limit from SIGXFSZ or Python's EFBIG/ENOSPC error,
// and a failed assertion (kAssert tests) is a wrong answer. These messages come from the
// program's stderr, so a program can fake them; it only changes which failure it gets.
Verdict ClassifyRun(const RunResult& result, TestKind kind);

// `count` of `total` test indices, sorted: all when count is 0 or >= total, else a uniformly
// random subset drawn from `seed` (never "the first N", which a policy could learn to target).
std::vector<std::size_t> SelectTests(std::size_t total, std::size_t count, std::uint64_t seed);

// The Python harness for kCall and kAssert tests (see suite.cc); written next to main.py.
std::string_view PythonHarness();

}  // namespace merit::code

#endif  // MERIT_REWARDS_CODE_SUITE_H_
