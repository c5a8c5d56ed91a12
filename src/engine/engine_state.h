// The inside of an Engine, shared with merit's own shells (CLI, Python, server) so they can
// stream JSONL without building Result objects.
#ifndef MERIT_ENGINE_ENGINE_STATE_H_
#define MERIT_ENGINE_ENGINE_STATE_H_

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "merit/config.h"
#include "merit/reward.h"

#include "backends/backend.h"
#include "concurrency/thread_pool.h"
#include "engine/field_mapping.h"
#include "engine/reward_tree.h"

namespace merit::internal {

struct EngineState {
  Config config;
  FieldMapping fields;
  // Before `tree`: rewards keep pointers to backends, so the tree must be destroyed first.
  std::unique_ptr<backends::BackendSet> backends;
  RewardTree tree;
  std::unique_ptr<const AdvantageEstimator> advantages;  // Null when the config has none.
  std::unique_ptr<ThreadPool> pool;

  // Scores samples[i] into states[i] (both phases). When `usable` is given, samples whose
  // usable[i] is false (input errors) are skipped and keep whatever states[i] holds.
  void Score(std::span<const Sample> samples, std::span<NodeScores> states,
             std::span<const std::uint8_t> usable = {}) const;

  // Advantages for a scored batch; empty when the config has none. Samples whose root is not ok
  // (or that are not usable) are masked.
  std::vector<std::optional<double>> Advantages(std::span<const Sample> samples,
                                                std::span<const NodeScores> states,
                                                std::span<const std::uint8_t> usable = {}) const;
};

// Groups numbered by key in order of first appearance; an empty key is a group of its own.
// Unusable samples are in no group (group_of is kNoGroup).
struct Groups {
  static constexpr std::size_t kNoGroup = static_cast<std::size_t>(-1);
  std::vector<std::size_t> group_of;
  std::vector<std::vector<std::size_t>> members;
};

Groups AssignGroups(std::span<const Sample> samples, std::span<const std::uint8_t> usable);

}  // namespace merit::internal

#endif  // MERIT_ENGINE_ENGINE_STATE_H_
