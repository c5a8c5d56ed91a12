#include "merit/engine.h"

#include <algorithm>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/engine_state.h"

namespace merit {
namespace internal {
namespace {

constexpr std::string_view kTopLevelKeys[] = {"fields", "backends", "reward", "advantages"};
constexpr std::string_view kAdvantageKeys[] = {"type"};

// Samples per task: small enough to balance slow rewards, large enough to amortise dispatch.
constexpr std::size_t kChunk = 64;

bool Usable(std::span<const std::uint8_t> usable, std::size_t i) {
  return usable.empty() || usable[i] != 0;
}

}  // namespace

Groups AssignGroups(std::span<const Sample> samples, std::span<const std::uint8_t> usable) {
  Groups groups;
  groups.group_of.assign(samples.size(), Groups::kNoGroup);
  std::unordered_map<std::string_view, std::size_t> ids;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!Usable(usable, i)) {
      continue;
    }
    std::size_t id = groups.members.size();
    if (!samples[i].group.empty()) {
      id = ids.try_emplace(samples[i].group, groups.members.size()).first->second;
    }
    if (id == groups.members.size()) {
      groups.members.emplace_back();
    }
    groups.members[id].push_back(i);
    groups.group_of[i] = id;
  }
  return groups;
}

void EngineState::Score(std::span<const Sample> samples, std::span<NodeScores> states,
                        std::span<const std::uint8_t> usable) const {
  std::vector<ScoreContext> contexts(pool->threads());
  // Backend-bound leaves put the whole batch's requests in flight first (design.md §5).
  const std::vector<std::unique_ptr<BatchWork>> batch_work = tree.StartBatch(samples, usable);
  pool->ParallelFor(samples.size(), kChunk,
                    [&](std::size_t begin, std::size_t end, std::size_t slot) {
                      ScoreContext& context = contexts[slot];
                      for (std::size_t i = begin; i < end; ++i) {
                        if (!Usable(usable, i)) {
                          continue;
                        }
                        context.seed = i;
                        context.index = i;
                        states[i].batch_work = batch_work;
                        tree.EvaluateSample(samples[i], context, states[i]);
                        states[i].batch_work = {};
                      }
                    });
  if (tree.has_group_level()) {
    // Unusable samples are in no group, so phase 2 leaves their states alone.
    tree.EvaluateGroups(AssignGroups(samples, usable).members, states);
  }
}

std::vector<std::optional<double>> EngineState::Advantages(
    std::span<const Sample> samples, std::span<const NodeScores> states,
    std::span<const std::uint8_t> usable) const {
  if (advantages == nullptr) {
    return {};
  }
  const Groups groups = AssignGroups(samples, usable);
  // Masked samples still need a group number for the estimator's bookkeeping; they never enter
  // its statistics because their reward is nullopt.
  std::vector<std::size_t> group_of = groups.group_of;
  std::size_t next = groups.members.size();
  std::vector<std::optional<double>> rewards(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (group_of[i] == Groups::kNoGroup) {
      group_of[i] = next++;
      continue;
    }
    const merit::Score& root = states[i].scores[0];
    if (root.ok()) {
      rewards[i] = root.value;
    }
  }
  return advantages->Compute(rewards, group_of);
}

}  // namespace internal

Engine::Engine(std::unique_ptr<const internal::EngineState> state) : state_(std::move(state)) {}

Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

