// The likelihood rewards on arbitrary sample objects (metadata, logprobs and completion text all
// attacker-controlled): never a crash or a runaway; an ok reward is finite; token spans are
// [t, t + 1); implicit_prm's steps tile the token range [0, T) in order.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/json.h"
#include "merit/registry.h"

namespace {

const std::vector<std::unique_ptr<const merit::Engine>>& FuzzEngines() {
  static const auto* engines = [] {
    const merit::Registry registry = merit::BuiltinRegistry();
    auto* built = new std::vector<std::unique_ptr<const merit::Engine>>();
    for (const char* reward : {
             "{type: likelihood.reference, variant: avg_prob}",
             "{type: likelihood.echo}",
             "{type: likelihood.followup}",
             "{type: likelihood.implicit_prm, aggregation: min_cumulative}",
             "{type: likelihood.endogenous, alpha: 0.5, max_logits: 4096}",
             "{type: likelihood.token_contrast}",
             "{type: kl_penalty, child: {type: field.value, path: rm}, "
             "log_ratio: {type: likelihood.log_ratio, estimator: k3, tokens: true}}",
         }) {
      auto config = merit::ParseConfig(std::string("reward: ") + reward, "<fuzz>");
      if (!config.ok())
        std::abort();
      auto engine = merit::Engine::Create(*config, registry);
      if (!engine.ok())
        std::abort();
      built->push_back(std::make_unique<const merit::Engine>(std::move(engine).value()));
    }
    return built;
  }();
  return *engines;
}

void CheckResult(const merit::Result& result, const merit::Sample& sample) {
  if (result.status == merit::ScoreStatus::kOk &&
      (!result.reward.has_value() || !std::isfinite(*result.reward))) {
    std::abort();
  }
  for (const merit::Span& token : result.tokens) {
    if (token.end != token.start + 1 || !std::isfinite(token.reward))
      std::abort();
  }
  std::size_t next = 0;
  for (const merit::Span& step : result.steps) {
    if (step.start != next || step.end <= step.start || !std::isfinite(step.reward))
      std::abort();
    next = step.end;
  }
  if (!result.steps.empty() && next != sample.logprobs.size())
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 64 KiB the inputs are long arrays whose checks are linear: nothing new to find.
  if (size > (64u << 10))
    return 0;
  merit::JsonParser parser(merit::JsonParseLimits{.max_depth = 64});
  auto value = parser.Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!value.ok())
    return 0;
  for (const auto& engine : FuzzEngines()) {
    std::vector<merit::Sample> batch(1);
    if (!engine->MapSample(*value, batch.data()).ok())
      continue;
    for (const merit::Result& result : engine->ScoreBatch(batch)) {
      CheckResult(result, batch.front());
    }
  }
  return 0;
}
