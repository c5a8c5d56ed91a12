#include "rewards/match/number.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace merit::match {
namespace {

constexpr std::string_view kUnicodeMinus = "\xE2\x88\x92";  // U+2212
constexpr std::string_view kCurrencies[] = {
    "\\$",         "$", "\xE2\x82\xAC" /* € */, "\xC2\xA3" /* £ */, "\xC2\xA5" /* ¥ */,
    "\xE2\x82\xB9" /* ₹ */};
constexpr std::string_view kFracKeywords[] = {"\\frac", "\\dfrac", "\\tfrac"};
constexpr std::string_view kTimes[] = {"\\times", "\xC3\x97" /* × */, "\\cdot", "*"};

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool IsAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool HasAt(std::string_view text, std::size_t pos, std::string_view s) {
  return pos <= text.size() && text.substr(pos, s.size()) == s;
}

bool EndsAt(std::string_view text, std::size_t end, std::string_view s) {
  return end >= s.size() && text.substr(end - s.size(), s.size()) == s;
}

std::size_t SkipSpaces(std::string_view text, std::size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) {
    ++pos;
  }
  return pos;
}

std::size_t SkipDigits(std::string_view text, std::size_t pos) {
  while (pos < text.size() && IsDigit(text[pos])) {
    ++pos;
  }
  return pos;
}

// The length of a thousands separator at text[pos] (",", "{,}", "\,"), or 0.
std::size_t SeparatorAt(std::string_view text, std::size_t pos) {
  if (HasAt(text, pos, ",")) {
    return 1;
  }
  if (HasAt(text, pos, "{,}")) {
    return 3;
  }
  if (HasAt(text, pos, "\\,")) {
    return 2;
  }
  return 0;
}

struct Prefix {
  std::size_t begin = 0;
  bool negative = false;
};

// The sign and currency symbol written just before a number starting at `start`, in either
// order ("-$5", "$-5"). A '-' right after a letter, digit or closing bracket is a binary minus
// ("3-5", "x-1"), not a sign.
Prefix PrefixBefore(std::string_view text, std::size_t start) {
  Prefix prefix{.begin = start};
  bool seen_currency = false;
  bool seen_sign = false;
  for (int step = 0; step < 2; ++step) {
    const std::size_t at = prefix.begin;
    bool matched = false;
    if (!seen_currency) {
      for (std::string_view currency : kCurrencies) {
        if (EndsAt(text, at, currency)) {
          prefix.begin = at - currency.size();
          seen_currency = matched = true;
          break;
        }
      }
    }
    if (!matched && !seen_sign) {
      std::size_t sign_length = 0;
      bool minus = false;
      if (at > 0 && (text[at - 1] == '-' || text[at - 1] == '+')) {
        sign_length = 1;
        minus = text[at - 1] == '-';
      } else if (EndsAt(text, at, kUnicodeMinus)) {
        sign_length = kUnicodeMinus.size();
        minus = true;
      }
      if (sign_length > 0) {
        const std::size_t sign_pos = at - sign_length;
        const bool binary =
            sign_pos > 0 && (IsAlnum(text[sign_pos - 1]) || text[sign_pos - 1] == ')' ||
                             text[sign_pos - 1] == ']' || text[sign_pos - 1] == '}');
        if (!binary) {
          prefix.begin = sign_pos;
          prefix.negative = minus;
          seen_sign = matched = true;
        }
      }
    }
    if (!matched) {
      break;
    }
  }
  return prefix;
}

// Parses an exponent written "e-3", or " \times 10^{4}" / "×10^4" / "\cdot 10^-2"; on success
// appends "e<exponent>" to `digits` and returns the offset past it.
std::optional<std::size_t> ParseExponent(std::string_view text, std::size_t pos,
                                         std::string& digits) {
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    std::size_t p = pos + 1;
    const std::size_t sign = p;
    if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
      ++p;
    }
    const std::size_t end = SkipDigits(text, p);
    if (end == p) {
      return std::nullopt;
    }
    digits += 'e';
    digits.append(text.substr(sign, end - sign));
    return end;
  }
  std::size_t p = SkipSpaces(text, pos);
  bool times = false;
  for (std::string_view op : kTimes) {
    if (HasAt(text, p, op)) {
      p += op.size();
      times = true;
      break;
    }
  }
  if (!times) {
    return std::nullopt;
  }
  p = SkipSpaces(text, p);
  if (!HasAt(text, p, "10^")) {
    return std::nullopt;
  }
  p += 3;
  const bool braced = HasAt(text, p, "{");
  if (braced) {
    p = SkipSpaces(text, p + 1);
  }
  const std::size_t sign = p;
  if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
    ++p;
  }
  const std::size_t end = SkipDigits(text, p);
  if (end == p) {
    return std::nullopt;
  }
  std::size_t after = end;
  if (braced) {
    after = SkipSpaces(text, end);
    if (!HasAt(text, after, "}")) {
      return std::nullopt;
    }
    ++after;
  }
  digits += 'e';
  digits.append(text.substr(sign, end - sign));
  return after;
}