StatusOr<Engine> Engine::Create(const Config& config, const Registry& registry,
                                EngineOptions options) {
  auto state = std::make_unique<internal::EngineState>();
  state->config = config;
  const ConfigLocation top(config.source, "");
  const Json& root = config.root;
  for (const auto& [key, value] : root.object()) {
    if (std::find(std::begin(internal::kTopLevelKeys), std::end(internal::kTopLevelKeys), key) ==
        std::end(internal::kTopLevelKeys)) {
      return top.Key(key).Error("unknown top-level key" +
                                SuggestionText(key, internal::kTopLevelKeys));
    }
  }
  const Json* fields = root.Find("fields");
  MERIT_ASSIGN_OR_RETURN(
      state->fields, internal::FieldMapping::Create(fields ? *fields : Json(), top.Key("fields")));
  const Json* reward = root.Find("reward");
  if (reward == nullptr || reward->is_null()) {
    return top.Error("missing `reward:` (the root of the reward tree)");
  }
  const Json* backends = root.Find("backends");
  MERIT_ASSIGN_OR_RETURN(
      state->backends,
      backends::BackendSet::Create(backends ? *backends : Json(), top.Key("backends")));
  const BuildContext build{.backends = state->backends.get(), .registry = &registry};
  MERIT_ASSIGN_OR_RETURN(state->tree,
                         internal::RewardTree::Build(*reward, top.Key("reward"), registry, build));
  if (const Json* advantages = root.Find("advantages"); advantages && !advantages->is_null()) {
    const ConfigLocation where = top.Key("advantages");
    Json node = advantages->is_string() ? Json::Obj({{"type", *advantages}}) : *advantages;
    const Json* type = node.Find("type");
    if (!node.is_object() || type == nullptr || !type->is_string()) {
      return where.Error("expected a mapping with `type:` (an advantage estimator)");
    }
    const Registry::Entry* entry = registry.Find(type->str());
    if (entry == nullptr || entry->kind != NodeKind::kAdvantage) {
      const auto names = registry.Names(NodeKind::kAdvantage);
      return where.Key("type").Error(fmt::format("unknown advantage estimator \"{}\"{}",
                                                 type->str(), SuggestionText(type->str(), names)));
    }
    MERIT_ASSIGN_OR_RETURN(state->advantages,
                           entry->advantage(node, where, internal::kAdvantageKeys));
  }
  std::size_t threads = options.threads;
  if (threads == 0) {
    threads = std::max(1u, std::thread::hardware_concurrency());
  }
  state->pool = std::make_unique<internal::ThreadPool>(threads);
  return Engine(std::move(state));
}

std::vector<Result> Engine::ScoreBatch(std::span<const Sample> samples) const {
  std::vector<internal::NodeScores> states(samples.size());
  state_->Score(samples, states);
  const std::vector<std::optional<double>> advantages = state_->Advantages(samples, states);
  const auto& nodes = state_->tree.nodes();
  std::vector<Result> results(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    Result& result = results[i];
    const merit::Score& root = states[i].scores[0];
    result.status = root.status;
    if (root.ok()) {
      result.reward = root.value;
    }
    result.reason = std::string(root.reason);
    result.explanation = root.explanation;
    result.components.reserve(nodes.size());
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      std::optional<double> value;
      if (states[i].evaluated[n] && states[i].scores[n].ok()) {
        value = states[i].scores[n].value;
      }
      result.components.emplace_back(nodes[n].component, value);
      if (states[i].evaluated[n]) {
        for (const ItemVerdict& item : states[i].scores[n].items) {
          result.items.push_back(item);
          result.items.back().component = nodes[n].component;
        }
      }
    }
    if (!advantages.empty()) {
      result.advantage = advantages[i];
    }
    result.segments = states[i].segments;
    result.steps = states[i].steps;
    result.tokens = states[i].tokens;
  }
  return results;
}

Score Engine::MapSample(const Json& object, Sample* sample) const {
  return state_->fields.Map(object, sample);
}

const std::string& Engine::config_hash() const {
  return state_->config.hash;
}

bool Engine::has_advantages() const {
  return state_->advantages != nullptr;
}

std::size_t Engine::threads() const {
  return state_->pool->threads();
}

std::vector<std::string> Engine::ComponentNames() const {
  std::vector<std::string> names;
  for (const auto& node : state_->tree.nodes()) {
    names.push_back(node.component);
  }
  return names;
}

}  // namespace merit
