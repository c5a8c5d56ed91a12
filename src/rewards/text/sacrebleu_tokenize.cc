#include "rewards/text/sacrebleu_tokenize.h"

#include <array>
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

// TokenizerRegexp's four substitutions on `s` (bytes; see below for why bytes give the code
// point result), using `tmp` as the second buffer. The regexes are matched as re.sub matches:
// leftmost first, non-overlapping, so "a.,b" splits only its first mark in rule 2.
//
// Working on bytes is exact here: every rule's only multi-byte-capable element is a [^0-9] next
// to an ASCII '.', ',' or '-', and both the byte before an ASCII byte and the first byte after
// it fall at the same match boundaries as the code points they belong to.
void RegexpPasses(std::string& s, std::string& tmp) {
  // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 '
  tmp.clear();
  for (const char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80 && kSplitAlways[u]) {
      tmp += ' ';
      tmp += c;
      tmp += ' ';
    } else {
      tmp += c;
    }
  }
  s.swap(tmp);
  const bool has_period_or_comma = s.find_first_of(".,") != std::string::npos;
  if (has_period_or_comma) {
    // ([^0-9])([\.,]) -> '\1 \2 '
    tmp.clear();
    for (std::size_t i = 0; i < s.size();) {
      if (i + 1 < s.size() && !IsDigit(s[i]) && (s[i + 1] == '.' || s[i + 1] == ',')) {
        tmp += s[i];
        tmp += ' ';
        tmp += s[i + 1];
        tmp += ' ';
        i += 2;
      } else {
        tmp += s[i++];
      }
    }
    s.swap(tmp);
    // ([\.,])([^0-9]) -> ' \1 \2'
    tmp.clear();
    for (std::size_t i = 0; i < s.size();) {
      if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && !IsDigit(s[i + 1])) {
        tmp += ' ';
        tmp += s[i];
        tmp += ' ';
        tmp += s[i + 1];
        i += 2;
      } else {
        tmp += s[i++];
      }
    }
    s.swap(tmp);
  }
  if (s.find('-') != std::string::npos) {
    // ([0-9])(-) -> '\1 \2 '
    tmp.clear();
    for (std::size_t i = 0; i < s.size();) {
      if (i + 1 < s.size() && IsDigit(s[i]) && s[i + 1] == '-') {
        tmp += s[i];
        tmp += " - ";
        i += 2;
      } else {
        tmp += s[i++];
      }
    }
    s.swap(tmp);
  }
}

// str.split(): views of the maximal runs of non-whitespace.
void SplitWhitespace(std::string_view text, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t pos = 0;
  std::size_t start = std::string_view::npos;
  while (pos < text.size()) {
    if (const std::size_t space = WhitespaceLength(text, pos); space > 0) {
      if (start != std::string_view::npos) {
        tokens.push_back(text.substr(start, pos - start));
        start = std::string_view::npos;
      }
      pos += space;
      continue;
    }
    if (start == std::string_view::npos) {
      start = pos;
    }
    ++pos;  // Continuation bytes are never whitespace: stepping bytewise is safe.
  }
  if (start != std::string_view::npos) {
    tokens.push_back(text.substr(start));
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
      out_.assign(text);
      if (out_.find_first_of("<\n&") != std::string::npos) {
        static constexpr std::pair<std::string_view, std::string_view> kLines[] = {
            {"<skipped>", ""}, {"-\n", ""}, {"\n", " "}};
        ReplaceSequence(kLines, out_, tmp_);
        if (out_.find('&') != std::string::npos) {
          static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
              {"&quot;", "\""}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}};
          ReplaceSequence(kEntities, out_, tmp_);
        }
      }
      // f' {line} ': the padding lets a final '.' split off (rule 3 needs a next character).
      out_.insert(out_.begin(), ' ');
      out_ += ' ';
      RegexpPasses(out_, tmp_);
      break;
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
      RegexpPasses(out_, tmp_);
      break;
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
