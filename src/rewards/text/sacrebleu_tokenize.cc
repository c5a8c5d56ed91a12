#include "rewards/text/sacrebleu_tokenize.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "rewards/text/python_text.h"

namespace merit::sacrebleu {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// 13a's first regex, [\{-\~\[-\` -\&\(-\+\:-\@\/]: ASCII symbols and punctuation except
// ' , - . (which the later rules treat by context).
constexpr std::array<bool, 128> kSplitAlways = [] {
  std::array<bool, 128> table{};
  const auto mark = [&](char first, char last) {
    for (int c = first; c <= last; ++c) {
      table[static_cast<std::size_t>(c)] = true;
    }
  };
  mark('{', '~');
  mark('[', '`');
  mark(' ', '&');
  mark('(', '+');
  mark(':', '@');
  mark('/', '/');
  return table;
}();

// Python's in.replace(from, to), appended to out (which is cleared).
void ReplaceAll(std::string_view in, std::string_view from, std::string_view to,
                std::string& out) {
  out.clear();
  std::size_t pos = 0;
  while (true) {
    const std::size_t hit = in.find(from, pos);
    if (hit == std::string_view::npos) {
      break;
    }
    out.append(in, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(in, pos);
}

// Applies each replacement in turn, as consecutive str.replace calls do. The result is in `a`.
template <std::size_t N>
void ReplaceSequence(const std::pair<std::string_view, std::string_view> (&steps)[N],
                     std::string& a, std::string& b) {
  for (const auto& [from, to] : steps) {
    if (a.find(from) == std::string::npos) {
      continue;
    }
    ReplaceAll(a, from, to, b);
    a.swap(b);
  }
}

// Makes `buffer` at least `size` bytes long. The passes below write through raw pointers into
// buffers that only grow, so a sample costs no allocation and no per-byte capacity check.
char* Reserve(std::string& buffer, std::size_t size) {
  if (buffer.size() < size) {
    buffer.resize(size);
  }
  return buffer.data();
}

bool IsPeriodOrComma(char c) {
  return c == '.' || c == ',';
}

// The first index >= from whose byte is '.' or ',', or n.
std::size_t NextPeriodOrComma(const char* in, std::size_t from, std::size_t n) {
  while (from < n && !IsPeriodOrComma(in[from])) {
    ++from;
  }
  return from;
}

// Rules 2-4 below can only match where their '.', ',' or '-' is: each pass copies the bytes
// between those marks in bulk and decides at each mark exactly as the scan of re.sub would
// (a byte consumed by a match cannot start the next one).

// ([^0-9])([\.,]) -> '\1 \2 ' over in[0, n), into out; returns the output length (<= 2n).
std::size_t PeriodCommaAfterNonDigit(const char* in, std::size_t n, char* out) {
  std::size_t w = 0;
  std::size_t i = 0;  // The next byte that may start a match.
  while (i < n) {
    const std::size_t mark = NextPeriodOrComma(in, i + 1, n);
    if (mark == n) {
      break;
    }
    // No match starts before mark - 1: none is followed by '.' or ','.
    std::memcpy(out + w, in + i, mark - 1 - i);
    w += mark - 1 - i;
    if (!IsDigit(in[mark - 1])) {
      out[w] = in[mark - 1];
      out[w + 1] = ' ';
      out[w + 2] = in[mark];
      out[w + 3] = ' ';
      w += 4;
      i = mark + 1;
    } else {
      out[w++] = in[mark - 1];
      i = mark;
    }
  }
  if (i < n) {
    std::memcpy(out + w, in + i, n - i);
    w += n - i;
  }
  return w;
}

// ([\.,])([^0-9]) -> ' \1 \2'.
std::size_t PeriodCommaBeforeNonDigit(const char* in, std::size_t n, char* out) {
  std::size_t w = 0;
  std::size_t i = 0;
  while (i < n) {
    const std::size_t mark = NextPeriodOrComma(in, i, n);
    std::memcpy(out + w, in + i, mark - i);
    w += mark - i;
    if (mark == n) {
      return w;
    }
    if (mark + 1 < n && !IsDigit(in[mark + 1])) {
      out[w] = ' ';
      out[w + 1] = in[mark];
      out[w + 2] = ' ';
      out[w + 3] = in[mark + 1];
      w += 4;
      i = mark + 2;
    } else {
      out[w++] = in[mark];
      i = mark + 1;
    }
  }
  return w;
}

// ([0-9])(-) -> '\1 \2 '.
std::size_t DashAfterDigit(const char* in, std::size_t n, char* out) {
  std::size_t w = 0;
  std::size_t i = 0;
  while (i + 1 < n) {
    const void* found = std::memchr(in + i + 1, '-', n - i - 1);
    if (found == nullptr) {
      break;
    }
    const auto dash = static_cast<std::size_t>(static_cast<const char*>(found) - in);
    std::memcpy(out + w, in + i, dash - 1 - i);
    w += dash - 1 - i;
    if (IsDigit(in[dash - 1])) {
      out[w] = in[dash - 1];
      out[w + 1] = ' ';
      out[w + 2] = '-';
      out[w + 3] = ' ';
      w += 4;
      i = dash + 1;
    } else {
      out[w++] = in[dash - 1];
      i = dash;
    }
  }
  if (i < n) {
    std::memcpy(out + w, in + i, n - i);
    w += n - i;
  }
  return w;
}

// Rules 2-4 of TokenizerRegexp on the first n bytes of `a`, each its own pass over the previous
// one's output, matched as re.sub matches: leftmost first, non-overlapping, so "a.,b" splits only
// its first mark in rule 2. Rules whose characters are absent are skipped. Returns the result, a
// view into `a` or `b`, the two buffers the passes alternate between.
//
// Working on bytes is exact here: every rule's only multi-byte-capable element is a [^0-9] next
// to an ASCII '.', ',' or '-', and both the byte before an ASCII byte and the first byte after
// it fall at the same match boundaries as the code points they belong to.
std::string_view MarkRules(std::string& a, std::string& b, std::size_t n, bool has_period_or_comma,
                           bool has_dash) {
  std::string* in_buffer = &a;
  std::string* out_buffer = &b;
  const auto run = [&](std::size_t (*pass)(const char*, std::size_t, char*)) {
    char* dest = Reserve(*out_buffer, 2 * n);  // Each rule at most doubles its input.
    n = pass(in_buffer->data(), n, dest);
    std::swap(in_buffer, out_buffer);
  };
  if (has_period_or_comma) {
    run(&PeriodCommaAfterNonDigit);
    run(&PeriodCommaBeforeNonDigit);
  }
  if (has_dash) {
    run(&DashAfterDigit);
  }
  return {in_buffer->data(), n};
}

// TokenizerRegexp's four substitutions on `text`, unpadded (as the zh tokenizer applies them; 13a
// pads and uses Scan13a below). Returns the result, a view into `a` or `b`.
std::string_view RegexpPasses(std::string_view text, std::string& a, std::string& b) {
  // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 ': at most 3 bytes per byte.
  char* out = Reserve(a, 3 * text.size());
  std::size_t n = 0;
  bool has_period_or_comma = false;
  bool has_dash = false;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && kSplitAlways[u]) {
      out[n] = ' ';
      out[n + 1] = c;
      out[n + 2] = ' ';
      n += 3;
    } else {
      has_period_or_comma |= c == '.' || c == ',';
      has_dash |= c == '-';
      out[n++] = c;
    }
  }
  return MarkRules(a, b, n, has_period_or_comma, has_dash);
}

// 13a's regex passes and str.split() in one scan (RegexpPasses then SplitWhitespace give the same
// tokens; the zh tokenizer still uses them). Rule 1 surrounds every always-split character with
// spaces, so in its output such a character stands alone between whitespace, where rules 2-4
// cannot use it: their patterns pair a '.', ',' or '-' with a neighbour, and an always-split
// character is never a mark and its neighbours are spaces. Whitespace can only be the [^0-9] of
// a pair, and then only with the one mark beside it, so a pair never spans whitespace and no
// piece of whitespace is wanted by two pairs of one pass. Hence the passes act on each run of
// other bytes alone, as if between two spaces (13a pads the text with spaces, so the text's
// first and last run have them too). Runs without a mark are tokens as they stand; the rest go
// through rules 2-4 in a small buffer.
class Scan13a {
 public:
  Scan13a(std::string& pass_a, std::string& pass_b, std::string& arena,
          std::vector<std::string_view>& tokens)
      : pass_a_(pass_a), pass_b_(pass_b), arena_(arena), tokens_(tokens) {}

