// JsonSchema on arbitrary bytes: the input is split at the first NUL into a schema and an
// instance (both JSON). Compiling never crashes; validation never crashes and stays within its
// step budget and depth limit whatever the schema ($ref cycles, nested combinators).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "merit/json.h"
#include "rewards/format/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 8 KiB the schemas are mostly long literals; the interesting structure is small.
  if (size > (8u << 10)) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  const std::string_view schema_text = input.substr(0, split);
  const std::string_view instance_text =
      split == std::string_view::npos ? std::string_view("null") : input.substr(split + 1);
  merit::JsonParser parser(merit::JsonParseLimits{.max_depth = 64});
  merit::StatusOr<merit::Json> schema = parser.Parse(schema_text);
  if (!schema.ok()) {
    return 0;
  }
  merit::StatusOr<merit::format::JsonSchema> compiled =
      merit::format::JsonSchema::Compile(*schema, {.max_steps = 20'000, .max_nodes = 2'000});
  if (!compiled.ok()) {
    return 0;
  }
  merit::JsonParser instance_parser(merit::JsonParseLimits{.max_depth = 64});
  merit::StatusOr<merit::Json> instance = instance_parser.Parse(instance_text);
  if (!instance.ok()) {
    return 0;
  }
  const auto violation = compiled->Validate(*instance);
  if (violation.has_value() && violation->message.empty()) {
    std::abort();  // A violation always says what is wrong.
  }
  return 0;
}
