// The config loader and engine builder on arbitrary YAML: a config is either rejected with an
// InvalidArgument/NotFound error or builds an engine; nothing crashes, loops or explodes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (16u << 10))
    return 0;  // Configs are small; larger inputs add no new paths.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const merit::Registry* registry = new merit::Registry(merit::BuiltinRegistry());
  merit::StatusOr<merit::Config> config = merit::ParseConfig(text, "<fuzz>");
  if (!config.ok()) {
    if (config.status().code() != merit::StatusCode::kInvalidArgument)
      std::abort();
    return 0;
  }
  merit::StatusOr<merit::Engine> engine = merit::Engine::Create(*config, *registry);
  if (!engine.ok() && engine.status().message().empty())
    std::abort();
  return 0;
}
