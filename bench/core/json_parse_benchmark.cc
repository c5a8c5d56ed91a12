// JSON parsing of rollout-sized objects into merit::Json (the first step of every input line).
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include "merit/json.h"

namespace {

std::string Rollout(std::size_t completion_bytes) {
  std::string completion;
  while (completion.size() < completion_bytes) {
    completion += "Let x be 7. Then 6x = 42. ";
  }
  return R"({"id":"r1","prompt":"What is 6 times 7?","completion":")" + completion +
         R"(<answer>42</answer>","reference":"42","group":"q1","num_tokens":57})";
}

void BM_ParseRollout(benchmark::State& state) {
  const std::string line = Rollout(static_cast<std::size_t>(state.range(0)));
  merit::JsonParser parser;
  // Check the answer once before timing: a benchmark that parses nothing measures nothing.
  if (!parser.Parse(line).ok()) {
    std::abort();
  }
  for (auto _ : state) {
    auto parsed = parser.Parse(line);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * line.size()));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ParseRollout)->Range(64, 64 << 10);

void BM_DumpRollout(benchmark::State& state) {
  merit::JsonParser parser;
  const merit::Json value = parser.Parse(Rollout(static_cast<std::size_t>(state.range(0)))).value();
  std::string out;
  for (auto _ : state) {
    out.clear();
    value.DumpTo(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_DumpRollout)->Range(64, 64 << 10);

}  // namespace
