// The tool-call parsers on arbitrary bytes: Python call syntax (literal values and Java/JS source
// text), the JSON literal parser, and ExtractToolCalls' format detection. Never crashes or runs
// away (all are linear and depth-bounded); every parsed value dumps to JSON that parses again;
// every call of a successful parse has a non-empty name and object arguments.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "merit/json.h"
#include "merit/sample.h"
#include "rewards/tool/tool_call.h"

namespace {

void CheckDumps(const merit::Json& value) {
  merit::JsonParser parser(merit::JsonParseLimits{.max_depth = 80});
  if (!parser.Parse(value.Dump()).ok()) {
    std::abort();
  }
}

void CheckCalls(const std::vector<merit::tool::ToolCall>& calls) {
  for (const merit::tool::ToolCall& call : calls) {
    if (call.name.empty() || !call.arguments.is_object()) {
      std::abort();
    }
    CheckDumps(call.arguments);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 16 KiB inputs mostly repeat literals; the parsers are linear, so nothing new is found.
  if (size > (16u << 10)) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace tool = merit::tool;
  if (auto calls = tool::ParsePythonCalls(text, {.max_depth = 32}); calls.ok()) {
    CheckCalls(*calls);
  }
  if (auto calls = tool::ParsePythonCalls(text, {.values_as_source_text = true}); calls.ok()) {
    CheckCalls(*calls);
  }
  if (auto value = tool::ParseLiteral(text, {.max_depth = 32}); value.ok()) {
    CheckDumps(*value);
  }
  if (auto value = tool::ParseLiteral(text, {.max_depth = 32, .json = false}); value.ok()) {
    CheckDumps(*value);
  }
  merit::Sample sample;
  sample.completion_text = std::string(text);
  sample.completion = merit::Json::Str(sample.completion_text);
  if (auto extracted = tool::ExtractToolCalls(sample, {}); extracted.ok()) {
    CheckCalls(extracted->calls);
  }
  return 0;
}
