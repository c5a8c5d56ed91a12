// Numbers as models and data sets write them, for match.numeric.
//
// Recognised forms (each may be preceded by a sign, '-', '+' or U+2212 '−', and a currency
// symbol $ \$ € £ ¥ ₹ in either order):
//   integers and decimals        42   -3.5   .5   007
//   thousands separators         1,234,567   10{,}000   1\,000   (groups of exactly 3 digits)
//   scientific notation          1.5e-3   2E5   3 \times 10^{4}   3×10^4   3 \cdot 10^{-2}
//   fractions                    3/4   \frac{3}{4}   \dfrac{-1}{2}   \tfrac12
//   percents                     12.5%   12.5\%   (value 12.5, or 0.125 with percent_as_fraction)
// A sign counts only where it cannot be a minus between two terms: "3-5" is 3 and 5.
//
// Thread safety: stateless functions; NumberScanner is a cursor owned by one caller.
#ifndef MERIT_REWARDS_MATCH_NUMBER_H_
#define MERIT_REWARDS_MATCH_NUMBER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace merit::match {

struct ParsedNumber {
  double value = 0;         // ±inf or 0 past the range of a double; NaN never.
  bool is_integer = false;  // Written as an integer: no point, exponent, fraction, or a percent
                            // turned into a fraction.
  bool negative = false;
  std::string_view integer_digits = {};  // The integer part as written, separators included;
                                         // exact comparison of integers reads it.
  std::size_t begin = 0;  // The number's bytes in the scanned text (sign and currency
  std::size_t end = 0;    // included).
};

struct NumberOptions {
  bool percent_as_fraction = false;  // "12.5%" is 0.125 rather than 12.5.
};

// Finds the numbers in a text, left to right, in one linear pass.
//
//   std::string scratch;
//   NumberScanner numbers("from 1,200 to 3/4", {}, scratch);
//   while (std::optional<ParsedNumber> n = numbers.Next()) { ... }  // 1200, then 0.75
class NumberScanner {
 public:
  // `scratch` is caller scratch for digit strings (separators removed); it must outlive the
  // scanner, and reusing it across calls avoids allocation.
  NumberScanner(std::string_view text, NumberOptions options, std::string& scratch)
      : text_(text), options_(options), scratch_(scratch) {}

  std::optional<ParsedNumber> Next();

 private:
  std::optional<ParsedNumber> ParseAt(std::size_t pos);
  std::optional<ParsedNumber> ParseFracAt(std::size_t pos);

  std::string_view text_;
  NumberOptions options_;
  std::string& scratch_;
  std::size_t pos_ = 0;
};

// The only number in `text`; nullopt when it holds none or several ("5 apples" → 5, "3 to 4" →
// nullopt).
std::optional<ParsedNumber> ParseSingleNumber(std::string_view text, NumberOptions options,
                                              std::string& scratch);

// Both are integers with the same value, compared digit by digit (any length, no rounding).
// REQUIRES: a.is_integer && b.is_integer.
bool SameInteger(const ParsedNumber& a, const ParsedNumber& b);

}  // namespace merit::match

#endif  // MERIT_REWARDS_MATCH_NUMBER_H_
