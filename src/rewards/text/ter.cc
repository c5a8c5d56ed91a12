#include "rewards/text/ter.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "rewards/text/python_text.h"
#include "rewards/text/ter_rouge_common.h"
#include "text/normalize.h"

namespace merit::text_metrics {
namespace {

// ---------------------------------------------------------------------------------------------
// Tercom normalisation, on code points. An invalid UTF-8 byte travels as its surrogate escape
// (python_text.h), which is no character class's member, and is written back as the byte.

using CodePoints = std::vector<char32_t>;

void Decode(std::string_view text, CodePoints& out) {
  out.clear();
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t code_point = 0;
    pos += sacrebleu::DecodeUtf8(text, pos, code_point);
    out.push_back(code_point);
  }
}

// re.sub with a literal pattern: non-overlapping matches, left to right.
void ReplaceAll(CodePoints& s, std::u32string_view from, std::u32string_view to, CodePoints& tmp) {
  tmp.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + from.size() <= s.size() && std::equal(from.begin(), from.end(), s.begin() + static_cast<std::ptrdiff_t>(i))) {
      tmp.insert(tmp.end(), to.begin(), to.end());
      i += from.size();
    } else {
      tmp.push_back(s[i++]);
    }
  }
  s.swap(tmp);
}

// re.sub(r"(A)(B)", r"<pre>\1<mid>\2<post>") for single-character classes A and B, where each
// of pre/mid/post is empty or one space: a match consumes both characters.
template <typename First, typename Second>
void SplitPairs(CodePoints& s, First first, Second second, bool pre, bool post, CodePoints& tmp) {
  tmp.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      if (pre) {
        tmp.push_back(' ');
      }
      tmp.push_back(s[i]);
      tmp.push_back(' ');
      tmp.push_back(s[i + 1]);
      if (post) {
        tmp.push_back(' ');
      }
      i += 2;
    } else {
      tmp.push_back(s[i++]);
    }
  }
  s.swap(tmp);
}

