#include "rewards/code/suite.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <numeric>
#include <random>
#include <utility>

#include <fmt/format.h>

namespace merit::code {
namespace {

constexpr std::string_view kSpace = " \t\n\r\f\v";

std::string_view Trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// A stdin or stdout field: a string, or a list of lines (some TACO rows), joined by newlines.
StatusOr<std::string> TextField(const Json& value, std::string_view what) {
  if (value.is_string()) {
    return value.str();
  }
  if (value.is_array()) {
    std::string text;
    for (const Json& line : value.array()) {
      if (!line.is_string()) {
        return InvalidArgumentError(fmt::format("{}: expected a string or a list of strings", what));
      }
      text += line.str();
      text += '\n';
    }
    return text;
  }
  return InvalidArgumentError(
      fmt::format("{}: expected a string, got {}", what, Json::TypeName(value.type())));
}

// APPS/TACO/prime_code: {"inputs": [...], "outputs": [...], "fn_name"?: "..."}.
Status AddInputsOutputs(const Json& io, TestSuite& suite) {
  const Json* inputs = io.Find("inputs");
  const Json* outputs = io.Find("outputs");
  if (inputs == nullptr || outputs == nullptr || !inputs->is_array() || !outputs->is_array()) {
    return InvalidArgumentError("input_output: expected arrays \"inputs\" and \"outputs\"");
  }
  if (inputs->array().size() != outputs->array().size()) {
    return InvalidArgumentError(fmt::format("input_output: {} inputs but {} outputs",
                                            inputs->array().size(), outputs->array().size()));
  }
  if (const Json* fn = io.Find("fn_name"); fn != nullptr && fn->is_string()) {
    suite.fn_name = fn->str();
  }
  for (std::size_t i = 0; i < inputs->array().size(); ++i) {
    const Json& input = inputs->array()[i];
    const Json& output = outputs->array()[i];
    TestCase test;
    if (!suite.fn_name.empty()) {
      test.kind = TestKind::kCall;
      test.input = input.is_array() ? input.Dump() : Json::Arr({input}).Dump();
      test.expected = output;
    } else {
      MERIT_ASSIGN_OR_RETURN(test.input, TextField(input, fmt::format("inputs[{}]", i)));
      MERIT_ASSIGN_OR_RETURN(test.output, TextField(output, fmt::format("outputs[{}]", i)));
    }
    suite.tests.push_back(std::move(test));
  }
  return OkStatus();
}

Status AddTests(const Json& tests, TestSuite& suite) {
  if (!tests.is_array()) {
    return InvalidArgumentError("tests: expected a list of {\"input\", \"output\"} objects");
  }
  for (std::size_t i = 0; i < tests.array().size(); ++i) {
    const Json& item = tests.array()[i];
    const Json* input = item.Find("input");
    const Json* output = item.Find("output");
    if (input == nullptr || output == nullptr) {
      return InvalidArgumentError(fmt::format("tests[{}]: needs \"input\" and \"output\"", i));
    }
    TestCase test;
    if (!suite.fn_name.empty()) {
      if (!input->is_array()) {
        return InvalidArgumentError(
            fmt::format("tests[{}].input: with fn_name, expected the argument list", i));
      }
      test.kind = TestKind::kCall;
      test.input = input->Dump();
      test.expected = *output;
    } else {
      MERIT_ASSIGN_OR_RETURN(test.input, TextField(*input, fmt::format("tests[{}].input", i)));
      MERIT_ASSIGN_OR_RETURN(test.output, TextField(*output, fmt::format("tests[{}].output", i)));
    }
    suite.tests.push_back(std::move(test));
  }
  return OkStatus();
}

Status AddAsserts(const Json& asserts, TestSuite& suite) {
  const auto add = [&](const Json& code) -> Status {
    if (!code.is_string()) {
      return InvalidArgumentError("asserts: expected a string or a list of strings");
    }
    suite.tests.push_back({.kind = TestKind::kAssert, .input = code.str()});
    return OkStatus();
  };
  if (asserts.is_array()) {
    for (const Json& code : asserts.array()) {
      MERIT_RETURN_IF_ERROR(add(code));
    }
    return OkStatus();
  }
  return add(asserts);
}

StatusOr<TestSuite> ParseObject(const Json& reference) {
  TestSuite suite;
  if (const Json* language = reference.Find("language"); language != nullptr) {
    if (!language->is_string() || !ParseLanguage(language->str()).has_value()) {
      return InvalidArgumentError("language: expected \"python\" or \"cpp\"");
    }
    suite.language = ParseLanguage(language->str());
  }
  if (const Json* fn = reference.Find("fn_name"); fn != nullptr) {
    if (!fn->is_string() || fn->str().empty()) {
      return InvalidArgumentError("fn_name: expected a non-empty string");
    }
    suite.fn_name = fn->str();
  }
  if (const Json* setup = reference.Find("setup"); setup != nullptr) {
    if (!setup->is_string()) {
      return InvalidArgumentError("setup: expected a string");
    }
    suite.setup = setup->str();
  }
  bool found = false;
  if (const Json* tests = reference.Find("tests"); tests != nullptr) {
    found = true;
    MERIT_RETURN_IF_ERROR(AddTests(*tests, suite));
  }
  if (const Json* asserts = reference.Find("asserts"); asserts != nullptr) {
    found = true;
    MERIT_RETURN_IF_ERROR(AddAsserts(*asserts, suite));
  }
  const Json* io = reference.Find("input_output");
  Json parsed_io;
  if (io != nullptr && io->is_string()) {
    JsonParser parser;
    StatusOr<Json> value = parser.Parse(io->str());
    if (!value.ok()) {
      return InvalidArgumentError("input_output: not JSON: " + value.status().message());
    }
    parsed_io = std::move(value).value();
    io = &parsed_io;
  }
  if (io == nullptr && reference.Find("inputs") != nullptr) {
    io = &reference;
  }
  if (io != nullptr) {
    found = true;
    MERIT_RETURN_IF_ERROR(AddInputsOutputs(*io, suite));
  }
  if (!found) {
    return InvalidArgumentError("expected \"tests\", \"asserts\" or \"inputs\"/\"outputs\"");
  }
  return suite;
}

// The info string's first word, lowercased.
std::string FenceLanguage(std::string_view info) {
  info = Trim(info);
  const std::size_t end = info.find_first_of(" \t{");
  return Lower(info.substr(0, end));
}

std::size_t LeadingBackticks(std::string_view line) {
  const std::size_t n = line.find_first_not_of('`');
  return n == std::string_view::npos ? line.size() : n;
}

std::optional<double> ParseNumber(std::string_view token) {
  double value = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool Close(double a, double b, double tolerance) {
  const double diff = std::fabs(a - b);
  return diff <= tolerance || diff <= tolerance * std::max(std::fabs(a), std::fabs(b));
}

// Splits at newlines, drops trailing whitespace of each line and trailing empty lines.
std::vector<std::string_view> NormalizedLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    const std::size_t last = line.find_last_not_of(kSpace);
    lines.push_back(last == std::string_view::npos ? std::string_view() : line.substr(0, last + 1));
    pos = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) {
    lines.pop_back();
  }
  return lines;
}

bool TokensMatch(std::string_view got, std::string_view want, double tolerance) {
  std::size_t g = 0;
  std::size_t w = 0;
  while (true) {
    g = got.find_first_not_of(kSpace, g);
    w = want.find_first_not_of(kSpace, w);
    if (g == std::string_view::npos || w == std::string_view::npos) {
      return g == w;
    }
    const std::size_t g_end = std::min(got.find_first_of(kSpace, g), got.size());
    const std::size_t w_end = std::min(want.find_first_of(kSpace, w), want.size());
    const std::string_view a = got.substr(g, g_end - g);
    const std::string_view b = want.substr(w, w_end - w);
    if (a != b) {
      const std::optional<double> x = ParseNumber(a);
      const std::optional<double> y = ParseNumber(b);
      if (!x || !y || !Close(*x, *y, tolerance)) {
        return false;
      }
    }
    g = g_end;
    w = w_end;
  }
}

bool ValuesEqual(const Json& got, const Json& want, double tolerance) {
  // Explicit stack: the program's output is untrusted, so no recursion on its nesting depth.
  std::vector<std::pair<const Json*, const Json*>> stack = {{&got, &want}};
  while (!stack.empty()) {
    const auto [a, b] = stack.back();
    stack.pop_back();
    if (a->is_number() && b->is_number()) {
      if (!Close(a->number(), b->number(), tolerance)) {
        return false;
      }
      continue;
    }
    if (a->type() != b->type()) {
      return false;
    }
    if (a->is_array()) {
      if (a->array().size() != b->array().size()) {
        return false;
      }
      for (std::size_t i = 0; i < a->array().size(); ++i) {
        stack.emplace_back(&a->array()[i], &b->array()[i]);
      }
    } else if (a->is_object()) {
      if (a->object().size() != b->object().size()) {
        return false;
      }
      for (const auto& member : b->object()) {
        const Json* other = a->Find(member.first);
        if (other == nullptr) {
          return false;
        }
        stack.emplace_back(other, &member.second);
      }
    } else if (!(*a == *b)) {
      return false;
    }
  }
  return true;
}

// Runs the program (main.py) for a call or assertion test. The test comes on stdin and is read
// before the program runs, so the program's own stdin reads see nothing. For a call, the
// expected value never enters the sandbox: the harness prints the returned value as the last
// line of stdout and merit compares it outside. An assertion necessarily contains its expected
// value, which the program could find by inspecting the harness; docs/code-sandbox.md says so.
constexpr std::string_view kHarness = R"py(import json
import sys


def _merit_default(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def _merit_main():
    mode = sys.argv[1]
    payload = sys.stdin.read()
    with open("/sandbox/main.py", encoding="utf-8") as f:
        source = f.read()
    if mode == "assert":
        namespace = {"__name__": "__main__"}
        exec(compile(source, "main.py", "exec"), namespace)
        exec(compile(payload, "test.py", "exec"), namespace)
        return
    namespace = {"__name__": "__merit_solution__"}
    exec(compile(source, "main.py", "exec"), namespace)
    name = sys.argv[2]
    function = namespace.get(name)
    if function is None and isinstance(namespace.get("Solution"), type):
        function = getattr(namespace["Solution"](), name)
    if function is None:
        raise NameError("no function named " + name)
    result = function(*json.loads(payload))
    sys.stdout.flush()
    sys.stdout.write("\n" + json.dumps(result, default=_merit_default) + "\n")


_merit_main()
)py";

}  // namespace

