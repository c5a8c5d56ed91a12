// The step family's trajectory parser on arbitrary bytes, as Search-R1 text and (when the bytes
// are JSON) as chat messages, plus the judge-reply parsers: nothing may crash, every invariant of
// trajectory.h must hold (bounded step count, byte spans inside the text and in order, exactly one
// invalid step and only last under format_error, an answer only last under done), parsed values
// stay in their ranges.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "merit/json.h"
#include "rewards/step/judge_calls.h"
#include "rewards/step/trajectory.h"

namespace {

using merit::step::StepKind;
using merit::step::Trajectory;
using merit::step::TrajectoryState;

void Require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

void CheckShape(const Trajectory& t, std::size_t max_steps) {
  Require(t.steps.size() <= max_steps + 1);
  Require(t.state == TrajectoryState::kDone || !t.problem.empty());
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    const bool last = i + 1 == t.steps.size();
    if (t.steps[i].kind == StepKind::kInvalid) {
      Require(last && t.state == TrajectoryState::kFormatError);
    }
    if (t.steps[i].kind == StepKind::kAnswer) {
      Require(last && t.state == TrajectoryState::kDone);
    }
    Require(t.steps[i].start <= t.steps[i].end);
  }
  if (t.state == TrajectoryState::kFormatError) {
    Require(!t.steps.empty() && t.steps.back().kind == StepKind::kInvalid);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMaxSteps = 8;
  const Trajectory t = merit::step::ParseTextTrajectory(text, {.max_steps = kMaxSteps});
  CheckShape(t, kMaxSteps);
  std::size_t previous_end = 0;
  for (const merit::step::Step& step : t.steps) {
    Require(step.end <= text.size() && step.start >= previous_end);
    previous_end = step.end;
  }

  merit::JsonParser parser;
  if (const merit::StatusOr<merit::Json> json = parser.Parse(text); json.ok()) {
    const Trajectory chat = merit::step::ParseChatTrajectory(*json, {.max_steps = kMaxSteps});
    CheckShape(chat, kMaxSteps);
    for (std::size_t i = 0; i < chat.steps.size(); ++i) {
      Require(chat.steps[i].start == i && chat.steps[i].end == i + 1);
    }
  }

  const int ternary = merit::step::ParseTernary(text);
  Require(ternary >= -1 && ternary <= 1);
  if (const std::optional<double> relevance = merit::step::ParseRelevance(text)) {
    Require(*relevance >= 0 && *relevance <= 1);
  }
  (void)merit::step::ParseTrueFalse(text);
  return 0;
}
