#include "engine/reward_tree.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

namespace merit::internal {
namespace {

constexpr std::size_t kMaxTreeDepth = 32;
constexpr std::string_view kNodeKeys[] = {"type", "name", "weight"};

// Children of one aggregator for one sample. In phase 1 it evaluates lazily; in phase 2 every
// child is already final.
class LazyChildren final : public Children {
 public:
  using EvaluateFn = void (*)(const RewardTree&, std::size_t, const Sample&, ScoreContext&,
                              NodeScores&);

  LazyChildren(const RewardTree& tree, const RewardTree::Node& node, const Sample* sample,
               ScoreContext* context, NodeScores& state, EvaluateFn evaluate)
      : tree_(tree),
        node_(node),
        sample_(sample),
        context_(context),
        state_(state),
        evaluate_(evaluate) {}

  std::size_t size() const override { return node_.children.size(); }

  const ChildSpec& spec(std::size_t i) const override { return node_.child_specs[i]; }

  const Score& Get(std::size_t i) override {
    const std::size_t child = node_.children[i];
    if (!state_.evaluated[child] && sample_ != nullptr) {
      evaluate_(tree_, child, *sample_, *context_, state_);
    }
    return state_.scores[child];
  }

 private:
  const RewardTree& tree_;
  const RewardTree::Node& node_;
  const Sample* sample_;
  ScoreContext* context_;
  NodeScores& state_;
  EvaluateFn evaluate_;
};

class GroupView final : public GroupScores {
 public:
  GroupView(const RewardTree::Node& node, std::span<const std::size_t> members,
            std::span<NodeScores> states)
      : node_(node), members_(members), states_(states) {}

  std::size_t members() const override { return members_.size(); }

  std::size_t children() const override { return node_.children.size(); }

  const ChildSpec& spec(std::size_t child) const override { return node_.child_specs[child]; }

  const Score& Get(std::size_t child, std::size_t member) const override {
    return states_[members_[member]].scores[node_.children[child]];
  }