// re.sub(r"([class])", r" \1 "): every member gets a space on each side.
template <typename Member>
void IsolateChars(CodePoints& s, Member member, CodePoints& tmp) {
  tmp.clear();
  for (const char32_t c : s) {
    if (member(c)) {
      tmp.push_back(' ');
      tmp.push_back(c);
      tmp.push_back(' ');
    } else {
      tmp.push_back(c);
    }
  }
  s.swap(tmp);
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

bool IsPeriodOrComma(char32_t c) { return c == '.' || c == ','; }

// [{-~[-` -&(-+:-@/]: the ASCII symbols Tercom splits off, which leaves out ' , - . and the
// alphanumerics.
bool IsTercomSymbol(char32_t c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// TercomTokenizer.ASIAN_PUNCT and FULL_WIDTH_PUNCT.
bool IsAsianPunct(char32_t c) {
  return c == 0x3001 || c == 0x3002 || (c >= 0x3008 && c <= 0x3011) ||
         (c >= 0x3014 && c <= 0x301F) || (c >= 0xFF61 && c <= 0xFF65) || c == 0x30FB;
}

bool IsFullWidthPunct(char32_t c) {
  switch (c) {
    case 0xFF0E: case 0xFF0C: case 0xFF1F: case 0xFF1A: case 0xFF1B: case 0xFF01: case 0xFF02:
    case 0xFF08: case 0xFF09:
      return true;
    default:
      return false;
  }
}

// The union of the CJK ranges _normalize_asian splits to single characters. Its Hiragana,
// Katakana and Katakana-extension rules anchor at the start of the string, which after the
// western step's padding always holds a space, so they never match; they are left out.
bool IsAsianSplit(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x31C0 && c <= 0x31EF) || (c >= 0x2E80 && c <= 0x2EFF) ||
         (c >= 0x3300 && c <= 0x33FF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0x3200 && c <= 0x3F22) || IsAsianPunct(c) ||
         IsFullWidthPunct(c);
}

bool IsTercomPunct(char32_t c) {
  switch (c) {
    case '.': case ',': case '?': case ':': case ';': case '!': case '"': case '(': case ')':
      return true;
    default:
      return false;
  }
}

// _normalize_general_and_western (and _normalize_asian when asked), in sacrebleu's order.
void NormalizeWestern(CodePoints& s, bool asian_support, CodePoints& tmp) {
  ReplaceAll(s, U"\n-", U"", tmp);
  ReplaceAll(s, U"\n", U" ", tmp);
  ReplaceAll(s, U"&quot;", U"\"", tmp);
  ReplaceAll(s, U"&amp;", U"&", tmp);
  ReplaceAll(s, U"&lt;", U"<", tmp);
  ReplaceAll(s, U"&gt;", U">", tmp);
  s.insert(s.begin(), ' ');
  s.push_back(' ');
  IsolateChars(s, IsTercomSymbol, tmp);
  // sacrebleu's second possessive rule, r"'s$", cannot match: the text now ends in a space.
  ReplaceAll(s, U"'s ", U" 's ", tmp);
  const auto not_digit = [](char32_t c) { return !IsDigit(c); };
  SplitPairs(s, not_digit, IsPeriodOrComma, /*pre=*/false, /*post=*/true, tmp);
  SplitPairs(s, IsPeriodOrComma, not_digit, /*pre=*/true, /*post=*/false, tmp);
  SplitPairs(s, IsDigit, [](char32_t c) { return c == '-'; }, /*pre=*/false, /*post=*/true, tmp);
  if (asian_support) {
    IsolateChars(s, IsAsianSplit, tmp);
  }
}

void RemovePunct(CodePoints& s, bool asian_support) {
  std::erase_if(s, [asian_support](char32_t c) {
    return IsTercomPunct(c) || (asian_support && (IsAsianPunct(c) || IsFullWidthPunct(c)));
  });
}

void Encode(const CodePoints& s, std::string& out) {
  out.clear();
  for (const char32_t c : s) {
    sacrebleu::AppendUtf8(c, out);
  }
}

// ---------------------------------------------------------------------------------------------
// sacrebleu's lib_ter.

constexpr int kMaxShiftSize = 10;
constexpr int kMaxShiftDist = 50;
constexpr int kBeamWidth = 25;
constexpr int kMaxShiftCandidates = 1000;
// Cells outside the beam. INF + 1 must not overflow; every comparison is "strictly smaller".
constexpr std::int32_t kInf = std::numeric_limits<std::int32_t>::max() / 4;

// Edit operations rewriting the hypothesis into the reference, as lib_ter names them before
// flipping: kIns consumes a reference word, kDel a hypothesis word.
enum class Op : std::uint8_t { kNop, kSub, kIns, kDel, kUndef };

struct Cell {
  std::int32_t cost = kInf;
  Op op = Op::kUndef;
};

// BeamEditDistance for one reference and one hypothesis length (shifts keep the length, so the
// beam is the same for every candidate). Row i of the matrix covers hypothesis prefix i; only its
// band [RowBegin(i), RowEnd(i)) is computed, the rest is INF as in lib_ter's _empty_row.
class BeamEditDistance {
 public:
  BeamEditDistance(std::span<const std::uint32_t> ref, std::size_t n_hyp)
      : ref_(ref), n_ref_(static_cast<std::int64_t>(ref.size())),
        n_hyp_(static_cast<std::int64_t>(n_hyp)) {
    ratio_ = n_hyp == 0 ? 1.0 : static_cast<double>(ref.size()) / static_cast<double>(n_hyp);
    beam_ = kBeamWidth < ratio_ / 2 ? static_cast<std::int64_t>(std::ceil(ratio_ / 2 + kBeamWidth))
                                    : kBeamWidth;
    row_begin_.resize(n_hyp + 1);
    row_end_.resize(n_hyp + 1);
    row_offset_.resize(n_hyp + 2);
    row_begin_[0] = 0;
    row_end_[0] = n_ref_ + 1;
    row_offset_[0] = 0;
    row_offset_[1] = static_cast<std::size_t>(n_ref_ + 1);
    for (std::int64_t i = 1; i <= n_hyp_; ++i) {
      const auto pseudo_diag = static_cast<std::int64_t>(std::floor(static_cast<double>(i) * ratio_));
      const std::int64_t begin = std::max<std::int64_t>(0, pseudo_diag - beam_);
      std::int64_t end = std::min(n_ref_ + 1, pseudo_diag + beam_);
      if (i == n_hyp_) {
        end = n_ref_ + 1;
      }
      end = std::max(begin, end);
      const auto row = static_cast<std::size_t>(i);
      row_begin_[row] = begin;
      row_end_[row] = end;
      row_offset_[row + 1] = row_offset_[row] + static_cast<std::size_t>(end - begin);
    }
    cells_.resize(row_offset_[n_hyp + 1]);
    for (std::int64_t j = 0; j <= n_ref_; ++j) {
      cells_[static_cast<std::size_t>(j)] = {static_cast<std::int32_t>(j), Op::kIns};
    }
    rolling_[0].resize(static_cast<std::size_t>(n_ref_ + 1));
    rolling_[1].resize(static_cast<std::size_t>(n_ref_ + 1));
  }

  // Fills the whole matrix for `hyp` (rows first_row.. are recomputed; earlier rows must already
  // hold hyp's prefix) and returns the distance.
  std::int32_t Compute(std::span<const std::uint32_t> hyp, std::size_t first_row) {
    for (std::size_t i = std::max<std::size_t>(first_row, 1); i < row_begin_.size(); ++i) {
      const std::int64_t begin = row_begin_[i];
      const std::int64_t end = row_end_[i];
      Cell* row = &cells_[row_offset_[i]];
      const auto prev = [&](std::int64_t j) -> std::int32_t {
        return j >= row_begin_[i - 1] && j < row_end_[i - 1]
                   ? cells_[row_offset_[i - 1] + static_cast<std::size_t>(j - row_begin_[i - 1])].cost
                   : kInf;
      };
      const std::uint32_t word = hyp[i - 1];
      for (std::int64_t j = begin; j < end; ++j) {
        Cell& cell = row[j - begin];
        if (j == 0) {
          cell = {prev(0) + 1, Op::kDel};
          continue;
        }
        const bool same = word == ref_[static_cast<std::size_t>(j - 1)];
        cell = {kInf, Op::kUndef};
        // Tercom prefers no-op/substitution, then (in lib_ter's flipped naming) deletion, then
        // insertion; the first strictly cheapest wins.
        Relax(cell, prev(j - 1) + (same ? 0 : 1), same ? Op::kNop : Op::kSub);
        Relax(cell, prev(j) + 1, Op::kDel);
        Relax(cell, (j - 1 >= begin ? row[j - 1 - begin].cost : kInf) + 1, Op::kIns);
      }
    }
    return At(static_cast<std::size_t>(n_hyp_), n_ref_).cost;
  }

  // The distance for `hyp`, whose first `shared` words equal those of the hypothesis last given
  // to Compute(): rows up to `shared` are reused, later ones rolled through two buffers.
  std::int32_t Evaluate(std::span<const std::uint32_t> hyp, std::size_t shared) {
    if (shared >= static_cast<std::size_t>(n_hyp_)) {
      return At(static_cast<std::size_t>(n_hyp_), n_ref_).cost;
    }
    std::vector<std::int32_t>* prev_row = &rolling_[0];
    std::vector<std::int32_t>* row = &rolling_[1];
    std::int64_t prev_begin = row_begin_[shared];
    std::int64_t prev_end = row_end_[shared];
    for (std::int64_t j = prev_begin; j < prev_end; ++j) {
      (*prev_row)[static_cast<std::size_t>(j)] =
          cells_[row_offset_[shared] + static_cast<std::size_t>(j - prev_begin)].cost;
    }
    for (std::size_t i = shared + 1; i < row_begin_.size(); ++i) {
      const std::int64_t begin = row_begin_[i];
      const std::int64_t end = row_end_[i];
      const std::int32_t* p = prev_row->data();
      std::int32_t* r = row->data();
      const auto prev = [&](std::int64_t j) -> std::int32_t {
        return j >= prev_begin && j < prev_end ? p[j] : kInf;
      };
      const std::uint32_t word = hyp[i - 1];
      for (std::int64_t j = begin; j < end; ++j) {
        if (j == 0) {
          r[0] = prev(0) + 1;
          continue;
        }
        std::int32_t best = kInf;
        const std::int32_t diag = prev(j - 1) + (word == ref_[static_cast<std::size_t>(j - 1)] ? 0 : 1);
        best = std::min(best, diag);
        best = std::min(best, prev(j) + 1);
        best = std::min(best, (j - 1 >= begin ? r[j - 1] : kInf) + 1);
        r[j] = best;
      }
      std::swap(prev_row, row);
      prev_begin = begin;
      prev_end = end;
    }
    return (*prev_row)[static_cast<std::size_t>(n_ref_)];
  }

  // The operations of the optimal path, first to last; false if the path leaves the beam (lib_ter
  // raises there; the beam is wide enough that it never happens).
  bool Trace(std::vector<Op>& ops) const {
    ops.clear();
    auto i = static_cast<std::size_t>(n_hyp_);
    std::int64_t j = n_ref_;
    while (i > 0 || j > 0) {
      const Op op = At(i, j).op;
      ops.push_back(op);
      if (op == Op::kNop || op == Op::kSub) {
        --i;
        --j;
      } else if (op == Op::kIns) {
        --j;
      } else if (op == Op::kDel) {
        --i;
      } else {
        return false;
      }
    }
    std::reverse(ops.begin(), ops.end());
    return true;
  }

 private:
  static void Relax(Cell& cell, std::int32_t cost, Op op) {
    if (cell.cost > cost) {
      cell = {cost, op};
    }
  }

  Cell At(std::size_t i, std::int64_t j) const {
    if (j < row_begin_[i] || j >= row_end_[i]) {
      return {};
    }
    return cells_[row_offset_[i] + static_cast<std::size_t>(j - row_begin_[i])];
  }

  std::span<const std::uint32_t> ref_;
  std::int64_t n_ref_;
  std::int64_t n_hyp_;
  double ratio_ = 1;
  std::int64_t beam_ = kBeamWidth;
  std::vector<std::int64_t> row_begin_;
  std::vector<std::int64_t> row_end_;
  std::vector<std::size_t> row_offset_;
  std::vector<Cell> cells_;
  std::vector<std::int32_t> rolling_[2];
};

// lib_ter's _perform_shift: moves words[start, start+length) to before position `target`.
void PerformShift(std::span<const std::uint32_t> words, std::size_t start, std::size_t length,
                  std::size_t target, std::vector<std::uint32_t>& out) {
  out.clear();
  const auto append = [&](std::size_t from, std::size_t to) {
    to = std::min(to, words.size());
    if (from < to) {
      out.insert(out.end(), words.begin() + static_cast<std::ptrdiff_t>(from),
                 words.begin() + static_cast<std::ptrdiff_t>(to));
    }
  };
  if (target < start) {
    append(0, target);
    append(start, start + length);
    append(target, start);
    append(start + length, words.size());
  } else if (target > start + length) {
    append(0, start);
    append(start + length, target);
    append(start, start + length);
    append(target, words.size());
  } else {
    append(0, start);
    append(start + length, length + target);
    append(start, start + length);
    append(length + target, words.size());
  }
}

struct Candidate {
  std::int32_t gain = 0;
  std::size_t length = 0;
  std::size_t start = 0;
  std::size_t target = 0;
};

// lib_ter's candidate ranking: highest gain, then longest, then earliest start, then earliest
// target.
bool Better(const Candidate& a, const Candidate& b) {
  if (a.gain != b.gain) {
    return a.gain > b.gain;
  }
  if (a.length != b.length) {
    return a.length > b.length;
  }
  if (a.start != b.start) {
    return a.start < b.start;
  }
  return a.target < b.target;
}

}  // namespace