  void Run(std::string_view text) {
    tokens_.clear();
    // Tokens split out of marked runs are copied here; they never hold more bytes than the
    // text, so the buffer never moves under the views.
    arena_used_ = 0;
    arena_data_ = Reserve(arena_, text.size());
    const char* s = text.data();
    const std::size_t n = text.size();
    std::size_t start = 0;  // Of the current run.
    std::uint8_t marks = 0;
    for (std::size_t i = 0; i < n;) {
      const std::uint8_t kind = kByteClass[static_cast<unsigned char>(s[i])];
      if (kind <= kDash) {  // kWord, kPeriodComma, kDash.
        marks |= kind;
        ++i;
        continue;
      }
      std::size_t length = 1;
      if (kind == kMaybeSpace) {
        length = NonAsciiWhitespaceLength(text, i);
        if (length == 0) {  // Some other character: part of the run.
          ++i;
          continue;
        }
      }
      EndRun(text.substr(start, i - start), marks);
      if (kind == kSplit) {
        tokens_.emplace_back(s + i, 1);
      }
      i += length;
      start = i;
      marks = 0;
    }
    EndRun(text.substr(start), marks);
  }

 private:
  // kByteClass: how a byte takes part in the scan. Values up to kDash are flags of a run byte.
  static constexpr std::uint8_t kWord = 0;
  static constexpr std::uint8_t kPeriodComma = 1;
  static constexpr std::uint8_t kDash = 2;
  static constexpr std::uint8_t kSplit = 4;       // Rule 1's characters other than ' '.
  static constexpr std::uint8_t kSpace = 5;       // ASCII whitespace.
  static constexpr std::uint8_t kMaybeSpace = 6;  // The lead bytes of non-ASCII whitespace.

