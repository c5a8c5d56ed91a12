#include "text/length.h"

namespace merit::text {
namespace {

// One decoded step: a code point and its byte length, or an invalid byte (valid = false, len 1).
struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 1;
  bool valid = false;
};

bool IsContinuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// Decodes the well-formed sequence at text[pos] per Unicode Table 3-7 (the strict reading of
// RFC 3629). The table's narrowed second-byte ranges for E0, ED, F0 and F4 are what exclude
// overlong forms, surrogates and code points above U+10FFFF.
Decoded DecodeAt(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) {
    return static_cast<unsigned char>(text[pos + i]);
  };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    return {.code_point = b0, .length = 1, .valid = true};
  }
  const std::size_t left = text.size() - pos;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  std::size_t length = 0;
  char32_t code_point = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    code_point = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    code_point = b0 & 0x0F;
    if (b0 == 0xE0) {
      lo = 0xA0;
    }
    if (b0 == 0xED) {
      hi = 0x9F;
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    code_point = b0 & 0x07;
    if (b0 == 0xF0) {
      lo = 0x90;
    }
    if (b0 == 0xF4) {
      hi = 0x8F;
    }
  } else {
    return {};
  }
  if (left < length) {
    return {};
  }
  const unsigned char b1 = byte(1);
  if (b1 < lo || b1 > hi) {
    return {};
  }
  code_point = (code_point << 6) | (b1 & 0x3F);
  for (std::size_t i = 2; i < length; ++i) {
    if (!IsContinuation(byte(i))) {
      return {};
    }
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  return {.code_point = code_point, .length = length, .valid = true};
}

// Python's str.isspace() set, which str.split() splits on.
bool IsWhitespace(char32_t c) {
  if (c <= 0x20) {
    return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  }
  if (c < 0x85) {
    return false;
  }
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Whether a whitespace character starts at text[pos], and its byte length.
struct SpaceAt {
  bool space = false;
  std::size_t length = 1;
};

SpaceAt WhitespaceAt(std::string_view text, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    return {.space = IsWhitespace(b0), .length = 1};
  }
  const Decoded d = DecodeAt(text, pos);
  return {.space = d.valid && IsWhitespace(d.code_point), .length = d.length};
}

}  // namespace

LengthUnit ParseLengthUnit(std::string_view name) {
  if (name == "words") {
    return LengthUnit::kWords;
  }
  if (name == "tokens") {
    return LengthUnit::kTokens;
  }
  return LengthUnit::kChars;
}

std::size_t CodePointLength(std::string_view text) {
  return DecodeAt(text, 0).length;
}

std::size_t CountCodePoints(std::string_view text) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    // ASCII is the common case and needs no decoding.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
    } else {
      pos += DecodeAt(text, pos).length;
    }
    ++count;
  }
  return count;
}

std::optional<std::string_view> Words::Next() {
  while (pos_ < text_.size()) {
    const SpaceAt s = WhitespaceAt(text_, pos_);
    if (!s.space) {
      break;
    }
    pos_ += s.length;
  }
  if (pos_ >= text_.size()) {
    return std::nullopt;
  }
  const std::size_t start = pos_;
  while (pos_ < text_.size()) {
    const SpaceAt s = WhitespaceAt(text_, pos_);
    if (s.space) {
      break;
    }
    pos_ += s.length;
  }
  return text_.substr(start, pos_ - start);
}

std::optional<std::string_view> CodePoints::Next() {
  if (pos_ >= text_.size()) {
    return std::nullopt;
  }
  const std::size_t length = DecodeAt(text_, pos_).length;
  const std::string_view point = text_.substr(pos_, length);
  pos_ += length;
  return point;
}

std::size_t CountWords(std::string_view text) {
  std::size_t count = 0;
  Words words(text);
  while (words.Next()) {
    ++count;
  }
  return count;
}

bool IsBlank(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const SpaceAt s = WhitespaceAt(text, pos);
    if (!s.space) {
      return false;
    }
    pos += s.length;
  }
  return true;
}

std::optional<std::int64_t> CompletionLength(const Sample& sample, LengthUnit unit) {
  switch (unit) {
    case LengthUnit::kChars:
      return static_cast<std::int64_t>(CountCodePoints(sample.completion_text));
    case LengthUnit::kWords:
      return static_cast<std::int64_t>(CountWords(sample.completion_text));
    case LengthUnit::kTokens:
      return sample.num_tokens;
  }
  return std::nullopt;
}

}  // namespace merit::text
