// Rewards that reduce whole-span log-probs to one number: likelihood.reference (spec B §1),
// likelihood.echo (§5) and likelihood.followup (§2).
#include <fmt/format.h>

#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {
namespace {

// likelihood.reference and likelihood.echo: one reward, two sources.
class SequenceReward final : public Reward {
 public:
  SequenceReward(SequenceSource source, SequenceVariant variant)
      : source_(source), variant_(variant) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    std::vector<double>& logprobs = context.Scratch<Buffers>().a;
    if (Score read = ReadNumbers(sample.metadata.Find(source_.key), {.field = source_.field},
                                 logprobs);
        !read.ok()) {
      return read;
    }
    if (logprobs.empty()) {
      return Score::Error(source_.empty_reason, fmt::format("{} is empty", source_.field));
    }
    return FiniteOr(SequenceLikelihood(logprobs, variant_), source_.ok_reason);
  }

 private:
  const SequenceSource source_;
  const SequenceVariant variant_;
};

// FLR = mean_{f ∈ F+} s(f) − mean_{f ∈ F−} s(f), s(f) the mean token log-prob of follow-up f.
class FollowupReward final : public Reward {
 public:
  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    const Json* followups = sample.metadata.Find("followup_logprobs");
    if (followups == nullptr || followups->is_null()) {
      return Score::Error("missing_field", "no metadata.followup_logprobs");
    }
    if (!followups->is_object()) {
      return Score::Error("invalid_logprobs",
                          fmt::format("metadata.followup_logprobs: expected an object with "
                                      "\"positive\" and \"negative\" lists, got {}",
                                      Json::TypeName(followups->type())));
    }
    std::vector<double>& buffer = context.Scratch<Buffers>().a;
    std::size_t total = 0;
    const Score positive = MeanScore(followups->Find("positive"),
                                     "metadata.followup_logprobs.positive", total, buffer);
    if (!positive.ok()) {
      return positive;
    }
    const Score negative = MeanScore(followups->Find("negative"),
                                     "metadata.followup_logprobs.negative", total, buffer);
    if (!negative.ok()) {
      return negative;
    }
    return FiniteOr(positive.value - negative.value);
  }

 private:
  // Ok(mean over the follow-ups f in `list` of s(f)), or the error. `total` counts the log-probs
  // read so far, across both lists, against kMaxNumbers.
  static Score MeanScore(const Json* list, std::string_view field, std::size_t& total,
                         std::vector<double>& buffer) {
    if (list == nullptr || list->is_null()) {
      return Score::Error("missing_field", fmt::format("no {}", field));
    }
    if (!list->is_array()) {
      return Score::Error("invalid_logprobs",
                          fmt::format("{}: expected a list of token log-prob lists, got {}", field,
                                      Json::TypeName(list->type())));
    }
    const Json::Array& items = list->array();
    if (items.empty()) {
      return Score::Error("empty_followups", fmt::format("{} is empty", field));
    }
    double sum_of_means = 0.0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      Score read = ReadNumbers(&items[i], {.field = field}, buffer);
      if (!read.ok()) {
        read.explanation = fmt::format("follow-up {}: {}", i, read.explanation);
        return read;
      }
      if (buffer.empty()) {
        return Score::Error("empty_followups", fmt::format("{}[{}] has no tokens", field, i));
      }
      total += buffer.size();
      if (total > kMaxNumbers) {
        return Score::Error("too_large",
                            fmt::format("metadata.followup_logprobs holds more than {} log-probs",
                                        kMaxNumbers));
      }
      sum_of_means += SequenceLikelihood(buffer, SequenceVariant::kAvgLogProb);
    }
    return Score::Ok(sum_of_means / static_cast<double>(items.size()));
  }
};

}  // namespace

RewardOr MakeReference(const ReferenceOptions& options, const BuildContext& build) {
  if (!options.backend.empty()) {
    return MakeFetchedReference(options, build);
  }
  return std::unique_ptr<const Reward>(
      std::make_unique<SequenceReward>(kReferenceSource, ParseSequenceVariant(options.variant)));
}

RewardOr MakeEcho(const EchoOptions& options, const BuildContext& build) {
  if (!options.backend.empty()) {
    return MakeFetchedEcho(options, build);
  }
  return std::unique_ptr<const Reward>(
      std::make_unique<SequenceReward>(kEchoSource, ParseSequenceVariant(options.variant)));
}

RewardOr MakeFollowup(const FollowupOptions&) {
  return std::unique_ptr<const Reward>(std::make_unique<FollowupReward>());
}

}  // namespace merit::likelihood
