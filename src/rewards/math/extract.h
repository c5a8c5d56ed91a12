// Finding the final answer in a full model completion, for the math reward.
//
// Forms, in order of precedence (the first that is present wins):
//   1. the last <answer>...</answer> tag (a \boxed{} inside it is unwrapped);
//   2. \boxed{...} / \fbox{...} (nested braces): the last one, or every one in strict mode;
//   3. the last "final answer is X", "answer is X", "Answer: X" or GSM8K "#### X" phrase
//      (X is the rest of its sentence, or its $...$ span); else the last concluding sentence
//      ("Therefore, the total is **12**.": its bold text, math spans, or last number);
//   4. the last $...$, $$...$$, \(...\) or \[...\] span;
//   5. the whole text when it is one short line (an already extracted answer);
//   6. the last number.
// Every scan is linear in the completion's length and nothing recurses; forms 3-6 read only the
// last 16 KiB.
//
// Thread safety: pure functions over views.
#ifndef MERIT_REWARDS_MATH_EXTRACT_H_
#define MERIT_REWARDS_MATH_EXTRACT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace merit::math {

struct ExtractOptions {
  bool after_think = false;   // Search only the text after the last </think>.
  bool last_number = true;    // Form 6.
  bool all_boxes = false;     // Return every \boxed{} (strict mode), not just the last.
};

enum class AnswerSource : std::uint8_t {
  kNone,
  kAnswerTag,
  kBoxed,
  kPhrase,
  kConclusion,
  kMathSpan,
  kWhole,
  kLastNumber,
};

struct Extraction {
  AnswerSource source = AnswerSource::kNone;
  // The answers found, trimmed. Several only for kBoxed with all_boxes; may hold empty strings
  // (an empty \boxed{}).
  std::vector<std::string> answers;
};

Extraction ExtractAnswer(std::string_view completion, const ExtractOptions& options);

// Surrounding whitespace, '$', trailing '.', and markdown '**' removed.
std::string_view TrimAnswer(std::string_view text);

}  // namespace merit::math

#endif  // MERIT_REWARDS_MATH_EXTRACT_H_
