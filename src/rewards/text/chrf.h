// chrF and chrF++ exactly as sacrebleu 2.x computes them (metrics/chrf.py, Popović 2015/2017):
// character n-grams of orders 1..char_order (whitespace removed unless `whitespace`), plus, for
// chrF++, word n-grams of orders 1..word_order over words with one leading or trailing ASCII
// punctuation mark split off. Per order: hypothesis, reference and matched n-gram counts; the
// score is the F-beta of the precision and recall averaged over the orders that have n-grams on
// both sides (or, with eps_smoothing, the mean per-order F-beta). With several references the
// one with the best sentence score wins (the first on ties); corpus scores come from summed
// statistics.
//
// Thread safety: stateless functions; ChrfCounter is per-thread scratch.
#ifndef MERIT_REWARDS_TEXT_CHRF_H_
#define MERIT_REWARDS_TEXT_CHRF_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/registry.h"
#include "merit/reward.h"

#include "rewards/text/ngram_ids.h"
#include "rewards/text/ter_rouge_common.h"

namespace merit::sacrebleu {

struct ChrfConfig {
  std::size_t char_order = 6;
  std::size_t word_order = 0;  // 2 is chrF++.
  std::int64_t beta = 2;
  bool lowercase = false;
  bool whitespace = false;  // Keep whitespace inside character n-grams.
  bool eps_smoothing = false;
};

// sacrebleu's CHRF._compute_f_score on [hyp, ref, match] triples (one per order, character
// orders first), on the 0-100 scale.
double ChrfScore(std::span<const double> statistics, const ChrfConfig& config);

// Counts the statistics of one segment. Reusable scratch: keeps its buffers across calls.
class ChrfCounter : public ScoreContext::ScratchBase {
 public:
  // Fills `statistics` (3 * (char_order + word_order) values) with those of the best
  // reference. REQUIRES: !references.empty(). Linear in the texts' lengths times the orders.
  void Count(std::string_view hypothesis, std::span<const std::string_view> references,
             const ChrfConfig& config, std::span<double> statistics);

  std::vector<std::string_view> reference_views;  // Caller scratch for the reference views.

 private:
  // One text, prepared: its characters (whitespace removed unless asked) as ids of the
  // hypothesis' distinct code points (kAbsent for a reference character the hypothesis lacks),
  // its words (chrF++), and per position the id of the n-gram of the order being counted that
  // starts there.
  struct Side {
    std::string lower;
    std::vector<std::uint32_t> chars;
    std::vector<std::string_view> words;
    std::vector<std::uint32_t> word_ids;  // Reference words absent from the hypothesis: kAbsent.
    std::vector<std::uint32_t> ids;
    std::vector<double> statistics;  // References only: this reference's triples.
  };

  // Dense ids for the hypothesis' distinct code points: a small array for ASCII (most text,
  // and inline), a direct table for the rest of the Basic Multilingual Plane, a hash table
  // above it.
  class CodePointIds {
   public:
    void Reset();
    std::uint32_t Insert(char32_t code_point) {
      if (code_point < kAscii) {
        std::uint32_t& id = ascii_[code_point];
        if (id == PairIds::kAbsent) {  // Rare: a text has few distinct characters.
          id = static_cast<std::uint32_t>(size_++);
        }
        return id;
      }
      return InsertOther(code_point);
    }
    std::uint32_t Find(char32_t code_point) const {
      return code_point < kAscii ? ascii_[code_point] : FindOther(code_point);
    }
    std::size_t size() const { return size_; }

   private:
    static constexpr char32_t kAscii = 128;
    std::uint32_t InsertOther(char32_t code_point);
    std::uint32_t FindOther(char32_t code_point) const;

    std::array<std::uint32_t, kAscii> ascii_ = {};
    PairIds bmp_;
    NgramIds astral_;
    std::vector<std::uint32_t> bmp_global_;     // bmp_ id -> dense id.
    std::vector<std::uint32_t> astral_global_;  // astral_ id -> dense id.
    std::size_t size_ = 0;
  };

  // Fills side.chars with code points and side.words.
  void Prepare(std::string_view text, const ChrfConfig& config, Side& side);
  // Counts orders 1..max_order of the units `units` of every side (hypothesis units dense ids
  // below `vocabulary`, reference units such ids or kAbsent) into the triples from
  // `first_order` on. Orders are counted one at a time, each n-gram named by its prefix's id of
  // the previous order and its last unit, so every lookup is one exact table probe.
  void CountOrders(std::vector<std::uint32_t> Side::*units, std::size_t vocabulary,
                   std::size_t max_order, std::size_t first_order, std::size_t references);

  Side hyp_;
  std::vector<Side> refs_;
  text_metrics::TokenIds word_ids_;
  CodePointIds char_ids_;
  PairIds ngrams_;
  std::vector<std::uint32_t> hyp_count_;
  std::vector<std::uint32_t> ref_count_;
};

// sacrebleu's chrF signature, e.g. "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0".
std::string ChrfSignature(std::string_view nrefs, const ChrfConfig& config);

// Registers text.chrf.
void RegisterChrf(Registry& registry);

}  // namespace merit::sacrebleu

#endif  // MERIT_REWARDS_TEXT_CHRF_H_
