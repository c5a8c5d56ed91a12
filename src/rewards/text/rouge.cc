#include "rewards/text/rouge.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <span>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "rewards/text/ngram_ids.h"
#include "rewards/text/porter.h"
#include "rewards/text/ter_rouge_common.h"

namespace merit::text_metrics {
namespace {

// rouge-score's lower() + [^a-z0-9]+ -> " " as one byte table: the lower-case form of an ASCII
// letter or digit, else a separator: kNewline for '\n' (rougeLsum counts lines), 0 for any other.
// Non-ASCII bytes are separators except where the two sequences in MapText start.
constexpr char kNewline = 1;
constexpr std::array<char, 256> kTokenChar = [] {
  std::array<char, 256> table{};
  for (int c = '0'; c <= '9'; ++c) {
    table[static_cast<std::size_t>(c)] = static_cast<char>(c);
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    table[static_cast<std::size_t>(c)] = static_cast<char>(c);
    table[static_cast<std::size_t>(c - 'a' + 'A')] = static_cast<char>(c);
  }
  table['\n'] = kNewline;
  return table;
}();

// Bytes of `buffer` past the mapped text that MapText zeroes: a whole block of 64 for
// BlockMasks, and 8 more for TokenIds::HashPadded's reads past a token's end.
constexpr std::size_t kPadding = 64 + 8;

// Stage 1 of Tokenize: writes the mapped text to `buffer` (separators 0 or kNewline, tokens runs
// of bytes above kNewline) and returns its length. ASCII goes 16 bytes at a time (SSE2); other
// bytes one at a time, with a branch only at the two lead bytes of the non-ASCII characters
// whose lower case is ASCII.
std::size_t MapText(std::string_view text, std::string& buffer) {
  // The mapped text is never longer than the input (U+0130's two bytes give two).
  buffer.resize(text.size() + kPadding);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  char* out = buffer.data();
  std::size_t w = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  const auto in_range = [](__m128i v, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
#endif
  while (i < n) {
#if defined(__SSE2__)
    // 16 ASCII bytes at a time: letters lower-cased, digits kept, '\n' to kNewline, the rest 0.
    while (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
      if (_mm_movemask_epi8(v) != 0) {  // Some non-ASCII byte: the scalar loop takes these.
        break;
      }
      const __m128i upper = in_range(v, 'A', 'Z');
      const __m128i keep = _mm_or_si128(_mm_or_si128(upper, in_range(v, 'a', 'z')),
                                        in_range(v, '0', '9'));
      const __m128i lowered = _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(32)));
      const __m128i newline = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                                            _mm_set1_epi8(kNewline));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + w),
                       _mm_or_si128(_mm_and_si128(lowered, keep), newline));
      i += 16;
      w += 16;
    }
#endif
    // Byte by byte through at least 16 bytes (a character may run past them), or to the end.
    const std::size_t stop = std::min(n, i + 16);
    while (i < stop) {
      const unsigned char b = in[i];
      if (b == 0xE2 && i + 2 < n && in[i + 1] == 0x84 && in[i + 2] == 0xAA) [[unlikely]] {
        out[w++] = 'k';  // U+212A KELVIN SIGN: lower() gives 'k'.
        i += 3;
      } else if (b == 0xC4 && i + 1 < n && in[i + 1] == 0xB0) [[unlikely]] {
        out[w++] = 'i';  // U+0130: lower() gives 'i' + U+0307, which separates.
        out[w++] = 0;
        i += 2;
      } else {
        out[w++] = kTokenChar[b];
        ++i;
      }
    }
  }
  std::fill(out + w, out + w + kPadding, 0);
  return w;
}

// For the 64 mapped bytes at `block`: bit k of `tokens` is set when block[k] is a token byte, of
// `newlines` when it is kNewline.
void BlockMasks(const char* block, std::uint64_t& tokens, std::uint64_t& newlines) {
#if defined(__SSE2__)
  tokens = 0;
  newlines = 0;
  const __m128i one = _mm_set1_epi8(kNewline);
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * k));
    // Mapped bytes are below 0x80, so the signed comparison is the unsigned one.
    tokens |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(
                  _mm_movemask_epi8(_mm_cmpgt_epi8(v, one))))
              << (16 * k);
    newlines |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(
                    _mm_movemask_epi8(_mm_cmpeq_epi8(v, one))))
                << (16 * k);
  }