std::optional<Language> ParseLanguage(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "python" || lower == "python3" || lower == "py") {
    return Language::kPython;
  }
  if (lower == "cpp" || lower == "c++" || lower == "cxx" || lower == "cc") {
    return Language::kCpp;
  }
  return std::nullopt;
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPassed:
      return "passed";
    case Verdict::kWrongAnswer:
      return "wrong_answer";
    case Verdict::kRuntimeError:
      return "runtime_error";
    case Verdict::kTimeLimit:
      return "time_limit";
    case Verdict::kMemoryLimit:
      return "memory_limit";
    case Verdict::kOutputLimit:
      return "output_limit";
    case Verdict::kCompileError:
      return "compile_error";
    case Verdict::kSkipped:
      return "skipped";
  }
  return "unknown";
}

StatusOr<TestSuite> ParseTestSuite(const Json& reference) {
  // APPS and prime_code store the tests as JSON text.
  Json parsed;
  const Json* object = &reference;
  if (reference.is_string()) {
    JsonParser parser;
    StatusOr<Json> value = parser.Parse(reference.str());
    if (!value.ok()) {
      return InvalidArgumentError("reference string is not JSON: " + value.status().message());
    }
    parsed = std::move(value).value();
    object = &parsed;
  }
  if (!object->is_object()) {
    return InvalidArgumentError(fmt::format("expected an object with tests, got {}",
                                            Json::TypeName(object->type())));
  }
  MERIT_ASSIGN_OR_RETURN(TestSuite suite, ParseObject(*object));
  if (suite.tests.empty()) {
    return InvalidArgumentError("no tests");
  }
  if (suite.tests.size() > kMaxTestsPerReference) {
    return InvalidArgumentError(
        fmt::format("{} tests, more than {}", suite.tests.size(), kMaxTestsPerReference));
  }
  return suite;
}

