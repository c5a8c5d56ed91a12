#include "rewards/text/chrf.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "rewards/text/bleu.h"
#include "rewards/text/python_text.h"

namespace merit::sacrebleu {
namespace {

bool IsAsciiPunctuation(char c) {  // Python's string.punctuation.
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// CHRF._remove_punctuation over the words of `text`: a word of two or more code points loses
// its last character when that is ASCII punctuation, else its first when that is.
void SplitWords(std::string_view text, std::vector<std::string_view>& words) {
  words.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (const std::size_t space = WhitespaceLength(text, pos); space > 0) {
      pos += space;
      continue;
    }
    const std::size_t start = pos;
    while (pos < text.size() && WhitespaceLength(text, pos) == 0) {
      ++pos;
    }
    const std::string_view word = text.substr(start, pos - start);
    char32_t first = 0;
    if (DecodeUtf8(word, 0, first) == word.size()) {
      words.push_back(word);  // One code point.
    } else if (IsAsciiPunctuation(word.back())) {
      words.push_back(word.substr(0, word.size() - 1));
      words.push_back(word.substr(word.size() - 1));
    } else if (IsAsciiPunctuation(word.front())) {
      words.push_back(word.substr(0, 1));
      words.push_back(word.substr(1));
    } else {
      words.push_back(word);
    }
  }
}

std::size_t Ngrams(std::size_t length, std::size_t n) {
  return length >= n ? length - n + 1 : 0;
}

}  // namespace

double ChrfScore(std::span<const double> statistics, const ChrfConfig& config) {
  // The operations and their order are CHRF._compute_f_score's, for bit-identical results.
  constexpr double kEps = 1e-16;
  const auto factor = static_cast<double>(config.beta * config.beta);
  const std::size_t order = statistics.size() / 3;
  double score = 0.0;
  std::size_t effective_order = 0;
  double avg_prec = 0.0;
  double avg_rec = 0.0;
  for (std::size_t i = 0; i < order; ++i) {
    const double n_hyp = statistics[3 * i];
    const double n_ref = statistics[3 * i + 1];
    const double n_match = statistics[3 * i + 2];
    const double prec = n_hyp > 0 ? n_match / n_hyp : kEps;
    const double rec = n_ref > 0 ? n_match / n_ref : kEps;
    const double denom = factor * prec + rec;
    score += denom > 0 ? (1 + factor) * prec * rec / denom : kEps;
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += prec;
      avg_rec += rec;
      ++effective_order;
    }
  }
  if (config.eps_smoothing) {
    return 100 * score / static_cast<double>(order);
  }
  if (effective_order == 0) {
    avg_prec = avg_rec = 0.0;
  } else {
    avg_prec /= static_cast<double>(effective_order);
    avg_rec /= static_cast<double>(effective_order);
  }
  if (avg_prec + avg_rec != 0) {
    score = (1 + factor) * avg_prec * avg_rec;
    score /= (factor * avg_prec) + avg_rec;
    return 100 * score;
  }
  return 0.0;
}

void ChrfCounter::CodePointIds::Reset() {
  ascii_.fill(PairIds::kAbsent);
  bmp_.Reset(1, 0x10000);
  astral_.Reset(16);
  bmp_global_.clear();
  astral_global_.clear();
  size_ = 0;
}

std::uint32_t ChrfCounter::CodePointIds::InsertOther(char32_t code_point) {
  const bool bmp = code_point < 0x10000;
  const std::uint32_t local = bmp ? bmp_.Insert(0, code_point) : astral_.Insert(code_point);
  std::vector<std::uint32_t>& global = bmp ? bmp_global_ : astral_global_;
  if (local == global.size()) {
    global.push_back(static_cast<std::uint32_t>(size_++));
  }
  return global[local];
}

std::uint32_t ChrfCounter::CodePointIds::FindOther(char32_t code_point) const {
  if (code_point < 0x10000) {
    const std::uint32_t local = bmp_.Find(0, code_point);
    return local == PairIds::kAbsent ? PairIds::kAbsent : bmp_global_[local];
  }
  const std::uint32_t local = astral_.Find(code_point);
  return local == NgramIds::kAbsent ? PairIds::kAbsent : astral_global_[local];
}

