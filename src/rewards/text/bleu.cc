#include "rewards/text/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "rewards/text/python_text.h"

namespace merit::sacrebleu {

BleuStats BleuCounter::Count(std::string_view hypothesis,
                             std::span<const std::string_view> references,
                             const TokenizeOptions& hypothesis_options,
                             const TokenizeOptions& reference_options, std::size_t max_order) {
  BleuStats stats;
  hyp_tokenizer_.Tokenize(hypothesis, hypothesis_options, hyp_tokens_);
  token_ids_.Build(hyp_tokens_, hyp_ids_);
  const std::size_t hyp_len = hyp_ids_.size();
  stats.hyp_len = static_cast<std::int64_t>(hyp_len);
  for (std::size_t n = 1; n <= max_order && n <= hyp_len; ++n) {
    stats.total[n - 1] = static_cast<std::int64_t>(hyp_len - n + 1);
  }

  // Every hypothesis n-gram gets an id, named by (its prefix's row, its last token's id) in
  // PairIds: row 0 for unigrams, id + 1 for an (n-1)-gram. hyp_count_ and order_ are indexed by
  // the id.
  ngrams_.Reset(hyp_len * std::min(max_order, hyp_len) + 1, token_ids_.size());
  hyp_count_.clear();
  order_.clear();
  for (std::size_t i = 0; i < hyp_len; ++i) {
    std::uint32_t row = 0;
    for (std::size_t n = 1; n <= max_order && i + n <= hyp_len; ++n) {
      const std::uint32_t id = ngrams_.Insert(row, hyp_ids_[i + n - 1]);
      if (id == hyp_count_.size()) {
        hyp_count_.push_back(0);
        order_.push_back(static_cast<std::uint8_t>(n));
      }
      ++hyp_count_[id];
      row = id + 1;
    }
  }

  // Each reference counts only the n-grams the hypothesis has: an n-gram absent from the
  // hypothesis ends the walk, since no longer n-gram through it can be present either.
  // ref_max_ ends as the element-wise max over references (sacrebleu's merged counter).
  const std::size_t ids = hyp_count_.size();
  ref_max_.assign(ids, 0);
  ref_count_.resize(ids);
  stamp_.assign(ids, 0);
  std::int64_t closest = -1;
  std::int64_t closest_diff = -1;
  std::int64_t shortest = -1;
  for (std::size_t r = 0; r < references.size(); ++r) {
    ref_tokenizer_.Tokenize(references[r], reference_options, ref_tokens_);
    const std::size_t ref_len = ref_tokens_.size();
    const auto len = static_cast<std::int64_t>(ref_len);
    const std::int64_t diff = std::abs(stats.hyp_len - len);
    if (closest_diff == -1 || diff < closest_diff || (diff == closest_diff && len < closest)) {
      closest_diff = diff;
      closest = len;
    }
    shortest = shortest == -1 ? len : std::min(shortest, len);
    if (ids == 0) {
      continue;
    }
    const auto stamp = static_cast<std::uint32_t>(r + 1);
    touched_.clear();
    ref_ids_.resize(ref_len);
    for (std::size_t j = 0; j < ref_len; ++j) {
      ref_ids_[j] = token_ids_.Lookup(ref_tokens_[j]);
    }
    for (std::size_t j = 0; j < ref_len; ++j) {
      std::uint32_t row = 0;
      for (std::size_t n = 1; n <= max_order && j + n <= ref_len; ++n) {
        const std::uint32_t token = ref_ids_[j + n - 1];
        if (token == text_metrics::TokenIds::kUnknown) {
          break;
        }
        const std::uint32_t id = ngrams_.Find(row, token);
        if (id == PairIds::kAbsent) {
          break;
        }
        if (stamp_[id] != stamp) {
          stamp_[id] = stamp;
          ref_count_[id] = 0;
          touched_.push_back(id);
        }
        ++ref_count_[id];
        row = id + 1;
      }
    }
    for (const std::uint32_t id : touched_) {
      ref_max_[id] = std::max(ref_max_[id], ref_count_[id]);
    }
  }
  stats.closest_ref_len = closest;
  stats.shortest_ref_len = shortest;
  for (std::size_t id = 0; id < ids; ++id) {
    stats.correct[order_[id] - 1] += std::min(hyp_count_[id], ref_max_[id]);
  }
  return stats;
}

namespace {

// sacrebleu's utils.my_log: log, floored for 0 so that exp() of the mean gives 0.
double MyLog(double x) {
  return x == 0.0 ? -9999999999.0 : std::log(x);
}

double DefaultSmoothValue(Smoothing smoothing) {
  switch (smoothing) {
    case Smoothing::kFloor:
      return 0.1;
    case Smoothing::kAddK:
      return 1.0;
    case Smoothing::kNone:
    case Smoothing::kExp:
      break;
  }
  return 0.0;
}

std::string_view SmoothingName(Smoothing smoothing) {
  switch (smoothing) {
    case Smoothing::kNone:
      return "none";
    case Smoothing::kFloor:
      return "floor";
    case Smoothing::kAddK:
      return "add-k";
    case Smoothing::kExp:
      return "exp";
  }
  return "exp";
}

}  // namespace

double ComputeBleu(std::span<const std::int64_t> correct, std::span<const std::int64_t> total,
                   std::int64_t sys_len, std::int64_t ref_len, Smoothing smoothing,
                   double smooth_value, bool effective_order) {
  // Every floating-point operation below is the one compute_bleu performs, in its order, so the
  // result is bit-identical to sacrebleu's on the same platform libm.
  if (smooth_value < 0) {
    smooth_value = DefaultSmoothValue(smoothing);
  }
  const std::size_t max_order = correct.size();
  double bp = 1.0;
  if (sys_len < ref_len) {
    bp = sys_len > 0 ? std::exp(1.0 - static_cast<double>(ref_len) / static_cast<double>(sys_len))
                     : 0.0;
  }
  if (std::all_of(correct.begin(), correct.end(), [](std::int64_t c) { return c == 0; })) {
    return 0.0;
  }
  std::array<double, kMaxBleuOrder> precisions = {};
  double smooth_mteval = 1.0;
  std::size_t eff_order = max_order;
  for (std::size_t n = 1; n <= max_order; ++n) {
    auto c = static_cast<double>(correct[n - 1]);
    auto t = static_cast<double>(total[n - 1]);
    if (smoothing == Smoothing::kAddK && n > 1) {
      c += smooth_value;
      t += smooth_value;
    }
    if (t == 0) {
      break;
    }
    if (effective_order) {
      eff_order = n;
    }
    if (c == 0) {
      if (smoothing == Smoothing::kExp) {
        smooth_mteval *= 2;
        precisions[n - 1] = 100. / (smooth_mteval * t);
      } else if (smoothing == Smoothing::kFloor) {
        precisions[n - 1] = 100. * smooth_value / t;
      }
    } else {
      precisions[n - 1] = 100. * c / t;
    }
  }
  double log_sum = 0.0;
  for (std::size_t n = 0; n < eff_order; ++n) {
    log_sum += MyLog(precisions[n]);
  }
  return bp * std::exp(log_sum / static_cast<double>(eff_order));
}

double ComputeBleuberi(std::span<const std::int64_t> correct, std::span<const std::int64_t> total,
                       std::int64_t sys_len, std::int64_t ref_len) {
  const std::size_t max_order = correct.size();
  double log_sum = 0.0;
  for (std::size_t n = 0; n < max_order; ++n) {
    const double p =
        (static_cast<double>(correct[n]) + 1.) / (static_cast<double>(total[n]) + 1.);
    log_sum += (1. / static_cast<double>(max_order)) * std::log(p);
  }
  const double geo_mean = std::exp(log_sum);  // Every p > 0: add-one smoothing.
  if (sys_len == 0 || ref_len == 0) {
    return 0.0;
  }
  const double ratio = static_cast<double>(sys_len) / static_cast<double>(ref_len);
  const double bp = ratio > 1.0 ? 1. : std::exp(1 - 1. / ratio);
  return geo_mean * bp;
}

std::string BleuSignature(std::string_view nrefs, bool lowercase, bool effective_order,
                          TokenizerKind tokenizer, Smoothing smoothing, double smooth_value) {
  std::string smooth(SmoothingName(smoothing));
  if (smoothing == Smoothing::kFloor || smoothing == Smoothing::kAddK) {
    smooth += fmt::format("[{:.2f}]", smooth_value < 0 ? DefaultSmoothValue(smoothing)
                                                       : smooth_value);
  }
  return fmt::format("nrefs:{}|case:{}|eff:{}|tok:{}|smooth:{}|version:{}", nrefs,
                     lowercase ? "lc" : "mixed", effective_order ? "yes" : "no",
                     TokenizerName(tokenizer), smooth, kSacrebleuVersion);
}

std::string NrefsText(double samples, double nrefs, double nrefs_squared) {
  return samples * nrefs_squared == nrefs * nrefs
             ? fmt::format("{}", static_cast<std::int64_t>(nrefs / samples))
             : std::string("var");
}

std::string_view BleuberiAnswer(std::string_view completion) {
  constexpr std::string_view kOpen = "<answer>";
  constexpr std::string_view kClose = "</answer>";
  std::string_view answer = completion;
  if (const std::size_t open = completion.find(kOpen); open != std::string_view::npos) {
    answer = completion.substr(open + kOpen.size());
    if (const std::size_t close = answer.find(kClose); close != std::string_view::npos) {
      answer = answer.substr(0, close);
    }
  }
  return Strip(answer);
}

std::optional<Score> CheckTextLengths(std::string_view hypothesis,
                                      std::span<const std::string_view> references,
                                      std::int64_t max_bytes) {
  const auto limit = static_cast<std::size_t>(max_bytes);
  if (hypothesis.size() > limit) {
    return Score::Error("input_too_long", fmt::format("the completion has {} bytes; max_text_bytes "
                                                      "is {}",
                                                      hypothesis.size(), limit));
  }
  for (const std::string_view reference : references) {
    if (reference.size() > limit) {
      return Score::Error("input_too_long",
                          fmt::format("a reference has {} bytes; max_text_bytes is {}",
                                      reference.size(), limit));
    }
  }
  return std::nullopt;
}

namespace {

constexpr std::string_view kVariants[] = {"sacrebleu", "bleuberi"};
constexpr std::string_view kTokenizers[] = {"13a", "intl", "zh", "char", "none"};
constexpr std::string_view kSmoothings[] = {"exp", "floor", "add-k", "none"};

struct BleuOptions {
  std::string variant = "sacrebleu";
  std::string tokenize = "13a";
  bool lowercase = false;
  std::string smooth_method = "exp";
  double smooth_value = -1;
  bool effective_order = true;
  bool corpus_effective_order = false;
  std::int64_t max_ngram_order = 4;
  std::int64_t scale = 1;
  std::int64_t max_text_bytes = kDefaultMaxTextBytes;

