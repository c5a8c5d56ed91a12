// JsonParser on arbitrary bytes: never crashes; whatever parses must dump to JSON that parses
// again to an equal value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "merit/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 64 KiB the fuzzer spends its time copying long literals rather than finding new paths.
  if (size > (64u << 10))
    return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  merit::JsonParser parser(merit::JsonParseLimits{.max_depth = 32});
  merit::StatusOr<merit::Json> parsed = parser.Parse(text);
  if (!parsed.ok())
    return 0;
  const std::string dumped = parsed->Dump();
  merit::JsonParser again(merit::JsonParseLimits{.max_depth = 40});
  merit::StatusOr<merit::Json> reparsed = again.Parse(dumped);
  if (!reparsed.ok() || !(*reparsed == *parsed))
    std::abort();
  return 0;
}
