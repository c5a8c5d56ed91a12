// Rewards with a value per token, written to the result's `tokens` (start = token index, end =
// start + 1) and summed into the sample's reward: likelihood.endogenous (spec B §4),
// likelihood.token_contrast (§6) and likelihood.log_ratio (spec A §16.5's sequence log-ratio).
#include <algorithm>

#include <fmt/format.h>

#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {
namespace {

// Appends values[t] as token t's reward, when the caller wants token rewards.
void WriteTokens(std::span<const double> values, ScoreContext& context) {
  if (context.tokens == nullptr) {
    return;
  }
  for (std::size_t t = 0; t < values.size(); ++t) {
    context.tokens->push_back({.start = t, .end = t + 1, .reward = values[t]});
  }
}

struct TokenSum {
  bool mean = false;         // The sample reward is the mean, not the sum.
  bool write_tokens = true;  // Each value also goes to the result's `tokens`.
};

// Σ values (or their mean), written per token once the result is known to be finite.
Score SumTokens(std::span<const double> values, TokenSum how, ScoreContext& context) {
  double sum = 0.0;
  for (double v : values) {
    sum += v;
  }
  const Score score = FiniteOr(how.mean ? sum / static_cast<double>(values.size()) : sum);
  if (score.ok() && how.write_tokens) {
    WriteTokens(values, context);
  }
  return score;
}

// r_h = f(s_h, a_h) − V(s_{h+1}) with V(s) = α·LSE(f(s,·)/α) and V(s_{H+1}) = 0.
class EndogenousReward final : public Reward {
 public:
  explicit EndogenousReward(const EndogenousOptions& options)
      : alpha_(options.alpha), max_logits_(static_cast<std::size_t>(options.max_logits)) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    Buffers& buffers = context.Scratch<Buffers>();
    std::vector<double>& ids = buffers.a;
    if (Score read = ReadNumbers(sample.metadata.Find("token_ids"),
                                 {.field = "metadata.token_ids",
                                  .rule = NumberRule::kIndex,
                                  .bad_reason = "invalid_token_ids"},
                                 ids);
        !read.ok()) {
      return read;
    }
    const Json* logits = sample.metadata.Find("logits");
    if (logits == nullptr || logits->is_null()) {
      return Score::Error("missing_field", "no metadata.logits");
    }
    if (!logits->is_array()) {
      return Score::Error("invalid_logits",
                          fmt::format("metadata.logits: expected a list of logit rows, got {}",
                                      Json::TypeName(logits->type())));
    }
    const Json::Array& rows = logits->array();
    if (rows.size() != ids.size()) {
      return Score::Error("logits_mismatch",
                          fmt::format("{} logit rows but {} token_ids", rows.size(), ids.size()));
    }
    if (rows.empty()) {
      return Score::Error("empty_logits", "metadata.logits has no positions");
    }
    // The budget first, from the row lengths alone, so an oversized sample costs no arithmetic.
    std::size_t total = 0;
    for (const Json& r : rows) {
      total += r.is_array() ? r.array().size() : 1;
    }
    if (total > max_logits_) {
      return Score::Error("too_large", fmt::format("metadata.logits holds {} numbers (at most {})",
                                                   total, max_logits_));
    }
    // r_h needs f(s_h, a_h) from row h and V from row h+1: keep both per position.
    std::vector<double>& chosen = buffers.b;
    std::vector<double>& values = buffers.c;
    std::vector<double>& row = buffers.d;
    chosen.clear();
    values.clear();
    std::vector<double>& scaled = buffers.e;
    std::size_t vocab = 0;
    for (std::size_t h = 0; h < rows.size(); ++h) {
      if (Score read = ReadNumbers(&rows[h],
                                   {.field = "metadata.logits",
                                    .rule = NumberRule::kFinite,
                                    .bad_reason = "invalid_logits"},
                                   row);
          !read.ok()) {
        read.explanation = fmt::format("position {}: {}", h, read.explanation);
        return read;
      }
      vocab = h == 0 ? row.size() : vocab;
      if (row.empty() || row.size() != vocab) {
        return Score::Error("invalid_logits",
                            fmt::format("metadata.logits[{}] has {} logits, expected {} (one per "
                                        "vocabulary entry, the same at every position)",
                                        h, row.size(), std::max<std::size_t>(vocab, 1)));
      }
      if (ids[h] >= static_cast<double>(vocab)) {
        return Score::Error("invalid_token_ids",
                            fmt::format("metadata.token_ids[{}] = {} is outside the vocabulary "
                                        "of {} logits",
                                        h, ids[h], vocab));
      }
      chosen.push_back(row[static_cast<std::size_t>(ids[h])]);
      values.push_back(SoftValue(row, alpha_, scaled));
    }
    values.push_back(0.0);  // The state after the last token is terminal.
    for (std::size_t h = 0; h < chosen.size(); ++h) {
      chosen[h] -= values[h + 1];
    }
    return SumTokens(chosen, {}, context);
  }