  static constexpr auto kFields = std::tuple{
      Field{"variant", &BleuOptions::variant,
            "sacrebleu: sacrebleu 2.x BLEU. bleuberi: Hugging Face evaluate's BLEU with "
            "smooth=True as BLEUBERI uses it (add-one smoothing on every order, shortest "
            "reference length, answer taken from <answer>...</answer> when present).",
            {.choices = kVariants}},
      Field{"tokenize", &BleuOptions::tokenize, "sacrebleu tokenizer.", {.choices = kTokenizers}},
      Field{"lowercase", &BleuOptions::lowercase,
            "Lower-case hypothesis and references first (Python str.lower())."},
      Field{"smooth_method", &BleuOptions::smooth_method,
            "sacrebleu smoothing: exp (NIST), floor, add-k, none. Variant sacrebleu only.",
            {.choices = kSmoothings}},
      Field{"smooth_value", &BleuOptions::smooth_value,
            "Value for floor and add-k; -1 (the default) is sacrebleu's (floor 0.1, add-k 1).",
            {.min = -1}},
      Field{"effective_order", &BleuOptions::effective_order,
            "Sentence scores average only the n-gram orders the hypothesis has (sacrebleu's "
            "sentence_bleu default). Variant sacrebleu only."},
      Field{"corpus_effective_order", &BleuOptions::corpus_effective_order,
            "The same for the corpus score in the summary (sacrebleu's corpus_bleu default: "
            "false)."},
      Field{"max_ngram_order", &BleuOptions::max_ngram_order, "Highest n-gram order.",
            {.min = 1, .max = static_cast<double>(kMaxBleuOrder)}},
      Field{"scale", &BleuOptions::scale, "1: rewards in [0, 1]; 100: sacrebleu's 0-100 scale.",
            {.min = 1, .max = 100}},
      Field{"max_text_bytes", &BleuOptions::max_text_bytes,
            "Longer completions or references are errors (input_too_long).", {.min = 1}},
  };

