// text.bleu and text.chrf on the shared WMT17 parity fixture (10,000 en-de pairs): one pass over
// all pairs per iteration through the rewards' Evaluate (references as JSON, as in production),
// one thread. Items are sentence pairs; bench/text_bleu_chrf_vs_sacrebleu.py compares them with
// sacrebleu on the same pairs. Before timing, every reward's score of row 0 is checked against
// the fixture.
//
// Usage: bleu_chrf_benchmark [--data=DIR] [benchmark flags]  (DIR: text_fixture.h's DataDir)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "text_fixture.h"

namespace merit {
namespace {

std::unique_ptr<const Reward> Make(const Registry& registry, std::string_view name,
                                   std::string_view options_json) {
  return registry.Find(name)
      ->reward(JsonParser().Parse(options_json).value(), ConfigLocation("bench", ""), {}, {})
      .value();
}

void Run(benchmark::State& state, const bench_text::Fixture& pairs, const Reward& reward) {
  ScoreContext context;
  for (auto _ : state) {
    for (const Sample& sample : pairs.samples) {
      benchmark::DoNotOptimize(reward.Evaluate(sample, context));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pairs.samples.size()));
}

// `field` of row 0 is sacrebleu's score, printed to 6 decimals.
void Check(const Reward& reward, const bench_text::Fixture& pairs, std::string_view field) {
  ScoreContext context;
  const double got = reward.Evaluate(pairs.samples[0], context).value;
  const double want = pairs.rows[0].Find(field)->number();
  if (std::fabs(got - want) > 5e-7) {
    std::fprintf(stderr, "answer check failed: row 0 is %.9f, %s %.6f\n", got,
                 std::string(field).c_str(), want);
    std::exit(1);
  }
}

}  // namespace
}  // namespace merit

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::string data = merit::bench_text::DataDir(argc, argv);
  static const merit::bench_text::Fixture pairs =
      merit::bench_text::Load(data + "/mt/wmt17_en_de_10k.jsonl", "hyp", "ref");
  if (pairs.samples.empty()) {
    std::fprintf(stderr, "skipping: WMT17 fixture not found under %s (pass --data=DIR)\n", data.c_str());
    return 0;
  }
  static const merit::Registry registry = merit::BuiltinRegistry();
  static const auto bleu = merit::Make(registry, "text.bleu", R"({"scale": 100})");
  static const auto chrf = merit::Make(registry, "text.chrf", R"({"scale": 100})");
  static const auto chrf_pp = merit::Make(registry, "text.chrf", R"({"scale": 100, "word_order": 2})");
  merit::Check(*bleu, pairs, "sacrebleu_sentence_bleu");
  merit::Check(*chrf, pairs, "sacrebleu_sentence_chrf");
  benchmark::RegisterBenchmark("Bleu", [](benchmark::State& s) { merit::Run(s, pairs, *bleu); })
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Chrf", [](benchmark::State& s) { merit::Run(s, pairs, *chrf); })
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("ChrfPlusPlus",
                               [](benchmark::State& s) { merit::Run(s, pairs, *chrf_pp); })
      ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
