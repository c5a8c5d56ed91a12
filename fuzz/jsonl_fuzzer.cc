// The JSONL pipeline (parse, map, score, format) on arbitrary bytes: exactly one output line per
// input line, each valid JSON, whatever the input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

#include "io/line_scorer.h"

namespace {

const merit::Engine& FuzzEngine() {
  static const merit::Engine* engine = [] {
    const merit::Registry registry = merit::BuiltinRegistry();
    auto config = merit::ParseConfig(R"(
fields: {preset: default, group: [group, metadata.g]}
reward:
  type: weighted_sum
  children:
    - {name: v, type: field.value, path: v, missing: zero}
    - {name: n, type: normalize_then_sum, children: [{type: field.value, path: w}]}
advantages: grpo
)",
                                     "<fuzz>");
    if (!config.ok())
      std::abort();
    auto built = merit::Engine::Create(*config, registry);
    if (!built.ok())
      std::abort();
    return new merit::Engine(std::move(built).value());
  }();
  return *engine;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (64u << 10))
    return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const merit::internal::LineScorer scorer(FuzzEngine(), {.max_line_bytes = 4096});
  merit::internal::LineBatch batch;
  std::size_t start = 0;
  std::size_t number = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    const std::string_view line = text.substr(start, end - start);
    batch.Add(line.substr(0, 4096), ++number, line.size() > 4096);
    start = end + 1;
  }
  scorer.Parse(batch);
  std::string out;
  merit::internal::Summary summary(FuzzEngine().ComponentNames());
  scorer.ScoreAndFormat(batch, batch.size(), out, summary);
  std::size_t lines = 0;
  merit::JsonParser parser;
  std::size_t begin = 0;
  while (begin < out.size()) {
    const std::size_t end = out.find('\n', begin);
    if (end == std::string::npos ||
        !parser.Parse(std::string_view(out).substr(begin, end - begin)).ok()) {
      std::abort();
    }
    ++lines;
    begin = end + 1;
  }
  if (lines != batch.size())
    std::abort();
  return 0;
}