  Status Validate() const {
    if (scale != 1 && scale != 100) {
      return InvalidArgumentError(fmt::format("scale: expected 1 or 100, got {}", scale));
    }
    if (variant == "bleuberi" && (smooth_method != "exp" || smooth_value != -1)) {
      return InvalidArgumentError(
          "smooth_method, smooth_value: variant bleuberi has its own smoothing (add-one on "
          "every order); remove them");
    }
    return OkStatus();
  }
};

template <typename Enum, std::size_t N>
Enum ChoiceIndex(const std::string_view (&choices)[N], std::string_view value) {
  return static_cast<Enum>(std::find(std::begin(choices), std::end(choices), value) -
                           std::begin(choices));
}

// The corpus statistics layout: [hyp_len, ref_len, correct x N, total x N, samples, nrefs,
// nrefs^2]. The last two let the signature say "var" when reference counts differ (all equal
// exactly when samples * sum(nrefs^2) == sum(nrefs)^2).
class Bleu final : public Reward {
 public:
  explicit Bleu(const BleuOptions& options)
      : bleuberi_(options.variant == "bleuberi"),
        tokenizer_(ChoiceIndex<TokenizerKind>(kTokenizers, options.tokenize)),
        smoothing_(SmoothingFromName(options.smooth_method)),
        smooth_value_(options.smooth_value),
        lowercase_(options.lowercase),
        effective_order_(options.effective_order),
        corpus_effective_order_(options.corpus_effective_order),
        max_order_(static_cast<std::size_t>(options.max_ngram_order)),
        scale_(static_cast<double>(options.scale)),
        max_text_bytes_(options.max_text_bytes) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (std::optional<Score> failure = text_metrics::CheckReferences(sample.reference)) {
      return *std::move(failure);
    }
    BleuCounter& counter = context.Scratch<BleuCounter>();
    counter.reference_views.clear();
    for (const Json& item : text_metrics::ReferenceItems(sample.reference)) {
      counter.reference_views.push_back(text_metrics::ReferenceItemText(item));
    }
    if (std::optional<Score> failure =
            CheckTextLengths(sample.completion_text, counter.reference_views, max_text_bytes_)) {
      return *std::move(failure);
    }
    const TokenizeOptions reference_options{
        .kind = tokenizer_, .lowercase = lowercase_, .rstrip = !bleuberi_};
    // BLEUBERI strips the extracted answer itself, and evaluate's BLEU never rstrips.
    const std::string_view hypothesis =
        bleuberi_ ? BleuberiAnswer(sample.completion_text) : sample.completion_text;
    const BleuStats stats =
        counter.Count(hypothesis, counter.reference_views, reference_options, reference_options,
                      max_order_);
    const std::int64_t ref_len = bleuberi_ ? stats.shortest_ref_len : stats.closest_ref_len;
    const std::span<const std::int64_t> correct(stats.correct.data(), max_order_);
    const std::span<const std::int64_t> total(stats.total.data(), max_order_);
    if (!context.corpus_statistics.empty()) {
      std::span<double> out = context.corpus_statistics;
      out[0] = static_cast<double>(stats.hyp_len);
      out[1] = static_cast<double>(ref_len);
      for (std::size_t n = 0; n < max_order_; ++n) {
        out[2 + n] = static_cast<double>(correct[n]);
        out[2 + max_order_ + n] = static_cast<double>(total[n]);
      }
      const auto nrefs = static_cast<double>(counter.reference_views.size());
      out[2 + 2 * max_order_] = 1;
      out[3 + 2 * max_order_] = nrefs;
      out[4 + 2 * max_order_] = nrefs * nrefs;
    }
    const std::string_view reason = stats.hyp_len == 0 ? "no_answer" : std::string_view();
    if (bleuberi_) {
      // BLEUBERI scores an empty answer 0 without calling BLEU.
      const double value =
          stats.hyp_len == 0 ? 0.0 : ComputeBleuberi(correct, total, stats.hyp_len, ref_len);
      return Score::Ok(scale_ == 1 ? value : value * scale_, reason);
    }
    const double bleu = ComputeBleu(correct, total, stats.hyp_len, ref_len, smoothing_,
                                    smooth_value_, effective_order_);
    return Score::Ok(scale_ == 100 ? bleu : bleu / 100, reason);
  }

