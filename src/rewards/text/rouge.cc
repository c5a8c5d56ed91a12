#include "rewards/text/rouge.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <span>

#include <fmt/format.h>

#include "rewards/text/porter.h"
#include "rewards/text/ter_rouge_common.h"

namespace merit::text_metrics {
namespace {

// rouge-score's lower() + [^a-z0-9]+ -> " " as one byte table: the lower-case form of an ASCII
// letter or digit, 0 for a separator. Non-ASCII bytes are separators except where the two
// sequences below start.
constexpr std::array<char, 256> kTokenChar = [] {
  std::array<char, 256> table{};
  for (int c = '0'; c <= '9'; ++c) {
    table[static_cast<std::size_t>(c)] = static_cast<char>(c);
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    table[static_cast<std::size_t>(c)] = static_cast<char>(c);
    table[static_cast<std::size_t>(c - 'a' + 'A')] = static_cast<char>(c);
  }
  return table;
}();

// rouge-score's tokenizer, also giving each token's line (the number of '\n' before it), which is
// how rougeLsum splits sentences: a token never spans a newline, so tokenising the whole text and
// grouping by line gives exactly the tokens of each line.
void Tokenize(std::string_view text, bool use_stemmer, std::string& buffer, std::string& stem,
              std::vector<std::string_view>& tokens, std::vector<std::uint64_t>* hashes,
              std::vector<std::uint32_t>* lines) {
  buffer.resize(text.size());  // The mapped text is never longer than the input.
  tokens.clear();
  tokens.reserve(text.size() / 4 + 1);
  if (hashes != nullptr) {
    hashes->clear();
    hashes->reserve(text.size() / 4 + 1);
  }
  if (lines != nullptr) {
    lines->clear();
    lines->reserve(text.size() / 4 + 1);
  }
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  char* out = buffer.data();
  std::size_t w = 0;
  std::uint32_t line = 0;
  std::size_t i = 0;
  while (i < n) {
    // One token: a run of mapped characters.
    const std::size_t start = w;
    std::uint64_t hash = TokenIds::kHashSeed;
    while (i < n) {
      const char c = kTokenChar[in[i]];
      if (c != 0) {
        out[w++] = c;
        hash = TokenIds::HashStep(hash, c);
        ++i;
      } else if (in[i] == 0xE2 && i + 2 < n && in[i + 1] == 0x84 && in[i + 2] == 0xAA) {
        out[w++] = 'k';  // U+212A KELVIN SIGN: lower() gives 'k'.
        hash = TokenIds::HashStep(hash, 'k');
        i += 3;
      } else if (in[i] == 0xC4 && i + 1 < n && in[i + 1] == 0xB0) {
        out[w++] = 'i';  // U+0130: lower() gives 'i' + U+0307, which separates.
        hash = TokenIds::HashStep(hash, 'i');
        i += 2;
        break;
      } else {
        break;
      }
    }
    std::size_t length = w - start;
    if (length > 0) {
      // rouge-score stems only tokens longer than 3 characters. A Porter stem is never longer
      // than its word (every rule removes at least as much as it adds): it is written in place.
      if (use_stemmer && length > 3) {
        PorterStem(std::string_view(out + start, length), stem);
        std::copy(stem.begin(), stem.end(), out + start);
        length = stem.size();
        hash = TokenIds::Hash(stem);
      }
      tokens.emplace_back(out + start, length);
      if (hashes != nullptr) {
        hashes->push_back(hash);
      }
      if (lines != nullptr) {
        lines->push_back(line);
      }
    }
    // Separators.
    while (i < n && kTokenChar[in[i]] == 0 && in[i] != 0xE2 && in[i] != 0xC4) {
      line += in[i] == '\n' ? 1 : 0;
      ++i;
    }
    if (i < n && kTokenChar[in[i]] == 0 &&
        !(in[i] == 0xE2 && i + 2 < n && in[i + 1] == 0x84 && in[i + 2] == 0xAA) &&
        !(in[i] == 0xC4 && i + 1 < n && in[i + 1] == 0xB0)) {
      ++i;  // 0xE2 or 0xC4 starting some other character.
    }
  }
}

RougeScore FromCounts(double overlap, double prediction_count, double reference_count) {
  RougeScore score;
  score.precision = overlap / prediction_count;
  score.recall = overlap / reference_count;
  // scoring.fmeasure, evaluated in Python's order.
  score.fmeasure = score.precision + score.recall > 0
                       ? 2 * score.precision * score.recall / (score.precision + score.recall)
                       : 0.0;
  return score;
}

// Clipped n-gram overlap. Prediction n-grams with a token absent from the reference cannot match.
struct NgramSlot {
  std::uint32_t pos = 0;  // First occurrence in ref, + 1 (0: empty).
  std::uint32_t remaining = 0;
};

std::size_t NgramOverlap(std::span<const std::uint32_t> ref, std::span<const std::uint32_t> hyp,
                         std::size_t n, std::size_t vocab, std::vector<std::uint32_t>& ref_count,
                         std::vector<NgramSlot>& table) {
  if (ref.size() < n || hyp.size() < n) {
    return 0;
  }
  if (n == 1) {
    ref_count.assign(vocab, 0);
    for (const std::uint32_t id : ref) {
      ++ref_count[id];
    }
    std::size_t overlap = 0;
    for (const std::uint32_t id : hyp) {
      if (id < vocab && ref_count[id] > 0) {
        --ref_count[id];
        ++overlap;
      }
    }
    return overlap;
  }
  const auto hash_at = [n](std::span<const std::uint32_t> ids, std::size_t pos) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (std::size_t k = 0; k < n; ++k) {
      h = (h ^ ids[pos + k]) * 0xFF51AFD7ED558CCDULL;
      h ^= h >> 32;
    }
    return h;
  };
  const std::size_t ref_ngrams = ref.size() - n + 1;
  std::size_t capacity = 16;
  while (capacity < 2 * ref_ngrams) {
    capacity *= 2;
  }
  table.assign(capacity, NgramSlot{});
  const std::size_t mask = capacity - 1;
  const auto same = [&](std::span<const std::uint32_t> ids, std::size_t pos, std::uint32_t ref_pos) {
    return std::equal(ids.begin() + static_cast<std::ptrdiff_t>(pos),
                      ids.begin() + static_cast<std::ptrdiff_t>(pos + n),
                      ref.begin() + static_cast<std::ptrdiff_t>(ref_pos));
  };
  for (std::size_t i = 0; i < ref_ngrams; ++i) {
    std::size_t slot = static_cast<std::size_t>(hash_at(ref, i)) & mask;
    while (table[slot].pos != 0 && !same(ref, i, table[slot].pos - 1)) {
      slot = (slot + 1) & mask;
    }
    if (table[slot].pos == 0) {
      table[slot].pos = static_cast<std::uint32_t>(i + 1);
    }
    ++table[slot].remaining;
  }
  std::size_t overlap = 0;
  std::size_t unknown_before = 0;  // Position of the last unknown token + 1.
  for (std::size_t i = 0; i < hyp.size(); ++i) {
    if (hyp[i] >= vocab) {
      unknown_before = i + 1;
    }
    if (i + 1 < n || unknown_before > i + 1 - n) {
      continue;
    }
    const std::size_t start = i + 1 - n;
    std::size_t slot = static_cast<std::size_t>(hash_at(hyp, start)) & mask;
    while (table[slot].pos != 0) {
      if (same(hyp, start, table[slot].pos - 1)) {
        if (table[slot].remaining > 0) {
          --table[slot].remaining;
          ++overlap;
        }
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return overlap;
}

// Hyyrö's bit-parallel LCS over a fixed sequence `a` laid along the bits. Row vectors V start as
// all ones; after the symbols b_1..b_i, the zero bits of V among bits [0, j) number
// LCS(a[0, j), b[0, i)).
class BitLcs {
 public:
  // Forgets everything; symbols are ids below `vocab`.
  void SetVocabulary(std::size_t vocab) {
    slot_of_.assign(vocab, kNone);
    used_.clear();
  }

  void Reset(std::span<const std::uint32_t> a) {
    for (const std::uint32_t id : used_) {
      slot_of_[id] = kNone;
    }
    used_.clear();
    length_ = a.size();
    words_ = (a.size() + 63) / 64;
    peq_.clear();
    for (std::size_t j = 0; j < a.size(); ++j) {
      const std::uint32_t id = a[j];
      if (id >= slot_of_.size()) {
        continue;
      }
      if (slot_of_[id] == kNone) {
        slot_of_[id] = static_cast<std::uint32_t>(used_.size());
        used_.push_back(id);
        peq_.resize(peq_.size() + words_, 0);
      }
      peq_[slot_of_[id] * words_ + j / 64] |= std::uint64_t{1} << (j % 64);
    }
  }

  std::size_t words() const { return words_; }

  std::size_t length() const { return length_; }

  // V <- (V + U) | (V - U) with U = V & match(b); V - U is V & ~U since U is a subset of V.
  void Step(std::uint64_t* v, std::uint32_t b) const {
    if (b >= slot_of_.size() || slot_of_[b] == kNone) {
      return;
    }
    const std::uint64_t* match = &peq_[slot_of_[b] * words_];
    unsigned carry = 0;
    for (std::size_t w = 0; w < words_; ++w) {
      const std::uint64_t x = v[w];
      const std::uint64_t u = x & match[w];
      const std::uint64_t sum = x + u;
      const std::uint64_t total = sum + carry;
      carry = (sum < x || total < sum) ? 1 : 0;
      v[w] = total | (x & ~u);
    }
  }

  // The zero bits of v among bits [0, j).
  static std::size_t ZerosBefore(const std::uint64_t* v, std::size_t j) {
    std::size_t ones = 0;
    const std::size_t full = j / 64;
    for (std::size_t w = 0; w < full; ++w) {
      ones += static_cast<std::size_t>(std::popcount(v[w]));
    }
    if (j % 64 != 0) {
      ones += static_cast<std::size_t>(std::popcount(v[full] & ((std::uint64_t{1} << (j % 64)) - 1)));
    }
    return j - ones;
  }

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;
  std::vector<std::uint32_t> slot_of_;
  std::vector<std::uint32_t> used_;
  std::vector<std::uint64_t> peq_;
  std::size_t length_ = 0;
  std::size_t words_ = 0;
};

std::size_t LcsLength(std::span<const std::uint32_t> ref, std::span<const std::uint32_t> hyp,
                      std::size_t vocab, BitLcs& lcs, std::vector<std::uint64_t>& v) {
  lcs.SetVocabulary(vocab);
  lcs.Reset(hyp);
  v.assign(lcs.words(), ~std::uint64_t{0});
  for (const std::uint32_t b : ref) {
    lcs.Step(v.data(), b);
  }
  return BitLcs::ZerosBefore(v.data(), hyp.size());
}

// Splits token positions into runs of equal line number: [begin, end) per line with tokens.
void GroupLines(std::span<const std::uint32_t> lines,
                std::vector<std::pair<std::size_t, std::size_t>>& out) {
  out.clear();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == 0 || lines[i] != lines[i - 1]) {
      out.emplace_back(i, i);
    }
    out.back().second = i + 1;
  }
}

// rouge-score's _summary_level_lcs.
struct LsumBuffers {
  BitLcs lcs;
  std::vector<std::uint64_t> rows;
  std::vector<char> in_union;
  std::vector<std::uint32_t> ref_count;
  std::vector<std::uint32_t> hyp_count;
  std::vector<std::pair<std::size_t, std::size_t>> ref_sents;
  std::vector<std::pair<std::size_t, std::size_t>> hyp_sents;
};

RougeScore SummaryLevelLcs(std::span<const std::uint32_t> ref,
                           std::span<const std::uint32_t> ref_lines,
                           std::span<const std::uint32_t> hyp,
                           std::span<const std::uint32_t> hyp_lines, std::size_t vocab,
                           LsumBuffers& buffers) {
  if (ref.empty() || hyp.empty()) {
    return {};
  }
  std::vector<std::pair<std::size_t, std::size_t>>& ref_sents = buffers.ref_sents;
  std::vector<std::pair<std::size_t, std::size_t>>& hyp_sents = buffers.hyp_sents;
  GroupLines(ref_lines, ref_sents);
  GroupLines(hyp_lines, hyp_sents);
  // Which reference positions are in the union LCS of their line: the union over prediction
  // lines of one LCS each, the one _backtrack_norec reads out of the table.
  std::vector<char>& in_union = buffers.in_union;
  in_union.assign(ref.size(), 0);
  BitLcs& lcs = buffers.lcs;
  lcs.SetVocabulary(vocab);
  std::vector<std::uint64_t>& rows = buffers.rows;
  for (const auto& [c_begin, c_end] : hyp_sents) {
    const std::span<const std::uint32_t> can = hyp.subspan(c_begin, c_end - c_begin);
    lcs.Reset(can);
    const std::size_t words = lcs.words();
    for (const auto& [r_begin, r_end] : ref_sents) {
      const std::span<const std::uint32_t> r = ref.subspan(r_begin, r_end - r_begin);
      rows.assign((r.size() + 1) * words, ~std::uint64_t{0});
      for (std::size_t i = 1; i <= r.size(); ++i) {
        std::copy_n(&rows[(i - 1) * words], words, &rows[i * words]);
        lcs.Step(&rows[i * words], r[i - 1]);
      }
      const auto table = [&](std::size_t i, std::size_t j) {
        return BitLcs::ZerosBefore(&rows[i * words], j);
      };
      std::size_t i = r.size();
      std::size_t j = can.size();
      while (i > 0 && j > 0) {
        if (r[i - 1] == can[j - 1]) {
          in_union[r_begin + i - 1] = 1;
          --i;
          --j;
        } else if (table(i, j - 1) > table(i - 1, j)) {
          --j;
        } else {
          --i;
        }
      }
    }
  }
  // Each token counts at most as often as it occurs in each summary (ROUGE-1.5.5).
  std::vector<std::uint32_t>& ref_count = buffers.ref_count;
  std::vector<std::uint32_t>& hyp_count = buffers.hyp_count;
  ref_count.assign(vocab, 0);
  hyp_count.assign(vocab, 0);
  for (const std::uint32_t id : ref) {
    ++ref_count[id];
  }
  for (const std::uint32_t id : hyp) {
    if (id < vocab) {
      ++hyp_count[id];
    }
  }
  std::size_t hits = 0;
  for (std::size_t p = 0; p < ref.size(); ++p) {
    const std::uint32_t id = ref[p];
    if (in_union[p] != 0 && hyp_count[id] > 0 && ref_count[id] > 0) {
      ++hits;
      --hyp_count[id];
      --ref_count[id];
    }
  }
  return FromCounts(static_cast<double>(hits), static_cast<double>(hyp.size()),
                    static_cast<double>(ref.size()));
}

}  // namespace

struct RougeScratch::Buffers {
  std::string ref_buffer;
  std::string hyp_buffer;
  std::string stem;
  std::vector<std::string_view> ref_tokens;
  std::vector<std::string_view> hyp_tokens;
  std::vector<std::uint32_t> ref_lines;
  std::vector<std::uint32_t> hyp_lines;
  std::vector<std::uint64_t> ref_hashes;
  std::vector<std::uint64_t> hyp_hashes;
  TokenIds ids;
  std::vector<std::uint32_t> ref;
  std::vector<std::uint32_t> hyp;
  std::vector<std::uint32_t> ngram_ref_count;
  std::vector<NgramSlot> ngram_table;
  std::vector<std::uint64_t> lcs_row;
  LsumBuffers lsum;
};

RougeScratch::RougeScratch() : buffers_(std::make_unique<Buffers>()) {}
RougeScratch::~RougeScratch() = default;

void RougeTokenize(std::string_view text, bool use_stemmer, std::string& buffer,
                   std::vector<std::string_view>& tokens) {
  std::string stem;
  Tokenize(text, use_stemmer, buffer, stem, tokens, nullptr, nullptr);
}

std::optional<RougeScore> RougeScoreOf(std::string_view reference, std::string_view prediction,
                                       const RougeSpec& spec) {
  RougeScratch scratch;
  return RougeScoreOf(reference, prediction, spec, scratch);
}

std::optional<RougeScore> RougeScoreOf(std::string_view reference, std::string_view prediction,
                                       const RougeSpec& spec, RougeScratch& scratch) {
  RougeScratch::Buffers& b = scratch.buffers();
  const bool lsum = spec.kind == RougeSpec::Kind::kLsum;
  Tokenize(reference, spec.use_stemmer, b.ref_buffer, b.stem, b.ref_tokens, &b.ref_hashes,
           lsum ? &b.ref_lines : nullptr);
  Tokenize(prediction, spec.use_stemmer, b.hyp_buffer, b.stem, b.hyp_tokens, &b.hyp_hashes,
           lsum ? &b.hyp_lines : nullptr);
  if (b.ref_tokens.size() > spec.max_tokens || b.hyp_tokens.size() > spec.max_tokens) {
    return std::nullopt;
  }
  std::vector<std::uint32_t>& ref = b.ref;
  std::vector<std::uint32_t>& hyp = b.hyp;
  b.ids.Build(b.ref_tokens, b.ref_hashes, ref);
  hyp.resize(b.hyp_tokens.size());
  for (std::size_t i = 0; i < b.hyp_tokens.size(); ++i) {
    hyp[i] = b.ids.Lookup(b.hyp_tokens[i], b.hyp_hashes[i]);
  }
  const std::size_t vocab = b.ids.size();
  RougeScore score;
  switch (spec.kind) {
    case RougeSpec::Kind::kN: {
      const auto n = static_cast<std::size_t>(spec.n);
      const std::size_t ref_ngrams = ref.size() >= n ? ref.size() - n + 1 : 0;
      const std::size_t hyp_ngrams = hyp.size() >= n ? hyp.size() - n + 1 : 0;
      score = FromCounts(
          static_cast<double>(NgramOverlap(ref, hyp, n, vocab, b.ngram_ref_count, b.ngram_table)),
          static_cast<double>(std::max<std::size_t>(hyp_ngrams, 1)),
          static_cast<double>(std::max<std::size_t>(ref_ngrams, 1)));
      break;
    }
    case RougeSpec::Kind::kL:
      if (!ref.empty() && !hyp.empty()) {
        score = FromCounts(static_cast<double>(LcsLength(ref, hyp, vocab, b.lsum.lcs, b.lcs_row)),
                           static_cast<double>(hyp.size()), static_cast<double>(ref.size()));
      }
      break;
    case RougeSpec::Kind::kLsum:
      score = SummaryLevelLcs(ref, b.ref_lines, hyp, b.hyp_lines, vocab, b.lsum);
      break;
  }
  score.prediction_tokens = hyp.size();
  return score;
}

namespace {

enum class Measure : std::uint8_t { kFmeasure, kPrecision, kRecall };

class Rouge final : public Reward {
 public:
  Rouge(RougeSpec spec, Measure measure, bool mean)
      : spec_(spec), measure_(measure), mean_(mean) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (std::optional<Score> bad = CheckReferences(sample.reference)) {
      return std::move(*bad);
    }
    const std::span<const Json> references = ReferenceItems(sample.reference);
    RougeScratch& scratch = context.Scratch<RougeScratch>();
    double sum = 0;
    std::optional<RougeScore> best;
    for (const Json& reference : references) {
      const std::optional<RougeScore> score =
          RougeScoreOf(ReferenceItemText(reference), sample.completion_text, spec_, scratch);
      if (!score) {
        return Score::Error("too_long", fmt::format("the completion or a reference has more than "
                                                    "max_tokens = {} tokens",
                                                    spec_.max_tokens));
      }
      sum += Pick(*score);
      // score_multi: np.argmax over F-measures, the first maximum.
      if (!best || score->fmeasure > best->fmeasure) {
        best = score;
      }
    }
    const double value = mean_ ? sum / static_cast<double>(references.size()) : Pick(*best);
    return Score::Ok(value, best->prediction_tokens == 0 ? "no_answer" : "");
  }

