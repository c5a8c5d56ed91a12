// The three kinds of node a config is built from:
//   Reward      — a leaf: scores one sample.
//   Aggregator  — an inner node: combines its children's scores (per sample, or per group).
//   AdvantageEstimator — runs after scoring, over groups of rollouts of one prompt.
// All are immutable after construction and called concurrently from pool threads: keep no
// mutable state in them; per-call scratch lives in ScoreContext.
#ifndef MERIT_REWARD_H_
#define MERIT_REWARD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "merit/json.h"
#include "merit/result.h"
#include "merit/sample.h"

namespace merit {

// What a reward started for a whole batch before the batch is evaluated (Reward::StartBatch), e.g.
// the backend requests of a model-backed reward, in flight while other rewards use the cores.
class BatchWork {
 public:
  virtual ~BatchWork() = default;
};

// Per-worker state for one Evaluate() call. Each pool thread owns one and reuses it across
// samples, so rewards can keep scratch buffers here instead of allocating per sample.
struct ScoreContext {
  // Scratch that is not a string (token ids, hash tables, DP rows): one default-constructed T
  // per context, made on first use and reused by every later call, from any reward, that asks
  // for the same T. Contents are whatever the previous user left. T derives from ScratchBase.
  class ScratchBase {
   public:
    virtual ~ScratchBase() = default;
  };

  template <typename T>
  T& Scratch() {
    static_assert(std::is_base_of_v<ScratchBase, T>);
    // A context holds a handful of scratch types at most, so a linear scan beats a map.
    for (auto& [type, object] : scratch_objects) {
      if (*type == typeid(T)) {
        return static_cast<T&>(*object);
      }
    }
    scratch_objects.emplace_back(&typeid(T), std::make_unique<T>());
    return static_cast<T&>(*scratch_objects.back().second);
  }

  std::uint64_t seed = 0;                 // Deterministic per sample (for randomised checks).
  std::size_t index = 0;                  // The sample's position in the batch being scored.
  // What this leaf's StartBatch returned for the batch; null when it returned null, or when the
  // reward is called outside a batch (then it does its work inline).
  const BatchWork* batch_work = nullptr;
  std::vector<Span>* segments = nullptr;  // Sink for dense segment rewards; null: not wanted.
  std::vector<Span>* steps = nullptr;     // Sink for step rewards; null: not wanted.
  // Sink for token-level rewards: start = token index, end = start + 1. Null: not wanted.
  std::vector<Span>* tokens = nullptr;
  std::string scratch;                    // Reusable buffers; contents undefined on entry.
  std::string scratch2;
  // Sink for corpus-level sufficient statistics. Empty unless the engine wants them; when
  // non-empty its size is the reward's corpus_statistics_size() and Evaluate() overwrites it
  // with this sample's additive statistics (counts as doubles). The engine zero-fills it before
  // the call and sums it only over samples this reward scored ok.
  std::span<double> corpus_statistics = {};
  // The objects Scratch<T>() hands out.
  std::vector<std::pair<const std::type_info*, std::unique_ptr<ScratchBase>>> scratch_objects = {};
};

class Reward {
 public:
  virtual ~Reward() = default;
  // Never fails as a call: a sample that cannot be scored gets Score::Unscorable or
  // Score::Error with a reason. Must be bounded in time and memory for any input.
  virtual Score Evaluate(const Sample& sample, ScoreContext& context) const = 0;

  // Called once per batch, from one thread, before any Evaluate of that batch: a reward that waits
  // on I/O (a model backend) issues the whole batch's requests here, without blocking, so they run
  // concurrently while the pool scores CPU rewards. Evaluate then finds the returned object in
  // ScoreContext::batch_work. usable[i] == 0 marks samples that will not be evaluated (empty:
  // all will). The default starts nothing. Must not fail: per-sample failures surface in Evaluate.
  virtual std::unique_ptr<BatchWork> StartBatch(std::span<const Sample> /*samples*/,
                                                std::span<const std::uint8_t> /*usable*/) const {
    return nullptr;
  }

  // Corpus-level scoring (BLEU, chrF, TER are reported over a whole file, not as a mean of
  // sentence scores). A reward with corpus statistics returns their count here; 0 means none.
  virtual std::size_t corpus_statistics_size() const { return 0; }

  // The corpus score from the element-wise sums of the statistics of all ok-scored samples.
  // REQUIRES: sums.size() == corpus_statistics_size().
  virtual double CorpusScore(std::span<const double> /*sums*/) const { return 0.0; }

  // How the corpus score was computed, for the summary (e.g. sacrebleu's signature
  // "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"); empty when there is nothing
  // to say. Same REQUIRES as CorpusScore.
  virtual std::string CorpusSignature(std::span<const double> /*sums*/) const { return {}; }
};

// How a child hangs under its parent: set from the child's node in the config.
struct ChildSpec {
  std::string name = {};  // Component label.
  double weight = 1.0;    // The child's `weight:` key.
  std::string slot = {};  // Which of the parent's child lists it is in ("children", "gates", ...).
  Json extras = {};       // Other per-child keys the parent declared (e.g. a gate's `threshold`).
};

// Lazy access to the scores of an aggregator's children for one sample. Get(i) evaluates child i
// on first use, so a gate can skip an expensive child when its condition already failed.
class Children {
 public:
  virtual ~Children() = default;
  virtual std::size_t size() const = 0;
  virtual const ChildSpec& spec(std::size_t i) const = 0;
  virtual const Score& Get(std::size_t i) = 0;
};

// The scores of every child for every member of one group.
class GroupScores {
 public:
  virtual ~GroupScores() = default;
  virtual std::size_t members() const = 0;
  virtual std::size_t children() const = 0;
  virtual const ChildSpec& spec(std::size_t child) const = 0;
  virtual const Score& Get(std::size_t child, std::size_t member) const = 0;
};

class Aggregator {
 public:
  virtual ~Aggregator() = default;
  // Per-sample combination. Not called when group_level() is true.
  virtual Score Combine(Children& children) const = 0;

  // Group-level aggregators (e.g. normalize_then_sum) see a whole group at once.
  virtual bool group_level() const { return false; }

  // REQUIRES: group_level(). out.size() == scores.members().
  virtual void CombineGroup(const GroupScores& scores, std::span<Score> out) const;
};

class AdvantageEstimator {
 public:
  virtual ~AdvantageEstimator() = default;
  // rewards[i] is sample i's reward, nullopt when masked (error or unscorable); group_of[i]
  // numbers its group (0..groups-1). Returns one advantage per sample; masked samples get
  // nullopt and never enter group statistics.
  virtual std::vector<std::optional<double>> Compute(
      std::span<const std::optional<double>> rewards,
      std::span<const std::size_t> group_of) const = 0;
};

// Helpers shared by aggregators.
// The index of the first child (in order) whose score is not ok, after evaluating all children;
// nullopt if all are ok. Errors take precedence over unscorable.
std::optional<std::size_t> FirstFailure(Children& children);
// A copy of `failure` for the parent: same status and reason, explanation prefixed by `child`.
Score PropagateFailure(const Score& failure, std::string_view child);

}  // namespace merit

#endif  // MERIT_REWARD_H_