  static constexpr std::array<std::uint8_t, 256> kByteClass = [] {
    std::array<std::uint8_t, 256> table{};
    table.fill(kWord);  // Every byte not classed below is part of a word.
    for (std::size_t c = 0; c < 128; ++c) {
      if (kSplitAlways[c]) {
        table[c] = kSplit;
      }
    }
    for (const std::size_t c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20}) {
      table[c] = kSpace;
    }
    table['.'] = table[','] = kPeriodComma;
    table['-'] = kDash;
    for (const std::size_t c : {0xC2, 0xE1, 0xE2, 0xE3}) {
      table[c] = kMaybeSpace;
    }
    return table;
  }();

  void EndRun(std::string_view run, std::uint8_t marks) {
    if (run.empty()) {
      return;
    }
    if (marks == 0) {
      tokens_.push_back(run);
      return;
    }
    char* in = Reserve(pass_a_, run.size() + 2);
    in[0] = ' ';
    std::memcpy(in + 1, run.data(), run.size());
    in[run.size() + 1] = ' ';
    const std::string_view split = MarkRules(pass_a_, pass_b_, run.size() + 2,
                                             (marks & kPeriodComma) != 0, (marks & kDash) != 0);
    // The rules insert only ' ', and the run had no whitespace: split on ' '.
    const char* out = split.data();
    const std::size_t n = split.size();
    for (std::size_t i = 0; i < n;) {
      if (out[i] == ' ') {
        ++i;
        continue;
      }
      std::size_t end = i + 1;
      while (end < n && out[end] != ' ') {
        ++end;
      }
      char* token = arena_data_ + arena_used_;
      std::memcpy(token, out + i, end - i);
      arena_used_ += end - i;
      tokens_.emplace_back(token, end - i);
      i = end;
    }
  }

  std::string& pass_a_;
  std::string& pass_b_;
  std::string& arena_;
  std::vector<std::string_view>& tokens_;
  char* arena_data_ = nullptr;
  std::size_t arena_used_ = 0;
};

// str.split(): views of the maximal runs of non-whitespace.
void SplitWhitespace(std::string_view text, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t pos = 0;
  const std::size_t n = text.size();
  while (pos < n) {
    while (pos < n) {
      const std::size_t space = WhitespaceLength(text, pos);
      if (space == 0) {
        break;
      }
      pos += space;
    }
    if (pos == n) {
      break;
    }
    const std::size_t start = pos;
    ++pos;  // Continuation bytes are never whitespace: stepping bytewise is safe.
    while (pos < n && WhitespaceLength(text, pos) == 0) {
      ++pos;
    }
    tokens.emplace_back(text.data() + start, pos - start);
  }
}

void DecodeAll(std::string_view text, std::u32string& out) {
  out.clear();
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    pos += DecodeUtf8(text, pos, cp);
    out += cp;
  }
}

void EncodeAll(std::u32string_view code_points, std::string& out) {
  out.clear();
  for (const char32_t cp : code_points) {
    AppendUtf8(cp, out);
  }
}