 private:
  double Pick(const RougeScore& score) const {
    switch (measure_) {
      case Measure::kPrecision:
        return score.precision;
      case Measure::kRecall:
        return score.recall;
      case Measure::kFmeasure:
        break;
    }
    return score.fmeasure;
  }

  const RougeSpec spec_;
  const Measure measure_;
  const bool mean_;
};

}  // namespace

StatusOr<std::unique_ptr<const Reward>> MakeRouge(const RougeOptions& options) {
  RougeSpec spec{.use_stemmer = options.use_stemmer,
                 .max_tokens = static_cast<std::size_t>(options.max_tokens)};
  if (options.rouge_type == "rougeL") {
    spec.kind = RougeSpec::Kind::kL;
  } else if (options.rouge_type == "rougeLsum") {
    spec.kind = RougeSpec::Kind::kLsum;
  } else {
    spec.kind = RougeSpec::Kind::kN;
    spec.n = options.rouge_type.back() - '0';
  }
  Measure measure = Measure::kFmeasure;
  if (options.measure == "precision") {
    measure = Measure::kPrecision;
  } else if (options.measure == "recall") {
    measure = Measure::kRecall;
  }
  return std::unique_ptr<const Reward>(
      std::make_unique<Rouge>(spec, measure, options.multi_reference == "mean"));
}

}  // namespace merit::text_metrics
