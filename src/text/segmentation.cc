#include "text/segmentation.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "text/length.h"
#include "text/normalize.h"

namespace merit::text {
namespace {

constexpr std::size_t kNoPos = static_cast<std::size_t>(-1);

// One decoded character: a well-formed code point, or a lone invalid byte (valid = false).
struct Char {
  char32_t value = 0;
  std::size_t length = 1;
  bool valid = false;
};

Char CharAt(std::string_view text, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    return {.value = b0, .length = 1, .valid = true};
  }
  // CodePointLength is > 1 only for a well-formed sequence, so the bits below are trustworthy.
  const std::size_t length = CodePointLength(text.substr(pos));
  if (length == 1) {
    return {};
  }
  char32_t value = b0 & (0xFFu >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) {
    value = (value << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3Fu);
  }
  return {.value = value, .length = length, .valid = true};
}

bool IsSpace(const Char& c) {
  return c.valid && IsPythonWhitespace(c.value);
}

enum class Terminator : std::uint8_t {
  kNone,
  kPeriod,  // '.': the only one that abbreviations, initials and list numbers can absorb.
  kOther,   // ! ? … and the like: end a sentence when followed by whitespace.
  kCjk,     // 。！？｡: end a sentence whatever follows (CJK text has no spaces).
};

Terminator TerminatorOf(const Char& c) {
  if (!c.valid) {
    return Terminator::kNone;
  }
  switch (c.value) {
    case U'.':
      return Terminator::kPeriod;
    case U'!':
    case U'?':
    case U'\u2026':  // … horizontal ellipsis.
    case U'\u203C':  // ‼
    case U'\u2047':  // ⁇
    case U'\u2048':  // ⁈
    case U'\u2049':  // ⁉
    case U'\u061F':  // ؟ Arabic question mark.
    case U'\u06D4':  // ۔ Arabic full stop.
    case U'\u0964':  // । Devanagari danda.
    case U'\u0965':  // ॥ Devanagari double danda.
      return Terminator::kOther;
    case U'\u3002':  // 。
    case U'\uFF01':  // ！
    case U'\uFF1F':  // ？
    case U'\uFF61':  // ｡ halfwidth ideographic full stop.
      return Terminator::kCjk;
    default:
      return Terminator::kNone;
  }
}

// Closing quotes and brackets that stay with the sentence they follow.
bool IsCloser(const Char& c) {
  if (!c.valid) {
    return false;
  }
  switch (c.value) {
    case U'"':
    case U'\'':
    case U')':
    case U']':
    case U'}':
    case U'*':       // Markdown emphasis closed after the terminator: **Done.**
    case U'\u2019':  // ’
    case U'\u201D':  // ”
    case U'\u00BB':  // »
    case U'\u203A':  // ›
    case U'\u3009':  // 〉
    case U'\u300B':  // 》
    case U'\u300D':  // 」
    case U'\u300F':  // 』
    case U'\u3011':  // 】
    case U'\uFF09':  // ）
    case U'\uFF3D':  // ］
    case U'\uFF63':  // ｣
      return true;
    default:
      return false;
  }
}

bool IsAsciiLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsAsciiUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool IsAsciiLetter(char c) {
  return IsAsciiLower(c) || IsAsciiUpper(c);
}
bool IsAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}

char AsciiLower(char c) {
  return IsAsciiUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) {
      return false;
    }
  }
  return true;
}

// Abbreviations after which a period never ends a sentence (titles and Latin shorthands that are
// followed by more of the same sentence). "etc." is here because the brief (and most style guides)
// keep "apples, pears, etc. are" together; it costs a missed split when etc. ends a sentence.
constexpr std::array<std::string_view, 26> kAbbreviations = {
    "mr",  "mrs",    "ms",   "dr",  "prof", "sr",  "jr",   "st",   "mt",
    "vs",  "etc",    "cf",   "approx", "ca",  "al",  "gen",  "gov",  "sen",
    "rep", "rev",    "capt", "col", "lt",   "sgt", "mme",  "mlle"};

// Abbreviations that are ordinary words too ("the answer is no."), so they hold the sentence
// together only before a number: "No. 5", "Fig. 3", "Eq. 2", "p. 12".
constexpr std::array<std::string_view, 12> kAbbreviationsBeforeNumber = {
    "no", "nos", "fig", "figs", "eq", "eqs", "vol", "p", "pp", "sec", "ch", "art"};

template <std::size_t N>
bool InList(const std::array<std::string_view, N>& list, std::string_view word) {
  for (std::string_view entry : list) {
    if (EqualsIgnoreCase(entry, word)) {
      return true;
    }
  }
  return false;
}

