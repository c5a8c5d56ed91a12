// BLEU exactly as sacrebleu 2.x computes it (metrics/bleu.py: sentence_score, corpus_score,
// compute_bleu), and the BLEUBERI variant (Hugging Face evaluate's "bleu", i.e. TensorFlow NMT's
// compute_bleu with smooth=True; spec A §4).
//
// Both count the same statistics per segment: hypothesis length, reference length, and per
// n-gram order the clipped matches (each hypothesis n-gram counted at most as often as in the
// reference that has it most often) and the hypothesis n-grams. They differ in the reference
// length (sacrebleu: the closest, ties to the shorter; BLEUBERI: the shortest) and in smoothing.
// Corpus scores come from the element-wise sums of the segment statistics.
//
// Thread safety: stateless functions; BleuCounter is per-thread scratch.
#ifndef MERIT_REWARDS_TEXT_BLEU_H_
#define MERIT_REWARDS_TEXT_BLEU_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/registry.h"
#include "merit/reward.h"

#include "rewards/text/ngram_ids.h"
#include "rewards/text/sacrebleu_tokenize.h"
#include "rewards/text/ter_rouge_common.h"

namespace merit::sacrebleu {

// The sacrebleu release whose behaviour merit reproduces; it ends every signature.
inline constexpr std::string_view kSacrebleuVersion = "2.6.0";

inline constexpr std::size_t kMaxBleuOrder = 16;

enum class Smoothing : std::uint8_t { kNone, kFloor, kAddK, kExp };

struct BleuStats {
  std::int64_t hyp_len = 0;
  std::int64_t closest_ref_len = 0;   // sacrebleu's _get_closest_ref_len.
  std::int64_t shortest_ref_len = 0;  // BLEUBERI's reference length.
  std::array<std::int64_t, kMaxBleuOrder> correct = {};
  std::array<std::int64_t, kMaxBleuOrder> total = {};
};

// Counts n-grams of orders 1..max_order. Reusable scratch: keeps its buffers across calls.
class BleuCounter : public ScoreContext::ScratchBase {
 public:
  // REQUIRES: 1 <= max_order <= kMaxBleuOrder, !references.empty(). Time and memory linear in
  // the total length of the texts times max_order.
  BleuStats Count(std::string_view hypothesis, std::span<const std::string_view> references,
                  const TokenizeOptions& hypothesis_options,
                  const TokenizeOptions& reference_options, std::size_t max_order);

  std::vector<std::string_view> reference_views;  // Caller scratch for the reference views.

 private:
  Tokenizer hyp_tokenizer_;
  Tokenizer ref_tokenizer_;
  std::vector<std::string_view> hyp_tokens_;
  std::vector<std::string_view> ref_tokens_;
  std::vector<std::uint32_t> hyp_ids_;
  std::vector<std::uint32_t> ref_ids_;  // kUnknown for a token the hypothesis lacks.
  text_metrics::TokenIds token_ids_;
  PairIds ngrams_;
  std::vector<std::uint32_t> hyp_count_;
  std::vector<std::uint8_t> order_;
  std::vector<std::uint32_t> ref_max_;
  std::vector<std::uint32_t> ref_count_;
  std::vector<std::uint32_t> stamp_;
  std::vector<std::uint32_t> touched_;
};

// sacrebleu's BLEU.compute_bleu on summed statistics (`ref_len` the summed closest reference
// lengths), on the 0-100 scale. smooth_value < 0 means the method's default (floor 0.1, add-k 1).
double ComputeBleu(std::span<const std::int64_t> correct, std::span<const std::int64_t> total,
                   std::int64_t sys_len, std::int64_t ref_len, Smoothing smoothing,
                   double smooth_value, bool effective_order);

// TensorFlow NMT compute_bleu(smooth=True) as Hugging Face evaluate calls it, on the 0-1 scale:
// add-one smoothing on every order, brevity penalty against `ref_len` (summed shortest reference
// lengths); 0 when either length is 0 (where the Python divides by zero).
double ComputeBleuberi(std::span<const std::int64_t> correct, std::span<const std::int64_t> total,
                       std::int64_t sys_len, std::int64_t ref_len);

// sacrebleu's BLEU signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0".
// `nrefs` is a count, or "var" when segments have different numbers of references.
std::string BleuSignature(std::string_view nrefs, bool lowercase, bool effective_order,
                          TokenizerKind tokenizer, Smoothing smoothing, double smooth_value);

// The signature's nrefs from summed corpus statistics [samples, nrefs, nrefs^2]: the count when
// every sample had the same number of references (exactly when samples * sum(nrefs^2) ==
// sum(nrefs)^2), else "var".
std::string NrefsText(double samples, double nrefs, double nrefs_squared);

// The text of the answer BLEUBERI scores (spec A §4): between the first "<answer>" and the next
// "</answer>", or after "<answer>" when it is not closed, or else the whole completion; then
// Python-strip()ped.
std::string_view BleuberiAnswer(std::string_view completion);

// Every text (completion or reference) of BLEU and chrF is bounded: past `max_bytes` the
// sample is an error "input_too_long", since the n-gram tables grow with the text (about 100
// bytes of scratch per input byte for chrF at its default orders). nullopt when all fit.
inline constexpr std::int64_t kDefaultMaxTextBytes = 4 << 20;
std::optional<Score> CheckTextLengths(std::string_view hypothesis,
                                      std::span<const std::string_view> references,
                                      std::int64_t max_bytes);

// Registers text.bleu.
void RegisterBleu(Registry& registry);

}  // namespace merit::sacrebleu

#endif  // MERIT_REWARDS_TEXT_BLEU_H_