void TercomTokenize(std::string_view text, const TercomOptions& options, std::string& buffer,
                    std::vector<std::string_view>& tokens) {
  // sacrebleu's TER._preprocess_segment tokenizes sent.rstrip(). It matters with normalized: in
  // "it's" followed by a trailing em space the possessive is split only once the space is gone.
  text = sacrebleu::RStrip(text);
  if (options.case_sensitive) {
    buffer.assign(text);
  } else {
    sacrebleu::PythonLower(text, buffer);
  }
  if (options.normalized || options.no_punct) {
    CodePoints s;
    CodePoints tmp;
    Decode(buffer, s);
    if (options.normalized) {
      NormalizeWestern(s, options.asian_support, tmp);
    }
    if (options.no_punct) {
      RemovePunct(s, options.asian_support);
    }
    Encode(s, buffer);
  }
  tokens.clear();
  text::WhitespaceTokenizer words(buffer);
  while (std::optional<std::string_view> word = words.Next()) {
    tokens.push_back(*word);
  }
}

namespace {

void JoinTokens(const std::vector<std::string_view>& tokens, std::string& out) {
  out.clear();
  for (const std::string_view token : tokens) {
    if (!out.empty()) {
      out.push_back(' ');
    }
    out.append(token);
  }
}

}  // namespace