// "U.S", "e.g", "i.e", "a.m", "Ph.D": pieces of one or two ASCII letters joined by single periods,
// at least two pieces (the caller has already seen the final period).
bool IsDottedAbbreviation(std::string_view word) {
  std::size_t pieces = 0;
  std::size_t letters = 0;
  for (char c : word) {
    if (c == '.') {
      if (letters == 0) {
        return false;
      }
      ++pieces;
      letters = 0;
    } else if (IsAsciiLetter(c) && letters < 2) {
      ++letters;
    } else {
      return false;
    }
  }
  return pieces >= 1 && letters > 0;
}

// Whether the period ending `word` (the text from the word's start up to the period) belongs to the
// word rather than ending the sentence. `first_on_line` says the word opens its line;
// `next_is_digit` that the next word starts with a digit.
bool PeriodIsPartOfWord(std::string_view word, bool first_on_line, bool next_is_digit) {
  // Abbreviations are short; a long word is never one (this also bounds the work per period).
  constexpr std::size_t kMaxAbbreviation = 16;
  while (!word.empty() && (word.front() == '(' || word.front() == '[' || word.front() == '"' ||
                           word.front() == '\'' || word.front() == '{')) {
    word.remove_prefix(1);
  }
  if (word.empty() || word.size() > kMaxAbbreviation) {
    return false;
  }
  if (word.size() == 1 && IsAsciiUpper(word[0])) {
    return true;  // An initial: "J. K. Rowling".
  }
  if (InList(kAbbreviations, word) || IsDottedAbbreviation(word)) {
    return true;
  }
  if (next_is_digit && InList(kAbbreviationsBeforeNumber, word)) {
    return true;
  }
  if (first_on_line && word.size() <= 3) {
    // "1. Preheat the oven": a numbered list marker, not a one-word sentence.
    bool digits = true;
    for (char c : word) {
      digits = digits && IsAsciiDigit(c);
    }
    return digits;
  }
  return false;
}

// Whether a line whose first non-space character is at text[pos] is a list item or a heading:
// "- ", "* ", "+ ", "• ", "12. ", "3) ", or "#".."######" followed by a space.
bool StartsListItemOrHeading(std::string_view text, std::size_t pos) {
  const auto space_at = [&](std::size_t i) {
    return i < text.size() && (text[i] == ' ' || text[i] == '\t');
  };
  const char c = text[pos];
  if (c == '-' || c == '*' || c == '+') {
    return space_at(pos + 1);
  }
  if (text.substr(pos, 3) == "\u2022") {  // •
    return true;
  }
  if (c == '#') {
    std::size_t i = pos;
    while (i < text.size() && text[i] == '#' && i - pos < 6) {
      ++i;
    }
    return space_at(i);
  }
  if (IsAsciiDigit(c)) {
    std::size_t i = pos;
    while (i < text.size() && IsAsciiDigit(text[i]) && i - pos < 3) {
      ++i;
    }
    return i < text.size() && (text[i] == '.' || text[i] == ')') && space_at(i + 1);
  }
  return false;
}

// The first non-space byte at or after pos, or kNoPos.
std::size_t SkipSpaces(std::string_view text, std::size_t pos) {
  while (pos < text.size()) {
    const Char c = CharAt(text, pos);
    if (!IsSpace(c)) {
      return pos;
    }
    pos += c.length;
  }
  return kNoPos;
}

// Scans the text once, left to right. State is the open sentence's trimmed extent, the current
// word's start, and what the current line is; every look-ahead or look-behind is bounded or
// consumes text the main loop then skips, so the whole scan is linear.
class SentenceSplitter {
 public:
  explicit SentenceSplitter(std::string_view text) : text_(text) {}

