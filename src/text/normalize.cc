#include "text/normalize.h"

#include <algorithm>
#include <vector>

#include <utf8proc.h>

namespace merit::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 1;
};

// Decodes the code point at text[pos]. A byte that does not start a valid sequence (stray
// continuation, overlong form, surrogate, truncated sequence) decodes as U+FFFD of length 1, so
// scanning always advances.
Decoded DecodeAt(std::string_view text, std::size_t pos) {
  const auto byte = static_cast<unsigned char>(text[pos]);
  if (byte < 0x80) {
    return {byte, 1};
  }
  utf8proc_int32_t code_point = 0;
  const utf8proc_ssize_t length =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                       static_cast<utf8proc_ssize_t>(text.size() - pos), &code_point);
  if (length <= 0 || code_point < 0) {
    return {kReplacement, 1};
  }
  return {static_cast<char32_t>(code_point), static_cast<std::size_t>(length)};
}

void AppendUtf8(char32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
    return;
  }
  utf8proc_uint8_t bytes[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(code_point), bytes);
  out.append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(n));
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool IsAsciiPunctuation(char32_t c) {
  // Python's string.punctuation: the printable ASCII characters that are not letters, digits or
  // space.
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

bool IsPunctuation(char32_t c, PunctuationSet set) {
  if (c < 0x80) {
    return IsAsciiPunctuation(c);
  }
  if (set == PunctuationSet::kAscii) {
    return false;
  }
  const utf8proc_category_t category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

// Python's \w for str patterns (what SQuAD's \b looks at): letters, digits and other numbers,
// and '_'. Combining marks are not word characters, as in Python.
bool IsWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  const utf8proc_category_t category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO) ||
         (category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO);
}

char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsArticle(std::string_view word) {
  if (word.size() > 3) {
    return false;
  }
  char lower[3] = {};
  for (std::size_t i = 0; i < word.size(); ++i) {
    lower[i] = AsciiLower(word[i]);
  }
  const std::string_view w(lower, word.size());
  return w == "a" || w == "an" || w == "the";
}

int CombiningClass(utf8proc_int32_t c) {
  // No code point below U+0300 combines; skipping the table lookup keeps mostly-ASCII text fast.
  return c < 0x300 ? 0 : utf8proc_get_property(c)->combining_class;
}

// Step 1 for pure ASCII: NFKC is the identity and case folding is tolower.
void MapAscii(std::string_view text, const NormalizeOptions& options, std::string& out) {
  out.resize(text.size());
  char* const begin = out.data();
  char* write = begin;
  for (char c : text) {
    if (options.case_fold) {
      c = AsciiLower(c);
    }
    if (options.remove_punctuation && IsAsciiPunctuation(static_cast<unsigned char>(c))) {
      continue;
    }
    *write++ = c;
  }
  out.resize(static_cast<std::size_t>(write - begin));
}

// The longest expansion of one code point: full compatibility decomposition plus case folding
// (U+FDFA decomposes to 18 code points).
constexpr utf8proc_ssize_t kMaxExpansion = 64;

// Writes the case folding and/or decomposition of `code_point` to `buffer`; returns its length.
utf8proc_ssize_t Expand(char32_t code_point, utf8proc_option_t flags,
                        utf8proc_int32_t (&buffer)[kMaxExpansion]) {
  int boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(code_point),
                                                     buffer, kMaxExpansion, flags, &boundclass);
  if (n < 1 || n > kMaxExpansion) {
    buffer[0] = static_cast<utf8proc_int32_t>(code_point);
    return 1;
  }
  return n;
}

// Puts every run of combining marks in canonical order (stable by combining class). utf8proc's
// own reordering swaps neighbours one step at a time, which is quadratic on a long run of marks
// in descending class order; a model can emit that.
void CanonicalOrder(std::vector<utf8proc_int32_t>& code_points) {
  std::size_t i = 0;
  while (i < code_points.size()) {
    if (CombiningClass(code_points[i]) == 0) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < code_points.size() && CombiningClass(code_points[end]) != 0) {
      ++end;
    }
    if (end - i > 1) {
      std::stable_sort(code_points.begin() + static_cast<std::ptrdiff_t>(i),
                       code_points.begin() + static_cast<std::ptrdiff_t>(end),
                       [](utf8proc_int32_t a, utf8proc_int32_t b) {
                         return CombiningClass(a) < CombiningClass(b);
                       });
    }
    i = end;
  }
}

