// match.choice: the multiple-choice letter a completion commits to equals the reference's.
//
// Only the text after the last </think> is read (AfterThinking). Where the letter comes from,
// in order:
//   1. Explicit answer signals, anywhere in the completion: every <answer>…</answer>, every
//      \boxed{…}, every answer phrase ("answer is", "Answer:", "####"). A signal's letter is at
//      its start ("B", "(B)", "B) 42", "option B", "\text{B}", "**B**"), or else the
//      parenthesised letters in it ("that (B) is right"). "A or B", "A, B", "A/B" give every
//      letter named.
//   2. Only when no signal names a letter: the last non-empty line, if it is a lone letter or
//      starts with one followed by '.', ')' or ':' ("B. Paris"), or else its parenthesised
//      letters. Running text never counts: the "A" of "A train leaves..." is not an answer.
// A bare lower-case letter is never a letter signal ("the answer is a prime") unless it is the
// whole signal ("Answer: b.") or bracketed ("(b)").
// strict: several different letters in total → 0, "ambiguous_answer"; otherwise the signal that
// starts last decides.
#include <array>
#include <bit>
#include <cmath>
#include <memory>

#include "rewards/match/common.h"
#include "rewards/match/match.h"

namespace merit::match {
namespace {

constexpr std::size_t kMaxChoices = 52;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsAlnum(char c) {
  return IsAsciiLetter(c) || (c >= '0' && c <= '9');
}

char Upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool HasAt(std::string_view s, std::size_t pos, std::string_view prefix) {
  return pos <= s.size() && s.substr(pos, prefix.size()) == prefix;
}

// `word` (lower-case) at s[pos], ignoring case, and not followed by a letter.
bool HasWordAt(std::string_view s, std::size_t pos, std::string_view word) {
  if (pos > s.size() || s.size() - pos < word.size()) {
    return false;
  }
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (static_cast<char>(s[pos + i] | 0x20) != word[i]) {
      return false;
    }
  }
  return pos + word.size() == s.size() || !IsAsciiLetter(s[pos + word.size()]);
}

// The option letters: each maps to its index; with case folding both cases map, and only the
// letter as listed (upper case) counts as written "exactly".
class LetterSet {
 public:
  LetterSet(std::string_view choices, bool case_sensitive) {
    index_.fill(-1);
    exact_.fill(false);
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const char c = case_sensitive ? choices[i] : Upper(choices[i]);
      const auto byte = static_cast<unsigned char>(c);
      index_[byte] = static_cast<std::int8_t>(i);
      exact_[byte] = true;
      if (!case_sensitive) {
        index_[static_cast<unsigned char>(c | 0x20)] = static_cast<std::int8_t>(i);
      }
    }
    size_ = choices.size();
  }

  // The option index of `c`, or -1.
  int Index(char c) const {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 128 ? index_[byte] : -1;
  }

  bool IsExact(char c) const {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 128 && exact_[byte];
  }

  std::size_t size() const { return size_; }

 private:
  std::array<std::int8_t, 128> index_;
  std::array<bool, 128> exact_;
  std::size_t size_ = 0;
};

struct LetterToken {
  int index = -1;
  std::size_t end = 0;     // Past the letter and its closing wrappers.
  bool bracketed = false;  // "(B)" or "[B]".
  bool folded = false;     // Matched only through case folding ("b" for "B").
  char next = '\0';        // The character right after the letter ('\0' at the end).
  bool lone = false;       // Nothing but closing punctuation and spaces follows.
};

// Skips what may come before a letter in an answer: spaces, ':', markdown bold, math dollars.
std::size_t SkipLeadIn(std::string_view s, std::size_t p) {
  for (;;) {
    while (p < s.size() && (IsSpace(s[p]) || s[p] == ':' || s[p] == '*' || s[p] == '$')) {
      ++p;
    }
    bool word = false;
    for (std::string_view w : {"option", "choice", "letter"}) {
      if (HasWordAt(s, p, w)) {
        p += w.size();
        word = true;
        break;
      }
    }
    if (!word) {
      return p;
    }
  }
}

