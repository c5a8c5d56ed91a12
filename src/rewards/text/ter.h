// text.ter: Translation Edit Rate exactly as sacrebleu 2.x computes it (metrics/ter.py,
// metrics/lib_ter.py, tokenizers/tokenizer_ter.py), which follows Tercom (Snover et al., 2006):
// the fewest word insertions, deletions, substitutions and block shifts that turn the hypothesis
// into the reference, divided by the reference length.
//
// The shift search keeps sacrebleu's heuristics and limits bit for bit: greedy rounds, each
// applying the candidate shift that lowers the (beam-limited) edit distance most, ranked by
// (gain, length, earliest start, earliest target); shifted blocks of at most 10 words moved at
// most 50 positions; an edit distance computed only in a band of 25 cells either side of the
// length-scaled diagonal; and at most 1000 candidate shifts evaluated per hypothesis-reference
// pair (the round that crosses the cap is dropped, as sacrebleu drops it).
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef MERIT_REWARDS_TEXT_TER_H_
#define MERIT_REWARDS_TEXT_TER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::text_metrics {

// sacrebleu's TER(...) constructor flags, with its defaults.
struct TercomOptions {
  // Tercom normalisation: join lines, unescape &quot; &amp; &lt; &gt;, split punctuation off
  // words (except ' , - . between digits), split possessive 's.
  bool normalized = false;
  // Delete . , ? : ; ! " ( ) (and, with asian_support, CJK and full-width punctuation).
  bool no_punct = false;
  // With normalized: every CJK ideograph (and CJK punctuation) becomes its own word.
  bool asian_support = false;
  // false lower-cases both sides first (Python's str.lower()).
  bool case_sensitive = false;
};

// Tokenises `text` as sacrebleu's TercomTokenizer followed by str.split(): `buffer` receives the
// processed text and `tokens` views into it (both are replaced). Linear in the input. Invalid
// UTF-8 bytes are kept as they are, inside words. Lower-casing is python_text.h's PythonLower.
void TercomTokenize(std::string_view text, const TercomOptions& options, std::string& buffer,
                    std::vector<std::string_view>& tokens);

// A reference as sacrebleu's TER sees it: tokenised twice, since Metric._cache_references runs
// _preprocess_segment and TER._extract_reference_info runs it again on the result. Only
// `normalized` is not idempotent: the first pass turns "john's\t" (or "john's.") into
// "john's " (or "john's . "), whose possessive the second pass splits; the hypothesis is
// tokenised once. Same contract as TercomTokenize.
void TercomTokenizeReference(std::string_view text, const TercomOptions& options,
                             std::string& buffer, std::vector<std::string_view>& tokens);

// ' '.join of the tokens: what sacrebleu's TercomTokenizer returns (for tests).
std::string TercomNormalize(std::string_view text, const TercomOptions& options);

struct TerStats {
  std::int64_t edits = 0;       // Shifts plus edit operations.
  std::int64_t ref_length = 0;  // Reference words.
};

// sacrebleu's translation_edit_rate on word ids: equal words have equal ids; a hypothesis word
// absent from the reference may use any id that no reference word has. An empty reference gives
// {hypothesis length, 0}. Time O(C * n * beam) with C <= 1000 candidates for n hypothesis words.
TerStats TranslationEditRate(std::span<const std::uint32_t> hypothesis,
                             std::span<const std::uint32_t> reference);

// sacrebleu's TER score (a fraction, not percent) from summed statistics: edits / ref_length,
// or 1 when the reference is empty and edits > 0, or 0 when both are 0.
double TerFromStats(double edits, double ref_length);

inline constexpr std::string_view kTerOutputs[] = {"reward", "ter"};

// text.ter: sentence TER of the completion against the reference (a string, or a list of strings:
// sacrebleu's multi-reference TER, the fewest edits over the references divided by their average
// length). Corpus statistics: [edits, average reference length].
struct TerOptions {
  bool normalized = false;
  bool no_punct = false;
  bool asian_support = false;
  bool case_sensitive = false;
  std::string output = "reward";
  double scale = 1;
  std::int64_t max_words = 2000;
  static constexpr auto kFields = std::tuple{
      Field{"normalized", &TerOptions::normalized,
            "sacrebleu's normalized: Tercom tokenisation (split punctuation, unescape XML "
            "entities, split possessive 's)."},
      Field{"no_punct", &TerOptions::no_punct,
            "sacrebleu's no_punct: delete . , ? : ; ! \" ( ) before scoring."},
      Field{"asian_support", &TerOptions::asian_support,
            "sacrebleu's asian_support: with normalized, split CJK ideographs into single "
            "words; with no_punct, also delete CJK and full-width punctuation."},
      Field{"case_sensitive", &TerOptions::case_sensitive,
            "sacrebleu's case_sensitive; false (the default) lower-cases both sides."},
      Field{"output",
            &TerOptions::output,
            "reward: 1 - min(TER, 1), higher is better (0 at 100% TER or worse); ter: the raw "
            "error rate edits / reference words (lower is better, unbounded above).",
            {.choices = kTerOutputs}},
      Field{"scale", &TerOptions::scale,
            "Multiplies the output: 1 (fractions) or 100 (sacrebleu's printed scale).",
            {.min = 1, .max = 100}},
      Field{"max_words", &TerOptions::max_words,
            "Longest hypothesis or reference, in words, that is scored: the shift search costs "
            "up to 1000 edit distances over the whole sentence. Longer inputs get "
            "Error(\"too_long\"), except where the reward is exactly 0 anyway (output: reward and "
            "at least twice as many words as every reference).",
            {.min = 1, .max = 1000000}},
  };
  Status Validate() const;
};

StatusOr<std::unique_ptr<const Reward>> MakeTer(const TerOptions& options);

}  // namespace merit::text_metrics

#endif  // MERIT_REWARDS_TEXT_TER_H_