// std::from_chars, with out-of-range results mapped to ±inf or 0 by the decimal magnitude.
double ToDouble(std::string_view digits) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc()) {
    return value;
  }
  if (ec != std::errc::result_out_of_range) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  // Magnitude estimate: count the integer digits (or the fraction's leading zeros) and add the
  // exponent, saturated so that a long exponent cannot overflow.
  std::size_t i = digits[0] == '-' ? 1 : 0;
  long magnitude = 0;
  while (i < digits.size() && digits[i] == '0') {
    ++i;
  }
  for (; i < digits.size() && IsDigit(digits[i]); ++i) {
    ++magnitude;
  }
  if (magnitude == 0 && i < digits.size() && digits[i] == '.') {
    for (++i; i < digits.size() && digits[i] == '0'; ++i) {
      --magnitude;
    }
  }
  const std::size_t e = digits.find('e');
  if (e != std::string_view::npos) {
    std::size_t k = e + 1;
    const bool negative = k < digits.size() && digits[k] == '-';
    if (k < digits.size() && (digits[k] == '-' || digits[k] == '+')) {
      ++k;
    }
    long exponent = 0;
    for (; k < digits.size(); ++k) {
      exponent = std::min(exponent * 10 + (digits[k] - '0'), 100000L);
    }
    magnitude += negative ? -exponent : exponent;
  }
  const double big = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return digits[0] == '-' ? -big : big;
}

}  // namespace

std::optional<ParsedNumber> NumberScanner::Next() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    std::optional<ParsedNumber> number;
    if (IsDigit(c)) {
      number = ParseAt(pos_);
    } else if (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]) &&
               !(pos_ > 0 && IsDigit(text_[pos_ - 1]))) {
      number = ParseAt(pos_);
    } else if (c == '\\') {
      number = ParseFracAt(pos_);
    }
    if (number) {
      pos_ = number->end;
      return number;
    }
    ++pos_;
  }
  return std::nullopt;
}

// REQUIRES: text_[start] is a digit, or a '.' followed by a digit.
std::optional<ParsedNumber> NumberScanner::ParseAt(std::size_t start) {
  const std::string_view t = text_;
  const Prefix prefix = PrefixBefore(t, start);
  ParsedNumber number{.negative = prefix.negative, .begin = prefix.begin};
  std::string& digits = scratch_;
  digits.clear();
  if (prefix.negative) {
    digits += '-';
  }

  std::size_t p = SkipDigits(t, start);
  const std::size_t first_group = p - start;
  bool has_separator = false;
  if (first_group >= 1 && first_group <= 3) {
    // Thousands groups: exactly three digits after each separator, and no fourth.
    for (;;) {
      const std::size_t sep = SeparatorAt(t, p);
      if (sep == 0) {
        break;
      }
      const std::size_t group = p + sep;
      if (SkipDigits(t, group) != group + 3) {
        break;
      }
      p = group + 3;
      has_separator = true;
    }
  }
  number.integer_digits = t.substr(start, p - start);
  for (char c : number.integer_digits) {
    if (IsDigit(c)) {
      digits += c;
    }
  }
  if (digits.empty() || digits == "-") {
    digits += '0';  // ".5"
  }

  bool has_point = false;
  if (p + 1 < t.size() && t[p] == '.' && IsDigit(t[p + 1])) {
    const std::size_t end = SkipDigits(t, p + 1);
    digits.append(t.substr(p, end - p));
    p = end;
    has_point = true;
  }
  bool has_exponent = false;
  if (const std::optional<std::size_t> end = ParseExponent(t, p, digits)) {
    p = *end;
    has_exponent = true;
  }
  number.value = ToDouble(digits);

  bool has_fraction = false;
  if (!has_point && !has_exponent && !has_separator && p + 1 < t.size() && t[p] == '/' &&
      IsDigit(t[p + 1])) {
    const std::size_t end = SkipDigits(t, p + 1);
    const double denominator = ToDouble(t.substr(p + 1, end - p - 1));
    if (denominator != 0) {
      number.value /= denominator;
      p = end;
      has_fraction = true;
    }
  }
  bool percent = false;
  const std::size_t q = SkipSpaces(t, p);
  if (HasAt(t, q, "%")) {
    p = q + 1;
    percent = true;
  } else if (HasAt(t, q, "\\%")) {
    p = q + 2;
    percent = true;
  }
  if (percent && options_.percent_as_fraction) {
    number.value /= 100;
  }
  number.is_integer = !has_point && !has_exponent && !has_fraction &&
                      !(percent && options_.percent_as_fraction) && !number.integer_digits.empty();
  number.end = p;
  return number;
}

