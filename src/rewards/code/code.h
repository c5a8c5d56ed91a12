// The code family: rewards that run model-written programs. Registered in register.cc.
//
// code.tests runs the program in the completion against the reference's test cases, each test in
// a fresh sandbox (sandbox.h), and scores the fraction passed (or all-or-nothing). The reference
// schema, the sandbox and its threat model are documented in docs/code-sandbox.md.
#ifndef MERIT_REWARDS_CODE_CODE_H_
#define MERIT_REWARDS_CODE_CODE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::code {

inline constexpr std::string_view kLanguageChoices[] = {"python", "cpp"};
inline constexpr std::string_view kModeChoices[] = {"fraction", "all"};
inline constexpr std::string_view kCompareChoices[] = {"lines", "exact", "tokens"};
inline constexpr std::string_view kExtractChoices[] = {"auto", "fenced", "whole"};

struct TestsOptions {
  std::string language = "python";
  std::string mode = "fraction";
  std::int64_t max_tests = 0;
  std::int64_t parallel = 4;
  double cpu_time_limit_s = 4;
  double wall_time_limit_s = 10;
  std::int64_t memory_limit_mb = 512;
  std::int64_t max_processes = 32;
  std::int64_t max_output_kb = 1024;
  std::string compare = "lines";
  double float_tolerance = 1e-6;
  std::string extract = "auto";
  std::int64_t max_program_bytes = 256 * 1024;
  std::string python = "/usr/bin/python3";
  std::string cpp_compiler = "/usr/bin/g++";
  std::vector<std::string> cpp_flags = {"-std=c++17", "-O2"};
  double compile_time_limit_s = 30;
  std::int64_t compile_memory_mb = 2048;
  std::vector<std::string> ro_binds = {};
  std::string bwrap = "/usr/bin/bwrap";
  std::int64_t sandbox_uid = 65534;
  std::string temp_dir = {};
  static constexpr auto kFields = std::tuple{
      Field{"language",
            &TestsOptions::language,
            "Language of the program when the reference does not say (its \"language\" key "
            "wins).",
            {.choices = kLanguageChoices}},
      Field{"mode",
            &TestsOptions::mode,
            "fraction: the share of tests passed; all: 1 only if every test passes (stops at "
            "the first failure).",
            {.choices = kModeChoices}},
      Field{"max_tests",
            &TestsOptions::max_tests,
            "Run at most this many tests, a random subset drawn from the sample's seed (never "
            "the first N); 0: all.",
            {.min = 0, .max = 10000}},
      Field{"parallel",
            &TestsOptions::parallel,
            "Tests of one sample run at the same time (processes, per scoring thread).",
            {.min = 1, .max = 64}},
      Field{"cpu_time_limit_s",
            &TestsOptions::cpu_time_limit_s,
            "CPU seconds per test (RLIMIT_CPU, rounded up to whole seconds).",
            {.min = 0.1, .max = 600}},
      Field{"wall_time_limit_s",
            &TestsOptions::wall_time_limit_s,
            "Wall-clock seconds per test, sandbox start-up included; then the sandbox is killed.",
            {.min = 0.1, .max = 600}},
      Field{"memory_limit_mb",
            &TestsOptions::memory_limit_mb,
            "Address space per process (RLIMIT_AS), MiB.",
            {.min = 16, .max = 65536}},
      Field{"max_processes",
            &TestsOptions::max_processes,
            "Processes and threads per sandbox (RLIMIT_NPROC in its user namespace).",
            {.min = 2, .max = 4096}},
      Field{"max_output_kb",
            &TestsOptions::max_output_kb,
            "stdout cap per test, KiB; more is an output_limit verdict.",
            {.min = 1, .max = 1 << 20}},
      Field{"compare",
            &TestsOptions::compare,
            "How stdout is compared: lines (trailing whitespace and blank lines ignored), "
            "exact, tokens (numbers within float_tolerance).",
            {.choices = kCompareChoices}},
      Field{"float_tolerance",
            &TestsOptions::float_tolerance,
            "Absolute or relative tolerance for numbers (compare: tokens, and fn_name tests).",
            {.min = 0, .max = 1}},
      Field{"extract",
            &TestsOptions::extract,
            "auto: the last ```python/```cpp block, else the last untagged block, else the whole "
            "completion; fenced: a block is required; whole: the completion as is.",
            {.choices = kExtractChoices}},
      Field{"max_program_bytes",
            &TestsOptions::max_program_bytes,
            "Longer programs score 0 (program_too_large) without running.",
            {.min = 1, .max = 16 << 20}},
      Field{"python", &TestsOptions::python,
            "Python interpreter, as seen inside the sandbox (/usr is visible; see ro_binds)."},
      Field{"cpp_compiler", &TestsOptions::cpp_compiler,
            "C++ compiler, run inside the sandbox."},
      Field{"cpp_flags", &TestsOptions::cpp_flags, "C++ compiler flags."},
      Field{"compile_time_limit_s",
            &TestsOptions::compile_time_limit_s,
            "CPU and wall-clock seconds for compiling.",
            {.min = 1, .max = 600}},
      Field{"compile_memory_mb",
            &TestsOptions::compile_memory_mb,
            "Address space for the compiler, MiB.",
            {.min = 64, .max = 65536}},
      Field{"ro_binds", &TestsOptions::ro_binds,
            "Extra host paths made visible read-only at the same place (an interpreter outside "
            "/usr, its libraries)."},
      Field{"bwrap", &TestsOptions::bwrap, "bubblewrap executable."},
      Field{"sandbox_uid",
            &TestsOptions::sandbox_uid,
            "When merit runs as root: the unprivileged uid/gid sandboxes start as.",
            {.min = 1, .max = 4294967294.0}},
      Field{"temp_dir", &TestsOptions::temp_dir,
            "Where per-sample work directories go; empty: $TMPDIR, else /tmp."},
  };
};

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;

RewardOr MakeTests(const TestsOptions& options);

}  // namespace merit::code

#endif  // MERIT_REWARDS_CODE_CODE_H_
