// Aggregators that may need a whole group of rollouts: normalize_then_sum, and if_correct with
// group-max normalisation (C-GRPO).
#include <algorithm>
#include <cmath>
#include <vector>

#include "compose/aggregators.h"

namespace merit::compose {
namespace {

// Mean and std of the ok values of one child over a group, with spec A §0's conventions: a group
// of one has mean 0 and std 1; a constant group has std 0.
struct Moments {
  double mean = 0;
  double std = 1;
};

Moments GroupMoments(const GroupScores& scores, std::size_t child, bool unbiased) {
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t m = 0; m < scores.members(); ++m) {
    const Score& s = scores.Get(child, m);
    if (s.ok()) {
      sum += s.value, ++n;
    }
  }
  if (n <= 1) {
    return {};
  }
  const double mean = sum / static_cast<double>(n);
  double squares = 0;
  for (std::size_t m = 0; m < scores.members(); ++m) {
    const Score& s = scores.Get(child, m);
    if (s.ok()) {
      squares += (s.value - mean) * (s.value - mean);
    }
  }
  const double denominator = unbiased ? static_cast<double>(n - 1) : static_cast<double>(n);
  return {.mean = mean, .std = std::sqrt(squares / denominator)};
}

class NormalizeThenSum final : public Aggregator {
 public:
  explicit NormalizeThenSum(const NormalizeThenSumOptions& options) : options_(options) {}

  Score Combine(Children&) const override {
    return Score::Error("internal", "normalize_then_sum is evaluated per group");
  }

  bool group_level() const override { return true; }

  void CombineGroup(const GroupScores& scores, std::span<Score> out) const override {
    std::vector<Moments> moments;
    for (std::size_t c = 0; c < scores.children(); ++c) {
      moments.push_back(GroupMoments(scores, c, options_.unbiased_std));
    }
    for (std::size_t m = 0; m < scores.members(); ++m) {
      double sum = 0;
      bool failed = false;
      for (std::size_t c = 0; c < scores.children() && !failed; ++c) {
        const Score& s = scores.Get(c, m);
        if (!s.ok()) {
          out[m] = PropagateFailure(s, scores.spec(c).name);
          failed = true;
          break;
        }
        sum += scores.spec(c).weight * (s.value - moments[c].mean) /
               (moments[c].std + options_.epsilon);
      }
      if (!failed) {
        out[m] = Score::Ok(sum);
      }
    }
  }

 private:
  const NormalizeThenSumOptions options_;
};

class IfCorrect final : public Aggregator {
 public:
  IfCorrect(const IfCorrectOptions& options, std::span<const ChildSpec> children)
      : options_(options) {
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (children[i].slot == "outcome") {
        outcome_ = i;
      } else {
        rest_.push_back(i);
      }
    }
  }

  bool group_level() const override { return options_.normalize; }

  Score Combine(Children& children) const override {
    const Score& outcome = children.Get(outcome_);
    if (!outcome.ok()) {
      return PropagateFailure(outcome, children.spec(outcome_).name);
    }
    // C-GRPO: an incorrect trajectory gets 0 in only_positive mode whatever the rubric says,
    // so the rubric children are not evaluated at all.
    if (options_.mode == "only_positive" && !(outcome.value > options_.correct_above)) {
      return Score::Ok(0.0, "not_correct");
    }
    const Score x = SumRest(children);
    if (!x.ok()) {
      return x;
    }
    return Score::Ok(Mix(outcome.value, x.value, x.value));
  }

  void CombineGroup(const GroupScores& scores, std::span<Score> out) const override {
    std::vector<Score> x(scores.members());
    double max_x = 0;
    bool any = false;
    for (std::size_t m = 0; m < scores.members(); ++m) {
      double sum = 0;
      x[m] = Score::Ok(0);
      for (std::size_t c : rest_) {
        const Score& s = scores.Get(c, m);
        if (!s.ok()) {
          x[m] = PropagateFailure(s, scores.spec(c).name);
          break;
        }
        sum += scores.spec(c).weight * s.value;
      }
      if (x[m].ok()) {
        x[m].value = sum;
        max_x = any ? std::max(max_x, sum) : sum;
        any = true;
      }
    }
    for (std::size_t m = 0; m < scores.members(); ++m) {
      const Score& outcome = scores.Get(outcome_, m);
      if (!outcome.ok()) {
        out[m] = PropagateFailure(outcome, scores.spec(outcome_).name);
      } else if (!x[m].ok()) {
        out[m] = x[m];
      } else {
        const double normalized = max_x > 0 ? x[m].value / max_x : x[m].value;
        out[m] = Score::Ok(Mix(outcome.value, x[m].value, normalized));
      }
    }
  }

 private:
  Score SumRest(Children& children) const {
    double sum = 0;
    for (std::size_t i : rest_) {
      const Score& s = children.Get(i);
      if (!s.ok()) {
        return PropagateFailure(s, children.spec(i).name);
      }
      sum += children.spec(i).weight * s.value;
    }
    return Score::Ok(sum);
  }

  // Spec A §1.4, with X = the normalised rubric score when normalising, else the raw one.
  double Mix(double outcome, double raw_x, double normalized_x) const {
    const double alpha = options_.alpha;
    const double x = options_.normalize ? normalized_x : raw_x;
    const bool correct = outcome > options_.correct_above;
    if (options_.mode == "only_positive") {
      if (!correct) {
        return 0.0;
      }
      return (1 - alpha) * outcome + alpha * (options_.positive_uses_normalized ? x : raw_x);
    }
    if (options_.mode == "only_negative") {
      return correct ? outcome : alpha * x;
    }
    return (1 - alpha) * outcome + alpha * x;
  }

  const IfCorrectOptions options_;
  std::size_t outcome_ = 0;
  std::vector<std::size_t> rest_;
};

}  // namespace

AggregatorOr MakeNormalizeThenSum(const NormalizeThenSumOptions& options,
                                  std::span<const ChildSpec>) {
  return std::unique_ptr<const Aggregator>(std::make_unique<NormalizeThenSum>(options));
}

AggregatorOr MakeIfCorrect(const IfCorrectOptions& options, std::span<const ChildSpec> children) {
  return std::unique_ptr<const Aggregator>(std::make_unique<IfCorrect>(options, children));
}

}  // namespace merit::compose
