// The deterministic defence of the judge rewards against "master keys" (One Token to Fool
// LLM-as-a-Judge, spec B §18): content-free responses such as ":", "." or a bare reasoning opener
// ("Thought process:", "Solution", "解") that LLM judges accept as correct far too often.
//
// A response is screened before any judge sees it:
//   - leading master keys are stripped ("Solution: 42" -> "42"; "Let's solve this problem step by
//     step. Thought process: ..." loses both openers), so a judge is never shown an opener first;
//   - what is left must hold a word: text with only whitespace, punctuation, symbols and master
//     keys is rejected without calling the judge.
// Keys are compared as sequences of canonical words, so near variants match too: any letter case
// (Unicode case folding), compatibility forms (full-width letters), accents dropped ("Losung"),
// any punctuation, markdown emphasis or spacing around and between the words ("**SOLUTION**:",
// "  thought   process ...").
//
// Every function is linear in its input, allocates only a word buffer that grows with the part
// of the input it reads, and is pure (safe to call concurrently).
#ifndef MERIT_REWARDS_JUDGE_MASTER_KEYS_H_
#define MERIT_REWARDS_JUDGE_MASTER_KEYS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace merit::judge {

struct MasterKey {
  std::string_view text = {};
  std::string_view language = {};  // "symbol", "en", "zh", "ja", "es", "de", ...
  bool from_paper = false;         // One of the ten keys of the paper (spec B §18).
};

// Every key the screen strips and rejects, the paper's ten first.
std::span<const MasterKey> MasterKeys();

enum class Screen : std::uint8_t {
  kContent,     // Holds a word that is not part of a master key.
  kBlank,       // Empty or whitespace only.
  kMasterKey,   // Only punctuation, symbols and master keys (" " alone is kBlank).
};

struct Screened {
  Screen verdict = Screen::kBlank;
  // kContent: the input with its leading master keys and the separators after them removed (a
  // view into the input); otherwise empty.
  std::string_view rest = {};
};

// Screens `text` (see the file comment).
Screened ScreenResponse(std::string_view text);

// The part of a completion a reference verifier should see: after the last </think>, the last
// <answer>...</answer>, else the last \boxed{...}, else the last "answer is X" / "Answer: X" /
// "#### X" phrase, else the last non-empty line (match.exact's extractor). Empty when the
// completion holds nothing but whitespace after its reasoning.
std::string_view ExtractFinalAnswer(std::string_view completion);

// Whether `a` and `b` are the same sequence of canonical words ("The Answer." == "the answer").
bool SameWords(std::string_view a, std::string_view b);

// Spec B §18's augmentation utility: the text up to and including its first sentence boundary
// ('.', '?', '!' or a newline); the whole text when it has none.
std::string_view TruncateFirstSentence(std::string_view text);

}  // namespace merit::judge

#endif  // MERIT_REWARDS_JUDGE_MASTER_KEYS_H_
