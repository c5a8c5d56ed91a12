// Steps shared by the match rewards: finding the answer in a completion (one extractor with a
// strategy, used by match.exact, match.f1 and match.numeric, whose finders match.choice also
// uses) and reading the reference.
//
// Every function here is linear in the length of its input and allocates nothing.
#ifndef MERIT_REWARDS_MATCH_COMMON_H_
#define MERIT_REWARDS_MATCH_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "merit/json.h"
#include "merit/result.h"

namespace merit::match {

// Where the answer is taken from. Names, as in configs: kExtractNames.
enum class Extract : std::uint8_t {
  kNone,         // The whole completion.
  kAnswerTag,    // The last <answer>…</answer>.
  kBoxed,        // The last \boxed{…} (or \fbox{…}), nested braces allowed.
  kFinalAnswer,  // The last "answer is X", "Answer: X" or "#### X"; else the last non-empty line.
  kAuto,         // Answer tag, else boxed, else those phrases, else the whole completion.
};
// (Except kNone, "the completion" means the part after any reasoning: see AfterThinking.)
inline constexpr std::string_view kExtractNames[] = {"none", "answer_tag", "boxed", "final_answer",
                                                     "auto"};
inline constexpr std::string_view kExtractDoc =
    "Where the answer is: none (the whole completion), answer_tag (last <answer>...</answer>), "
    "boxed (last \\boxed{...}), final_answer (last \"answer is X\" / \"Answer: X\" / \"#### X\", "
    "else the last non-empty line), auto (answer tag, else boxed, else those phrases, else the "
    "whole completion). All but none skip reasoning: only the text after the last </think> is "
    "searched.";

// REQUIRES: `name` is one of kExtractNames (option parsing checks it).
Extract ExtractFromName(std::string_view name);

// Which rule found an answer; match.numeric picks the first number of a phrase's rest of line
// ("the answer is 42 because 6 * 7") and the last number of anything else ("so x = 5").
enum class AnswerSource : std::uint8_t { kWhole, kAnswerTag, kBoxed, kPhrase, kLastLine };

struct Answer {
  std::string_view text = {};  // A view into the completion; trimmed, never empty.
  AnswerSource source = AnswerSource::kWhole;
};

// The part of a completion that can hold its answer: everything after the last "</think>", or
// the whole completion when there is none. Reasoning is never searched for answers: a model
// that weighs "the answer is A?" while thinking and then answers B has answered B.
std::string_view AfterThinking(std::string_view completion);

// The answer `mode` finds in `completion`, or nullopt when there is none (or it is blank).
// Every mode but kNone looks only at AfterThinking(completion).
// Answers found in a tag, box or phrase are cleaned: surrounding whitespace, markdown bold
// asterisks and a leading ':' are dropped, and a content that is itself one \boxed{...} is
// unwrapped ("<answer>\boxed{5}</answer>" → "5").
std::optional<Answer> ExtractAnswer(std::string_view completion, Extract mode);

// One match of a finder: the content, and the offset just past the match, where the next search
// starts.
struct Found {
  std::string_view content = {};
  std::size_t begin = 0;  // Offset of the match's first byte.
  std::size_t end = 0;    // Offset just past it.
};

// The first <answer>…</answer> starting at or after `from`, with the first closing tag after the
// opening one (as re.findall(r"<answer>(.*?)</answer>") pairs them). nullopt when there is none
// or it is not closed.
std::optional<Found> FindAnswerTag(std::string_view text, std::size_t from);

// The first \boxed{…} or \fbox{…} at or after `from`, with balanced braces (\{ and \} are
// escaped braces, not delimiters). Stops (nullopt) at an unclosed box: every later box lies
// inside it, and rescanning each would be quadratic.
std::optional<Found> FindBoxed(std::string_view text, std::size_t from);

// The first answer phrase at or after `from`: "answer is" (optionally followed by ':'),
// "answer:" (markdown "**Answer:**" and "**Answer**:" too), any letter case, or "####" (not a
// markdown heading: "#### Step 2" is not one). content is the rest of the line, up to the next
// phrase on it if any; when that is blank at the end of a line, the next non-empty line
// ("Final answer:\n42").
std::optional<Found> FindAnswerPhrase(std::string_view text, std::size_t from);

// Whitespace trimmed (ASCII whitespace).
std::string_view TrimSpace(std::string_view text);

// The last line of `text` that is not blank, trimmed; empty when there is none.
std::string_view LastNonEmptyLine(std::string_view text);

// The reference checks shared by every match reward. nullopt when `reference` is usable: a
// string, a number, or a non-empty list of those (any one is acceptable). Otherwise the score to
// return: Unscorable("no_reference") for null, an empty list or only blank strings;
// Unscorable("reference_unparseable") for any other type (objects, booleans, nested lists).
std::optional<Score> CheckReference(const Json& reference);

// The acceptable answers: the reference's elements when it is a list, else the reference itself.
std::span<const Json> ReferenceAlternatives(const Json& reference);

// The text of one alternative: a string's value or a number's source text ("1e3" stays "1e3",
// and a big integer keeps every digit). REQUIRES: it is a string or a number.
std::string_view ReferenceText(const Json& alternative);

}  // namespace merit::match

#endif  // MERIT_REWARDS_MATCH_COMMON_H_