std::string_view ExtractProgram(std::string_view completion, Language language, Extract extract) {
  if (extract == Extract::kWhole) {
    return completion;
  }
  std::optional<std::string_view> tagged;
  std::optional<std::string_view> untagged;
  bool in_block = false;
  bool block_tagged = false;
  bool block_plain = false;
  std::size_t fence_length = 0;
  std::size_t content_start = 0;
  const auto close_block = [&](std::size_t end) {
    const std::string_view body = completion.substr(content_start, end - content_start);
    if (block_tagged) {
      tagged = body;
    } else if (block_plain) {
      untagged = body;
    }
  };
  std::size_t pos = 0;
  while (pos < completion.size()) {
    std::size_t line_end = completion.find('\n', pos);
    if (line_end == std::string_view::npos) {
      line_end = completion.size();
    }
    const std::string_view line = Trim(completion.substr(pos, line_end - pos));
    const std::size_t backticks = LeadingBackticks(line);
    if (!in_block) {
      if (backticks >= 3) {
        in_block = true;
        fence_length = backticks;
        const std::string tag = FenceLanguage(line.substr(backticks));
        block_plain = tag.empty();
        block_tagged = !tag.empty() && ParseLanguage(tag) == language;
        content_start = std::min(line_end + 1, completion.size());
      }
    } else if (backticks >= fence_length && backticks == line.size()) {
      in_block = false;
      close_block(pos);
    }
    pos = line_end + 1;
  }
  if (in_block) {
    close_block(completion.size());
  }
  if (tagged) {
    return *tagged;
  }
  if (untagged) {
    return *untagged;
  }
  return extract == Extract::kAuto ? completion : std::string_view();
}