 private:
  const double alpha_;
  const std::size_t max_logits_;
};

// T-REG: r̂_t = σ(logp(y_t | x_better) − logp(y_t | x_worse)) − 1/2.
class TokenContrastReward final : public Reward {
 public:
  explicit TokenContrastReward(bool mean) : mean_(mean) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    Buffers& buffers = context.Scratch<Buffers>();
    std::vector<double>& better = buffers.a;
    std::vector<double>& worse = buffers.b;
    if (Score read = ReadNumbers(sample.metadata.Find("better_logprobs"),
                                 {.field = "metadata.better_logprobs"}, better);
        !read.ok()) {
      return read;
    }
    if (Score read = ReadNumbers(sample.metadata.Find("worse_logprobs"),
                                 {.field = "metadata.worse_logprobs"}, worse);
        !read.ok()) {
      return read;
    }
    if (better.size() != worse.size()) {
      return Score::Error("logprobs_mismatch",
                          fmt::format("{} better_logprobs but {} worse_logprobs", better.size(),
                                      worse.size()));
    }
    if (better.empty()) {
      return Score::Error("empty_logprobs", "metadata.better_logprobs is empty");
    }
    for (std::size_t t = 0; t < better.size(); ++t) {
      better[t] = ContrastTokenReward(better[t], worse[t]);
    }
    return SumTokens(better, {.mean = mean_}, context);
  }

 private:
  const bool mean_;
};

// Σ_t KL term(logp_t, logp_ref_t): with k1 the sequence log-ratio log(π(y|x)/π_ref(y|x)).
class LogRatioReward final : public Reward {
 public:
  explicit LogRatioReward(const LogRatioOptions& options)
      : estimator_(ParseKlEstimator(options.estimator)), tokens_(options.tokens) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (Score check = CheckLogprobPair(sample, Reference::kRequired); !check.ok()) {
      return check;
    }
    std::vector<double>& terms = context.Scratch<Buffers>().a;
    terms.resize(sample.logprobs.size());
    for (std::size_t t = 0; t < terms.size(); ++t) {
      terms[t] = KlTerm(sample.logprobs[t], sample.ref_logprobs[t], estimator_);
    }
    return SumTokens(terms, {.write_tokens = tokens_}, context);
  }

 private:
  const KlEstimator estimator_;
  const bool tokens_;
};

}  // namespace

RewardOr MakeEndogenous(const EndogenousOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<EndogenousReward>(options));
}

RewardOr MakeTokenContrast(const TokenContrastOptions& options) {
  return std::unique_ptr<const Reward>(
      std::make_unique<TokenContrastReward>(options.reduction == "mean"));
}

RewardOr MakeLogRatio(const LogRatioOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<LogRatioReward>(options));
}

}  // namespace merit::likelihood
