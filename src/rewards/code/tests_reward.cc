// code.tests: run the completion's program against the reference's tests, each in a sandbox.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "merit/json.h"
#include "rewards/code/code.h"
#include "rewards/code/sandbox.h"
#include "rewards/code/suite.h"

namespace merit::code {
namespace {

namespace fs = std::filesystem;

// How much of a failing test's output or error the explanation quotes.
constexpr std::size_t kExcerptBytes = 160;
// Verdicts listed one by one in the explanation; beyond this, only counts.
constexpr std::size_t kListedVerdicts = 64;

template <typename Enum, std::size_t N>
Enum Choice(std::string_view name, const std::string_view (&names)[N], const Enum (&values)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      return values[i];
    }
  }
  return values[0];
}

// A per-sample work directory, removed with everything in it when this goes out of scope:
//   <root>/src  read-only in the sandbox at /sandbox: main.py (+ harness.py) or main.cpp
//   <root>/out  C++ only: writable by the compiler at /out, then read-only at /sandbox
// <root> is private (0700); when merit is root it belongs to the sandbox uid, which bwrap runs as.
class WorkDir {
 public:
  static StatusOr<WorkDir> Create(const std::string& parent, const Sandbox& sandbox) {
    std::string base = parent;
    if (base.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp";
    }
    std::string pattern = base + "/merit-code-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return FailedPreconditionError(fmt::format("mkdtemp in {} failed", base));
    }
    WorkDir dir(pattern);
    std::error_code error;
    fs::create_directory(dir.src(), error);
    if (!error) {
      fs::create_directory(dir.out(), error);
    }
    if (error) {
      return FailedPreconditionError(fmt::format("creating {}: {}", dir.root_, error.message()));
    }
    chmod(dir.src().c_str(), 0755);
    chmod(dir.out().c_str(), 0755);
    MERIT_RETURN_IF_ERROR(sandbox.PrepareDirectory(dir.root_));
    MERIT_RETURN_IF_ERROR(sandbox.PrepareDirectory(dir.out()));
    return dir;
  }

  WorkDir(WorkDir&& other) noexcept : root_(std::exchange(other.root_, {})) {}

  WorkDir& operator=(WorkDir&&) = delete;

  ~WorkDir() {
    if (!root_.empty()) {
      std::error_code ignored;
      fs::remove_all(root_, ignored);
    }
  }

  std::string src() const { return root_ + "/src"; }

  std::string out() const { return root_ + "/out"; }

  Status Write(std::string_view name, std::string_view content) const {
    const std::string path = src() + "/" + std::string(name);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(content.data(), static_cast<std::streamsize>(content.size()));
    file.close();
    if (!file) {
      return FailedPreconditionError("writing " + path + " failed");
    }
    chmod(path.c_str(), 0644);
    return OkStatus();
  }

 private:
  explicit WorkDir(std::string root) : root_(std::move(root)) {}

  std::string root_;
};

// A JSON-quoted excerpt (control characters and invalid UTF-8 made visible and safe).
std::string Excerpt(std::string_view text) {
  std::string out;
  AppendJsonString(text.substr(0, kExcerptBytes), out);
  if (text.size() > kExcerptBytes) {
    out += "...";
  }
  return out;
}

// The last line of a call test's stdout: the harness prints the return value there.
std::string_view LastLine(std::string_view out) {
  while (!out.empty() && out.back() == '\n') {
    out.remove_suffix(1);
  }
  const std::size_t newline = out.rfind('\n');
  return newline == std::string_view::npos ? out : out.substr(newline + 1);
}

// Whether `path` (the interpreter or compiler) will exist inside the sandbox: an executable on
// the host, under /usr (or the /bin, /sbin links) or under one of `ro_binds`. Checked per sample so
// that a missing tool is an error, not a 0 for every program (and so that building the reward does
// not need every tool installed).
bool VisibleInSandbox(const std::string& path, const std::vector<std::string>& ro_binds) {
  if (access(path.c_str(), X_OK) != 0) {
    return false;
  }
  const auto under = [&](std::string_view dir) {
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
           (dir.back() == '/' || path[dir.size()] == '/');
  };
  if (under("/usr/") || under("/bin/") || under("/sbin/")) {
    return true;
  }
  for (const std::string& dir : ro_binds) {
    if (path == dir || under(dir)) {
      return true;
    }
  }
  return false;
}