 private:
  const RewardTree::Node& node_;
  std::span<const std::size_t> members_;
  std::span<NodeScores> states_;
};

std::vector<std::string_view> BuildableNames(const Registry& registry) {
  std::vector<std::string_view> names = registry.Names(NodeKind::kReward);
  const std::vector<std::string_view> aggregators = registry.Names(NodeKind::kAggregator);
  names.insert(names.end(), aggregators.begin(), aggregators.end());
  return names;
}

}  // namespace

StatusOr<RewardTree> RewardTree::Build(const Json& node, const ConfigLocation& location,
                                       const Registry& registry, const BuildContext& build) {
  RewardTree tree;
  MERIT_RETURN_IF_ERROR(
      tree.BuildNode(node, location, registry, build, ChildSpec{}, "", 0).status());
  // Component keys must be unique: they are the keys of `components` in every result.
  std::unordered_set<std::string> seen;
  for (const Node& n : tree.nodes_) {
    if (!seen.insert(n.component).second) {
      return location.Error(fmt::format(
          "two nodes share the component name \"{}\"; give one of them a distinct `name:`",
          n.component));
    }
  }
  for (Node& n : tree.nodes_) {
    if (n.reward != nullptr && n.reward->corpus_statistics_size() > 0) {
      n.corpus_offset = tree.corpus_statistics_size_;
      n.corpus_size = n.reward->corpus_statistics_size();
      tree.corpus_statistics_size_ += n.corpus_size;
    }
  }
  return tree;
}

StatusOr<std::size_t> RewardTree::BuildNode(const Json& raw, const ConfigLocation& location,
                                            const Registry& registry,
                                            const BuildContext& build, ChildSpec spec,
                                            const std::string& parent_component,
                                            std::size_t depth) {
  if (depth > kMaxTreeDepth) {
    return location.Error(fmt::format("reward tree deeper than {} levels", kMaxTreeDepth));
  }
  // A bare name is shorthand for {type: name}.
  Json node = raw.is_string() ? Json::Obj({{"type", raw}}) : raw;
  if (!node.is_object()) {
    return location.Error(fmt::format("expected a reward node (a mapping with `type:`), got {}",
                                      Json::TypeName(node.type())));
  }
  const Json* type = node.Find("type");
  if (type == nullptr || !type->is_string()) {
    return location.Error("missing `type:` (the name of a reward or aggregator)");
  }
  const Registry::Entry* entry = registry.Find(type->str());
  if (entry == nullptr || entry->kind == NodeKind::kAdvantage) {
    const std::vector<std::string_view> names = BuildableNames(registry);
    return location.Key("type").Error(fmt::format("unknown reward or aggregator \"{}\"{}",
                                                  type->str(), SuggestionText(type->str(), names)));
  }
  spec.name = type->str();
  if (const Json* name = node.Find("name")) {
    if (!name->is_string() || name->str().empty() || name->str().find('/') != std::string::npos) {
      return location.Key("name").Error("expected a non-empty string without '/'");
    }
    spec.name = name->str();
  }
  if (const Json* weight = node.Find("weight")) {
    if (!weight->is_number() || !std::isfinite(weight->number())) {
      return location.Key("weight").Error("expected a finite number");
    }
    spec.weight = weight->number();
  }

  const std::size_t index = nodes_.size();
  nodes_.emplace_back();
  nodes_[index].component =
      parent_component.empty() ? spec.name : fmt::format("{}/{}", parent_component, spec.name);
  // Direct children of the root are named plainly: `components.correct`, not `reward/correct`.
  const std::string children_prefix = depth == 0 ? "" : nodes_[index].component;

  std::vector<std::string_view> ignored(std::begin(kNodeKeys), std::end(kNodeKeys));
  // Keys the parent reads from this child (e.g. a gate's `threshold`) are not options here.
  // The views point into spec.extras, which outlives every use of `ignored` below.
  if (spec.extras.is_object()) {
    for (const auto& [key, value] : spec.extras.object()) {
      ignored.push_back(key);
    }
  }

  if (entry->kind == NodeKind::kReward) {
    MERIT_ASSIGN_OR_RETURN(auto reward, entry->reward(node, location, ignored, build));
    nodes_[index].reward = std::move(reward);
    nodes_[index].spec = std::move(spec);
    return index;
  }

  // An aggregator: build each slot's children, then the node itself.
  for (const ChildSlot& slot : entry->slots) {
    ignored.push_back(slot.name);
  }
  std::vector<std::size_t> children;
  std::vector<ChildSpec> child_specs;
  for (const ChildSlot& slot : entry->slots) {
    const Json* value = node.Find(slot.name);
    const ConfigLocation slot_location = location.Key(slot.name);
    std::vector<std::pair<const Json*, ConfigLocation>> items;
    if (value == nullptr || value->is_null()) {
      if (slot.min_count > 0) {
        return location.Error(
            fmt::format("`{}` needs `{}:` ({})", type->str(), slot.name,
                        slot.single ? "one child node" : "a list of child nodes"));
      }
      continue;
    }
    if (slot.single) {
      items.emplace_back(value, slot_location);
    } else {
      if (!value->is_array()) {
        return slot_location.Error("expected a list of child nodes");
      }
      if (value->array().size() < slot.min_count) {
        return slot_location.Error(
            fmt::format("expected at least {} child node(s)", slot.min_count));
      }
      for (std::size_t i = 0; i < value->array().size(); ++i) {
        items.emplace_back(&value->array()[i], slot_location.Index(i));
      }
    }
    for (const auto& [child_node, child_location] : items) {
      ChildSpec child_spec{.slot = std::string(slot.name), .extras = Json::Obj()};
      if (child_node->is_object()) {
        for (std::string_view key : entry->child_keys) {
          if (const Json* extra = child_node->Find(key)) {
            child_spec.extras.Set(std::string(key), *extra);
          }
        }
      }
      MERIT_ASSIGN_OR_RETURN(std::size_t child, BuildNode(*child_node, child_location, registry, build,
                                                          child_spec, children_prefix, depth + 1));
      children.push_back(child);
      child_specs.push_back(nodes_[child].spec);
    }
  }
  MERIT_ASSIGN_OR_RETURN(auto aggregator, entry->aggregator(node, location, ignored, child_specs));
  Node& built = nodes_[index];
  built.deferred = aggregator->group_level();
  for (std::size_t child : children) {
    built.deferred = built.deferred || nodes_[child].deferred;
  }
  built.aggregator = std::move(aggregator);
  built.children = std::move(children);
  built.child_specs = std::move(child_specs);
  built.spec = std::move(spec);
  return index;
}

std::vector<std::unique_ptr<BatchWork>> RewardTree::StartBatch(
    std::span<const Sample> samples, std::span<const std::uint8_t> usable) const {
  std::vector<std::unique_ptr<BatchWork>> work(nodes_.size());
  bool any = false;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].reward != nullptr) {
      work[i] = nodes_[i].reward->StartBatch(samples, usable);
      any = any || work[i] != nullptr;
    }
  }
  if (!any) {
    work.clear();
  }
  return work;
}