// Step 1 for text with non-ASCII bytes: decode (bad bytes become U+FFFD), NFKC and/or fold, drop
// punctuation, re-encode.
void MapUnicode(std::string_view text, const NormalizeOptions& options, std::string& out) {
  const auto emit = [&](char32_t c) {
    if (options.remove_punctuation && IsPunctuation(c, options.punctuation)) {
      return;
    }
    AppendUtf8(c, out);
  };
  utf8proc_int32_t expansion[kMaxExpansion];
  if (!options.nfkc) {
    for (std::size_t pos = 0; pos < text.size();) {
      const Decoded d = DecodeAt(text, pos);
      pos += d.length;
      if (!options.case_fold) {
        emit(d.code_point);
        continue;
      }
      if (d.code_point < 0x80) {
        emit(static_cast<unsigned char>(AsciiLower(static_cast<char>(d.code_point))));
        continue;
      }
      const utf8proc_ssize_t n = Expand(d.code_point, UTF8PROC_CASEFOLD, expansion);
      for (utf8proc_ssize_t k = 0; k < n; ++k) {
        emit(static_cast<char32_t>(expansion[k]));
      }
    }
    return;
  }
  // NFKC: full compatibility decomposition (with folding inside it, as utf8proc's
  // NFKC_Casefold does), canonical order, canonical composition.
  const utf8proc_option_t flags = static_cast<utf8proc_option_t>(
      UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | (options.case_fold ? UTF8PROC_CASEFOLD : 0));
  std::vector<utf8proc_int32_t> code_points;
  code_points.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const Decoded d = DecodeAt(text, pos);
    pos += d.length;
    if (d.code_point < 0x80) {  // ASCII is its own NFKC; folding it is tolower.
      const char c = static_cast<char>(d.code_point);
      code_points.push_back(options.case_fold ? AsciiLower(c) : c);
      continue;
    }
    const utf8proc_ssize_t n = Expand(d.code_point, flags, expansion);
    code_points.insert(code_points.end(), expansion, expansion + n);
  }
  CanonicalOrder(code_points);
  const utf8proc_ssize_t n = utf8proc_normalize_utf32(
      code_points.data(), static_cast<utf8proc_ssize_t>(code_points.size()),
      static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  const std::size_t count = n < 0 ? code_points.size() : static_cast<std::size_t>(n);
  for (std::size_t k = 0; k < count; ++k) {
    emit(static_cast<char32_t>(code_points[k]));
  }
}

// Step 3, in place (the text only shrinks): every word that is an article becomes one space.
void RemoveArticlesInPlace(std::string& s) {
  std::size_t write = 0;
  std::size_t read = 0;
  while (read < s.size()) {
    const Decoded d = DecodeAt(s, read);
    if (!IsWordChar(d.code_point)) {
      for (std::size_t k = 0; k < d.length; ++k) {
        s[write++] = s[read + k];
      }
      read += d.length;
      continue;
    }
    std::size_t end = read + d.length;
    while (end < s.size()) {
      const Decoded next = DecodeAt(s, end);
      if (!IsWordChar(next.code_point)) {
        break;
      }
      end += next.length;
    }
    if (IsArticle(std::string_view(s).substr(read, end - read))) {
      s[write++] = ' ';
    } else {
      for (std::size_t k = read; k < end; ++k) {
        s[write++] = s[k];
      }
    }
    read = end;
  }
  s.resize(write);
}

// Step 4, in place: ' '.join(s.split()).
void CollapseWhitespaceInPlace(std::string& s) {
  std::size_t write = 0;
  std::size_t read = 0;
  bool pending_space = false;
  while (read < s.size()) {
    const Decoded d = DecodeAt(s, read);
    if (IsPythonWhitespace(d.code_point)) {
      pending_space = write > 0;
      read += d.length;
      continue;
    }
    if (pending_space) {
      s[write++] = ' ';
      pending_space = false;
    }
    for (std::size_t k = 0; k < d.length; ++k) {
      s[write++] = s[read + k];
    }
    read += d.length;
  }
  s.resize(write);
}

}  // namespace

bool IsPythonWhitespace(char32_t c) {
  if (c < 0x80) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
  }
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

void NormalizeInto(std::string_view text, const NormalizeOptions& options, std::string& out) {
  out.clear();
  out.reserve(text.size());
  if (IsAscii(text)) {
    MapAscii(text, options, out);
  } else {
    MapUnicode(text, options, out);
  }
  if (options.remove_articles) {
    RemoveArticlesInPlace(out);
  }
  if (options.collapse_whitespace) {
    CollapseWhitespaceInPlace(out);
  }
}

std::string Normalize(std::string_view text, const NormalizeOptions& options) {
  std::string out;
  NormalizeInto(text, options, out);
  return out;
}

std::optional<std::string_view> WhitespaceTokenizer::Next() {
  // A bad byte decodes as U+FFFD, which is not whitespace, so it stays inside a token.
  while (pos_ < text_.size()) {
    const Decoded d = DecodeAt(text_, pos_);
    if (!IsPythonWhitespace(d.code_point)) {
      break;
    }
    pos_ += d.length;
  }
  if (pos_ >= text_.size()) {
    return std::nullopt;
  }
  const std::size_t start = pos_;
  while (pos_ < text_.size()) {
    const Decoded d = DecodeAt(text_, pos_);
    if (IsPythonWhitespace(d.code_point)) {
      break;
    }
    pos_ += d.length;
  }
  return text_.substr(start, pos_ - start);
}

std::size_t CountWhitespaceTokens(std::string_view text) {
  WhitespaceTokenizer tokens(text);
  std::size_t count = 0;
  while (tokens.Next()) {
    ++count;
  }
  return count;
}

}  // namespace merit::text
