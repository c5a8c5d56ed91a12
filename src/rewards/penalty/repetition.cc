// penalty.repetition: -factor times the share of repeated n-grams.
#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include <fmt/format.h>

#include "rewards/penalty/penalty.h"

namespace merit::penalty {
namespace {

// FNV-1a: simple, byte-order independent, and stable across platforms and releases (unlike
// std::hash), so a score never depends on the standard library merit was built with.
std::uint64_t HashToken(std::string_view token) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : token) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

// SplitMix64's finaliser: a bijection with full avalanche, so folding token hashes through it
// keeps n-gram hashes order-sensitive and free of the structure that makes plain polynomial
// hashes modulo 2^64 collide on Thue-Morse-like inputs.
std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// Calls visit(token) on each of the first `max_tokens` tokens of `it`; true when tokens remained.
template <typename TokenIterator, typename Visit>
bool VisitTokens(TokenIterator it, std::size_t max_tokens, Visit&& visit) {
  std::size_t count = 0;
  while (const std::optional<std::string_view> token = it.Next()) {
    if (count == max_tokens) {
      return true;
    }
    visit(*token);
    ++count;
  }
  return false;
}

template <typename Visit>
bool VisitTokens(std::string_view text, text::LengthUnit unit, std::size_t max_tokens,
                 Visit&& visit) {
  if (unit == text::LengthUnit::kWords) {
    return VisitTokens(text::Words(text), max_tokens, visit);
  }
  return VisitTokens(text::CodePoints(text), max_tokens, visit);
}

// A set of non-zero 64-bit hashes with linear probing; never more than half full.
class HashSet {
 public:
  explicit HashSet(std::size_t max_size)
      : slots_(std::bit_ceil(std::max<std::size_t>(2 * max_size, 16)), 0),
        mask_(slots_.size() - 1) {}

  // True when `hash` was not in the set. REQUIRES: hash != 0; fewer than max_size inserts.
  bool Insert(std::uint64_t hash) {
    std::size_t i = hash & mask_;
    while (slots_[i] != 0) {
      if (slots_[i] == hash) {
        return false;
      }
      i = (i + 1) & mask_;
    }
    slots_[i] = hash;
    return true;
  }

 private:
  std::vector<std::uint64_t> slots_;
  const std::size_t mask_;
};

class RepetitionReward final : public Reward {
 public:
  explicit RepetitionReward(const RepetitionOptions& options)
      : unit_(text::ParseLengthUnit(options.unit)),
        n_(static_cast<std::size_t>(options.ngram)),
        max_tokens_(static_cast<std::size_t>(options.max_tokens)),
        factor_(options.factor),
        threshold_(options.threshold) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    const RepetitionStats stats = MeasureRepetition(sample.completion_text, unit_, n_, max_tokens_);
    if (stats.ngrams == 0) {
      return Score::Ok(0.0, "too_few_tokens");
    }
    const double excess = (stats.ratio() - threshold_) / (1.0 - threshold_);
    if (excess <= 0) {
      return Score::Ok(0.0);
    }
    return Score::Ok(0.0 - factor_ * excess, "repetitive");
  }

 private:
  const text::LengthUnit unit_;
  const std::size_t n_;
  const std::size_t max_tokens_;
  const double factor_;
  const double threshold_;
};

}  // namespace

RepetitionStats MeasureRepetition(std::string_view text, text::LengthUnit unit, std::size_t n,
                                  std::size_t max_tokens) {
  RepetitionStats stats;
  // A counting pass first, so that the table is allocated once at its final size.
  stats.truncated = VisitTokens(text, unit, max_tokens, [&](std::string_view) { ++stats.tokens; });
  if (stats.tokens < n) {
    return stats;
  }
  stats.ngrams = stats.tokens - n + 1;

  HashSet seen_ngrams(stats.ngrams);
  std::array<std::uint64_t, kMaxNgram> window{};  // The last n token hashes, as a ring.
  std::size_t position = 0;
  VisitTokens(text, unit, max_tokens, [&](std::string_view token) {
    window[position % n] = HashToken(token);
    ++position;
    if (position < n) {
      return;
    }
    // Oldest token first: it sits right after the newest one in the ring.
    std::uint64_t hash = Mix(n);
    for (std::size_t k = 0; k < n; ++k) {
      hash = Mix(hash ^ window[(position + k) % n]);
    }
    if (hash == 0) {
      hash = 1;  // 0 marks an empty slot.
    }
    if (seen_ngrams.Insert(hash)) {
      ++stats.distinct;
    }
  });
  return stats;
}

Status RepetitionOptions::Validate() const {
  if (threshold >= 1.0) {
    return InvalidArgumentError(fmt::format("threshold ({}) must be below 1", threshold));
  }
  return OkStatus();
}

RewardOr MakeRepetition(const RepetitionOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<RepetitionReward>(options));
}

}  // namespace merit::penalty
