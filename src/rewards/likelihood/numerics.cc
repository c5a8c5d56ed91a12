// The pure functions of the likelihood family: input checks and the formulas of spec B §1-§6 and
// spec A §16.5, all in float64.
#include <algorithm>
#include <cmath>
#include <limits>

#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {

double LogSumExp(std::span<const double> values) {
  const double m = *std::max_element(values.begin(), values.end());
  double sum = 0.0;
  for (double v : values) {
    sum += std::exp(v - m);
  }
  // sum >= 1 (the maximum contributes exactly 1), so the log never sees 0.
  return m + std::log(sum);
}

SequenceVariant ParseSequenceVariant(std::string_view name) {
  if (name == "avg_log_prob") {
    return SequenceVariant::kAvgLogProb;
  }
  if (name == "prob") {
    return SequenceVariant::kProb;
  }
  if (name == "avg_prob") {
    return SequenceVariant::kAvgProb;
  }
  return SequenceVariant::kLogProb;
}

double SequenceLikelihood(std::span<const double> logprobs, SequenceVariant variant) {
  const double k = static_cast<double>(logprobs.size());
  if (variant == SequenceVariant::kAvgProb) {
    double sum = 0.0;
    for (double lp : logprobs) {
      sum += std::exp(lp);
    }
    return sum / k;
  }
  double total = 0.0;
  for (double lp : logprobs) {
    total += lp;
  }
  switch (variant) {
    case SequenceVariant::kAvgLogProb:
      return total / k;
    case SequenceVariant::kProb:
      return std::exp(total);
    default:
      return total;
  }
}

StepAggregation ParseStepAggregation(std::string_view name) {
  if (name == "sum") {
    return StepAggregation::kSum;
  }
  if (name == "last") {
    return StepAggregation::kLast;
  }
  if (name == "min_cumulative") {
    return StepAggregation::kMinCumulative;
  }
  if (name == "sum_cumulative") {
    return StepAggregation::kSumCumulative;
  }
  return StepAggregation::kMin;
}

void StepRewards(std::span<const double> q, std::span<const std::size_t> ends, double beta,
                 std::vector<double>& out) {
  out.clear();
  std::size_t begin = 0;
  for (std::size_t end : ends) {
    double sum = 0.0;
    for (std::size_t t = begin; t < end; ++t) {
      sum += q[t];
    }
    out.push_back(beta * sum);
    begin = end;
  }
}

double AggregateSteps(std::span<const double> steps, StepAggregation aggregation) {
  double min = std::numeric_limits<double>::infinity();
  double sum = 0.0;
  double cumulative = 0.0;
  double min_cumulative = std::numeric_limits<double>::infinity();
  double sum_cumulative = 0.0;
  for (double r : steps) {
    min = std::min(min, r);
    sum += r;
    cumulative += r;
    min_cumulative = std::min(min_cumulative, cumulative);
    sum_cumulative += cumulative;
  }
  switch (aggregation) {
    case StepAggregation::kSum:
      return sum;
    case StepAggregation::kLast:
      return steps.back();
    case StepAggregation::kMinCumulative:
      return min_cumulative;
    case StepAggregation::kSumCumulative:
      return sum_cumulative;
    default:
      return min;
  }
}

double SoftValue(std::span<const double> logits, double alpha, std::vector<double>& scratch) {
  scratch.resize(logits.size());
  for (std::size_t i = 0; i < logits.size(); ++i) {
    scratch[i] = logits[i] / alpha;
  }
  return alpha * LogSumExp(scratch);
}

double ContrastTokenReward(double better, double worse) {
  return 0.5 * std::tanh(0.5 * (better - worse));
}

KlEstimator ParseKlEstimator(std::string_view name) {
  if (name == "k2") {
    return KlEstimator::kK2;
  }
  if (name == "k3") {
    return KlEstimator::kK3;
  }
  return KlEstimator::kK1;
}

double KlTerm(double logprob, double ref_logprob, KlEstimator estimator) {
  const double delta = ref_logprob - logprob;
  switch (estimator) {
    case KlEstimator::kK2:
      return 0.5 * delta * delta;
    case KlEstimator::kK3:
      // expm1 keeps the term accurate (and >= 0) when Δ is tiny, where e^Δ − 1 would cancel.
      return std::expm1(delta) - delta;
    default:
      // Not −Δ: equal log-probs must give +0, which JSON prints as 0 rather than -0.
      return logprob - ref_logprob;
  }
}

}  // namespace merit::likelihood
