// match.f1: SQuAD v1.1 token F1 (the official evaluate-v1.1.py semantics: normalize_answer, then
// the multiset overlap of whitespace tokens), maximised over the acceptable references.
#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include "rewards/match/common.h"
#include "rewards/match/match.h"
#include "text/normalize.h"

namespace merit::match {
namespace {

class F1 final : public Reward {
 public:
  F1(Extract extract, text::NormalizeOptions normalize)
      : extract_(extract), normalize_(normalize) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (std::optional<Score> bad = CheckReference(sample.reference)) {
      return std::move(*bad);
    }
    const std::optional<Answer> answer = ExtractAnswer(sample.completion_text, extract_);
    if (!answer) {
      return Score::Ok(0, "no_answer");
    }
    std::string& prediction = context.scratch;
    text::NormalizeInto(answer->text, normalize_, prediction);
    std::string& reference = context.scratch2;
    double best = 0;
    for (const Json& alternative : ReferenceAlternatives(sample.reference)) {
      text::NormalizeInto(ReferenceText(alternative), normalize_, reference);
      best = std::max(best, TokenF1(prediction, reference));
      if (best == 1) {
        break;
      }
    }
    return Score::Ok(best);
  }

 private:
  const Extract extract_;
  const text::NormalizeOptions normalize_;
};

}  // namespace

double TokenF1(std::string_view prediction, std::string_view reference) {
  // Remaining count of each distinct reference token. References are short (a few words), so a
  // small array searched linearly beats a hash map and needs no allocation; past kSmall distinct
  // tokens the map takes over.
  struct Remaining {
    std::string_view token;
    std::size_t count = 0;
  };

  constexpr std::size_t kSmall = 32;
  std::array<Remaining, kSmall> small;
  std::size_t distinct = 0;
  bool overflow = false;
  std::size_t reference_tokens = 0;
  text::WhitespaceTokenizer reference_tokenizer(reference);
  while (std::optional<std::string_view> token = reference_tokenizer.Next()) {
    ++reference_tokens;
    if (overflow) {
      continue;
    }
    const auto end = small.begin() + distinct;
    const auto it =
        std::find_if(small.begin(), end, [&](const Remaining& r) { return r.token == *token; });
    if (it != end) {
      ++it->count;
    } else if (distinct < kSmall) {
      small[distinct++] = {*token, 1};
    } else {
      overflow = true;
    }
  }
  std::unordered_map<std::string_view, std::size_t> big;
  if (overflow) {
    text::WhitespaceTokenizer again(reference);
    while (std::optional<std::string_view> token = again.Next()) {
      ++big[*token];
    }
  }
  std::size_t prediction_tokens = 0;
  std::size_t same = 0;
  text::WhitespaceTokenizer prediction_tokenizer(prediction);
  while (std::optional<std::string_view> token = prediction_tokenizer.Next()) {
    ++prediction_tokens;
    std::size_t* left = nullptr;
    if (overflow) {
      const auto it = big.find(*token);
      if (it != big.end()) {
        left = &it->second;
      }
    } else {
      const auto end = small.begin() + distinct;
      const auto it =
          std::find_if(small.begin(), end, [&](const Remaining& r) { return r.token == *token; });
      if (it != end) {
        left = &it->count;
      }
    }
    if (left != nullptr && *left > 0) {
      --*left;
      ++same;
    }
  }
  if (same == 0) {
    return 0;
  }
  // The official script's arithmetic, in its order, so results agree to the last bit.
  const double precision = 1.0 * static_cast<double>(same) / static_cast<double>(prediction_tokens);
  const double recall = 1.0 * static_cast<double>(same) / static_cast<double>(reference_tokens);
  return (2 * precision * recall) / (precision + recall);
}

RewardOr MakeF1(const F1Options& options) {
  text::NormalizeOptions normalize = text::kSquadNormalize;
  normalize.nfkc = options.nfkc;
  normalize.punctuation = options.punctuation == "unicode" ? text::PunctuationSet::kUnicode
                                                           : text::PunctuationSet::kAscii;
  return std::unique_ptr<const Reward>(
      std::make_unique<F1>(ExtractFromName(options.extract), normalize));
}

}  // namespace merit::match
