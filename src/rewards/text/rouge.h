// text.rouge: ROUGE-N, ROUGE-L and ROUGE-Lsum exactly as Google's rouge-score 0.1.2 computes them
// (rouge_score/rouge_scorer.py, tokenize.py, scoring.py):
//
//   tokens  text.lower(), every run of characters other than [a-z0-9] becomes a separator, and
//           with use_stemmer each token longer than 3 characters goes through NLTK's Porter
//           stemmer (porter.h). Only ASCII letters and digits survive, plus the two non-ASCII
//           characters whose lower case is ASCII: U+212A KELVIN SIGN (k) and U+0130 (i, then a
//           combining dot that separates).
//   rougeN  clipped n-gram overlap: P = overlap / max(#prediction n-grams, 1), R likewise with
//           the reference, F = 2PR / (P + R) (0 when P + R = 0).
//   rougeL  longest common subsequence of the token lists: P = LCS / |prediction|, R = LCS /
//           |reference|; all 0 when either side has no token.
//   rougeLsum  summary-level LCS: the texts split on "\n" (empty lines dropped), each reference
//           line's union LCS with every prediction line, each token counted at most as often as
//           it occurs on both sides (ROUGE-1.5.5's rule).
//
// LCS lengths use Hyyrö's bit-parallel algorithm (n * m / 64 word operations); rougeLsum keeps
// the bit rows and backtracks through them with rouge-score's tie rule, so it picks the very LCS
// rouge-score picks. Memory is O(n * m / 64) bits for the longest pair of lines.
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef MERIT_REWARDS_TEXT_ROUGE_H_
#define MERIT_REWARDS_TEXT_ROUGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::text_metrics {

// rouge-score's tokenize.tokenize(text, stemmer): `buffer` receives the token text and `tokens`
// views into it (both replaced). Linear in the input; invalid UTF-8 bytes separate tokens.
void RougeTokenize(std::string_view text, bool use_stemmer, std::string& buffer,
                   std::vector<std::string_view>& tokens);

struct RougeScore {
  double precision = 0;
  double recall = 0;
  double fmeasure = 0;
  std::size_t prediction_tokens = 0;  // Tokens of the prediction (0: it said nothing).
};

struct RougeSpec {
  int n = 1;  // For ROUGE-N; ignored by L and Lsum.
  enum class Kind : std::uint8_t { kN, kL, kLsum } kind = Kind::kL;
  bool use_stemmer = false;
  std::size_t max_tokens = 10000;  // Per side; see RougeScoreOf.
};

// The buffers RougeScoreOf works in, kept across calls so that scoring a sample allocates
// nothing once they have grown (one per thread: the reward keeps it in ScoreContext).
class RougeScratch : public ScoreContext::ScratchBase {
 public:
  RougeScratch();
  ~RougeScratch() override;
  RougeScratch(const RougeScratch&) = delete;
  RougeScratch& operator=(const RougeScratch&) = delete;

  struct Buffers;
  Buffers& buffers() { return *buffers_; }

 private:
  std::unique_ptr<Buffers> buffers_;  // Defined in rouge.cc with the algorithms using it.
};

// RougeScorer([type], use_stemmer).score(reference, prediction)[type]. nullopt when either side
// has more than spec.max_tokens tokens (or, for Lsum, a line pair whose bit table would exceed
// max_tokens^2 / 64 words): the quadratic LCS is not run on it.
std::optional<RougeScore> RougeScoreOf(std::string_view reference, std::string_view prediction,
                                       const RougeSpec& spec, RougeScratch& scratch);
// The same with buffers of its own.
std::optional<RougeScore> RougeScoreOf(std::string_view reference, std::string_view prediction,
                                       const RougeSpec& spec);

inline constexpr std::string_view kRougeTypes[] = {"rouge1", "rouge2", "rouge3", "rouge4",
                                                   "rouge5", "rouge6", "rouge7", "rouge8",
                                                   "rouge9", "rougeL", "rougeLsum"};
inline constexpr std::string_view kRougeMeasures[] = {"fmeasure", "precision", "recall"};
inline constexpr std::string_view kRougeMultiReference[] = {"max", "mean"};

struct RougeOptions {
  std::string rouge_type = "rougeL";
  std::string measure = "fmeasure";
  bool use_stemmer = false;
  std::string multi_reference = "max";
  std::int64_t max_tokens = 10000;
  static constexpr auto kFields = std::tuple{
      Field{"rouge_type",
            &RougeOptions::rouge_type,
            "rouge1 .. rouge9 (n-gram overlap), rougeL (LCS of the whole texts) or rougeLsum "
            "(summary-level LCS over lines split on \\n).",
            {.choices = kRougeTypes}},
      Field{"measure",
            &RougeOptions::measure,
            "Which number is the reward: fmeasure, precision or recall.",
            {.choices = kRougeMeasures}},
      Field{"use_stemmer", &RougeOptions::use_stemmer,
            "Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer)."},
      Field{"multi_reference",
            &RougeOptions::multi_reference,
            "With a list of references: max takes the reference with the highest F-measure "
            "(first on ties) and reports its `measure`, as rouge-score's score_multi; mean "
            "averages `measure` over the references.",
            {.choices = kRougeMultiReference}},
      Field{"max_tokens", &RougeOptions::max_tokens,
            "Longest completion or reference, in tokens, that is scored (LCS is quadratic); "
            "longer ones get Error(\"too_long\").",
            {.min = 1, .max = 1000000}},
  };
};

StatusOr<std::unique_ptr<const Reward>> MakeRouge(const RougeOptions& options);

}  // namespace merit::text_metrics

#endif  // MERIT_REWARDS_TEXT_ROUGE_H_