void TercomTokenizeReference(std::string_view text, const TercomOptions& options,
                             std::string& buffer, std::vector<std::string_view>& tokens) {
  TercomTokenize(text, options, buffer, tokens);
  if (options.normalized) {
    std::string first_pass;
    JoinTokens(tokens, first_pass);
    TercomTokenize(first_pass, options, buffer, tokens);
  }
}

std::string TercomNormalize(std::string_view text, const TercomOptions& options) {
  std::string buffer;
  std::vector<std::string_view> tokens;
  TercomTokenize(text, options, buffer, tokens);
  std::string out;
  JoinTokens(tokens, out);
  return out;
}

TerStats TranslationEditRate(std::span<const std::uint32_t> hypothesis,
                             std::span<const std::uint32_t> reference) {
  const std::size_t n_hyp = hypothesis.size();
  const std::size_t n_ref = reference.size();
  if (n_ref == 0) {
    return {static_cast<std::int64_t>(n_hyp), 0};
  }
  BeamEditDistance distance(reference, n_hyp);
  std::vector<std::uint32_t> words(hypothesis.begin(), hypothesis.end());
  std::vector<std::uint32_t> shifted;
  std::vector<Op> ops;
  std::vector<std::int64_t> align(n_ref);
  std::vector<int> hyp_err_sum(n_hyp + 1);
  std::vector<int> ref_err_sum(n_ref + 1);
  std::int64_t shifts = 0;
  int checked = 0;
  std::size_t valid_rows = 0;  // Rows of `distance` that already hold words' prefix.
  while (true) {
    const std::int32_t pre_score = distance.Compute(words, valid_rows);
    valid_rows = n_hyp + 1;
    if (!distance.Trace(ops)) {
      // Unreachable (see Trace); stop shifting rather than read an undefined alignment.
      return {shifts + pre_score, static_cast<std::int64_t>(n_ref)};
    }
    // lib_ter flips the trace (rewrite the reference into the hypothesis) and reads the alignment
    // from it: align[r] is the hypothesis position aligned with (or last before) reference word r.
    {
      std::int64_t h = -1;
      std::int64_t r = -1;
      for (const Op op : ops) {
        switch (op) {
          case Op::kNop:
          case Op::kSub:
            ++h;
            ++r;
            align[static_cast<std::size_t>(r)] = h;
            hyp_err_sum[static_cast<std::size_t>(h) + 1] = op == Op::kSub ? 1 : 0;
            ref_err_sum[static_cast<std::size_t>(r) + 1] = op == Op::kSub ? 1 : 0;
            break;
          case Op::kIns:  // A reference word with no hypothesis word.
            ++r;
            align[static_cast<std::size_t>(r)] = h;
            ref_err_sum[static_cast<std::size_t>(r) + 1] = 1;
            break;
          case Op::kDel:  // A hypothesis word with no reference word.
            ++h;
            hyp_err_sum[static_cast<std::size_t>(h) + 1] = 1;
            break;
          case Op::kUndef:
            break;
        }
      }
      for (std::size_t k = 0; k < n_hyp; ++k) {
        hyp_err_sum[k + 1] += hyp_err_sum[k];
      }
      for (std::size_t k = 0; k < n_ref; ++k) {
        ref_err_sum[k + 1] += ref_err_sum[k];
      }
    }

    bool found = false;
    Candidate best;
    bool capped = false;
    for (std::size_t start_h = 0; start_h < n_hyp && !capped; ++start_h) {
      const std::size_t r_begin = start_h > kMaxShiftDist ? start_h - kMaxShiftDist : 0;
      const std::size_t r_end = std::min(n_ref, start_h + kMaxShiftDist + 1);
      for (std::size_t start_r = r_begin; start_r < r_end && !capped; ++start_r) {
        // _find_shifted_pairs yields every prefix length of the match, up to kMaxShiftSize.
        for (std::size_t length = 1; length <= kMaxShiftSize; ++length) {
          if (start_h + length > n_hyp || start_r + length > n_ref ||
              words[start_h + length - 1] != reference[start_r + length - 1]) {
            break;
          }
          // Shift only words that are wrong where they are, to a place the reference words are
          // not already matched, and not within the block itself.
          if (hyp_err_sum[start_h + length] - hyp_err_sum[start_h] == 0 ||
              ref_err_sum[start_r + length] - ref_err_sum[start_r] == 0) {
            continue;
          }
          const std::int64_t aligned = align[start_r];
          if (static_cast<std::int64_t>(start_h) <= aligned &&
              aligned < static_cast<std::int64_t>(start_h + length)) {
            continue;
          }
          std::int64_t prev_target = -1;
          for (std::int64_t offset = -1; offset < static_cast<std::int64_t>(length); ++offset) {
            const std::int64_t r = static_cast<std::int64_t>(start_r) + offset;
            const std::int64_t target = r == -1 ? 0 : align[static_cast<std::size_t>(r)] + 1;
            if (target == prev_target) {
              continue;
            }
            prev_target = target;
            const auto target_u = static_cast<std::size_t>(target);
            PerformShift(words, start_h, length, target_u, shifted);
            const Candidate candidate{
                .gain = pre_score - distance.Evaluate(shifted, std::min(start_h, target_u)),
                .length = length,
                .start = start_h,
                .target = target_u};
            ++checked;
            if (!found || Better(candidate, best)) {
              best = candidate;
              found = true;
            }
          }
          if (checked >= kMaxShiftCandidates) {
            capped = true;
            break;
          }
        }
      }
    }
    // sacrebleu discards the best shift of the round that reached the cap.
    if (checked >= kMaxShiftCandidates || !found || best.gain <= 0) {
      return {shifts + pre_score, static_cast<std::int64_t>(n_ref)};
    }
    ++shifts;
    PerformShift(words, best.start, best.length, best.target, shifted);
    valid_rows = std::min(best.start, best.target) + 1;
    words.swap(shifted);
  }
}

