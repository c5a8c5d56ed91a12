// Registry: every reward, aggregator and advantage estimator, by dotted name.
//
// The caller builds a Registry (merit::BuiltinRegistry() registers everything merit ships; tests
// may register only what they need). There is no global registry. Registration is a function
// call per family, listed once in src/rewards/builtin.cc.
//
// Thread safety: Add*() is not thread-safe; once built, a const Registry may be shared.
#ifndef MERIT_REGISTRY_H_
#define MERIT_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit {

enum class NodeKind : std::uint8_t { kReward, kAggregator, kAdvantage };

namespace backends {
class BackendSet;  // src/backends/backend.h: the named model backends of one config.
}  // namespace backends

// What a config provides to the rewards built from it, beyond their own options.
class Registry;

struct BuildContext {
  // The config's `backends:` section, built before the reward tree; never null while building
  // (empty when the config has none). Rewards keep pointers into it: it outlives them.
  const backends::BackendSet* backends = nullptr;
  // The registry the tree is built from and the location of the node being built, so that a
  // reward can build the leaf rewards named in its own options (BuildLeafReward). Null outside a
  // config build.
  const Registry* registry = nullptr;
  const ConfigLocation* location = nullptr;
};

// What `merit list` and `merit describe` show. Strings are static literals.
struct NodeInfo {
  std::string_view name = {};     // "match.exact"
  std::string_view summary = {};  // One sentence.
  double min = 0.0;               // Declared output range (may be infinite).
  double max = 1.0;
  std::string_view example = {};  // A YAML flow mapping that builds, e.g. {type: match.exact}.
  // For model-backed rewards: the `backends:` section (a YAML flow mapping) the example needs.
  std::string_view example_backends = {};
  std::string_view source = {};   // Where the definition comes from (paper, spec section).
};

// A named list of children under an aggregator.
struct ChildSlot {
  std::string_view name = {};  // Config key: "children", "gates", "outcome".
  bool single = false;         // One child (a mapping) rather than a list.
  std::size_t min_count = 1;
};

class Registry {
 public:
  using RewardFactory = std::function<StatusOr<std::unique_ptr<const Reward>>(
      const Json& node, const ConfigLocation& location, std::span<const std::string_view> ignored,
      const BuildContext& build)>;
  using AggregatorFactory = std::function<StatusOr<std::unique_ptr<const Aggregator>>(
      const Json& node, const ConfigLocation& location, std::span<const std::string_view> ignored,
      std::span<const ChildSpec> children)>;
  using AdvantageFactory = std::function<StatusOr<std::unique_ptr<const AdvantageEstimator>>(
      const Json& node, const ConfigLocation& location, std::span<const std::string_view> ignored)>;

  struct Entry {
    NodeInfo info = {};
    NodeKind kind = NodeKind::kReward;
    std::vector<OptionDoc> options = {};
    std::vector<ChildSlot> slots = {};              // Aggregators only.
    std::vector<std::string_view> child_keys = {};  // Aggregators only: extra per-child keys.
    RewardFactory reward = {};
    AggregatorFactory aggregator = {};
    AdvantageFactory advantage = {};
  };

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  Registry(Registry&&) = default;
  Registry& operator=(Registry&&) = default;

  // Registers a leaf reward. `factory` receives validated options.
  template <typename Options>
  void AddReward(NodeInfo info,
                 StatusOr<std::unique_ptr<const Reward>> (*factory)(const Options&)) {
    AddRewardWith<Options>(info, [factory](const Options& options, const BuildContext&) {
      return factory(options);
    });
  }

  // Registers a leaf reward whose factory also needs the config's context (e.g. a model-backed
  // reward looks up its `backend:` by name).
  template <typename Options>
  void AddReward(NodeInfo info, StatusOr<std::unique_ptr<const Reward>> (*factory)(
                                    const Options&, const BuildContext&)) {
    AddRewardWith<Options>(info, factory);
  }

