// RewardTree: the compiled `reward:` section. Nodes are stored in pre-order (root first), which
// is also the order of `components` in results.
//
// Evaluation has two phases so that group-level aggregators (normalize_then_sum) compose with
// everything else:
//   1. per sample, in parallel: every node that does not depend on a group-level node is
//      evaluated, lazily (a gate may skip a child);
//   2. per group: group-level nodes, and their ancestors, are evaluated from phase 1's scores.
#ifndef MERIT_ENGINE_REWARD_TREE_H_
#define MERIT_ENGINE_REWARD_TREE_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "merit/options.h"
#include "merit/registry.h"
#include "merit/reward.h"

namespace merit::internal {

// Per-sample evaluation state: one Score and one flag per node.
struct NodeScores {
  std::vector<Score> scores;
  std::vector<std::uint8_t> evaluated;  // 1 once scores[i] is final; 0: skipped or pending.
  std::vector<Span> segments;           // Dense rewards the leaves emitted (ScoreContext sinks).
  std::vector<Span> steps;
  std::vector<Span> tokens;
  // Corpus statistics of every leaf that has them, at its Node::corpus_offset. Sized by the
  // caller to RewardTree::corpus_statistics_size() to collect them; left empty (the default, and
  // free) they are not asked for. Meaningful for a leaf only when it was evaluated and ok.
  std::vector<double> corpus_statistics;
  // What each node's reward started for the batch (RewardTree::StartBatch), by node index; empty
  // when nothing was started.
  std::span<const std::unique_ptr<BatchWork>> batch_work;
};

class RewardTree {
 public:
  struct Node {
    std::string component;  // Unique key in results: the name, prefixed by its ancestors'.
    ChildSpec spec;         // As seen by the parent.
    std::unique_ptr<const Reward> reward;          // Leaves.
    std::unique_ptr<const Aggregator> aggregator;  // Inner nodes.
    std::vector<std::size_t> children;             // Indices into nodes().
    std::vector<ChildSpec> child_specs;
    bool deferred = false;  // This node or a descendant is group-level: evaluated in phase 2.
    // Leaves with corpus statistics: where theirs sit in NodeScores::corpus_statistics.
    std::size_t corpus_offset = 0;
    std::size_t corpus_size = 0;
  };

  static StatusOr<RewardTree> Build(const Json& node, const ConfigLocation& location,
                                    const Registry& registry, const BuildContext& build);

  const std::vector<Node>& nodes() const { return nodes_; }

  bool has_group_level() const { return !nodes_.empty() && nodes_[0].deferred; }

  // The total corpus statistics of all leaves (0 when no reward has any).
  std::size_t corpus_statistics_size() const { return corpus_statistics_size_; }

  // Before phase 1: every leaf's Reward::StartBatch, by node index (all null when no leaf starts
  // anything, so a batch of CPU rewards pays nothing). Hand the result to EvaluateSample.
  std::vector<std::unique_ptr<BatchWork>> StartBatch(std::span<const Sample> samples,
                                                     std::span<const std::uint8_t> usable) const;

  // Phase 1 for one sample. `state` is resized and reset here; its batch_work is kept.
  void EvaluateSample(const Sample& sample, ScoreContext& context, NodeScores& state) const;

  // Phase 2 over one batch. members[g] lists the indices (into `states`) of group g's samples;
  // states of samples in no group are not touched.
  void EvaluateGroups(std::span<const std::vector<std::size_t>> members,
                      std::span<NodeScores> states) const;

 private:
  StatusOr<std::size_t> BuildNode(const Json& node, const ConfigLocation& location,
                                  const Registry& registry, const BuildContext& build,
                                  ChildSpec spec,
                                  const std::string& parent_component, std::size_t depth);
  void Evaluate(std::size_t index, const Sample& sample, ScoreContext& context,
                NodeScores& state) const;

  std::vector<Node> nodes_;
  std::size_t corpus_statistics_size_ = 0;
};

}  // namespace merit::internal

#endif  // MERIT_ENGINE_REWARD_TREE_H_
