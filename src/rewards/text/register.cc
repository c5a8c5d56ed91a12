#include <limits>

#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/text/bleu.h"
#include "rewards/text/chrf.h"
#include "rewards/text/rouge.h"
#include "rewards/text/ter.h"

namespace merit {

void RegisterTextRewards(Registry& registry) {
  sacrebleu::RegisterBleu(registry);
  sacrebleu::RegisterChrf(registry);
  registry.AddReward<text_metrics::TerOptions>(
      {.name = "text.ter",
       .summary = "Translation Edit Rate of the completion against the reference(s), identical "
                  "to sacrebleu 2.x TER (Tercom shifts); by default as a reward 1 - min(TER, 1).",
       .min = 0,
       .max = std::numeric_limits<double>::infinity(),
       .example = "{type: text.ter, output: ter, scale: 100}",
       .source = "sacrebleu 2.x metrics/ter.py + lib_ter.py (Snover et al. 2006, Tercom)"},
      &text_metrics::MakeTer);
  registry.AddReward<text_metrics::RougeOptions>(
      {.name = "text.rouge",
       .summary = "ROUGE-N, ROUGE-L or ROUGE-Lsum (precision, recall or F-measure) of the "
                  "completion against the reference(s), identical to rouge-score 0.1.2.",
       .min = 0,
       .max = 1,
       .example = "{type: text.rouge, rouge_type: rougeLsum, use_stemmer: true}",
       .source = "google-research rouge-score 0.1.2 (Lin 2004, ROUGE-1.5.5); spec A §4"},
      &text_metrics::MakeRouge);
}

}  // namespace merit