// A letter at s[pos], possibly wrapped: "B", "(B)", "[B]", "\text{B}", "\textbf{(B)}", "{B}".
std::optional<LetterToken> LetterAt(std::string_view s, std::size_t pos, const LetterSet& set) {
  LetterToken token;
  std::size_t p = pos;
  for (int wrapper = 0; wrapper < 4 && p < s.size(); ++wrapper) {
    bool matched = false;
    for (std::string_view w :
         {"\\text{", "\\textbf{", "\\mathrm{", "\\mathbf{", "\\boxed{", "{", "(", "[", "**", "$"}) {
      if (HasAt(s, p, w)) {
        token.bracketed = token.bracketed || w == "(" || w == "[";
        p += w.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      break;
    }
  }
  if (p >= s.size() || !IsAsciiLetter(s[p])) {
    return std::nullopt;
  }
  const char letter = s[p];
  token.index = set.Index(letter);
  if (token.index < 0) {
    return std::nullopt;
  }
  token.folded = !set.IsExact(letter);
  std::size_t q = p + 1;
  if (q < s.size() && IsAlnum(s[q])) {
    return std::nullopt;  // A word, not a letter.
  }
  token.next = q < s.size() ? s[q] : '\0';
  bool closed = false;
  while (q < s.size() && std::string_view(")]}*$").find(s[q]) != std::string_view::npos) {
    closed = closed || s[q] == ')' || s[q] == ']';
    ++q;
  }
  if (token.bracketed && !closed) {
    return std::nullopt;
  }
  token.end = q;
  std::size_t r = q;
  while (r < s.size() && (IsSpace(s[r]) || s[r] == '.' || s[r] == ':' || s[r] == ')')) {
    ++r;
  }
  token.lone = r == s.size();
  return token;
}

// The letters a signal's content names; the first is the one the signal commits to.
struct Letters {
  std::uint64_t mask = 0;
  int first = -1;
  int last = -1;

  void Add(int index) {
    if (first < 0) {
      first = index;
    }
    last = index;
    mask |= std::uint64_t{1} << index;
  }

  bool empty() const { return mask == 0; }
};

// Alternatives chained after a letter: "A or B", "A, B and C", "A/B", "(A) or (B)".
void AddChain(std::string_view s, std::size_t p, const LetterSet& set, Letters& letters) {
  for (;;) {
    while (p < s.size() && IsSpace(s[p])) {
      ++p;
    }
    if (p < s.size() && (s[p] == ',' || s[p] == '/' || s[p] == '&')) {
      ++p;
    } else if (HasWordAt(s, p, "or")) {
      p += 2;
    } else if (HasWordAt(s, p, "and")) {
      p += 3;
    } else {
      return;
    }
    const std::optional<LetterToken> next = LetterAt(s, SkipLeadIn(s, p), set);
    if (!next || (next->folded && !next->bracketed)) {
      return;
    }
    letters.Add(next->index);
    p = next->end;
  }
}

// Every "(X)" / "[X]" in s.
void AddBracketed(std::string_view s, const LetterSet& set, Letters& letters) {
  for (std::size_t p = 0; p < s.size(); ++p) {
    if (s[p] != '(' && s[p] != '[') {
      continue;
    }
    const std::optional<LetterToken> token = LetterAt(s, p, set);
    if (token && token->bracketed) {
      letters.Add(token->index);
    }
  }
}

// The letters an explicit signal (tag, box or phrase content) names.
Letters SignalLetters(std::string_view content, const LetterSet& set) {
  Letters letters;
  const std::optional<LetterToken> head = LetterAt(content, SkipLeadIn(content, 0), set);
  if (head && (!head->folded || head->bracketed || head->lone)) {
    letters.Add(head->index);
    AddChain(content, head->end, set, letters);
    return letters;
  }
  AddBracketed(content, set, letters);
  return letters;
}

// The letters of the fallback: the last non-empty line.
Letters LastLineLetters(std::string_view line, const LetterSet& set) {
  Letters letters;
  const std::optional<LetterToken> head = LetterAt(line, SkipLeadIn(line, 0), set);
  if (head) {
    const bool delimited = head->next == '.' || head->next == ')' || head->next == ':';
    const bool accepted = head->bracketed || head->lone || (delimited && !head->folded);
    Letters chained;
    chained.Add(head->index);
    if (!head->folded) {
      AddChain(line, head->end, set, chained);
    }
    // "A or B" on the last line is not an answer either way, but it is an ambiguous one.
    if (accepted || std::popcount(chained.mask) > 1) {
      chained.last = chained.first;  // The line commits to its first letter, like a signal.
      return chained;
    }
  }
  AddBracketed(line, set, letters);
  return letters;
}

class Choice final : public Reward {
 public:
  explicit Choice(const ChoiceOptions& options)
      : letters_(options.choices, options.case_sensitive), strict_(options.strict) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    if (std::optional<Score> bad = CheckReference(sample.reference)) {
      return std::move(*bad);
    }
    std::uint64_t accepted = 0;
    for (const Json& alternative : ReferenceAlternatives(sample.reference)) {
      const int index = ReferenceIndex(alternative);
      if (index >= 0) {
        accepted |= std::uint64_t{1} << index;
      }
    }
    if (accepted == 0) {
      return Score::Unscorable("reference_unparseable",
                               "the reference names no option letter of the configured choices");
    }
    const std::string_view text = AfterThinking(sample.completion_text);
    std::uint64_t all = 0;
    int last_letter = -1;
    std::size_t last_begin = 0;
    const auto add_signal = [&](const Found& found, std::string_view content) {
      const Letters letters = SignalLetters(content, letters_);
      if (letters.empty()) {
        return;
      }
      all |= letters.mask;
      if (last_letter < 0 || found.begin >= last_begin) {
        last_letter = letters.first;
        last_begin = found.begin;
      }
    };
    // Each finder's matches have disjoint contents, so reading every content is linear.
    const auto scan = [&](auto finder) {
      std::size_t from = 0;
      while (const std::optional<Found> found = finder(text, from)) {
        add_signal(*found, found->content);
        from = found->end;
      }
    };
    scan(FindAnswerTag);
    scan(FindBoxed);
    scan(FindAnswerPhrase);
    if (all == 0) {
      const Letters letters = LastLineLetters(LastNonEmptyLine(text), letters_);
      all = letters.mask;
      last_letter = letters.last;
    }
    if (all == 0) {
      return Score::Ok(0, "no_answer");
    }
    if (strict_ && std::popcount(all) > 1) {
      return Score::Ok(0, "ambiguous_answer");
    }
    return (accepted >> last_letter) & 1 ? Score::Ok(1) : Score::Ok(0, "wrong_answer");
  }

 private:
  // The option index a reference names: a letter ("B", "(B)", "b", "B. Paris") or a 0-based
  // index number; -1 when it names none.
  int ReferenceIndex(const Json& alternative) const {
    if (alternative.is_number()) {
      const double v = alternative.number();
      if (v >= 0 && v < static_cast<double>(letters_.size()) && v == std::floor(v)) {
        return static_cast<int>(v);
      }
      return -1;
    }
    const std::string_view s = TrimSpace(alternative.str());
    const std::optional<LetterToken> token = LetterAt(s, SkipLeadIn(s, 0), letters_);
    if (!token) {
      return -1;
    }
    const bool delimited = token->next == '.' || token->next == ')' || token->next == ':';
    return token->lone || token->bracketed || delimited ? token->index : -1;
  }

  const LetterSet letters_;
  const bool strict_;
};

}  // namespace

Status ChoiceOptions::Validate() const {
  if (choices.empty()) {
    return InvalidArgumentError("choices: must not be empty");
  }
  if (choices.size() > kMaxChoices) {
    return InvalidArgumentError("choices: at most 52 letters");
  }
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (!IsAsciiLetter(choices[i])) {
      return InvalidArgumentError("choices: \"" + choices +
                                  "\" has a character that is not an "
                                  "ASCII letter");
    }
    for (std::size_t j = 0; j < i; ++j) {
      const bool same =
          case_sensitive ? choices[i] == choices[j] : Upper(choices[i]) == Upper(choices[j]);
      if (same) {
        return InvalidArgumentError("choices: \"" + choices + "\" lists '" +
                                    std::string(1, choices[i]) + "' twice" +
                                    (case_sensitive ? "" : " (letter case is ignored)"));
      }
    }
  }
  return OkStatus();
}

RewardOr MakeChoice(const ChoiceOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<Choice>(options));
}

}  // namespace merit::match