// TokenizerV14International's three regex.sub passes, on code points.
void IntlPasses(std::u32string& s, std::u32string& tmp) {
  // (\P{N})(\p{P}) -> '\1 \2 '
  tmp.clear();
  for (std::size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && !IsNumber(s[i]) && IsPunctuation(s[i + 1])) {
      tmp += s[i];
      tmp += U' ';
      tmp += s[i + 1];
      tmp += U' ';
      i += 2;
    } else {
      tmp += s[i++];
    }
  }
  s.swap(tmp);
  // (\p{P})(\P{N}) -> ' \1 \2'
  tmp.clear();
  for (std::size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && IsPunctuation(s[i]) && !IsNumber(s[i + 1])) {
      tmp += U' ';
      tmp += s[i];
      tmp += U' ';
      tmp += s[i + 1];
      i += 2;
    } else {
      tmp += s[i++];
    }
  }
  s.swap(tmp);
  // (\p{S}) -> ' \1 '
  tmp.clear();
  for (const char32_t c : s) {
    if (IsSymbol(c)) {
      tmp += U' ';
      tmp += c;
      tmp += U' ';
    } else {
      tmp += c;
    }
  }
  s.swap(tmp);
}

}  // namespace

std::string_view TokenizerName(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::k13a:
      return "13a";
    case TokenizerKind::kIntl:
      return "intl";
    case TokenizerKind::kZh:
      return "zh";
    case TokenizerKind::kChar:
      return "char";
    case TokenizerKind::kNone:
      return "none";
  }
  return "13a";
}

void Tokenizer::Tokenize(std::string_view text, const TokenizeOptions& options,
                         std::vector<std::string_view>& tokens) {
  if (options.lowercase) {
    PythonLower(text, lower_);
    text = lower_;
  }
  if (options.rstrip) {
    text = RStrip(text);
  }
  switch (options.kind) {
    case TokenizerKind::k13a: {
      if (text.find('<') != std::string_view::npos || text.find('\n') != std::string_view::npos ||
          text.find('&') != std::string_view::npos) {
        tmp_.assign(text);
        static constexpr std::pair<std::string_view, std::string_view> kLines[] = {
            {"<skipped>", ""}, {"-\n", ""}, {"\n", " "}};
        ReplaceSequence(kLines, tmp_, out_);
        if (tmp_.find('&') != std::string::npos) {
          static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
              {"&quot;", "\""}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}};
          ReplaceSequence(kEntities, tmp_, out_);
        }
        replaced_.swap(tmp_);
        text = replaced_;
      }
      Scan13a(out_, tmp_, arena_, tokens).Run(text);
      return;
    }
    case TokenizerKind::kZh: {
      const std::string_view stripped = Strip(text);
      out_.clear();
      for (std::size_t pos = 0; pos < stripped.size();) {
        char32_t cp = 0;
        const std::size_t length = DecodeUtf8(stripped, pos, cp);
        if (cp >= 0x80 && IsZhChinese(cp)) {
          out_ += ' ';
          out_.append(stripped, pos, length);
          out_ += ' ';
        } else {
          out_.append(stripped, pos, length);
        }
        pos += length;
      }
      replaced_.swap(out_);
      SplitWhitespace(RegexpPasses(replaced_, out_, tmp_), tokens);
      return;
    }
    case TokenizerKind::kIntl:
      DecodeAll(text, code_points_);
      IntlPasses(code_points_, code_points_tmp_);
      EncodeAll(code_points_, out_);
      break;
    case TokenizerKind::kChar: {
      // " ".join(line) then split(): every code point that is not whitespace.
      out_.assign(text);
      tokens.clear();
      const std::string_view all = out_;
      for (std::size_t pos = 0; pos < all.size();) {
        if (const std::size_t space = WhitespaceLength(all, pos); space > 0) {
          pos += space;
          continue;
        }
        char32_t cp = 0;
        const std::size_t length = DecodeUtf8(all, pos, cp);
        tokens.push_back(all.substr(pos, length));
        pos += length;
      }
      return;
    }
    case TokenizerKind::kNone:
      out_.assign(text);
      break;
  }
  SplitWhitespace(out_, tokens);
}

std::string TokenizeToString(std::string_view text, const TokenizeOptions& options) {
  Tokenizer tokenizer;
  std::vector<std::string_view> tokens;
  tokenizer.Tokenize(text, options, tokens);
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) {
      out += ' ';
    }
    out += tokens[i];
  }
  return out;
}

}  // namespace merit::sacrebleu