  std::vector<TextSpan> Run() {
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const Char c = CharAt(text_, pos);
      if (IsSpace(c)) {
        OnSpace(c);
        pos += c.length;
        continue;
      }
      if (in_space_) {
        OnWordStart(pos);
      }
      if (sentence_start_ == kNoPos) {
        sentence_start_ = pos;
      }
      const Terminator kind = TerminatorOf(c);
      if (kind == Terminator::kNone) {
        pos += c.length;
        sentence_end_ = pos;
        continue;
      }
      pos = OnTerminator(pos, kind);
    }
    CloseSentence();
    return std::move(sentences_);
  }

 private:
  void CloseSentence() {
    if (sentence_start_ != kNoPos) {
      sentences_.push_back({.start = sentence_start_, .end = sentence_end_});
      sentence_start_ = kNoPos;
    }
  }

  void OnSpace(const Char& c) {
    if (!in_space_) {
      in_space_ = true;
      word_first_on_line_ = false;
    }
    // U+2029 PARAGRAPH SEPARATOR is a blank line by itself.
    const std::size_t newlines = c.value == U'\n' ? 1 : c.value == U'\u2029' ? 2 : 0;
    if (newlines == 0) {
      return;
    }
    newlines_ += newlines;
    if (newlines_ >= 2 || line_is_item_) {
      CloseSentence();
    }
    word_first_on_line_ = true;
    line_is_item_ = false;
  }

  void OnWordStart(std::size_t pos) {
    in_space_ = false;
    newlines_ = 0;
    word_start_ = pos;
    if (word_first_on_line_) {
      line_is_item_ = StartsListItemOrHeading(text_, pos);
      if (line_is_item_) {
        CloseSentence();  // "Steps:\n1. Mix" -> "Steps:" | "1. Mix".
      }
    }
  }

  // Consumes the run of terminators and closers at pos, decides whether it ends the sentence, and
  // returns the position after the run.
  std::size_t OnTerminator(std::size_t pos, Terminator first) {
    bool cjk = false;
    std::size_t terminators = 0;
    std::size_t end = pos;
    while (end < text_.size()) {
      const Char c = CharAt(text_, end);
      const Terminator kind = TerminatorOf(c);
      if (kind != Terminator::kNone) {
        ++terminators;
        cjk = cjk || kind == Terminator::kCjk;
      } else if (!IsCloser(c)) {
        break;
      }
      end += c.length;
    }
    sentence_end_ = end;
    if (EndsSentence(pos, end, first, terminators, cjk)) {
      CloseSentence();
    }
    return end;
  }

  bool EndsSentence(std::size_t pos, std::size_t end, Terminator first, std::size_t terminators,
                    bool cjk) const {
    if (cjk) {
      return true;
    }
    if (end < text_.size() && !IsSpace(CharAt(text_, end))) {
      return false;  // 3.14, example.com, "?q=1", "e.g.," all continue the word.
    }
    const std::size_t next = SkipSpaces(text_, end);
    if (next == kNoPos) {
      return true;
    }
    if (first == Terminator::kPeriod && terminators == 1 &&
        PeriodIsPartOfWord(text_.substr(word_start_, pos - word_start_), word_first_on_line_,
                           IsAsciiDigit(text_[next]))) {
      return false;
    }
    // A lower-case continuation means the period was an abbreviation we do not know.
    return !IsAsciiLower(text_[next]);
  }

  std::string_view text_;
  std::vector<TextSpan> sentences_;
  std::size_t sentence_start_ = kNoPos;  // First non-space byte of the open sentence.
  std::size_t sentence_end_ = 0;        // End of its last non-space character.
  std::size_t word_start_ = 0;
  std::size_t newlines_ = 0;  // Newlines in the current run of whitespace.
  bool in_space_ = true;
  bool word_first_on_line_ = true;
  bool line_is_item_ = false;
};

// Whether a whitespace token ends with one of , ; ! ? (the released code's
// re.match('[,;!?]', tok[-1])).
bool EndsSubSentence(std::string_view word) {
  const char last = word.back();
  return last == ',' || last == ';' || last == '!' || last == '?';
}

// Appends the sub-sentences of one sentence (text[span]) to `out`.
void SplitSentenceIntoSubSentences(std::string_view text, TextSpan span, std::size_t min_words,
                                   std::vector<TextSpan>& out) {
  const std::string_view sentence = text.substr(span.start, span.end - span.start);
  const std::size_t n = CountWords(sentence);
  std::size_t open_start = span.start;  // Start byte of the open sub-sentence.
  std::size_t s = 0;                    // Its first token's index.
  std::size_t previous_end = span.start;
  bool previous_ends_piece = false;
  Words words(sentence);
  std::size_t p = 0;
  while (std::optional<std::string_view> word = words.Next()) {
    const std::size_t start = span.start + static_cast<std::size_t>(word->data() - sentence.data());
    if (p >= 1 && previous_ends_piece && n - p > min_words) {
      if (p - s >= min_words) {
        out.push_back({.start = open_start, .end = previous_end});
        open_start = start;
        s = p;
      } else if (s > 0) {
        // The short piece [s, p) joins the previous sub-sentence, and p starts the next one.
        out.back().end = previous_end;
        open_start = start;
        s = p;
      }
    }
    previous_end = start + word->size();
    previous_ends_piece = EndsSubSentence(*word);
    ++p;
  }
  if (p > 0) {
    out.push_back({.start = open_start, .end = previous_end});
  }
}

}  // namespace

std::vector<TextSpan> SplitSentences(std::string_view text) {
  return SentenceSplitter(text).Run();
}

std::vector<TextSpan> SplitSubSentences(std::string_view text, std::size_t min_words) {
  std::vector<TextSpan> out;
  for (const TextSpan& sentence : SplitSentences(text)) {
    SplitSentenceIntoSubSentences(text, sentence, min_words, out);
  }
  return out;
}

}  // namespace merit::text