double TerFromStats(double edits, double ref_length) {
  if (ref_length > 0) {
    return edits / ref_length;
  }
  return edits > 0 ? 1.0 : 0.0;
}

namespace {

class Ter final : public Reward {
 public:
  explicit Ter(const TerOptions& options)
      : tokenizer_{.normalized = options.normalized,
                   .no_punct = options.no_punct,
                   .asian_support = options.asian_support,
                   .case_sensitive = options.case_sensitive},
        as_reward_(options.output == "reward"),
        scale_(options.scale),
        max_words_(static_cast<std::size_t>(options.max_words)) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    if (std::optional<Score> bad = CheckReferences(sample.reference)) {
      return std::move(*bad);
    }
    const std::span<const Json> references = ReferenceItems(sample.reference);
    std::vector<std::string_view> hyp_tokens;
    std::vector<std::string_view> ref_tokens;
    TercomTokenize(sample.completion_text, tokenizer_, context.scratch, hyp_tokens);
    const std::size_t n_hyp = hyp_tokens.size();
    if (n_hyp > max_words_) {
      return TooLong(n_hyp, references, context);
    }
    TokenIds ids;
    std::vector<std::uint32_t> ref_ids;
    std::vector<std::uint32_t> hyp_ids(n_hyp);
    std::int64_t best_edits = std::numeric_limits<std::int64_t>::max();
    double ref_length_sum = 0;
    for (const Json& reference : references) {
      TercomTokenizeReference(ReferenceItemText(reference), tokenizer_, context.scratch2,
                              ref_tokens);
      if (ref_tokens.size() > max_words_) {
        return TooLongError(ref_tokens.size(), "a reference");
      }
      ids.Build(ref_tokens, ref_ids);
      for (std::size_t i = 0; i < n_hyp; ++i) {
        hyp_ids[i] = ids.Lookup(hyp_tokens[i]);
      }
      const TerStats stats = TranslationEditRate(hyp_ids, ref_ids);
      ref_length_sum += static_cast<double>(stats.ref_length);
      best_edits = std::min(best_edits, stats.edits);
    }
    // sacrebleu: the fewest edits over the references, over their average length.
    const double edits = static_cast<double>(best_edits);
    const double ref_length = ref_length_sum / static_cast<double>(references.size());
    if (!context.corpus_statistics.empty()) {
      context.corpus_statistics[0] = edits;
      context.corpus_statistics[1] = ref_length;
    }
    return Score::Ok(Output(TerFromStats(edits, ref_length)), n_hyp == 0 ? "no_answer" : "");
  }

