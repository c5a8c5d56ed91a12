// math.verify: throughput on MATH-style answer pairs and latency on adversarial answers.
//
//   math_verify_benchmark                          Google Benchmark cases below
//   math_verify_benchmark --latency FILE.jsonl     one core, per-item timing of a JSONL of
//                                                  {"completion", "reference"} objects; prints one
//                                                  JSON line: items, items_per_s, p50/p99/max (us)
//                                                  and the verdicts (1/0/null) in input order.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/sample.h"

namespace {

std::unique_ptr<const merit::Reward> MakeReward() {
  static const merit::Registry registry = merit::BuiltinRegistry();
  const merit::Registry::Entry* entry = registry.Find("math.verify");
  auto built = entry->reward(merit::Json(), merit::ConfigLocation("<bench>", "reward"), {}, {});
  return std::move(built).value();
}

merit::Sample MakeSample(std::string completion, std::string reference) {
  merit::Sample s;
  s.completion_text = std::move(completion);
  s.reference = merit::Json::Str(std::move(reference));
  return s;
}

struct Pair {
  const char* completion;
  const char* reference;
  double want;
};

// Typical MATH answers, extracted pairs and boxed completions.
const Pair kMathPairs[] = {
    {"\\boxed{\\frac{1}{2}}", "0.5", 1},
    {"\\boxed{2\\sqrt{2}}", "\\sqrt{8}", 1},
    {"\\boxed{(x+1)^2}", "x^2+2x+1", 1},
    {"\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", "\\left( 3, \\frac{\\pi}{2} \\right)", 1},
    {"\\boxed{[-2, 7)}", "[-2,7)", 1},
    {"\\boxed{\\frac{14}{3}}", "\\frac{14}{3}", 1},
    {"\\boxed{10{,}000}", "10000", 1},
    {"\\boxed{\\frac{1}{2006!}}", "\\frac{1}{2004!}", 0},
};

const char* const kAdversarial[] = {
    "\\boxed{9^{9^{9^9}}}",       "\\boxed{10^{10^{10^{10}}}}", "\\boxed{99999!}",
    "\\boxed{(1+x)^{100000}}",    "\\boxed{\\binom{100000}{50000}}",
    "\\boxed{2^{262144}}",        "\\boxed{\\sin(\\sin(\\sin(10^{100})))}",
};

void BM_MathPairs(benchmark::State& state) {
  const auto reward = MakeReward();
  std::vector<merit::Sample> samples;
  for (const Pair& p : kMathPairs) samples.push_back(MakeSample(p.completion, p.reference));
  merit::ScoreContext ctx;
  // The answers are checked once before timing.
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (reward->Evaluate(samples[i], ctx).value != kMathPairs[i].want) {
      state.SkipWithError("wrong verdict");
      return;
    }
  }
  for (auto _ : state) {
    for (const merit::Sample& s : samples) benchmark::DoNotOptimize(reward->Evaluate(s, ctx));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(samples.size()));
}
BENCHMARK(BM_MathPairs);

void BM_Adversarial(benchmark::State& state) {
  const auto reward = MakeReward();
  const merit::Sample s = MakeSample(kAdversarial[state.range(0)], "5");
  merit::ScoreContext ctx;
  for (auto _ : state) benchmark::DoNotOptimize(reward->Evaluate(s, ctx));
  state.SetLabel(kAdversarial[state.range(0)]);
}
BENCHMARK(BM_Adversarial)->DenseRange(0, std::size(kAdversarial) - 1);

void BM_NestedParens(benchmark::State& state) {
  const auto reward = MakeReward();
  const std::string deep(static_cast<std::size_t>(state.range(0)), '(');
  const merit::Sample s =
      MakeSample("\\boxed{" + deep + "1" + std::string(deep.size(), ')') + "}", "1");
  merit::ScoreContext ctx;
  for (auto _ : state) benchmark::DoNotOptimize(reward->Evaluate(s, ctx));
}
BENCHMARK(BM_NestedParens)->Range(8, 5000);

int Latency(const char* path) {
  const auto reward = MakeReward();
  std::ifstream in(path);
  merit::JsonParser parser;
  std::vector<merit::Sample> samples;
  std::string line;
  while (std::getline(in, line)) {
    merit::StatusOr<merit::Json> row = parser.Parse(line);
    if (!row.ok()) {
      std::fprintf(stderr, "%s\n", row.status().ToString().c_str());
      return 1;
    }
    merit::Sample s;
    if (const merit::Json* c = row->Find("completion")) s.completion_text = c->str();
    if (const merit::Json* r = row->Find("reference")) s.reference = *r;
    if (const merit::Json* p = row->Find("prompt")) s.prompt_text = p->str();
    samples.push_back(std::move(s));
  }
  merit::ScoreContext ctx;
  std::vector<double> micros;
  std::string verdicts;
  const auto start = std::chrono::steady_clock::now();
  for (const merit::Sample& s : samples) {
    const auto t = std::chrono::steady_clock::now();
    const merit::Score score = reward->Evaluate(s, ctx);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count());
    verdicts += verdicts.empty() ? "" : ",";
    verdicts += score.ok() ? (score.value == 1.0 ? "1" : "0") : "null";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> sorted = micros;
  std::sort(sorted.begin(), sorted.end());
  auto at = [&](double q) {
    return sorted.empty() ? 0.0 : sorted[static_cast<std::size_t>(q * (sorted.size() - 1))];
  };
  std::printf(
      "{\"items\": %zu, \"seconds\": %.6f, \"items_per_s\": %.1f, \"p50_us\": %.2f, "
      "\"p99_us\": %.2f, \"max_us\": %.2f, \"verdicts\": [%s]}\n",
      samples.size(), seconds, seconds > 0 ? samples.size() / seconds : 0.0, at(0.5), at(0.99),
      sorted.empty() ? 0.0 : sorted.back(), verdicts.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--latency") == 0) return Latency(argv[2]);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
