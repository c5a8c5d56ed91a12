// How long a completion is, in one of three units, for every length-based reward (penalty.length,
// penalty.overlong, penalty.repetition). One definition, so that "500 words" means the same thing
// to every reward.
//
//   chars   Unicode code points of the UTF-8 text. A byte that does not start a well-formed UTF-8
//           sequence (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) counts as
//           one, and decoding resumes at the next byte; so the count never exceeds the byte count.
//   words   Maximal runs of non-whitespace, as Python's str.split() with no argument: whitespace is
//           ASCII 0x09-0x0D, 0x1C-0x20 and the Unicode White_Space characters U+0085, U+00A0,
//           U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Invalid bytes are
//           never whitespace.
//   tokens  The sample's num_tokens (the trainer's tokenizer count). merit has no tokenizer, so a
//           sample without num_tokens has no token length.
//
// Every function here is linear in the text, allocates nothing and is thread-safe.
#ifndef MERIT_TEXT_LENGTH_H_
#define MERIT_TEXT_LENGTH_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "merit/sample.h"

namespace merit::text {

enum class LengthUnit : std::uint8_t { kChars, kWords, kTokens };

// The option values (`unit: chars`), in LengthUnit order, for Field's Limits::choices.
inline constexpr std::string_view kLengthUnits[] = {"chars", "words", "tokens"};
// The units that need only the text (no num_tokens): for rewards that look at the tokens
// themselves, such as penalty.repetition.
inline constexpr std::string_view kTextLengthUnits[] = {"chars", "words"};

// The unit named `name`. REQUIRES: `name` is one of kLengthUnits (options validate that first);
// any other name gives kChars.
LengthUnit ParseLengthUnit(std::string_view name);

// The byte length of the code point (or lone invalid byte) starting at text[0]: 1 to 4.
// REQUIRES: !text.empty().
std::size_t CodePointLength(std::string_view text);

// The number of code points in `text`, invalid bytes counting one each.
std::size_t CountCodePoints(std::string_view text);

// The number of whitespace-separated words in `text`.
std::size_t CountWords(std::string_view text);

// True when `text` is empty or only whitespace (the `words` definition above).
bool IsBlank(std::string_view text);

// The completion's length in `unit`; nullopt only when unit is kTokens and the sample has no
// num_tokens (callers report that as Score::Error("no_token_count", ...)).
std::optional<std::int64_t> CompletionLength(const Sample& sample, LengthUnit unit);

// Iterates over the words (non-empty views into `text`) in order, without allocating:
//   Words words(text);
//   while (std::optional<std::string_view> word = words.Next()) { ... }
// The views live as long as `text`.
class Words {
 public:
  explicit Words(std::string_view text) : text_(text) {}

  std::optional<std::string_view> Next();

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Iterates over the code points of `text`, each as a view of its 1-4 bytes (a lone invalid byte is
// its own 1-byte view), without allocating.
class CodePoints {
 public:
  explicit CodePoints(std::string_view text) : text_(text) {}

  std::optional<std::string_view> Next();

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace merit::text

#endif  // MERIT_TEXT_LENGTH_H_
