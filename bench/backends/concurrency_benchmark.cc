// Model-backend throughput against the test model server (real HTTP on 127.0.0.1), issue 6:
//  - JudgeCalls: 2,000 chat calls with 50 ms injected latency per request and a concurrency limit
//    of 64. Ideal wall time is 2000 / 64 x 50 ms; reported as achieved/ideal, with merit's CPU
//    time per call (this process only; the server is a separate process).
//  - MixedBatch: a batch scored by one model-backed reward (model.rm over plain HTTP, 50 ms per
//    request, not batched) plus three CPU rewards, on 2 threads. Reported: how many cores merit
//    kept busy (CPU time / wall time), and wall time over max(CPU-only wall time, ideal HTTP time),
//    which is 1.0 when the HTTP waits hide completely behind the CPU work.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "backends/backend.h"
#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"
#include "model_server/model_server_fixture.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kLatencySeconds = 0.050;
constexpr int kConcurrency = 64;

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

merit::testing::ModelServer& Server() {
  static std::unique_ptr<merit::testing::ModelServer> server =
      merit::testing::ModelServer::Start({"--threads", "160"}).value();
  return *server;
}

void JudgeCalls(benchmark::State& state) {
  const int calls = static_cast<int>(state.range(0));
  const merit::Json section = merit::Json::Obj(
      {{"judge", merit::Json::Obj({{"protocol", merit::Json::Str("openai")},
                                   {"model", merit::Json::Str("rule-judge")},
                                   {"cache", merit::Json::Str("off")},
                                   {"max_concurrency", merit::Json::Num(kConcurrency)},
                                   {"url", merit::Json::Str(Server().Url("latency_ms=50"))}})}});
  auto set = merit::backends::BackendSet::Create(section, merit::ConfigLocation("<bench>", "b"));
  const merit::backends::Backend& judge = *(*set)->Find("judge").value();
  double wall = 0;
  double cpu = 0;
  for (auto _ : state) {
    const double cpu_start = ProcessCpuSeconds();
    const Clock::time_point start = Clock::now();
    std::vector<std::shared_ptr<const merit::backends::PendingReply>> pending;
    pending.reserve(calls);
    for (int i = 0; i < calls; ++i) {
      merit::Json messages = merit::Json::Arr({merit::Json::Obj(
          {{"role", merit::Json::Str("user")},
           {"content", merit::Json::Str("<question>q</question><response>answer " +
                                        std::to_string(i) + "</response> SCALE: 0-10")}})});
      pending.push_back(judge.Submit({.kind = merit::backends::Call::Kind::kChat,
                                      .body = merit::Json::Obj({{"messages", messages}})}));
    }
    for (const auto& p : pending) {
      if (!p->Wait().ok()) {
        state.SkipWithError(p->Wait().detail.c_str());
        return;
      }
    }
    wall += std::chrono::duration<double>(Clock::now() - start).count();
    cpu += ProcessCpuSeconds() - cpu_start;
  }
  const double ideal = static_cast<double>(calls) / kConcurrency * kLatencySeconds;
  const double runs = static_cast<double>(state.iterations());
  state.counters["achieved_over_ideal"] = wall / runs / ideal;
  state.counters["merit_cpu_us_per_call"] = cpu / runs / calls * 1e6;
  state.counters["max_in_flight"] = static_cast<double>(judge.stats().max_in_flight);
}
BENCHMARK(JudgeCalls)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

merit::Engine MakeEngine(const std::string& yaml, const merit::Registry& registry) {
  auto engine =
      merit::Engine::Create(merit::ParseConfig(yaml, "<bench>").value(), registry, {.threads = 2});
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().ToString().c_str());
    std::abort();
  }
  return std::move(*engine);
}

// Long enough answers that the CPU rewards cost about as much as the HTTP waits (ROUGE-L's LCS is
// quadratic in length), so the benchmark shows whether one hides behind the other.
std::vector<merit::Sample> MixedSamples(int n) {
  constexpr const char* kWords[] = {"the", "cat", "sat", "on", "mat", "while", "sum", "was",
                                    "computed", "adding", "three", "gives", "answer", "so"};
  std::vector<merit::Sample> samples(n);
  for (int i = 0; i < n; ++i) {
    merit::Sample& s = samples[i];
    std::string completion;
    std::string reference;
    for (int w = 0; w < 3000; ++w) {
      completion += kWords[(w * 7 + i) % 14];
      completion += ' ';
      reference += kWords[(w * 5 + i) % 14];
      reference += ' ';
    }
    s.prompt_text = "What is " + std::to_string(i) + " + 3?";
    s.completion_text = completion + "The final answer is " + std::to_string(i + 3) + ".";
    s.completion = merit::Json::Str(s.completion_text);
    s.prompt = merit::Json::Str(s.prompt_text);
    s.reference = merit::Json::Str(reference + std::to_string(i + 3));
  }
  return samples;
}

constexpr const char* kCpuChildren =
    "    - {name: numeric, type: match.numeric}\n"
    "    - {name: bleu, type: text.bleu}\n"
    "    - {name: rouge, type: text.rouge, rouge_type: rougeL}\n";

void MixedBatch(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const merit::Registry registry = merit::BuiltinRegistry();
  const merit::Engine cpu_only =
      MakeEngine(std::string("reward:\n  type: weighted_sum\n  children:\n") + kCpuChildren,
                 registry);
  const merit::Engine mixed = MakeEngine(
      "backends:\n  rm: {protocol: http, cache: off, max_concurrency: 64, url: '" +
          Server().Url("latency_ms=50") + "/score', score_path: result.score}\n" +
          "reward:\n  type: weighted_sum\n  children:\n    - {name: rm, type: model.rm, "
          "backend: rm, weight: 0.1}\n" + kCpuChildren,
      registry);
  const std::vector<merit::Sample> samples = MixedSamples(n);
  double cpu_only_wall = 0;
  double mixed_wall = 0;
  double mixed_cpu = 0;
  for (auto _ : state) {
    Clock::time_point start = Clock::now();
    benchmark::DoNotOptimize(cpu_only.ScoreBatch(samples));
    cpu_only_wall += std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu_start = ProcessCpuSeconds();
    start = Clock::now();
    const std::vector<merit::Result> results = mixed.ScoreBatch(samples);
    mixed_wall += std::chrono::duration<double>(Clock::now() - start).count();
    mixed_cpu += ProcessCpuSeconds() - cpu_start;
    if (results.front().status != merit::ScoreStatus::kOk) {
      state.SkipWithError(results.front().explanation.c_str());
      return;
    }
  }
  const double runs = static_cast<double>(state.iterations());
  const double http_ideal = n / 64.0 * kLatencySeconds;
  state.counters["merit_cores_busy"] = mixed_cpu / mixed_wall;
  state.counters["cpu_only_s"] = cpu_only_wall / runs;
  state.counters["mixed_s"] = mixed_wall / runs;
  state.counters["mixed_over_max_of_parts"] =
      mixed_wall / runs / std::max(cpu_only_wall / runs, http_ideal);
}
BENCHMARK(MixedBatch)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
