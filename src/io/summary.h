// Summary: what `merit score` prints at the end: counts per status and reason, statistics per
// component, throughput, and the config hash.
#ifndef MERIT_IO_SUMMARY_H_
#define MERIT_IO_SUMMARY_H_

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "merit/json.h"
#include "merit/reward.h"

namespace merit::internal {

// Streaming mean / std / min / max (Welford), exact for any number of values.
struct RunningStats {
  std::uint64_t count = 0;
  double mean = 0;
  double m2 = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  void Add(double x);
  // Combines two partial statistics (Chan et al.'s parallel update).
  void Merge(const RunningStats& other);
  double std() const;  // Population std; 0 for fewer than two values.
};

// A corpus-level score in the making (BLEU, chrF, TER over the whole file): the element-wise sums
// of the corpus statistics of every sample the component scored ok. Counts are integers held in
// doubles, so the sums are exact and independent of the order of addition (below 2^53).
struct CorpusSums {
  const Reward* reward = nullptr;  // Computes the score from the sums; outlives the summary.
  std::vector<double> sums = {};
  std::uint64_t count = 0;  // Samples summed.
  void Merge(const CorpusSums& other);
};

class Summary {
 public:
  explicit Summary(std::vector<std::string> components);

  void AddStatus(std::string_view status, std::string_view reason);

  void AddComponent(std::size_t component, double value) { components_[component].Add(value); }

  void AddAdvantage(double value) { advantage_.Add(value); }

  // Adds one sample's corpus statistics for `component`, whose reward is `reward` (which must
  // outlive this summary). REQUIRES: statistics.size() == reward.corpus_statistics_size().
  void AddCorpusStatistics(std::size_t component, const Reward& reward,
                           std::span<const double> statistics);

  void AddSplitGroup() { ++split_groups_; }

  void SetElapsed(double seconds) { seconds_ = seconds; }

  // Adds a partial summary over the same components (from another chunk of lines).
  void Merge(const Summary& other);

  std::uint64_t total() const { return total_; }

  std::uint64_t count(std::string_view status) const;

  // A JSON object: {"samples", "status": {...}, "reasons": {...}, "components": {...}, ...}.
  // A component with corpus statistics also has "corpus": {"score", "samples", "signature"}.
  Json ToJson(const std::string& config_hash) const;
  // Human-readable text for stderr.
  std::string ToText(const std::string& config_hash) const;

 private:
  std::uint64_t total_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> statuses_;
  std::map<std::string, std::uint64_t, std::less<>> reasons_;
  std::vector<std::string> names_;
  std::vector<RunningStats> components_;
  std::vector<CorpusSums> corpus_;  // Per component; empty until a corpus statistic arrives.
  RunningStats advantage_;
  std::uint64_t split_groups_ = 0;
  double seconds_ = 0;
};

}  // namespace merit::internal

#endif  // MERIT_IO_SUMMARY_H_