void ChrfCounter::Prepare(std::string_view text, const ChrfConfig& config, Side& side) {
  if (config.lowercase) {
    PythonLower(text, side.lower);
    text = side.lower;
  }
  side.chars.resize(text.size());  // At most one character per byte.
  std::uint32_t* out = side.chars.data();
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (!config.whitespace) {
      if (const std::size_t space = WhitespaceLength(text, pos); space > 0) {
        pos += space;
        continue;
      }
    }
    if (byte < 0x80) {
      out[count++] = byte;
      ++pos;
      continue;
    }
    char32_t cp = 0;
    pos += DecodeUtf8(text, pos, cp);
    out[count++] = static_cast<std::uint32_t>(cp);
  }
  side.chars.resize(count);
  if (config.word_order > 0) {
    SplitWords(text, side.words);
  } else {
    side.words.clear();
  }
}

void ChrfCounter::CountOrders(std::vector<std::uint32_t> Side::*units, std::size_t vocabulary,
                              std::size_t max_order, std::size_t first_order,
                              std::size_t references) {
  // Whether an n-gram is new, or present in the hypothesis, is a coin flip to the branch
  // predictor, so the loops below have no such branch. An absent reference n-gram gets the id
  // `absent`, one past the hypothesis' ids, whose hypothesis count is 0: it never matches, and it
  // never names a table entry (the tables have one row and one column more than the ids), so
  // every longer n-gram through it is absent too.
  const std::vector<std::uint32_t>& hyp_units = hyp_.*units;
  const auto unit_absent = static_cast<std::uint32_t>(vocabulary);
  hyp_.ids.resize(hyp_units.size());
  for (std::size_t r = 0; r < references; ++r) {
    refs_[r].ids.resize((refs_[r].*units).size());
  }
  std::size_t previous_ids = 0;  // Distinct hypothesis n-grams of the previous order.
  for (std::size_t n = 1; n <= max_order; ++n) {
    const std::size_t hyp_ngrams = Ngrams(hyp_units.size(), n);
    std::size_t distinct = vocabulary;
    if (n == 1) {
      // A unigram's id is its unit's id.
      hyp_count_.assign(vocabulary + 1, 0);
      for (std::size_t i = 0; i < hyp_ngrams; ++i) {
        hyp_.ids[i] = hyp_units[i];
        ++hyp_count_[hyp_units[i]];
      }
    } else {
      ngrams_.Reset(previous_ids + 1, vocabulary + 1);
      hyp_count_.assign(hyp_ngrams + 1, 0);  // Ids are below the number of n-grams.
      for (std::size_t i = 0; i < hyp_ngrams; ++i) {
        const std::uint32_t id = ngrams_.Insert(hyp_.ids[i], hyp_units[i + n - 1]);
        ++hyp_count_[id];
        hyp_.ids[i] = id;
      }
      distinct = ngrams_.size();
    }
    previous_ids = distinct;
    const auto absent = static_cast<std::uint32_t>(distinct);  // hyp_count_[absent] == 0.
    const std::size_t k = first_order + n - 1;
    for (std::size_t r = 0; r < references; ++r) {
      Side& ref = refs_[r];
      const std::vector<std::uint32_t>& ref_units = ref.*units;
      const std::size_t ref_ngrams = Ngrams(ref_units.size(), n);
      ref_count_.assign(distinct + 1, 0);
      std::size_t matches = 0;
      for (std::size_t j = 0; j < ref_ngrams; ++j) {
        const std::uint32_t unit = std::min(ref_units[j + n - 1], unit_absent);
        const std::uint32_t id =
            n == 1 ? unit : std::min(ngrams_.Find(ref.ids[j], unit), absent);
        ref.ids[j] = id;
        // Matches while the hypothesis has unmatched copies: sums min(hyp count, ref count).
        matches += ref_count_[id]++ < hyp_count_[id] ? 1 : 0;
      }
      // sacrebleu counts hypothesis n-grams only where the reference has some of that order.
      ref.statistics[3 * k] = ref_ngrams > 0 ? static_cast<double>(hyp_ngrams) : 0.0;
      ref.statistics[3 * k + 1] = static_cast<double>(ref_ngrams);
      ref.statistics[3 * k + 2] = static_cast<double>(matches);
    }
  }
}

