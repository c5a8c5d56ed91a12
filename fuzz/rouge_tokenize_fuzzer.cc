// text.rouge and text.ter on arbitrary bytes: the input splits at its first 0 byte into a
// reference and a completion (so both tokenizers, the Porter stemmer, the bit-parallel LCS and
// the TER shift search see hostile text). Checked properties: ROUGE values lie in [0, 1] and a
// ROUGE-L/Lsum of a text with itself is 1 whenever it has a token; TER is finite and >= 0.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rewards/text/porter.h"
#include "rewards/text/rouge.h"
#include "rewards/text/ter.h"
#include "rewards/text/ter_rouge_common.h"

namespace {

void Require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 4 KiB the quadratic LCS and the shift search spend the time on length, not new paths.
  if (size > 4096) {
    return 0;
  }
  namespace tm = merit::text_metrics;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  const std::string_view reference = input.substr(0, split);
  const std::string_view completion =
      split == std::string_view::npos ? input : input.substr(split + 1);
  for (const bool stem : {false, true}) {
    for (const auto kind : {tm::RougeSpec::Kind::kN, tm::RougeSpec::Kind::kL,
                            tm::RougeSpec::Kind::kLsum}) {
      const tm::RougeSpec spec{.n = 2, .kind = kind, .use_stemmer = stem};
      const std::optional<tm::RougeScore> score = tm::RougeScoreOf(reference, completion, spec);
      Require(score.has_value());
      for (const double v : {score->precision, score->recall, score->fmeasure}) {
        Require(v >= 0 && v <= 1);
      }
      if (kind != tm::RougeSpec::Kind::kN) {
        const std::optional<tm::RougeScore> self = tm::RougeScoreOf(completion, completion, spec);
        Require(self.has_value() && (self->prediction_tokens == 0 || self->fmeasure == 1.0));
      }
    }
  }
  std::string stem;
  tm::PorterStem(completion, stem);
  Require(stem.size() <= completion.size());
  const tm::TercomOptions options{.normalized = true, .no_punct = true, .asian_support = true};
  std::string hyp_buffer;
  std::string ref_buffer;
  std::vector<std::string_view> hyp_tokens;
  std::vector<std::string_view> ref_tokens;
  tm::TercomTokenize(completion, options, hyp_buffer, hyp_tokens);
  tm::TercomTokenize(reference, options, ref_buffer, ref_tokens);
  tm::TokenIds ids;
  std::vector<std::uint32_t> ref;
  ids.Build(ref_tokens, ref);
  std::vector<std::uint32_t> hyp;
  for (const std::string_view token : hyp_tokens) {
    hyp.push_back(ids.Lookup(token));
  }
  const tm::TerStats stats = tm::TranslationEditRate(hyp, ref);
  const double ter = tm::TerFromStats(static_cast<double>(stats.edits),
                                      static_cast<double>(stats.ref_length));
  Require(std::isfinite(ter) && ter >= 0);
  return 0;
}