  // Registers an aggregator. `factory` receives validated options and its children's specs.
  template <typename Options>
  void AddAggregator(NodeInfo info, std::vector<ChildSlot> slots,
                     std::vector<std::string_view> child_keys,
                     StatusOr<std::unique_ptr<const Aggregator>> (*factory)(
                         const Options&, std::span<const ChildSpec>)) {
    Entry entry{.info = info,
                .kind = NodeKind::kAggregator,
                .options = DescribeOptions<Options>(),
                .slots = std::move(slots),
                .child_keys = std::move(child_keys)};
    entry.aggregator =
        [factory](
            const Json& node, const ConfigLocation& location,
            std::span<const std::string_view> ignored,
            std::span<const ChildSpec> children) -> StatusOr<std::unique_ptr<const Aggregator>> {
      MERIT_ASSIGN_OR_RETURN(Options options, ParseOptions<Options>(node, location, ignored));
      auto built = factory(options, children);
      if (!built.ok())
        return location.Error(built.status().message());
      return built;
    };
    Insert(std::move(entry));
  }

  // Registers an advantage estimator (the config's `advantages:` section).
  template <typename Options>
  void AddAdvantage(NodeInfo info, StatusOr<std::unique_ptr<const AdvantageEstimator>> (*factory)(
                                       const Options&)) {
    Entry entry{.info = info, .kind = NodeKind::kAdvantage, .options = DescribeOptions<Options>()};
    entry.advantage = [factory](const Json& node, const ConfigLocation& location,
                                std::span<const std::string_view> ignored)
        -> StatusOr<std::unique_ptr<const AdvantageEstimator>> {
      MERIT_ASSIGN_OR_RETURN(Options options, ParseOptions<Options>(node, location, ignored));
      auto built = factory(options);
      if (!built.ok())
        return location.Error(built.status().message());
      return built;
    };
    Insert(std::move(entry));
  }

  // nullptr when no entry has that name.
  const Entry* Find(std::string_view name) const;
  // The entry named `name`, or kNotFound with the closest names ("did you mean ...").
  StatusOr<const Entry*> Lookup(std::string_view name) const;
  // Every entry of `kind`, sorted by name.
  std::vector<const Entry*> List(NodeKind kind) const;
  std::vector<std::string_view> Names(NodeKind kind) const;

 private:
  template <typename Options, typename Factory>
  void AddRewardWith(NodeInfo info, Factory factory) {
    Entry entry{.info = info, .kind = NodeKind::kReward, .options = DescribeOptions<Options>()};
    entry.reward =
        [factory](const Json& node, const ConfigLocation& location,
                  std::span<const std::string_view> ignored,
                  const BuildContext& build) -> StatusOr<std::unique_ptr<const Reward>> {
      MERIT_ASSIGN_OR_RETURN(Options options, ParseOptions<Options>(node, location, ignored));
      BuildContext node_build = build;
      node_build.location = &location;
      auto built = factory(options, node_build);
      if (!built.ok() && !IsLocatedError(built.status(), location))
        return location.Error(built.status().message());
      return built;
    };
    Insert(std::move(entry));
  }

  // Whether `status` is already a config error at or below `location` (from a nested build), so
  // it is returned as is instead of being prefixed twice.
  static bool IsLocatedError(const Status& status, const ConfigLocation& location);

  // Aborts on a duplicate name: that is a programming error in a register.cc.
  void Insert(Entry entry);
  std::map<std::string, Entry, std::less<>> entries_;
};

// Builds a leaf reward (not an aggregator) from a config node such as `{type: match.exact}` or a
// bare name, for rewards that apply other rewards to parts of a sample (per segment, per step).
// `key` names the node inside the option of the reward being built ("components[1].reward");
// errors carry the full location. Needs build.registry and build.location (a config build).
StatusOr<std::unique_ptr<const Reward>> BuildLeafReward(const Json& node, std::string_view key,
                                                       const BuildContext& build);

// A registry holding everything merit ships (src/rewards/builtin.cc).
Registry BuiltinRegistry();

}  // namespace merit

#endif  // MERIT_REGISTRY_H_
