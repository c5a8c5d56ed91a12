// text.ter and text.rouge on the shared parity fixtures: one pass over all pairs per iteration,
// scored through the rewards' Evaluate (references as JSON, as in production), one thread. Items
// are sentence pairs; bench/text_ter_rouge_vs_peers.py compares them with sacrebleu and
// rouge-score on the same pairs. The first pass checks one known answer before timing.
//
// Usage: ter_rouge_benchmark [--data=DIR] [benchmark flags]  (DIR: text_fixture.h's DataDir)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "merit/reward.h"
#include "rewards/text/rouge.h"
#include "rewards/text/ter.h"
#include "text_fixture.h"

namespace merit::text_metrics {
namespace {

void Run(benchmark::State& state, const std::vector<Sample>& samples,
         const std::vector<const Reward*>& rewards) {
  if (samples.empty()) {
    state.SkipWithError("fixture absent");
    return;
  }
  ScoreContext context;
  for (auto _ : state) {
    for (const Sample& sample : samples) {
      for (const Reward* reward : rewards) {
        benchmark::DoNotOptimize(reward->Evaluate(sample, context));
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(samples.size()));
}

// `n` words from a 50-word vocabulary: long lines with many equal words, the shape that makes
// TER's shift search expensive (each pair's candidate shifts are capped).
std::string RepetitiveWords(std::size_t n, std::uint64_t seed) {
  std::string text;
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    text += "w" + std::to_string((seed >> 33) % 50) + " ";
  }
  return text;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "answer check failed: %s\n", what);
    std::exit(1);
  }
}

}  // namespace
}  // namespace merit::text_metrics

int main(int argc, char** argv) {
  namespace tm = merit::text_metrics;
  namespace bt = merit::bench_text;
  const std::string data = bt::DataDir(argc, argv);
  static const std::vector<merit::Sample> mt =
      bt::Load(data + "/mt/wmt17_en_de_10k.jsonl", "hyp", "ref").samples;
  static const std::vector<merit::Sample> pairs =
      bt::Load(data + "/rouge/en_pairs_9942.jsonl", "prediction", "reference").samples;
  static std::vector<std::unique_ptr<const merit::Reward>> owned;

  owned.push_back(tm::MakeTer(tm::TerOptions{.output = "ter", .scale = 100}).value());
  const merit::Reward* ter = owned.back().get();
  if (!mt.empty()) {
    merit::ScoreContext context;
    // wmt17_en_de_10k.jsonl row 0: sacrebleu sentence TER 62.5.
    tm::Check(ter->Evaluate(mt[0], context).value == 62.5, "TER of row 0");
  }
  benchmark::RegisterBenchmark("Ter", [ter](benchmark::State& state) { tm::Run(state, mt, {ter}); })
      ->Unit(benchmark::kMillisecond);
  // One 2,000-word pair (no fixture needed): the bounded-time case ter_test only checks finishes.
  static const std::vector<merit::Sample> long_pair = [] {
    merit::Sample sample;
    sample.completion_text = tm::RepetitiveWords(2000, 1);
    sample.reference = merit::Json::Str(tm::RepetitiveWords(2000, 2));
    return std::vector<merit::Sample>{sample};
  }();
  benchmark::RegisterBenchmark("Ter/2000_repetitive_words",
                               [ter](benchmark::State& state) { tm::Run(state, long_pair, {ter}); })
      ->Unit(benchmark::kMillisecond);

  const char* types[] = {"rouge1", "rouge2", "rougeL", "rougeLsum"};
  for (const bool stem : {false, true}) {
    std::vector<const merit::Reward*> all;
    for (const char* type : types) {
      owned.push_back(tm::MakeRouge(tm::RougeOptions{.rouge_type = type, .use_stemmer = stem}).value());
      const merit::Reward* rouge = owned.back().get();
      all.push_back(rouge);
      benchmark::RegisterBenchmark(
          (std::string("Rouge/") + type + (stem ? "_stem" : "")).c_str(),
          [rouge](benchmark::State& state) { tm::Run(state, pairs, {rouge}); })
          ->Unit(benchmark::kMillisecond);
    }
    if (!pairs.empty() && stem) {
      merit::ScoreContext context;
      // en_pairs_9942.jsonl row 0: rougeLsum_stem F = 0.379747 (printed to 6 decimals).
      tm::Check(std::fabs(all[3]->Evaluate(pairs[0], context).value - 0.379747) < 5e-7, "rougeLsum row 0");
    }
    benchmark::RegisterBenchmark(
        (std::string("Rouge/rouge1_rouge2_rougeL_rougeLsum") + (stem ? "_stem" : "")).c_str(),
        [all](benchmark::State& state) { tm::Run(state, pairs, all); })
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