void RewardTree::EvaluateSample(const Sample& sample, ScoreContext& context,
                                NodeScores& state) const {
  state.scores.resize(nodes_.size());
  state.evaluated.assign(nodes_.size(), 0);
  state.segments.clear();
  state.steps.clear();
  state.tokens.clear();
  context.segments = &state.segments;
  context.steps = &state.steps;
  context.tokens = &state.tokens;
  Evaluate(0, sample, context, state);
  context.segments = nullptr;
  context.steps = nullptr;
  context.tokens = nullptr;
}

void RewardTree::Evaluate(std::size_t index, const Sample& sample, ScoreContext& context,
                          NodeScores& state) const {
  if (state.evaluated[index]) {
    return;
  }
  const Node& node = nodes_[index];
  if (node.reward != nullptr) {
    context.batch_work = state.batch_work.empty() ? nullptr : state.batch_work[index].get();
    if (node.corpus_size == 0 || state.corpus_statistics.size() != corpus_statistics_size_) {
      state.scores[index] = node.reward->Evaluate(sample, context);
    } else {
      const std::span<double> statistics(state.corpus_statistics.data() + node.corpus_offset,
                                         node.corpus_size);
      std::fill(statistics.begin(), statistics.end(), 0.0);
      context.corpus_statistics = statistics;
      state.scores[index] = node.reward->Evaluate(sample, context);
      context.corpus_statistics = {};
    }
    context.batch_work = nullptr;
    state.evaluated[index] = 1;
    return;
  }
  if (node.deferred) {
    // Phase 2 decides this node; its non-deferred descendants are evaluated now, in parallel.
    for (std::size_t child : node.children) {
      Evaluate(child, sample, context, state);
    }
    return;
  }
  const auto recurse = [](const RewardTree& tree, std::size_t i, const Sample& s, ScoreContext& c,
                          NodeScores& st) {
    tree.Evaluate(i, s, c, st);
  };
  LazyChildren children(*this, node, &sample, &context, state, recurse);
  state.scores[index] = node.aggregator->Combine(children);
  state.evaluated[index] = 1;
}

void RewardTree::EvaluateGroups(std::span<const std::vector<std::size_t>> members,
                                std::span<NodeScores> states) const {
  // Pre-order puts children after parents, so walking backwards visits children first.
  std::vector<Score> out;
  for (std::size_t index = nodes_.size(); index-- > 0;) {
    const Node& node = nodes_[index];
    if (!node.deferred) {
      continue;
    }
    if (node.aggregator->group_level()) {
      for (const std::vector<std::size_t>& group : members) {
        out.assign(group.size(), Score{});
        node.aggregator->CombineGroup(GroupView(node, group, states), out);
        for (std::size_t m = 0; m < group.size(); ++m) {
          states[group[m]].scores[index] = std::move(out[m]);
          states[group[m]].evaluated[index] = 1;
        }
      }
      continue;
    }
    for (const std::vector<std::size_t>& group : members) {
      for (std::size_t member : group) {
        NodeScores& state = states[member];
        LazyChildren children(*this, node, nullptr, nullptr, state, nullptr);
        state.scores[index] = node.aggregator->Combine(children);
        state.evaluated[index] = 1;
      }
    }
  }
}

}  // namespace merit::internal
