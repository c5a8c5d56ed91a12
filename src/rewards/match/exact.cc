// match.exact: 1 if the extracted answer equals any reference after the same normalisation.
#include <memory>

#include "rewards/match/common.h"
#include "rewards/match/match.h"
#include "text/normalize.h"

namespace merit::match {
namespace {

// One sentence-final period is not part of an answer ("The answer is Paris."). It is dropped
// from both sides, so a reference that ends in one ("U.S.") still matches itself.
std::string_view DropFinalPeriod(std::string_view text) {
  text = TrimSpace(text);
  if (!text.empty() && text.back() == '.') {
    text.remove_suffix(1);
  }
  return text;
}

class Exact final : public Reward {
 public:
  Exact(Extract extract, text::NormalizeOptions normalize)
      : extract_(extract), normalize_(normalize) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (std::optional<Score> bad = CheckReference(sample.reference)) {
      return std::move(*bad);
    }
    const std::optional<Answer> answer = ExtractAnswer(sample.completion_text, extract_);
    if (!answer) {
      return Score::Ok(0, "no_answer");
    }
    std::string& normalized_answer = context.scratch;
    text::NormalizeInto(DropFinalPeriod(answer->text), normalize_, normalized_answer);
    // An answer that normalises to nothing ("...", "the") says nothing; it must not match a
    // reference that also normalises to nothing.
    if (normalized_answer.empty()) {
      return Score::Ok(0, "no_answer");
    }
    std::string& normalized_reference = context.scratch2;
    for (const Json& reference : ReferenceAlternatives(sample.reference)) {
      text::NormalizeInto(DropFinalPeriod(ReferenceText(reference)), normalize_,
                          normalized_reference);
      if (normalized_reference == normalized_answer) {
        return Score::Ok(1);
      }
    }
    return Score::Ok(0, "wrong_answer");
  }

 private:
  const Extract extract_;
  const text::NormalizeOptions normalize_;
};

}  // namespace

RewardOr MakeExact(const ExactOptions& options) {
  const text::NormalizeOptions normalize = {
      .nfkc = options.nfkc,
      .case_fold = !options.case_sensitive,
      .remove_punctuation = options.remove_punctuation,
      .punctuation = options.punctuation == "ascii" ? text::PunctuationSet::kAscii
                                                    : text::PunctuationSet::kUnicode,
      .remove_articles = options.remove_articles,
      .collapse_whitespace = options.collapse_whitespace,
  };
  return std::unique_ptr<const Reward>(
      std::make_unique<Exact>(ExtractFromName(options.extract), normalize));
}

}  // namespace merit::match