void ChrfCounter::Count(std::string_view hypothesis, std::span<const std::string_view> references,
                        const ChrfConfig& config, std::span<double> statistics) {
  const std::size_t orders = config.char_order + config.word_order;
  Prepare(hypothesis, config, hyp_);
  char_ids_.Reset();
  for (std::uint32_t& c : hyp_.chars) {
    c = char_ids_.Insert(c);
  }
  if (refs_.size() < references.size()) {
    refs_.resize(references.size());
  }
  for (std::size_t r = 0; r < references.size(); ++r) {
    Prepare(references[r], config, refs_[r]);
    for (std::uint32_t& c : refs_[r].chars) {
      c = char_ids_.Find(c);
    }
    refs_[r].statistics.assign(3 * orders, 0.0);
  }
  CountOrders(&Side::chars, char_ids_.size(), config.char_order, 0, references.size());
  if (config.word_order > 0) {
    word_ids_.Build(hyp_.words, hyp_.word_ids);
    for (std::size_t r = 0; r < references.size(); ++r) {
      Side& ref = refs_[r];
      ref.word_ids.resize(ref.words.size());
      for (std::size_t j = 0; j < ref.words.size(); ++j) {
        const std::uint32_t id = word_ids_.Lookup(ref.words[j]);
        ref.word_ids[j] = id == text_metrics::TokenIds::kUnknown ? PairIds::kAbsent : id;
      }
    }
    CountOrders(&Side::word_ids, word_ids_.size(), config.word_order, config.char_order,
                references.size());
  }
  double best = -1.0;
  for (std::size_t r = 0; r < references.size(); ++r) {
    const double f = ChrfScore(refs_[r].statistics, config);
    if (f > best) {
      best = f;
      std::copy(refs_[r].statistics.begin(), refs_[r].statistics.end(), statistics.begin());
    }
  }
}

std::string ChrfSignature(std::string_view nrefs, const ChrfConfig& config) {
  return fmt::format("nrefs:{}|case:{}|eff:{}|nc:{}|nw:{}|space:{}|version:{}", nrefs,
                     config.lowercase ? "lc" : "mixed", config.eps_smoothing ? "no" : "yes",
                     config.char_order, config.word_order, config.whitespace ? "yes" : "no",
                     kSacrebleuVersion);
}

namespace {

struct ChrfOptions {
  std::int64_t char_order = 6;
  std::int64_t word_order = 0;
  std::int64_t beta = 2;
  bool lowercase = false;
  bool whitespace = false;
  bool eps_smoothing = false;
  std::int64_t scale = 1;
  std::int64_t max_text_bytes = kDefaultMaxTextBytes;

  static constexpr auto kFields = std::tuple{
      Field{"char_order", &ChrfOptions::char_order, "Character n-gram order.",
            {.min = 1, .max = 32}},
      Field{"word_order", &ChrfOptions::word_order, "Word n-gram order; 2 gives chrF++.",
            {.min = 0, .max = 32}},
      Field{"beta", &ChrfOptions::beta, "Weight of recall against precision.",
            {.min = 0, .max = 1000}},
      Field{"lowercase", &ChrfOptions::lowercase,
            "Lower-case hypothesis and references first (Python str.lower())."},
      Field{"whitespace", &ChrfOptions::whitespace,
            "Keep whitespace inside character n-grams."},
      Field{"eps_smoothing", &ChrfOptions::eps_smoothing,
            "Average per-order F scores with epsilon smoothing (chrF++.py, NLTK, Moses) instead "
            "of sacrebleu's effective-order averaging."},
      Field{"scale", &ChrfOptions::scale, "1: rewards in [0, 1]; 100: sacrebleu's 0-100 scale.",
            {.min = 1, .max = 100}},
      Field{"max_text_bytes", &ChrfOptions::max_text_bytes,
            "Longer completions or references are errors (input_too_long).", {.min = 1}},
  };

