#include "rewards/text/python_text.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <span>

namespace merit::sacrebleu {
namespace {

struct CodePointPair {
  char32_t from;
  char32_t to;
};

struct CodePointRange {
  char32_t first;
  char32_t last;
};

#include "rewards/text/unicode_tables.inc"

constexpr char32_t kCapitalSigma = 0x3A3;
constexpr char32_t kSmallSigma = 0x3C3;
constexpr char32_t kFinalSigma = 0x3C2;

bool InRanges(std::span<const CodePointRange> ranges, char32_t code_point) {
  const auto it = std::upper_bound(
      ranges.begin(), ranges.end(), code_point,
      [](char32_t cp, const CodePointRange& range) { return cp < range.first; });
  return it != ranges.begin() && code_point <= std::prev(it)->last;
}

char32_t LowerSimple(char32_t code_point) {
  if (code_point < 0x80) {
    return code_point >= 'A' && code_point <= 'Z' ? code_point + 32 : code_point;
  }
  const auto it = std::lower_bound(
      std::begin(kPythonLower), std::end(kPythonLower), code_point,
      [](const CodePointPair& pair, char32_t cp) { return pair.from < cp; });
  return it != std::end(kPythonLower) && it->from == code_point ? it->to : code_point;
}

bool IsCaseIgnorable(char32_t code_point) {
  return InRanges(kCaseIgnorable, code_point);
}

// Cased and not case-ignorable: the only cased code points the Final_Sigma rule ever inspects,
// since it skips case-ignorable ones first.
bool IsCasedStop(char32_t code_point) {
  return InRanges(kCased, code_point);
}

// CPython's handle_capital_sigma: final form when preceded by a cased letter and not followed
// by one, case-ignorable code points skipped on both sides. Each scan stops at the first code
// point that is not case-ignorable (a sigma included), so the scans stay linear overall.
bool IsFinalSigma(std::string_view text, std::size_t begin, std::size_t end) {
  bool preceded = false;
  std::size_t pos = begin;
  while (pos > 0) {
    std::size_t start = pos - 1;
    // Back up to the start of the previous code point (at most 3 continuation bytes).
    while (start > 0 && pos - start < 4 &&
           (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
      --start;
    }
    char32_t cp = 0;
    if (start + DecodeUtf8(text, start, cp) != pos) {
      start = pos - 1;  // An escaped byte: decode it alone.
      DecodeUtf8(text, start, cp);
    }
    if (!IsCaseIgnorable(cp)) {
      preceded = IsCasedStop(cp);
      break;
    }
    pos = start;
  }
  if (!preceded) {
    return false;
  }
  pos = end;
  while (pos < text.size()) {
    char32_t cp = 0;
    const std::size_t length = DecodeUtf8(text, pos, cp);
    if (!IsCaseIgnorable(cp)) {
      return !IsCasedStop(cp);
    }
    pos += length;
  }
  return true;
}

}  // namespace

std::size_t DecodeUtf8(std::string_view text, std::size_t pos, char32_t& code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  const auto escaped = [&] {
    code_point = 0xDC00 + lead;
    return std::size_t{1};
  };
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
    min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
    min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
    min = 0x10000;
  } else {
    return escaped();
  }
  if (pos + length > text.size()) {
    return escaped();
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) {
      return escaped();
    }
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return escaped();
  }
  code_point = cp;
  return length;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp >= 0xDC80 && cp <= 0xDCFF) {
    out += static_cast<char>(cp - 0xDC00);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::size_t NonAsciiWhitespaceLength(std::string_view text, std::size_t pos) {
  char32_t cp = 0;
  const std::size_t length = DecodeUtf8(text, pos, cp);
  const bool space = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                     cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
  return space ? length : 0;
}

std::string_view RStrip(std::string_view text) {
  // Stripped from the back, never decoding the whole text: every whitespace character is an
  // ASCII byte or a well-formed 2- or 3-byte sequence starting with a lead byte. No earlier
  // sequence can extend over a lead byte (sequences continue only with 10xxxxxx bytes, and an
  // ill-formed one decodes byte by byte), so such a sequence at the very end is the last code
  // point wherever decoding starts.
  while (!text.empty()) {
    const std::size_t n = text.size();
    if (static_cast<unsigned char>(text.back()) < 0x80) {
      if (WhitespaceLength(text, n - 1) == 0) {
        return text;
      }
      text.remove_suffix(1);
      continue;
    }
    std::size_t strip = 0;
    for (const std::size_t length : {std::size_t{2}, std::size_t{3}}) {
      if (n >= length && NonAsciiWhitespaceLength(text, n - length) == length) {
        strip = length;
        break;
      }
    }
    if (strip == 0) {
      return text;
    }
    text.remove_suffix(strip);
  }
  return text;
}

std::string_view Strip(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t space = WhitespaceLength(text, begin);
    if (space == 0) {
      break;
    }
    begin += space;
  }
  return RStrip(text.substr(begin));
}

void PythonLower(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      ++pos;
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = DecodeUtf8(text, pos, cp);
    if (cp == 0x130) {
      out += "i\xCC\x87";  // "i" + U+0307 COMBINING DOT ABOVE (SpecialCasing.txt).
    } else if (cp == kCapitalSigma) {
      AppendUtf8(IsFinalSigma(text, pos, pos + length) ? kFinalSigma : kSmallSigma, out);
    } else {
      AppendUtf8(LowerSimple(cp), out);
    }
    pos += length;
  }
}

bool IsNumber(char32_t code_point) {
  return InRanges(kNumber, code_point);
}

bool IsPunctuation(char32_t code_point) {
  return InRanges(kPunctuation, code_point);
}

bool IsSymbol(char32_t code_point) {
  return InRanges(kSymbol, code_point);
}

bool IsZhChinese(char32_t code_point) {
  return InRanges(kZhChinese, code_point);
}

}  // namespace merit::sacrebleu