#else
  tokens = 0;
  newlines = 0;
  for (int k = 0; k < 64; ++k) {
    tokens |= static_cast<std::uint64_t>(block[k] > kNewline) << k;
    newlines |= static_cast<std::uint64_t>(block[k] == kNewline) << k;
  }
#endif
}

// rouge-score's tokenizer. Calls on_token(token, hash, line) for every token in order: its text
// (a view into `buffer`, which keeps its address until the next call), TokenIds::Hash of it, and
// its line (the number of '\n' before it), which is how rougeLsum splits sentences: a token never
// spans a newline, so tokenising the whole text and grouping by line gives exactly the tokens of
// each line (0 for every token unless `lines`: only rougeLsum needs them). The callback interns
// or looks the token up at once: no token list in between.
//
// Token boundaries come from bit masks of 64 mapped bytes at a time rather than a branch per
// byte: where a word ends is unpredictable, and those mispredictions were most of the time.
template <typename OnToken>
void Tokenize(std::string_view text, bool use_stemmer, bool lines, std::string& buffer,
              std::string& stem, OnToken&& on_token) {
  const std::size_t w = MapText(text, buffer);
  char* out = buffer.data();
  std::uint32_t line = 0;  // Newlines before the current block.
  const auto emit = [&](std::size_t start, std::size_t end, std::uint32_t token_line) {
    std::size_t length = end - start;
    // rouge-score stems only tokens longer than 3 characters. A Porter stem is never longer
    // than its word (every rule removes at least as much as it adds): it is written in place,
    // inside the token, whose bytes no later block mask reads.
    if (use_stemmer && length > 3) {
      PorterStem(std::string_view(out + start, length), stem);
      std::copy(stem.begin(), stem.end(), out + start);
      length = stem.size();
    }
    on_token(std::string_view(out + start, length), TokenIds::HashPadded(out + start, length),
             token_line);
  };
  bool in_token = false;
  std::size_t start = 0;
  std::uint32_t start_line = 0;
  bool previous_bit = false;  // Whether the byte before the block is a token byte.
  for (std::size_t base = 0; base < w; base += 64) {
    std::uint64_t tokens = 0;
    std::uint64_t newlines = 0;
    BlockMasks(out + base, tokens, newlines);
    newlines = lines ? newlines : 0;
    // A bit per position where the byte's class differs from the previous byte's: token starts
    // and ends alternate.
    std::uint64_t changes = tokens ^ ((tokens << 1) | (previous_bit ? 1 : 0));
    previous_bit = (tokens >> 63) != 0;
    while (changes != 0) {
      const int k = std::countr_zero(changes);
      changes &= changes - 1;
      if (!in_token) {
        start = base + static_cast<std::size_t>(k);
        // popcount is a library call without -mpopcnt: skipped for blocks with no newline.
        start_line = newlines == 0 ? line
                                   : line + static_cast<std::uint32_t>(std::popcount(
                                                newlines & ((std::uint64_t{1} << k) - 1)));
      } else {
        emit(start, base + static_cast<std::size_t>(k), start_line);
      }
      in_token = !in_token;
    }
    if (newlines != 0) {
      line += static_cast<std::uint32_t>(std::popcount(newlines));
    }
  }
  if (in_token) {  // Only when the token runs to the end of the last full block.
    emit(start, w, start_line);
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

// Clipped n-gram overlap: the sum over n-grams of min(count in ref, count in hyp).
struct NgramBuffers {
  sacrebleu::PairIds ngrams;
  std::vector<std::uint32_t> ref_ids;
  std::vector<std::uint32_t> hyp_ids;
  std::vector<std::uint32_t> ref_count;
};

// Reference tokens are ids below `vocab`; prediction tokens such ids or anything above (absent
// from the reference). An n-gram gets an exact id order by order, from its (n-1)-gram prefix's
// id and its last token (PairIds), so no n-gram is ever hashed or compared token by token. A
// prediction n-gram absent from the reference gets the id one past the reference's, which no
// table entry has (tables get a row and a column more than the ids), so every longer one
// through it is absent too, with no branch.
std::size_t NgramOverlap(std::span<const std::uint32_t> ref, std::span<const std::uint32_t> hyp,
                         std::size_t n, std::size_t vocab, NgramBuffers& b) {
  if (ref.size() < n || hyp.size() < n) {
    return 0;
  }
  const auto unit_absent = static_cast<std::uint32_t>(vocab);
  b.ref_ids.assign(ref.begin(), ref.end());
  b.hyp_ids.resize(hyp.size());
  for (std::size_t i = 0; i < hyp.size(); ++i) {
    b.hyp_ids[i] = std::min(hyp[i], unit_absent);
  }
  std::size_t ids = vocab;  // Distinct reference n-grams of the order reached.
  for (std::size_t k = 2; k <= n; ++k) {
    b.ngrams.Reset(ids + 1, vocab + 1);
    const std::size_t ref_ngrams = ref.size() - k + 1;
    for (std::size_t j = 0; j < ref_ngrams; ++j) {
      b.ref_ids[j] = b.ngrams.Insert(b.ref_ids[j], ref[j + k - 1]);
    }
    ids = b.ngrams.size();
    const auto absent = static_cast<std::uint32_t>(ids);
    const std::size_t hyp_ngrams = hyp.size() - k + 1;
    for (std::size_t i = 0; i < hyp_ngrams; ++i) {
      b.hyp_ids[i] = std::min(
          b.ngrams.Find(b.hyp_ids[i], std::min(hyp[i + k - 1], unit_absent)), absent);
    }
  }
  b.ref_count.assign(ids + 1, 0);  // ref_count[ids], the absent id's, stays 0.
  for (std::size_t j = 0; j + n <= ref.size(); ++j) {
    ++b.ref_count[b.ref_ids[j]];
  }
  std::size_t overlap = 0;
  for (std::size_t i = 0; i + n <= hyp.size(); ++i) {
    std::uint32_t& count = b.ref_count[b.hyp_ids[i]];
    const std::uint32_t take = count > 0 ? 1 : 0;
    count -= take;
    overlap += take;
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
  std::vector<std::uint32_t> ref_lines;
  std::vector<std::uint32_t> hyp_lines;
  TokenIds ids;
  std::vector<std::uint32_t> ref;
  std::vector<std::uint32_t> hyp;
  NgramBuffers ngram;
  std::vector<std::uint64_t> lcs_row;
  LsumBuffers lsum;
};

RougeScratch::RougeScratch() : buffers_(std::make_unique<Buffers>()) {}
RougeScratch::~RougeScratch() = default;

void RougeTokenize(std::string_view text, bool use_stemmer, std::string& buffer,
                   std::vector<std::string_view>& tokens) {
  std::string stem;
  tokens.clear();
  Tokenize(text, use_stemmer, /*lines=*/false, buffer, stem,
           [&](std::string_view token, std::uint64_t, std::uint32_t) { tokens.push_back(token); });
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
  std::vector<std::uint32_t>& ref = b.ref;
  std::vector<std::uint32_t>& hyp = b.hyp;
  // Reference tokens get ids as they are found; prediction tokens are looked up among them.
  // Views into ref_buffer stay valid: Tokenize sizes it once, before the first token.
  ref.clear();
  b.ref_lines.clear();
  b.ids.Reset(reference.size() / 8 + 8);
  Tokenize(reference, spec.use_stemmer, lsum, b.ref_buffer, b.stem,
           [&](std::string_view token, std::uint64_t hash, std::uint32_t line) {
             ref.push_back(b.ids.Intern(token, hash));
             if (lsum) {
               b.ref_lines.push_back(line);
             }
           });
  hyp.clear();
  b.hyp_lines.clear();
  Tokenize(prediction, spec.use_stemmer, lsum, b.hyp_buffer, b.stem,
           [&](std::string_view token, std::uint64_t hash, std::uint32_t line) {
             hyp.push_back(b.ids.Lookup(token, hash));
             if (lsum) {
               b.hyp_lines.push_back(line);
             }
           });
  if (ref.size() > spec.max_tokens || hyp.size() > spec.max_tokens) {
    return std::nullopt;
  }
  const std::size_t vocab = b.ids.size();
  RougeScore score;
  switch (spec.kind) {
    case RougeSpec::Kind::kN: {
      const auto n = static_cast<std::size_t>(spec.n);
      const std::size_t ref_ngrams = ref.size() >= n ? ref.size() - n + 1 : 0;
      const std::size_t hyp_ngrams = hyp.size() >= n ? hyp.size() - n + 1 : 0;
      score = FromCounts(
          static_cast<double>(NgramOverlap(ref, hyp, n, vocab, b.ngram)),
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
