// Python str semantics that sacrebleu's BLEU and chrF depend on, over UTF-8 bytes: code points,
// str.isspace()/str.split(), str.lower(), the Unicode classes of sacrebleu's `intl` tokenizer
// (\p{N}, \p{P}, \p{S} of the `regex` module) and the CJK table of its `zh` tokenizer.
//
// The tables come from the peers themselves (gen_unicode_tables.py probes Python 3.11 /
// Unicode 14.0, regex 2026.11.19 and sacrebleu 2.6.0), so merit agrees with them code point for
// code point, quirks included.
//
// Bytes that are not well-formed UTF-8 decode one at a time to U+DC80..U+DCFF, as Python's
// "surrogateescape" error handler does, and encode back to the same byte: every byte string has
// a defined meaning and round-trips unchanged. Such code points are never whitespace, letters,
// numbers, punctuation or symbols.
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef MERIT_REWARDS_TEXT_PYTHON_TEXT_H_
#define MERIT_REWARDS_TEXT_PYTHON_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace merit::sacrebleu {

// Decodes the code point starting at text[pos] (REQUIRES: pos < text.size()) into `code_point`
// and returns its length in bytes (1..4).
std::size_t DecodeUtf8(std::string_view text, std::size_t pos, char32_t& code_point);

// Appends the UTF-8 form of `code_point` (U+DC80..U+DCFF as the single byte it escapes).
void AppendUtf8(char32_t code_point, std::string& out);

// The byte length of a non-ASCII Python whitespace character at text[pos], or 0.
std::size_t NonAsciiWhitespaceLength(std::string_view text, std::size_t pos);

// The byte length of the Python whitespace character (str.isspace()) at text[pos], or 0.
// Inline: tokenizers call it on every byte, and almost every byte is ASCII.
inline std::size_t WhitespaceLength(std::string_view text, std::size_t pos) {
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x80) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) ? 1 : 0;
  }
  // The non-ASCII Python whitespace: U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
  // U+202F, U+205F, U+3000. Only lead bytes C2, E1, E2, E3 can start one.
  return c == 0xC2 || (c >= 0xE1 && c <= 0xE3) ? NonAsciiWhitespaceLength(text, pos) : 0;
}

// text.rstrip() and text.strip() of Python (whitespace only).
std::string_view RStrip(std::string_view text);
std::string_view Strip(std::string_view text);

// Writes Python's text.lower() to `out` (replacing it): the Unicode lower-case map, U+0130 to
// "i\u0307", and capital sigma to final sigma where CPython's Final_Sigma context rule says so.
void PythonLower(std::string_view text, std::string& out);

// Membership in the `regex` module's \p{N}, \p{P} and \p{S}.
bool IsNumber(char32_t code_point);
bool IsPunctuation(char32_t code_point);
bool IsSymbol(char32_t code_point);

// sacrebleu's TokenizerZh._is_chinese_char. Its table compares one-character strings with
// two-character bounds such as '\u20000', so it also covers U+2001..U+2A6D (general punctuation,
// currency, arrows, math, ...): kept, since sacrebleu's scores depend on it.
bool IsZhChinese(char32_t code_point);

}  // namespace merit::sacrebleu

#endif  // MERIT_REWARDS_TEXT_PYTHON_TEXT_H_