  std::size_t corpus_statistics_size() const override { return 5 + 2 * max_order_; }

  double CorpusScore(std::span<const double> sums) const override {
    std::array<std::int64_t, kMaxBleuOrder> correct = {};
    std::array<std::int64_t, kMaxBleuOrder> total = {};
    for (std::size_t n = 0; n < max_order_; ++n) {
      correct[n] = static_cast<std::int64_t>(sums[2 + n]);
      total[n] = static_cast<std::int64_t>(sums[2 + max_order_ + n]);
    }
    const auto sys_len = static_cast<std::int64_t>(sums[0]);
    const auto ref_len = static_cast<std::int64_t>(sums[1]);
    const std::span<const std::int64_t> c(correct.data(), max_order_);
    const std::span<const std::int64_t> t(total.data(), max_order_);
    if (bleuberi_) {
      const double value = ComputeBleuberi(c, t, sys_len, ref_len);
      return scale_ == 1 ? value : value * scale_;
    }
    const double bleu =
        ComputeBleu(c, t, sys_len, ref_len, smoothing_, smooth_value_, corpus_effective_order_);
    return scale_ == 100 ? bleu : bleu / 100;
  }

  std::string CorpusSignature(std::span<const double> sums) const override {
    const std::string count =
        NrefsText(sums[2 + 2 * max_order_], sums[3 + 2 * max_order_], sums[4 + 2 * max_order_]);
    if (bleuberi_) {
      return fmt::format("variant:bleuberi|nrefs:{}|case:{}|tok:{}|smooth:add-one|ref:shortest",
                         count, lowercase_ ? "lc" : "mixed", TokenizerName(tokenizer_));
    }
    return BleuSignature(count, lowercase_, corpus_effective_order_, tokenizer_, smoothing_,
                         smooth_value_);
  }

