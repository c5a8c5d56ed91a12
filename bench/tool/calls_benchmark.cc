// tool.calls (ToolRL) and tool.ast (BFCL) throughput on one core: samples/s for typical
// completions (two calls in a ToolRL block; one BFCL prompt-mode call; one OpenAI tool_calls
// message). Target (issue 5): >= 100k samples/s per core.
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/sample.h"
#include "rewards/families.h"

namespace {

using merit::Json;

const merit::Registry& ToolRegistry() {
  static const merit::Registry registry = [] {
    merit::Registry r;
    merit::RegisterToolRewards(r);
    return r;
  }();
  return registry;
}

std::unique_ptr<const merit::Reward> Make(std::string_view name, std::string_view options_json) {
  merit::JsonParser parser;
  const Json node = parser.Parse(options_json).value();
  return ToolRegistry()
      .Find(name)
      ->reward(node, merit::ConfigLocation("<bench>", "reward"), {}, {})
      .value();
}

Json ParseJson(std::string_view text) {
  merit::JsonParser parser;
  return parser.Parse(text).value();
}

void Run(benchmark::State& state, const merit::Reward& reward, const merit::Sample& sample,
         double want) {
  merit::ScoreContext context;
  // Check the answer once before timing.
  const merit::Score check = reward.Evaluate(sample, context);
  if (!check.ok() || std::abs(check.value - want) > 1e-9) {
    std::abort();
  }
  for (auto _ : state) {
    merit::Score score = reward.Evaluate(sample, context);
    benchmark::DoNotOptimize(score);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ToolRL(benchmark::State& state) {
  const auto reward = Make("tool.calls", "{}");
  merit::Sample sample;
  sample.completion_text =
      "<think>The user wants the weather and the time.</think>\n<tool_call>\n"
      "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": \"F\"}}\n"
      "{\"name\": \"get_time\", \"parameters\": {\"tz\": \"CET\"}}\n</tool_call>";
  sample.completion = Json::Str(sample.completion_text);
  sample.reference = Json::Str(
      "<tool_call>\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", "
      "\"unit\": \"C\"}}\n{\"name\": \"get_time\", \"parameters\": {\"tz\": \"CET\"}}\n"
      "</tool_call>");
  Run(state, *reward, sample, 1.0 + 6.0 * 5.0 / 6.0 - 3.0);
}
BENCHMARK(BM_ToolRL);

constexpr std::string_view kBfclReference = R"({"test_category": "simple_python",
  "function": [{"name": "calculate_triangle_area", "description": "Area of a triangle.",
    "parameters": {"type": "dict", "properties": {
      "base": {"type": "integer", "description": "The base."},
      "height": {"type": "integer", "description": "The height."},
      "unit": {"type": "string", "description": "The unit."}},
    "required": ["base", "height"]}}],
  "ground_truth": [{"calculate_triangle_area": {"base": [10], "height": [5],
                                                "unit": ["units", ""]}}]})";

void BM_BfclAstPrompt(benchmark::State& state) {
  const auto reward = Make("tool.ast", "{}");
  merit::Sample sample;
  sample.completion_text = "[calculate_triangle_area(base=10, height=5, unit='units')]";
  sample.completion = Json::Str(sample.completion_text);
  sample.reference = ParseJson(kBfclReference);
  Run(state, *reward, sample, 1.0);
}
BENCHMARK(BM_BfclAstPrompt);

void BM_BfclAstFunctionCalling(benchmark::State& state) {
  const auto reward = Make("tool.ast", "{}");
  merit::Sample sample;
  sample.completion = ParseJson(R"([{"role": "assistant", "content": null, "tool_calls": [
      {"type": "function", "function": {"name": "calculate_triangle_area",
       "arguments": "{\"base\": 10, \"height\": 5}"}}]}])");
  sample.reference = ParseJson(kBfclReference);
  Run(state, *reward, sample, 1.0);
}
BENCHMARK(BM_BfclAstFunctionCalling);

}  // namespace
