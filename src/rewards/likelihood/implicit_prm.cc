// likelihood.implicit_prm (spec B §3, Free Process Rewards): step rewards r_k = β Σ q_t over the
// tokens of step k, q_t = logp_φ(y_t) − logp_ref(y_t), aggregated into one response score.
#include <algorithm>

#include <fmt/format.h>
#include <re2/re2.h>

#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {
namespace {

class ImplicitPrmReward final : public Reward {
 public:
  explicit ImplicitPrmReward(const ImplicitPrmOptions& options)
      : beta_(options.beta),
        aggregation_(ParseStepAggregation(options.aggregation)),
        reference_(options.use_reference ? Reference::kRequired : Reference::kUnused),
        step_marker_(R"(Step \d+:)") {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (Score check = CheckLogprobPair(sample, reference_); !check.ok()) {
      return check;
    }
    Buffers& buffers = context.Scratch<Buffers>();
    const std::size_t tokens = sample.logprobs.size();
    if (Score split = StepEnds(sample, tokens, buffers); !split.ok()) {
      return split;
    }
    std::vector<double>& q = buffers.a;
    q.assign(sample.logprobs.begin(), sample.logprobs.end());
    if (reference_ == Reference::kRequired) {
      for (std::size_t t = 0; t < tokens; ++t) {
        q[t] -= sample.ref_logprobs[t];
      }
    }
    std::vector<double>& step_rewards = buffers.d;
    StepRewards(q, buffers.ends, beta_, step_rewards);
    const Score score = FiniteOr(AggregateSteps(step_rewards, aggregation_));
    if (score.ok() && context.steps != nullptr) {
      std::size_t begin = 0;
      for (std::size_t k = 0; k < buffers.ends.size(); ++k) {
        context.steps->push_back(
            {.start = begin, .end = buffers.ends[k], .reward = step_rewards[k]});
        begin = buffers.ends[k];
      }
    }
    return score;
  }

 private:
  // Fills buffers.ends with the exclusive token end of every step. The last is always `tokens`:
  // every token is in exactly one step, so sum aggregation is Q_T.
  Score StepEnds(const Sample& sample, std::size_t tokens, Buffers& buffers) const {
    std::vector<std::size_t>& ends = buffers.ends;
    ends.clear();
    const Json* step_ends = sample.metadata.Find("step_ends");
    if (step_ends != nullptr && !step_ends->is_null()) {
      std::vector<double>& given = buffers.b;
      if (Score read = ReadNumbers(step_ends,
                                   {.field = "metadata.step_ends",
                                    .rule = NumberRule::kIndex,
                                    .bad_reason = "invalid_step_ends"},
                                   given);
          !read.ok()) {
        return read;
      }
      // Spec B §3: step k covers (e_{k-1}, e_k], e_k the index of its last token. Boundaries past
      // the sequence are clamped to the last token; a step that clamping leaves empty is dropped.
      for (std::size_t k = 0; k < given.size(); ++k) {
        if (k > 0 && given[k] <= given[k - 1]) {
          return Score::Error("invalid_step_ends",
                              fmt::format("metadata.step_ends must increase strictly, but entry "
                                          "{} is {} after {}",
                                          k, given[k], given[k - 1]));
        }
        const std::size_t end =
            std::min(static_cast<std::size_t>(given[k]), tokens - 1) + 1;
        if (ends.empty() || end > ends.back()) {
          ends.push_back(end);
        }
      }
    } else if (Score split = SplitText(sample, tokens, buffers); !split.ok()) {
      return split;
    }
    // Tokens after the last boundary (an end-of-turn token, say) close the final step.
    if (ends.empty() || ends.back() < tokens) {
      ends.push_back(tokens);
    }
    return Score::Ok(0);
  }

  // The official eval's segmentation (spec B §3): the text splits before every `Step k:` marker,
  // and a preamble of only whitespace is not a step. Tokens map to steps by their first byte.
  Score SplitText(const Sample& sample, std::size_t tokens, Buffers& buffers) const {
    const std::string& text = sample.completion_text;
    std::vector<double>& splits = buffers.c;  // Byte offsets where a new step starts.
    splits.clear();
    re2::StringPiece match;
    std::size_t pos = 0;
    // RE2 is linear-time, and each search resumes after the previous marker: O(|text|) in all.
    while (pos < text.size() &&
           step_marker_.Match(text, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
      const auto start = static_cast<std::size_t>(match.data() - text.data());
      const bool blank_preamble = splits.empty() && text.find_first_not_of(" \t\r\n") >= start;
      if (!blank_preamble) {
        splits.push_back(static_cast<double>(start));
      }
      pos = start + match.size();
    }
    if (splits.empty()) {
      return Score::Ok(0);  // No marker: one step.
    }
    std::vector<double>& offsets = buffers.b;
    if (Score read = ReadNumbers(sample.metadata.Find("token_offsets"),
                                 {.field = "metadata.token_offsets",
                                  .rule = NumberRule::kIndex,
                                  .bad_reason = "invalid_token_offsets"},
                                 offsets);
        !read.ok()) {
      if (read.reason == "missing_field") {
        read.explanation =
            "the completion has Step k: markers, but the sample has neither metadata.step_ends "
            "nor metadata.token_offsets to place them";
      }
      return read;
    }
    if (offsets.size() != tokens) {
      return Score::Error("token_offsets_mismatch",
                          fmt::format("{} token_offsets but {} logprobs", offsets.size(), tokens));
    }
    for (std::size_t t = 1; t < tokens; ++t) {
      if (offsets[t] < offsets[t - 1]) {
        return Score::Error("invalid_token_offsets",
                            fmt::format("metadata.token_offsets decreases at index {}", t));
      }
    }
    std::vector<std::size_t>& ends = buffers.ends;
    std::size_t t = 0;
    for (double split : splits) {
      while (t < tokens && offsets[t] < split) {
        ++t;
      }
      // A marker that no token starts at or after (or two markers in one token) adds no step.
      if (t > 0 && (ends.empty() || t > ends.back())) {
        ends.push_back(t);
      }
    }
    return Score::Ok(0);
  }

  const double beta_;
  const StepAggregation aggregation_;
  const Reference reference_;
  const RE2 step_marker_;
};

}  // namespace

RewardOr MakeImplicitPrm(const ImplicitPrmOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<ImplicitPrmReward>(options));
}

}  // namespace merit::likelihood
