// End-to-end JSONL scoring (parse, map, score, advantages, format) with the issue's cheap-rule
// config: match.exact + format.tags + penalty.overlong, GRPO advantages. Items/s is samples/s.
#include <cstdlib>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

#include "io/line_scorer.h"

namespace {

constexpr std::string_view kConfig = R"(
reward:
  type: weighted_sum
  children:
    - {name: correct, type: match.exact, extract: answer_tag, weight: 1.0}
    - {name: format, type: format.tags, tags: [think, answer], weight: 0.1}
    - {name: length, type: penalty.overlong, max_length: 4096, buffer: 512, unit: tokens}
advantages: {type: grpo}
)";

std::vector<std::string> Lines(std::size_t n) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t answer = (i * 7) % 10;
    lines.push_back(R"({"id":)" + std::to_string(i) + R"(,"prompt":"q)" + std::to_string(i / 8) +
                    R"(","completion":"<think>6 times 7 is 42.</think><answer>4)" +
                    std::to_string(answer) + R"(</answer>","reference":"42","num_tokens":)" +
                    std::to_string(3000 + (i * 37) % 2000) + "}");
  }
  return lines;
}

void BM_ScoreLines(benchmark::State& state) {
  const merit::Registry registry = merit::BuiltinRegistry();
  auto config = merit::ParseConfig(kConfig, "bench");
  auto engine = merit::Engine::Create(*config, registry,
                                      {.threads = static_cast<std::size_t>(state.range(0))});
  if (!engine.ok()) {
    std::abort();
  }
  const merit::internal::LineScorer scorer(*engine);
  const std::vector<std::string> lines = Lines(8192);
  merit::internal::LineBatch batch;
  std::string out;
  merit::internal::Summary summary(engine->ComponentNames());
  for (auto _ : state) {
    batch.Clear();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      batch.Add(lines[i], i + 1, false);
    }
    scorer.Parse(batch);
    out.clear();
    scorer.ScoreAndFormat(batch, batch.size(), out, summary);
    benchmark::DoNotOptimize(out.data());
  }
  if (summary.count("ok") != summary.total()) {
    std::abort();  // Every line must have scored.
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
}

BENCHMARK(BM_ScoreLines)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
