// penalty.length and penalty.overlong: one reward, one formula (LengthPenalty); penalty.overlong
// is the instance with min_length = 0.
#include <fmt/format.h>

#include "rewards/penalty/penalty.h"

namespace merit::penalty {
namespace {

class LengthPenaltyReward final : public Reward {
 public:
  LengthPenaltyReward(LengthPenaltyParams params, text::LengthUnit unit)
      : params_(params), unit_(unit) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    const std::optional<std::int64_t> length = text::CompletionLength(sample, unit_);
    if (!length.has_value()) {
      return Score::Error("no_token_count",
                          "unit is tokens but the sample has no num_tokens (map it with "
                          "fields.num_tokens, or count chars or words instead)");
    }
    // Field mapping rejects a negative num_tokens; a C++ or Python caller could still set one,
    // and the lower side would then fall below -factor.
    if (*length < 0) {
      return Score::Error("invalid_token_count", "num_tokens is negative");
    }
    const double value = LengthPenalty(*length, params_);
    if (*length > params_.max_length) {
      return Score::Ok(value, "too_long");
    }
    if (*length > params_.max_length - params_.buffer) {
      return Score::Ok(value, "soft_overlong");
    }
    if (*length < params_.min_length) {
      return Score::Ok(value, "too_short");
    }
    return Score::Ok(value);
  }

 private:
  const LengthPenaltyParams params_;
  const text::LengthUnit unit_;
};

Status ValidateUpperSide(const OverlongOptions& o) {
  if (o.buffer > o.max_length) {
    return InvalidArgumentError(
        fmt::format("buffer ({}) must not exceed max_length ({})", o.buffer, o.max_length));
  }
  return OkStatus();
}

}  // namespace

// Penalties are written 0.0 - x rather than -x so that factor 0 gives +0, not -0 (which JSON
// output would print as "-0").
double LengthPenalty(std::int64_t length, const LengthPenaltyParams& params) {
  if (length > params.max_length) {
    return 0.0 - params.factor;
  }
  const std::int64_t ramp_start = params.max_length - params.buffer;
  if (length > ramp_start) {
    return 0.0 - params.factor * static_cast<double>(length - ramp_start) /
                     static_cast<double>(params.buffer);
  }
  if (length < params.min_length) {
    return 0.0 - params.factor * static_cast<double>(params.min_length - length) /
                     static_cast<double>(params.min_length);
  }
  return 0.0;
}

Status OverlongOptions::Validate() const {
  return ValidateUpperSide(*this);
}

Status LengthOptions::Validate() const {
  MERIT_RETURN_IF_ERROR(ValidateUpperSide(*this));
  // Past max_length - buffer the two sides would overlap, and a length could be both too short
  // and too long.
  if (min_length > max_length - buffer) {
    return InvalidArgumentError(
        fmt::format("min_length ({}) must not exceed max_length - buffer ({})", min_length,
                    max_length - buffer));
  }
  return OkStatus();
}

RewardOr MakeOverlong(const OverlongOptions& options) {
  return MakeLength(LengthOptions{options});
}

RewardOr MakeLength(const LengthOptions& options) {
  return std::unique_ptr<const Reward>(
      std::make_unique<LengthPenaltyReward>(LengthPenaltyParams{.min_length = options.min_length,
                                                                .max_length = options.max_length,
                                                                .buffer = options.buffer,
                                                                .factor = options.factor},
                                            text::ParseLengthUnit(options.unit)));
}

}  // namespace merit::penalty