 private:
  static Smoothing SmoothingFromName(std::string_view name) {
    if (name == "floor") {
      return Smoothing::kFloor;
    }
    if (name == "add-k") {
      return Smoothing::kAddK;
    }
    return name == "none" ? Smoothing::kNone : Smoothing::kExp;
  }

  const bool bleuberi_;
  const TokenizerKind tokenizer_;
  const Smoothing smoothing_;
  const double smooth_value_;
  const bool lowercase_;
  const bool effective_order_;
  const bool corpus_effective_order_;
  const std::size_t max_order_;
  const double scale_;
  const std::int64_t max_text_bytes_;
};

StatusOr<std::unique_ptr<const Reward>> MakeBleu(const BleuOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<Bleu>(options));
}

}  // namespace

void RegisterBleu(Registry& registry) {
  registry.AddReward<BleuOptions>(
      {.name = "text.bleu",
       .summary = "Sentence BLEU of the completion against the reference(s), identical to "
                  "sacrebleu 2.x (or BLEUBERI's variant); corpus BLEU in the summary.",
       .min = 0,
       .max = 100,
       .example = "{type: text.bleu, tokenize: 13a, smooth_method: exp}",
       .source = "sacrebleu 2.6.0 metrics/bleu.py; spec A §4 (BLEUBERI)"},
      &MakeBleu);
}

}  // namespace merit::sacrebleu
