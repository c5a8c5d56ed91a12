#include "rl/advantages.h"

#include <cmath>

namespace merit::rl {
namespace {

struct Stats {
  double mean = 0;
  double std = 0;
  std::size_t n = 0;
};

Stats Compute(std::span<const std::optional<double>> values, std::span<const std::size_t> members,
              bool unbiased) {
  Stats s;
  double sum = 0;
  for (std::size_t i : members) {
    if (values[i]) {
      sum += *values[i], ++s.n;
    }
  }
  if (s.n == 0) {
    return s;
  }
  s.mean = sum / static_cast<double>(s.n);
  double squares = 0;
  for (std::size_t i : members) {
    if (values[i]) {
      squares += (*values[i] - s.mean) * (*values[i] - s.mean);
    }
  }
  const double denominator = unbiased ? static_cast<double>(s.n) - 1 : static_cast<double>(s.n);
  s.std = denominator > 0 ? std::sqrt(squares / denominator) : 0;
  return s;
}

class Estimator final : public AdvantageEstimator {
 public:
  explicit Estimator(const EstimatorSettings& settings) : settings_(settings) {}

  std::vector<std::optional<double>> Compute(std::span<const std::optional<double>> rewards,
                                             std::span<const std::size_t> group_of) const override {
    std::size_t groups = 0;
    for (std::size_t g : group_of) {
      groups = std::max(groups, g + 1);
    }
    std::vector<std::vector<std::size_t>> members(groups);
    for (std::size_t i = 0; i < group_of.size(); ++i) {
      members[group_of[i]].push_back(i);
    }

    std::vector<std::optional<double>> out(rewards.size());
    if (settings_.baseline == Baseline::kBatchWhitened) {
      Whiten(rewards, out);
      return out;
    }
    for (const std::vector<std::size_t>& group : members) {
      const Stats stats = rl::Compute(rewards, group, settings_.unbiased_std);
      for (std::size_t i : group) {
        if (rewards[i]) {
          out[i] = GroupAdvantage(*rewards[i], stats);
        }
      }
    }
    if (settings_.baseline == Baseline::kCenteredWhitened) {
      const std::vector<std::optional<double>> centered = out;
      Whiten(centered, out);
    }
    return out;
  }

 private:
  double GroupAdvantage(double r, const Stats& s) const {
    if (s.n == 1) {
      // Spec A §0: verl treats a group of one as mean 0, std 1.
      if (!settings_.singleton_as_verl) {
        return 0.0;
      }
      switch (settings_.baseline) {
        case Baseline::kGroupNormalized:
          return r / (1.0 + settings_.epsilon);
        case Baseline::kLeaveOneOut:
          return 0.0;  // No other sample to form a baseline.
        default:
          return r;
      }
    }
    const double n = static_cast<double>(s.n);
    switch (settings_.baseline) {
      case Baseline::kGroupNormalized:
        return (r - s.mean) / (s.std + settings_.epsilon);
      case Baseline::kLeaveOneOut:
        return n / (n - 1) * (r - s.mean);
      default:
        return r - s.mean;
    }
  }

  // REINFORCE++: (x - μ) / sqrt(σ² + 1e-8) over every unmasked sample of the batch, σ² unbiased.
  static void Whiten(std::span<const std::optional<double>> x,
                     std::vector<std::optional<double>>& out) {
    std::vector<std::size_t> all(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      all[i] = i;
    }
    const Stats s = rl::Compute(x, all, /*unbiased=*/true);
    const double scale = 1.0 / std::sqrt(s.std * s.std + 1e-8);
    for (std::size_t i = 0; i < x.size(); ++i) {
      out[i] = x[i] ? std::optional<double>((*x[i] - s.mean) * scale) : std::nullopt;
    }
  }

  const EstimatorSettings settings_;
};

}  // namespace

std::unique_ptr<const AdvantageEstimator> MakeEstimator(const EstimatorSettings& settings) {
  return std::make_unique<Estimator>(settings);
}

}  // namespace merit::rl
