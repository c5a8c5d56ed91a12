// The match family: rewards that compare the answer in a completion with a reference answer.
// One options struct and one factory per reward; register.cc registers them. Definitions and
// sources: spec A §5 (Mixed-R1 matching and chart rewards), §14 (R3-RAG outcome), SQuAD v1.1.
//
// Every reward here scores in [0, 1], returns Unscorable("no_reference") for a missing
// reference and Unscorable("reference_unparseable") for one it cannot read, and Ok(0,
// "no_answer") when the completion holds no answer.
#ifndef MERIT_REWARDS_MATCH_MATCH_H_
#define MERIT_REWARDS_MATCH_MATCH_H_

#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

#include "rewards/match/common.h"

namespace merit::match {

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;

inline constexpr std::string_view kPunctuationSets[] = {"ascii", "unicode"};

// match.exact: 1 if the answer equals any reference after normalisation.
struct ExactOptions {
  std::string extract = "auto";
  bool case_sensitive = false;
  bool nfkc = true;
  bool collapse_whitespace = true;
  bool remove_punctuation = false;
  std::string punctuation = "unicode";
  bool remove_articles = false;
  static constexpr auto kFields = std::tuple{
      Field{"extract", &ExactOptions::extract, kExtractDoc, {.choices = kExtractNames}},
      Field{"case_sensitive", &ExactOptions::case_sensitive,
            "Compare letter case; false applies Unicode case folding to both sides."},
      Field{"nfkc", &ExactOptions::nfkc,
            "Unicode NFKC on both sides (full-width forms, ligatures, superscripts)."},
      Field{"collapse_whitespace", &ExactOptions::collapse_whitespace,
            "Trim and turn every run of whitespace into one space."},
      Field{"remove_punctuation", &ExactOptions::remove_punctuation,
            "Delete punctuation (the `punctuation` set) before comparing."},
      Field{"punctuation",
            &ExactOptions::punctuation,
            "Which characters remove_punctuation deletes: ascii (Python's string.punctuation, "
            "as SQuAD) or unicode (that plus every Unicode P* character).",
            {.choices = kPunctuationSets}},
      Field{"remove_articles", &ExactOptions::remove_articles,
            "Delete the English articles a, an, the (whole words)."},
  };
};

RewardOr MakeExact(const ExactOptions& options);

// match.f1: SQuAD v1.1 token F1, maximised over the references.
struct F1Options {
  std::string extract = "auto";
  std::string punctuation = "ascii";
  bool nfkc = false;
  static constexpr auto kFields = std::tuple{
      Field{"extract", &F1Options::extract, kExtractDoc, {.choices = kExtractNames}},
      Field{"punctuation",
            &F1Options::punctuation,
            "Punctuation SQuAD's normalisation deletes: ascii (string.punctuation, the official "
            "script) or unicode (that plus every Unicode P* character).",
            {.choices = kPunctuationSets}},
      Field{"nfkc", &F1Options::nfkc,
            "Apply Unicode NFKC before SQuAD's normalisation (not in the official script)."},
  };
};

RewardOr MakeF1(const F1Options& options);

// SQuAD v1.1 f1_score on already-normalised texts: the whitespace tokens' multiset overlap,
// 2PR / (P + R); 0 when nothing overlaps (so also when either side has no token). Linear in the
// input sizes; allocates only when the reference has more than 32 distinct tokens.
double TokenF1(std::string_view prediction, std::string_view reference);

// match.choice: the multiple-choice letter in the answer equals the reference letter.
struct ChoiceOptions {
  std::string choices = "ABCDEFGHIJ";
  bool strict = true;
  bool case_sensitive = false;
  static constexpr auto kFields = std::tuple{
      Field{"choices", &ChoiceOptions::choices,
            "The option letters, in order (a 0-based index reference counts into this)."},
      Field{"strict", &ChoiceOptions::strict,
            "Several different letters among the answer signals (\"A or B\", \\boxed{A} then "
            "\\boxed{B}) score 0 with reason ambiguous_answer; false takes the last signal."},
      Field{"case_sensitive", &ChoiceOptions::case_sensitive,
            "Letters must match `choices` in case; false also accepts \"(b)\", \"answer: b\" "
            "and a lone \"b\" (never a bare lower-case word such as the article \"a\")."},
  };
  Status Validate() const;
};

RewardOr MakeChoice(const ChoiceOptions& options);

// match.numeric: the answer's number equals the reference number within tolerance.
struct NumericOptions {
  std::string extract = "auto";
  double rel_tol = 1e-9;
  double abs_tol = 1e-9;
  bool exact_integers = true;
  bool relaxed = false;
  double relaxed_tol = 0.05;
  bool percent_as_fraction = false;
  bool text_fallback = false;
  static constexpr auto kFields = std::tuple{
      Field{"extract",
            &NumericOptions::extract,
            "Where the answer is (as for match.exact; with auto, when no tag, box or answer "
            "phrase is found, the last number in the completion is the answer).",
            {.choices = kExtractNames}},
      Field{"rel_tol",
            &NumericOptions::rel_tol,
            "Equal when |a - b| <= max(rel_tol * max(|a|, |b|), abs_tol) (Python's "
            "math.isclose).",
            {.min = 0}},
      Field{"abs_tol", &NumericOptions::abs_tol, "See rel_tol.", {.min = 0}},
      Field{"exact_integers", &NumericOptions::exact_integers,
            "Two integers compare exactly, digit by digit, whatever their size and whatever "
            "rel_tol says (12345678901234567891 != 12345678901234567890)."},
      Field{"relaxed", &NumericOptions::relaxed,
            "ChartQA relaxed accuracy instead of rel_tol/abs_tol: |p - g| <= relaxed_tol * |g|, "
            "exact equality when g = 0 (spec A §5, chart reward)."},
      Field{"relaxed_tol",
            &NumericOptions::relaxed_tol,
            "Relative tolerance of `relaxed`.",
            {.min = 0}},
      Field{"percent_as_fraction", &NumericOptions::percent_as_fraction,
            "Read \"12.5%\" as 0.125 (ChartQA) rather than 12.5, on both sides."},
      Field{"text_fallback", &NumericOptions::text_fallback,
            "A reference that is not a number is compared as text (case-insensitive, "
            "whitespace-collapsed) with the answer, as the chart reward does, instead of "
            "making the sample unscorable."},
  };
};

RewardOr MakeNumeric(const NumericOptions& options);

}  // namespace merit::match

#endif  // MERIT_REWARDS_MATCH_MATCH_H_