bool OutputMatches(std::string_view got, std::string_view want, Compare compare,
                   double tolerance) {
  switch (compare) {
    case Compare::kExact:
      return got == want;
    case Compare::kTokens:
      return TokensMatch(got, want, tolerance);
    case Compare::kLines:
      return NormalizedLines(got) == NormalizedLines(want);
  }
  return false;
}

bool ValueMatches(const Json& got, const Json& want, double tolerance) {
  if (ValuesEqual(got, want, tolerance)) {
    return true;
  }
  return want.is_array() && want.array().size() == 1 &&
         ValuesEqual(got, want.array()[0], tolerance);
}

Verdict ClassifyRun(const RunResult& result, TestKind kind) {
  if (result.stop == Stop::kWallTimeout) {
    return Verdict::kTimeLimit;
  }
  if (result.stop == Stop::kOutputLimit || result.exit_code == 128 + SIGXFSZ) {
    return Verdict::kOutputLimit;
  }
  // A SIGKILL that merit did not send comes from the kernel: the CPU hard limit (soft + 1 s,
  // reached only by a program that survives SIGXCPU) or, rarely under RLIMIT_AS, the OOM killer.
  // A program that SIGKILLs itself also lands here; it fails either way.
  if (result.exit_code == 128 + SIGXCPU || result.exit_code == 128 + SIGKILL) {
    return Verdict::kTimeLimit;
  }
  if (result.exit_code == 0) {
    return Verdict::kPassed;
  }
  if (result.err.find("MemoryError") != std::string::npos ||
      result.err.find("std::bad_alloc") != std::string::npos) {
    return Verdict::kMemoryLimit;
  }
  // Python ignores SIGXFSZ, so its writes past RLIMIT_FSIZE (or a full /tmp) fail with these.
  if (result.err.find("[Errno 27] File too large") != std::string::npos ||
      result.err.find("[Errno 28] No space left on device") != std::string::npos) {
    return Verdict::kOutputLimit;
  }
  if (kind == TestKind::kAssert && result.err.find("AssertionError") != std::string::npos) {
    return Verdict::kWrongAnswer;
  }
  return Verdict::kRuntimeError;
}

std::vector<std::size_t> SelectTests(std::size_t total, std::size_t count, std::uint64_t seed) {
  std::vector<std::size_t> indices(total);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  if (count == 0 || count >= total) {
    return indices;
  }
  // Partial Fisher-Yates with a fixed engine and our own bounded draw (std::uniform_int_
  // distribution is implementation-defined), so a seed picks the same tests everywhere.
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t span = total - i;
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    std::uint64_t draw = rng();
    while (draw >= limit) {
      draw = rng();
    }
    std::swap(indices[i], indices[i + static_cast<std::size_t>(draw % span)]);
  }
  indices.resize(count);
  std::sort(indices.begin(), indices.end());
  return indices;
}

std::string_view PythonHarness() {
  return kHarness;
}

}  // namespace merit::code