  std::size_t corpus_statistics_size() const override { return 2; }

  double CorpusScore(std::span<const double> sums) const override {
    return Output(TerFromStats(sums[0], sums[1]));
  }

 private:
  double Output(double ter) const { return scale_ * (as_reward_ ? 1 - std::min(ter, 1.0) : ter); }

  Score TooLongError(std::size_t words, std::string_view what) const {
    return Score::Error("too_long", fmt::format("{} has {} words, over max_words = {}", what,
                                                words, max_words_));
  }

  // A hypothesis over the cap. Its TER is at least |n_hyp - n_ref| / n_ref against each reference
  // (shifts keep the length), so when it is at least twice as long as every reference its reward
  // is exactly 0 and needs no search; otherwise it cannot be scored within the budget.
  Score TooLong(std::size_t n_hyp, std::span<const Json> references, ScoreContext& context) const {
    if (!as_reward_ || !context.corpus_statistics.empty()) {
      return TooLongError(n_hyp, "the completion");
    }
    std::vector<std::string_view> ref_tokens;
    for (const Json& reference : references) {
      TercomTokenizeReference(ReferenceItemText(reference), tokenizer_, context.scratch2,
                              ref_tokens);
      if (n_hyp < 2 * ref_tokens.size()) {
        return TooLongError(n_hyp, "the completion");
      }
    }
    return Score::Ok(0, "too_long");
  }

  const TercomOptions tokenizer_;
  const bool as_reward_;
  const double scale_;
  const std::size_t max_words_;
};

}  // namespace

Status TerOptions::Validate() const {
  if (scale != 1 && scale != 100) {
    return InvalidArgumentError("scale: expected 1 or 100");
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<const Reward>> MakeTer(const TerOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<Ter>(options));
}

}  // namespace merit::text_metrics
