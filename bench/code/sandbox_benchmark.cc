// Cost of one sandboxed execution (code.tests) against the same program run bare.
//
//   BM_Bare/python       posix_spawn("python3 -c pass") + waitpid: the floor.
//   BM_Sandboxed/python  the same program in a fresh sandbox (bwrap + prlimit + seccomp).
//   .../true             /usr/bin/true instead: the sandbox's own cost, without Python's start-up.
//   BM_SandboxedParallel 16 runs, `parallel` at a time (one poll loop): executions/s.
//
// Overhead per execution = BM_Sandboxed - BM_Bare (same program). bench/code_sandbox_overhead.py
// runs this and prints the overhead and ratio. Items are executions.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "rewards/code/sandbox.h"

namespace merit::code {
namespace {

const std::vector<std::string>& Program(std::int64_t which) {
  static const std::vector<std::string> python = {"/usr/bin/python3", "-c", "pass"};
  static const std::vector<std::string> truth = {"/usr/bin/true"};
  return which == 0 ? python : truth;
}

// CPU seconds used by reaped children (and their reaped descendants: bwrap waits for its init,
// which waits for the program). Unlike wall time, this barely moves when the machine is busy.
double ChildCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Reports the children's CPU time per execution, in ms, as the counter child_cpu_ms.
class ChildCpu {
 public:
  explicit ChildCpu(benchmark::State& state) : state_(state), start_(ChildCpuSeconds()) {}

  ~ChildCpu() {
    state_.counters["child_cpu_ms"] = benchmark::Counter(
        (ChildCpuSeconds() - start_) * 1e3 / static_cast<double>(std::max<std::int64_t>(
                                                  1, static_cast<std::int64_t>(state_.iterations()))));
  }

 private:
  benchmark::State& state_;
  const double start_;
};

const Sandbox& TheSandbox() {
  static const std::unique_ptr<const Sandbox> sandbox = [] {
    StatusOr<std::unique_ptr<const Sandbox>> made = Sandbox::Create({});
    if (!made.ok() || !(*made)->Probe().ok()) {
      std::fprintf(stderr, "the sandbox does not work on this machine\n");
      std::exit(1);
    }
    return std::move(made).value();
  }();
  return *sandbox;
}

void BM_Bare(benchmark::State& state) {
  const std::vector<std::string>& program = Program(state.range(0));
  std::vector<char*> argv;
  for (const std::string& arg : program) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  char* envp[] = {nullptr};
  const ChildCpu cpu(state);
  for (auto _ : state) {
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), envp) != 0) {
      state.SkipWithError("posix_spawn failed");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sandboxed(benchmark::State& state) {
  const Sandbox& sandbox = TheSandbox();
  const RunSpec spec{.argv = Program(state.range(0))};
  const ChildCpu cpu(state);
  for (auto _ : state) {
    int exit_code = -1;
    const Status status = sandbox.RunAll(std::span(&spec, 1), 1, [&](std::size_t, RunResult& r) {
      exit_code = r.exit_code;
      return true;
    });
    if (!status.ok() || exit_code != 0) {
      state.SkipWithError("sandboxed run failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SandboxedParallel(benchmark::State& state) {
  const Sandbox& sandbox = TheSandbox();
  const std::vector<RunSpec> specs(16, RunSpec{.argv = Program(0)});
  for (auto _ : state) {
    std::size_t ok = 0;
    const Status status = sandbox.RunAll(specs, static_cast<std::size_t>(state.range(0)),
                                         [&](std::size_t, RunResult& r) {
                                           ok += r.exit_code == 0 ? 1 : 0;
                                           return true;
                                         });
    if (!status.ok() || ok != specs.size()) {
      state.SkipWithError("sandboxed run failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(specs.size()));
}

// Arg 0: python3 -c pass; arg 1: /usr/bin/true.
BENCHMARK(BM_Bare)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Sandboxed)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SandboxedParallel)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace merit::code