  Status Validate() const {
    if (scale != 1 && scale != 100) {
      return InvalidArgumentError(fmt::format("scale: expected 1 or 100, got {}", scale));
    }
    return OkStatus();
  }
};

// Corpus statistics: the [hyp, ref, match] triples, then [samples, nrefs, nrefs^2] (see Bleu).
class Chrf final : public Reward {
 public:
  explicit Chrf(const ChrfOptions& options)
      : config_{.char_order = static_cast<std::size_t>(options.char_order),
                .word_order = static_cast<std::size_t>(options.word_order),
                .beta = options.beta,
                .lowercase = options.lowercase,
                .whitespace = options.whitespace,
                .eps_smoothing = options.eps_smoothing},
        size_(3 * (config_.char_order + config_.word_order)),
        scale_(static_cast<double>(options.scale)),
        max_text_bytes_(options.max_text_bytes) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (std::optional<Score> failure = text_metrics::CheckReferences(sample.reference)) {
      return *std::move(failure);
    }
    ChrfCounter& counter = context.Scratch<ChrfCounter>();
    counter.reference_views.clear();
    for (const Json& item : text_metrics::ReferenceItems(sample.reference)) {
      counter.reference_views.push_back(text_metrics::ReferenceItemText(item));
    }
    if (std::optional<Score> failure =
            CheckTextLengths(sample.completion_text, counter.reference_views, max_text_bytes_)) {
      return *std::move(failure);
    }
    std::array<double, 3 * 64> local = {};
    const std::span<double> statistics =
        context.corpus_statistics.empty() ? std::span<double>(local.data(), size_)
                                          : context.corpus_statistics.first(size_);
    counter.Count(sample.completion_text, counter.reference_views, config_, statistics);
    if (!context.corpus_statistics.empty()) {
      const auto nrefs = static_cast<double>(counter.reference_views.size());
      context.corpus_statistics[size_] = 1;
      context.corpus_statistics[size_ + 1] = nrefs;
      context.corpus_statistics[size_ + 2] = nrefs * nrefs;
    }
    const double chrf = ChrfScore(statistics, config_);
    const bool empty = Strip(sample.completion_text).empty();
    return Score::Ok(scale_ == 100 ? chrf : chrf / 100,
                     empty ? std::string_view("no_answer") : std::string_view());
  }

  std::size_t corpus_statistics_size() const override { return size_ + 3; }

  double CorpusScore(std::span<const double> sums) const override {
    const double chrf = ChrfScore(sums.first(size_), config_);
    return scale_ == 100 ? chrf : chrf / 100;
  }

  std::string CorpusSignature(std::span<const double> sums) const override {
    return ChrfSignature(NrefsText(sums[size_], sums[size_ + 1], sums[size_ + 2]), config_);
  }

 private:
  const ChrfConfig config_;
  const std::size_t size_;
  const double scale_;
  const std::int64_t max_text_bytes_;
};

StatusOr<std::unique_ptr<const Reward>> MakeChrf(const ChrfOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<Chrf>(options));
}

}  // namespace

void RegisterChrf(Registry& registry) {
  registry.AddReward<ChrfOptions>(
      {.name = "text.chrf",
       .summary = "chrF / chrF++ of the completion against the reference(s), identical to "
                  "sacrebleu 2.x; corpus chrF in the summary.",
       .min = 0,
       .max = 100,
       .example = "{type: text.chrf, word_order: 2}",
       .source = "sacrebleu 2.6.0 metrics/chrf.py (Popović 2015, 2017)"},
      &MakeChrf);
}

}  // namespace merit::sacrebleu