class TestsReward final : public Reward {
 public:
  TestsReward(const TestsOptions& options, std::unique_ptr<const Sandbox> sandbox)
      : options_(options),
        sandbox_(std::move(sandbox)),
        default_language_(ParseLanguage(options.language).value_or(Language::kPython)),
        all_or_nothing_(options.mode == "all"),
        compare_(Choice(options.compare, kCompareChoices,
                        {Compare::kLines, Compare::kExact, Compare::kTokens})),
        extract_(Choice(options.extract, kExtractChoices,
                        {Extract::kAuto, Extract::kFenced, Extract::kWhole})) {
    limits_.cpu_seconds = options.cpu_time_limit_s;
    limits_.wall_seconds = options.wall_time_limit_s;
    limits_.memory_bytes = options.memory_limit_mb << 20;
    limits_.max_processes = options.max_processes;
    limits_.max_stdout_bytes = options.max_output_kb << 10;
    compile_limits_ = limits_;
    compile_limits_.cpu_seconds = options.compile_time_limit_s;
    compile_limits_.wall_seconds = options.compile_time_limit_s;
    compile_limits_.memory_bytes = options.compile_memory_mb << 20;
    compile_limits_.max_file_bytes = std::int64_t{256} << 20;
    compile_limits_.tmpfs_bytes = std::int64_t{512} << 20;
    compile_limits_.max_stdout_bytes = 64 << 10;
  }

  Score Evaluate(const Sample& sample, ScoreContext& context) const override;

 private:
  // Runs the selected tests; fills verdicts[i] and, for a failure, details[i]. An error is a
  // sandbox failure.
  Status RunTests(const TestSuite& suite, Language language, const WorkDir& dir,
                  std::span<const std::size_t> selected, std::vector<Verdict>& verdicts,
                  std::vector<std::string>& details) const;

  const TestsOptions options_;
  const std::unique_ptr<const Sandbox> sandbox_;
  const Language default_language_;
  const bool all_or_nothing_;
  const Compare compare_;
  const Extract extract_;
  SandboxLimits limits_;
  SandboxLimits compile_limits_;
};

Status TestsReward::RunTests(const TestSuite& suite, Language language, const WorkDir& dir,
                             std::span<const std::size_t> selected,
                             std::vector<Verdict>& verdicts,
                             std::vector<std::string>& details) const {
  const std::string src = dir.src();
  const std::string out = dir.out();
  std::vector<std::string> stdio_argv;
  std::vector<std::string> call_argv;
  std::vector<std::string> assert_argv;
  if (language == Language::kCpp) {
    stdio_argv = {"/sandbox/prog"};
  } else {
    stdio_argv = {options_.python, "/sandbox/main.py"};
    call_argv = {options_.python, "/sandbox/harness.py", "call", suite.fn_name};
    assert_argv = {options_.python, "/sandbox/harness.py", "assert"};
  }
  // Assertion payloads are built once here: the views in RunSpec must outlive RunAll.
  std::vector<std::string> payloads(selected.size());
  std::vector<RunSpec> specs(selected.size());
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const TestCase& test = suite.tests[selected[i]];
    RunSpec& spec = specs[i];
    spec.limits = limits_;
    spec.ro_dir = language == Language::kCpp ? std::string_view(out) : std::string_view(src);
    switch (test.kind) {
      case TestKind::kStdio:
        spec.argv = stdio_argv;
        spec.stdin_data = test.input;
        break;
      case TestKind::kCall:
        spec.argv = call_argv;
        spec.stdin_data = test.input;
        break;
      case TestKind::kAssert:
        payloads[i] = suite.setup + "\n" + test.input + "\n";
        spec.argv = assert_argv;
        spec.stdin_data = payloads[i];
        break;
    }
  }
  JsonParser parser;
  return sandbox_->RunAll(
      specs, static_cast<std::size_t>(options_.parallel),
      [&](std::size_t i, RunResult& result) {
        const TestCase& test = suite.tests[selected[i]];
        Verdict verdict = ClassifyRun(result, test.kind);
        if (verdict == Verdict::kPassed && test.kind == TestKind::kStdio &&
            !OutputMatches(result.out, test.output, compare_, options_.float_tolerance)) {
          verdict = Verdict::kWrongAnswer;
        }
        if (verdict == Verdict::kPassed && test.kind == TestKind::kCall) {
          StatusOr<Json> value = parser.Parse(LastLine(result.out));
          if (!value.ok() || !ValueMatches(*value, test.expected, options_.float_tolerance)) {
            verdict = Verdict::kWrongAnswer;
          }
        }
        verdicts[i] = verdict;
        if (verdict != Verdict::kPassed) {
          std::string& detail = details[i];
          detail = fmt::format("; test {} {}: ", selected[i], VerdictName(verdict));
          if (verdict == Verdict::kWrongAnswer && test.kind == TestKind::kStdio) {
            detail += fmt::format("expected {}, got {}", Excerpt(test.output), Excerpt(result.out));
          } else if (verdict == Verdict::kWrongAnswer && test.kind == TestKind::kCall) {
            detail += fmt::format("expected {}, got {}", Excerpt(test.expected.Dump()),
                                  Excerpt(LastLine(result.out)));
          } else {
            detail += fmt::format("exit {} after {:.2f} s, stderr {}", result.exit_code,
                                  result.wall_seconds, Excerpt(result.err));
          }
        }
        return !(all_or_nothing_ && verdict != Verdict::kPassed);
      });
}

