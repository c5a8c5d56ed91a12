// Input checks shared by the likelihood rewards: everything a sample carries is untrusted, so
// arrays are validated (type, finiteness, sign, size) before any arithmetic.
#include <cmath>

#include <fmt/format.h>

#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {

Score CheckNumbers(std::span<const double> values, const ArraySpec& spec) {
  const std::string_view field = spec.field;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) {
      return Score::Error("non_finite", fmt::format("{}[{}] is {}", field, i, v));
    }
    switch (spec.rule) {
      case NumberRule::kLogprob:
        // log_softmax cannot exceed 0 (the log-sum-exp is at least the largest logit), so a
        // positive value means the array is not log-probs (logits, probabilities, a sign error).
        if (v > 0.0) {
          return Score::Error("positive_logprob",
                              fmt::format("{}[{}] is {}, but a log-probability is <= 0", field, i,
                                          v));
        }
        break;
      case NumberRule::kIndex:
        // Up to 2^53, where doubles still hold every integer; no real sequence is that long.
        if (v < 0 || v != std::trunc(v) || v > 9.0e15) {
          return Score::Error(spec.bad_reason, fmt::format("{}[{}] = {} is not a non-negative "
                                                        "integer",
                                                        field, i, v));
        }
        break;
      case NumberRule::kFinite:
        break;
    }
  }
  return Score::Ok(0);
}

Score ReadNumbers(const Json* value, const ArraySpec& spec, std::vector<double>& out) {
  const std::string_view field = spec.field;
  out.clear();
  if (value == nullptr || value->is_null()) {
    return Score::Error("missing_field", fmt::format("no {}", field));
  }
  if (!value->is_array()) {
    return Score::Error(spec.bad_reason, fmt::format("{}: expected a list of numbers, got {}",
                                                     field, Json::TypeName(value->type())));
  }
  const Json::Array& items = value->array();
  if (items.size() > spec.max_count) {
    return Score::Error("too_large", fmt::format("{} has {} numbers (at most {})", field,
                                                 items.size(), spec.max_count));
  }
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_number()) {
      return Score::Error(spec.bad_reason, fmt::format("{}[{}]: expected a number, got {}", field,
                                                       i, Json::TypeName(items[i].type())));
    }
    out.push_back(items[i].number());
  }
  return CheckNumbers(out, spec);
}

Score CheckLogprobPair(const Sample& sample, Reference reference) {
  if (sample.logprobs.empty()) {
    return Score::Error("missing_field", "the sample has no logprobs");
  }
  if (sample.logprobs.size() > kMaxNumbers) {
    return Score::Error("too_large", fmt::format("logprobs has {} entries (at most {})",
                                                 sample.logprobs.size(), kMaxNumbers));
  }
  if (Score check = CheckNumbers(sample.logprobs, {.field = "logprobs"});
      !check.ok()) {
    return check;
  }
  if (reference == Reference::kUnused) {
    return Score::Ok(0);
  }
  if (sample.ref_logprobs.empty()) {
    return Score::Error("missing_field", "the sample has no ref_logprobs");
  }
  if (sample.ref_logprobs.size() != sample.logprobs.size()) {
    return Score::Error("logprobs_mismatch",
                        fmt::format("{} logprobs but {} ref_logprobs (different tokenisations?)",
                                    sample.logprobs.size(), sample.ref_logprobs.size()));
  }
  return CheckNumbers(sample.ref_logprobs, {.field = "ref_logprobs"});
}

Score FiniteOr(double value, std::string_view reason) {
  if (!std::isfinite(value)) {
    return Score::Error("non_finite", fmt::format("the reward overflowed to {}", value));
  }
  return Score::Ok(value, reason);
}

}  // namespace merit::likelihood
