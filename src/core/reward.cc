#include "merit/reward.h"

#include <cstdlib>

#include <fmt/format.h>

namespace merit {

void Aggregator::CombineGroup(const GroupScores&, std::span<Score>) const {
  // Only group-level aggregators are called here; reaching this is a bug in the engine.
  std::abort();
}

std::optional<std::size_t> FirstFailure(Children& children) {
  std::optional<std::size_t> first_unscorable;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const Score& score = children.Get(i);
    if (score.status == ScoreStatus::kError) {
      return i;
    }
    if (score.status == ScoreStatus::kUnscorable && !first_unscorable) {
      first_unscorable = i;
    }
  }
  return first_unscorable;
}

Score PropagateFailure(const Score& failure, std::string_view child) {
  Score out = failure;
  out.value = 0;
  out.explanation = failure.explanation.empty() ? fmt::format("{}: {}", child, failure.reason)
                                                : fmt::format("{}: {}", child, failure.explanation);
  return out;
}

}  // namespace merit