Score TestsReward::Evaluate(const Sample& sample, ScoreContext& context) const {
  if (sample.reference.is_null()) {
    return Score::Unscorable("no_reference");
  }
  StatusOr<TestSuite> suite = ParseTestSuite(sample.reference);
  if (!suite.ok()) {
    return Score::Unscorable("reference_unparseable", suite.status().message());
  }
  const Language language = suite->language.value_or(default_language_);
  if (language == Language::kCpp) {
    for (const TestCase& test : suite->tests) {
      if (test.kind != TestKind::kStdio) {
        return Score::Unscorable("reference_unparseable",
                                 "C++ programs take stdin/stdout tests only");
      }
    }
  }
  const std::string& tool = language == Language::kCpp ? options_.cpp_compiler : options_.python;
  if (!VisibleInSandbox(tool, options_.ro_binds)) {
    return Score::Error("sandbox_unavailable",
                        tool + " is not an executable under /usr or ro_binds on this machine");
  }
  const std::string_view program = ExtractProgram(sample.completion_text, language, extract_);
  if (program.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos) {
    return Score::Ok(0, "no_answer");
  }
  if (program.size() > static_cast<std::size_t>(options_.max_program_bytes)) {
    return Score::Ok(0, "program_too_large");
  }
  const std::vector<std::size_t> selected = SelectTests(
      suite->tests.size(), static_cast<std::size_t>(options_.max_tests), context.seed);

  StatusOr<WorkDir> dir = WorkDir::Create(options_.temp_dir, *sandbox_);
  if (!dir.ok()) {
    return Score::Error("sandbox_unavailable", dir.status().message());
  }
  const bool cpp = language == Language::kCpp;
  Status written = dir->Write(cpp ? "main.cpp" : "main.py", program);
  if (written.ok() && !cpp) {
    written = dir->Write("harness.py", PythonHarness());
  }
  if (!written.ok()) {
    return Score::Error("sandbox_unavailable", written.message());
  }

  if (cpp) {
    std::vector<std::string> argv = {options_.cpp_compiler};
    argv.insert(argv.end(), options_.cpp_flags.begin(), options_.cpp_flags.end());
    argv.insert(argv.end(), {"/sandbox/main.cpp", "-o", "/out/prog"});
    const std::string src = dir->src();
    const std::string out = dir->out();
    const RunSpec compile{.argv = argv, .ro_dir = src, .rw_dir = out, .limits = compile_limits_};
    std::optional<RunResult> compiled;
    const Status status = sandbox_->RunAll(std::span(&compile, 1), 1,
                                           [&](std::size_t, RunResult& result) {
                                             compiled = std::move(result);
                                             return true;
                                           });
    if (!status.ok()) {
      return Score::Error("sandbox_unavailable", status.message());
    }
    struct stat st {};
    const std::string binary = out + "/prog";
    if (compiled->stop != Stop::kExited || compiled->exit_code != 0 ||
        lstat(binary.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      Score score = Score::Ok(0, VerdictName(Verdict::kCompileError));
      score.explanation = fmt::format("0/{} tests run: compile_error (exit {}{}): {}",
                                      selected.size(), compiled->exit_code,
                                      compiled->stop == Stop::kWallTimeout ? ", time limit" : "",
                                      Excerpt(compiled->err));
      return score;
    }
  }

  std::vector<Verdict> verdicts(selected.size(), Verdict::kSkipped);
  std::vector<std::string> details(selected.size());
  if (Status status = RunTests(*suite, language, *dir, selected, verdicts, details);
      !status.ok()) {
    return Score::Error("sandbox_unavailable", status.message());
  }
  std::size_t passed = 0;
  std::string_view reason = VerdictName(Verdict::kPassed);
  for (Verdict verdict : verdicts) {
    if (verdict == Verdict::kPassed) {
      ++passed;
    } else if (reason == VerdictName(Verdict::kPassed) && verdict != Verdict::kSkipped) {
      reason = VerdictName(verdict);
    }
  }
  const double value =
      all_or_nothing_ ? (passed == selected.size() ? 1.0 : 0.0)
                      : static_cast<double>(passed) / static_cast<double>(selected.size());
  Score score = Score::Ok(value, reason);
  score.explanation = fmt::format("{}/{} tests passed:", passed, selected.size());
  for (std::size_t i = 0; i < verdicts.size() && i < kListedVerdicts; ++i) {
    score.explanation += fmt::format(" {}={}", selected[i], VerdictName(verdicts[i]));
  }
  if (verdicts.size() > kListedVerdicts) {
    score.explanation += " ...";
  }
  // The first failure in test order (runs finish in any order).
  for (const std::string& detail : details) {
    if (!detail.empty()) {
      score.explanation += detail;
      break;
    }
  }
  return score;
}

}  // namespace

RewardOr MakeTests(const TestsOptions& options) {
  MERIT_ASSIGN_OR_RETURN(
      std::unique_ptr<const Sandbox> sandbox,
      Sandbox::Create({.bwrap_path = options.bwrap,
                       .ro_binds = options.ro_binds,
                       .sandbox_uid = static_cast<std::uint32_t>(options.sandbox_uid)}));
  return std::unique_ptr<const Reward>(std::make_unique<TestsReward>(options, std::move(sandbox)));
}

}  // namespace merit::code
