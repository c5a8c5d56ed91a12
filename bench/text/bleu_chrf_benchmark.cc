// text.bleu and text.chrf on the shared WMT17 parity fixture (10,000 en-de pairs): one pass over
// all pairs per iteration through the rewards' Evaluate (references as JSON, as in production),
// one thread. Items are sentence pairs; bench/text_bleu_chrf_vs_sacrebleu.py compares them with
// sacrebleu on the same pairs. Before timing, every reward's score of row 0 is checked against
// the fixture.
//
// Usage: bleu_chrf_benchmark [--data=../shared/data] [benchmark flags]  (from the repo root)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "merit/reward.h"

namespace merit {
namespace {

struct Pairs {
  std::vector<Sample> samples;
  std::vector<double> bleu;  // sacrebleu's sentence scores, for the answer check.
  std::vector<double> chrf;
};

Pairs Load(const std::string& path) {
  Pairs pairs;
  std::ifstream in(path);
  std::string line;
  JsonParser parser;
  while (std::getline(in, line)) {
    const Json row = parser.Parse(line).value();
    Sample sample;
    sample.completion_text = row.Find("hyp")->str();
    sample.reference = *row.Find("ref");
    pairs.samples.push_back(std::move(sample));
    pairs.bleu.push_back(row.Find("sacrebleu_sentence_bleu")->number());
    pairs.chrf.push_back(row.Find("sacrebleu_sentence_chrf")->number());
  }
  return pairs;
}

std::unique_ptr<const Reward> Make(const Registry& registry, std::string_view name,
                                   std::string_view options_json) {
  return registry.Find(name)
      ->reward(JsonParser().Parse(options_json).value(), ConfigLocation("bench", ""), {}, {})
      .value();
}

void Run(benchmark::State& state, const Pairs& pairs, const Reward& reward) {
  ScoreContext context;
  for (auto _ : state) {
    for (const Sample& sample : pairs.samples) {
      benchmark::DoNotOptimize(reward.Evaluate(sample, context));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pairs.samples.size()));
}

void Check(const Reward& reward, const Pairs& pairs, const std::vector<double>& want,
           const char* what) {
  ScoreContext context;
  const double got = reward.Evaluate(pairs.samples[0], context).value;
  if (std::fabs(got - want[0]) > 5e-7) {
    std::fprintf(stderr, "answer check failed: %s of row 0 is %.9f, sacrebleu %.6f\n", what, got,
                 want[0]);
    std::exit(1);
  }
}

}  // namespace
}  // namespace merit

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  // ../shared/data beside the repository (absent in a user's clone); --data=DIR overrides it.
  std::string data = (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "shared" / "data").string();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--data=", 0) == 0) {
      data = arg.substr(7);
    }
  }
  static const merit::Pairs pairs = merit::Load(data + "/mt/wmt17_en_de_10k.jsonl");
  if (pairs.samples.empty()) {
    std::fprintf(stderr, "skipping: WMT17 fixture not found under %s (pass --data=DIR)\n", data.c_str());
    return 0;
  }
  static const merit::Registry registry = merit::BuiltinRegistry();
  static const auto bleu = merit::Make(registry, "text.bleu", R"({"scale": 100})");
  static const auto chrf = merit::Make(registry, "text.chrf", R"({"scale": 100})");
  static const auto chrf_pp = merit::Make(registry, "text.chrf", R"({"scale": 100, "word_order": 2})");
  merit::Check(*bleu, pairs, pairs.bleu, "BLEU");
  merit::Check(*chrf, pairs, pairs.chrf, "chrF");
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
