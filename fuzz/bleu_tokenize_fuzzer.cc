// sacrebleu's tokenizers, BLEU and chrF on arbitrary bytes (invalid UTF-8 included): every
// tokenizer must produce non-empty tokens free of whitespace, and BLEU / chrF of the input's two
// halves must stay within [0, 100] (a perfect BLEU is 100.00000000000004, as in sacrebleu).
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "rewards/text/bleu.h"
#include "rewards/text/chrf.h"
#include "rewards/text/python_text.h"
#include "rewards/text/sacrebleu_tokenize.h"

namespace {

void Require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using merit::sacrebleu::TokenizerKind;
  // Past 4 KiB inputs only make the regex passes longer, not different.
  if (size > 4096) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  merit::sacrebleu::Tokenizer tokenizer;
  std::vector<std::string_view> tokens;
  for (const TokenizerKind kind : {TokenizerKind::k13a, TokenizerKind::kIntl, TokenizerKind::kZh,
                                   TokenizerKind::kChar, TokenizerKind::kNone}) {
    for (const bool lowercase : {false, true}) {
      tokenizer.Tokenize(text, {.kind = kind, .lowercase = lowercase}, tokens);
      for (const std::string_view token : tokens) {
        Require(!token.empty());
        for (std::size_t i = 0; i < token.size(); ++i) {
          Require(merit::sacrebleu::WhitespaceLength(token, i) == 0);
        }
      }
    }
  }
  const std::string_view hypothesis = text.substr(0, size / 2);
  const std::string_view reference = text.substr(size / 2);
  merit::sacrebleu::BleuCounter bleu;
  const merit::sacrebleu::BleuStats stats = bleu.Count(hypothesis, {&reference, 1}, {}, {}, 4);
  const double score =
      merit::sacrebleu::ComputeBleu(std::span(stats.correct.data(), 4),
                                    std::span(stats.total.data(), 4), stats.hyp_len,
                                    stats.closest_ref_len, merit::sacrebleu::Smoothing::kExp, -1,
                                    true);
  Require(score >= 0 && score <= 100.000001);
  merit::sacrebleu::ChrfCounter chrf;
  const merit::sacrebleu::ChrfConfig config{.word_order = 2};
  std::vector<double> statistics(3 * 8);
  chrf.Count(hypothesis, {&reference, 1}, config, statistics);
  const double f = merit::sacrebleu::ChrfScore(statistics, config);
  Require(f >= 0 && f <= 100.000001);
  return 0;
}
