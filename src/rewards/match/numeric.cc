// match.numeric: the number in the answer equals the reference number, within tolerance, or
// exactly for two integers.
#include <algorithm>
#include <cmath>
#include <memory>

#include "rewards/match/common.h"
#include "rewards/match/match.h"
#include "rewards/match/number.h"
#include "text/normalize.h"

namespace merit::match {
namespace {

// How text_fallback compares a non-numeric reference with the answer.
constexpr text::NormalizeOptions kTextFallback = {
    .nfkc = true, .case_fold = true, .collapse_whitespace = true};

class Numeric final : public Reward {
 public:
  explicit Numeric(const NumericOptions& options)
      : options_(options),
        extract_(ExtractFromName(options.extract)),
        numbers_{.percent_as_fraction = options.percent_as_fraction} {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (std::optional<Score> bad = CheckReference(sample.reference)) {
      return std::move(*bad);
    }
    // context.scratch2 holds digit strings while numbers are parsed; context.scratch the
    // normalised answer for text_fallback.
    std::string& digits = context.scratch2;
    bool any_number = false;
    bool any_text = false;
    for (const Json& alternative : ReferenceAlternatives(sample.reference)) {
      const std::string_view text = ReferenceText(alternative);
      if (ParseSingleNumber(text, numbers_, digits)) {
        any_number = true;
      } else if (!TrimSpace(text).empty()) {
        any_text = true;
      }
    }
    const bool compare_text = options_.text_fallback && any_text;
    if (!any_number && !compare_text) {
      return Score::Unscorable("reference_unparseable", "the reference holds no single number");
    }

    const std::optional<Answer> answer = ExtractAnswer(sample.completion_text, extract_);
    if (!answer) {
      return Score::Ok(0, "no_answer");
    }
    const std::optional<ParsedNumber> number = PickNumber(*answer, digits);
    if (compare_text) {
      text::NormalizeInto(answer->text, kTextFallback, context.scratch);
    }

    for (const Json& alternative : ReferenceAlternatives(sample.reference)) {
      const std::string_view text = ReferenceText(alternative);
      if (const std::optional<ParsedNumber> gold = ParseSingleNumber(text, numbers_, digits)) {
        if (number && Equal(*number, *gold)) {
          return Score::Ok(1);
        }
      } else if (compare_text) {
        text::NormalizeInto(text, kTextFallback, digits);
        if (!digits.empty() && digits == context.scratch) {
          return Score::Ok(1);
        }
      }
    }
    if (!number && !compare_text) {
      return Score::Ok(0, "no_number");
    }
    return Score::Ok(0, "wrong_answer");
  }

 private:
  // The number an answer commits to: the first one after an answer phrase ("the answer is 42
  // because 6 * 7 = 42"), the last one otherwise ("so x = 3 + 2 = 5").
  std::optional<ParsedNumber> PickNumber(const Answer& answer, std::string& digits) const {
    NumberScanner scanner(answer.text, numbers_, digits);
    std::optional<ParsedNumber> picked;
    while (std::optional<ParsedNumber> n = scanner.Next()) {
      picked = n;
      if (answer.source == AnswerSource::kPhrase) {
        break;
      }
    }
    return picked;
  }

  bool Equal(const ParsedNumber& answer, const ParsedNumber& gold) const {
    const bool both_integers = answer.is_integer && gold.is_integer;
    const bool finite = std::isfinite(answer.value) && std::isfinite(gold.value);
    if (options_.relaxed) {
      if (!finite) {
        return both_integers && SameInteger(answer, gold);
      }
      // ChartQA: relative to the gold value; a gold 0 needs an exact 0.
      if (gold.value == 0) {
        return answer.value == 0;
      }
      return std::fabs(answer.value - gold.value) <= options_.relaxed_tol * std::fabs(gold.value);
    }
    if (options_.exact_integers && both_integers) {
      return SameInteger(answer, gold);
    }
    if (!finite) {
      return false;
    }
    const double scale = std::max(std::fabs(answer.value), std::fabs(gold.value));
    return std::fabs(answer.value - gold.value) <=
           std::max(options_.rel_tol * scale, options_.abs_tol);
  }

  const NumericOptions options_;
  const Extract extract_;
  const NumberOptions numbers_;
};

}  // namespace

RewardOr MakeNumeric(const NumericOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<Numeric>(options));
}

}  // namespace merit::match