// \frac{a}{b}, \dfrac, \tfrac, with numeric arguments in braces or single digits (\frac12).
std::optional<ParsedNumber> NumberScanner::ParseFracAt(std::size_t pos) {
  const std::string_view t = text_;
  std::size_t p = pos;
  bool keyword = false;
  for (std::string_view k : kFracKeywords) {
    if (HasAt(t, pos, k)) {
      p = pos + k.size();
      keyword = true;
      break;
    }
  }
  if (!keyword) {
    return std::nullopt;
  }
  double parts[2] = {0, 0};
  for (double& part : parts) {
    p = SkipSpaces(t, p);
    if (p >= t.size()) {
      return std::nullopt;
    }
    if (IsDigit(t[p])) {  // \frac12
      part = t[p] - '0';
      ++p;
      continue;
    }
    if (t[p] != '{') {
      return std::nullopt;
    }
    p = SkipSpaces(t, p + 1);
    std::size_t digits_at = p;
    if (HasAt(t, p, "-") || HasAt(t, p, "+")) {
      digits_at = p + 1;
    } else if (HasAt(t, p, kUnicodeMinus)) {
      digits_at = p + kUnicodeMinus.size();
    }
    if (digits_at >= t.size() || !(IsDigit(t[digits_at]) || t[digits_at] == '.')) {
      return std::nullopt;
    }
    std::optional<ParsedNumber> inner = ParseAt(digits_at);
    // The argument must be one number and nothing else ("{-1}", not "{x-1}").
    if (!inner || inner->begin != p) {
      return std::nullopt;
    }
    p = SkipSpaces(t, inner->end);
    if (!HasAt(t, p, "}")) {
      return std::nullopt;
    }
    ++p;
    part = inner->value;
  }
  if (parts[1] == 0) {
    return std::nullopt;
  }
  const Prefix prefix = PrefixBefore(t, pos);
  ParsedNumber number{
      .value = parts[0] / parts[1], .negative = prefix.negative, .begin = prefix.begin, .end = p};
  if (prefix.negative) {
    number.value = -number.value;
  }
  if (number.value < 0) {
    number.negative = true;
  }
  return number;
}

std::optional<ParsedNumber> ParseSingleNumber(std::string_view text, NumberOptions options,
                                              std::string& scratch) {
  NumberScanner numbers(text, options, scratch);
  std::optional<ParsedNumber> first = numbers.Next();
  if (!first || numbers.Next()) {
    return std::nullopt;
  }
  return first;
}

bool SameInteger(const ParsedNumber& a, const ParsedNumber& b) {
  const auto significant = [](std::string_view digits) {
    std::size_t i = 0;
    while (i < digits.size() && (!IsDigit(digits[i]) || digits[i] == '0')) {
      ++i;
    }
    return digits.substr(i);
  };
  const std::string_view da = significant(a.integer_digits);
  const std::string_view db = significant(b.integer_digits);
  std::size_t i = 0;
  std::size_t j = 0;
  for (;;) {
    while (i < da.size() && !IsDigit(da[i])) {
      ++i;
    }
    while (j < db.size() && !IsDigit(db[j])) {
      ++j;
    }
    if (i == da.size() || j == db.size()) {
      break;
    }
    if (da[i] != db[j]) {
      return false;
    }
    ++i;
    ++j;
  }
  if (i != da.size() || j != db.size()) {
    return false;
  }
  return da.empty() || a.negative == b.negative;  // -0 == 0.
}

}  // namespace merit::match
