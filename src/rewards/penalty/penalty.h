// The penalty family: rewards in [-factor, 0] that push against overlong and repetitive
// completions. Registered in register.cc; definitions follow spec A §9 (generalized length penalty,
// DAPO's soft overlong punishment as its verified special case).
//
// Everything here is thread-safe; the rewards are immutable.
#ifndef MERIT_REWARDS_PENALTY_PENALTY_H_
#define MERIT_REWARDS_PENALTY_PENALTY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

#include "text/length.h"

namespace merit::penalty {

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;

// ---- Length penalty (penalty.length, penalty.overlong) ----

// The generalized length penalty of spec A §9, with L_lo = min_length, L_hi = max_length,
// B = buffer, f = factor:
//   L > L_hi              -> -f
//   L_hi - B < L <= L_hi  -> -f · (L - (L_hi - B)) / B     (linear ramp from 0 to -f)
//   L < L_lo              -> -f · (L_lo - L) / L_lo        (only when L_lo > 0)
//   otherwise             -> 0
// With min_length = 0 this is DAPO's soft overlong punishment (verl's DAPO reward manager), except
// that lengths past L_hi are clamped to -f (verl never sees them: generation stops at L_hi).
// REQUIRES: 1 <= buffer <= max_length, 0 <= min_length <= max_length - buffer, factor >= 0, and
// length >= 0 (what LengthOptions::Validate checks).
struct LengthPenaltyParams {
  std::int64_t min_length = 0;
  std::int64_t max_length = 20480;
  std::int64_t buffer = 4096;
  double factor = 1.0;
};

double LengthPenalty(std::int64_t length, const LengthPenaltyParams& params);

// Options of penalty.overlong. The defaults are DAPO's: 16384 expected tokens plus a 4096-token
// soft punishment buffer, i.e. max_length 20480.
struct OverlongOptions {
  std::int64_t max_length = 20480;
  std::int64_t buffer = 4096;
  double factor = 1.0;
  std::string unit = "tokens";
  static constexpr auto kFields = std::tuple{
      Field{"max_length",
            &OverlongOptions::max_length,
            "L_max: lengths above it get -factor.",
            {.min = 1}},
      Field{"buffer",
            &OverlongOptions::buffer,
            "B: the penalty ramps linearly from 0 at L_max - B to -factor at L_max; "
            "1 <= B <= L_max.",
            {.min = 1}},
      Field{"factor",
            &OverlongOptions::factor,
            "f: the largest penalty (the reward's floor is -f).",
            {.min = 0}},
      Field{"unit",
            &OverlongOptions::unit,
            "How length is counted: tokens (the sample's num_tokens; a sample without it is "
            "an error \"no_token_count\"), chars (Unicode code points) or words "
            "(whitespace-separated).",
            {.choices = text::kLengthUnits}},
  };
  Status Validate() const;
};

// Options of penalty.length: penalty.overlong's plus a lower side.
struct LengthOptions : OverlongOptions {
  std::int64_t min_length = 0;
  static constexpr auto kFields = std::tuple_cat(
      std::tuple{Field{"min_length",
                       &LengthOptions::min_length,
                       "L_lo: lengths below it get -factor·(L_lo - L)/L_lo; 0 turns the lower "
                       "side off. At most max_length - buffer.",
                       {.min = 0}}},
      OverlongOptions::kFields);
  Status Validate() const;
};

RewardOr MakeOverlong(const OverlongOptions& options);
RewardOr MakeLength(const LengthOptions& options);

// ---- Repetition penalty (penalty.repetition) ----

// How repetitive a text is, over its first `max_tokens` tokens (words or code points, as
// text/length.h defines them).
struct RepetitionStats {
  std::size_t tokens = 0;    // Tokens looked at (at most max_tokens).
  std::size_t ngrams = 0;    // tokens - n + 1, or 0 when tokens < n.
  std::size_t distinct = 0;  // Distinct n-grams among them.
  bool truncated = false;    // The text had more than max_tokens tokens.

  // 1 - distinct / ngrams, in [0, 1); 0 when there are no n-grams.
  double ratio() const {
    return ngrams == 0 ? 0.0 : 1.0 - static_cast<double>(distinct) / static_cast<double>(ngrams);
  }
};

inline constexpr std::int64_t kMaxNgram = 16;
inline constexpr std::int64_t kMaxRepetitionTokens = std::int64_t{1} << 21;

// Counts distinct n-grams by 64-bit hash: each token is hashed with FNV-1a over its bytes, each
// n-gram by folding its n token hashes through the SplitMix64 finaliser, and distinct hashes are
// counted in an open-addressing table of 2-4 slots per n-gram (at most 32 bytes per n-gram).
// Time O(tokens · n), memory O(min(tokens, max_tokens)); two different n-grams colliding would
// undercount `distinct` by one, with probability about ngrams² / 2^65. The table is the one heap
// allocation per call.
// REQUIRES: unit is kChars or kWords; 1 <= n <= kMaxNgram; 1 <= max_tokens <= kMaxRepetitionTokens.
RepetitionStats MeasureRepetition(std::string_view text, text::LengthUnit unit, std::size_t n,
                                  std::size_t max_tokens);

struct RepetitionOptions {
  std::int64_t ngram = 3;
  std::string unit = "words";
  double factor = 1.0;
  double threshold = 0.0;
  std::int64_t max_tokens = std::int64_t{1} << 20;
  static constexpr auto kFields = std::tuple{
      Field{"ngram",
            &RepetitionOptions::ngram,
            "n: the n-gram size.",
            {.min = 1, .max = static_cast<double>(kMaxNgram)}},
      Field{"unit",
            &RepetitionOptions::unit,
            "What a token is: words (whitespace-separated) or chars (Unicode code points).",
            {.choices = text::kTextLengthUnits}},
      Field{"factor",
            &RepetitionOptions::factor,
            "The largest penalty (the reward's floor is -f).",
            {.min = 0}},
      Field{"threshold",
            &RepetitionOptions::threshold,
            "t: only a ratio above t is penalised, rescaled as (ratio - t)/(1 - t); t < 1.",
            {.min = 0, .max = 1}},
      Field{"max_tokens",
            &RepetitionOptions::max_tokens,
            "Only the first max_tokens tokens are looked at (bounds time and memory).",
            {.min = 1, .max = static_cast<double>(kMaxRepetitionTokens)}},
  };
  Status Validate() const;
};

RewardOr MakeRepetition(const RepetitionOptions& options);

}  // namespace merit::penalty

#endif  // MERIT_REWARDS_PENALTY_PENALTY_H_
