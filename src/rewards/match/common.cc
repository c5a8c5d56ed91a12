#include "rewards/match/common.h"

#include <string>

namespace merit::match {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `word` (lower-case) occurs at text[pos], ignoring ASCII letter case.
bool HasWordAt(std::string_view text, std::size_t pos, std::string_view word) {
  if (pos > text.size() || text.size() - pos < word.size()) {
    return false;
  }
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (AsciiLower(text[pos + i]) != word[i]) {
      return false;
    }
  }
  return true;
}

std::size_t SkipAny(std::string_view text, std::size_t pos, std::string_view chars) {
  while (pos < text.size() && chars.find(text[pos]) != std::string_view::npos) {
    ++pos;
  }
  return pos;
}

std::string_view LineAt(std::string_view text, std::size_t pos) {
  const std::size_t end = text.find('\n', pos);
  return text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
}

// If an answer phrase starts at text[pos], the offset just past it (and past any ':' '*' and
// spaces that follow); else nullopt.
std::optional<std::size_t> PhraseEndAt(std::string_view text, std::size_t pos) {
  if (text[pos] == '#') {
    if (text.compare(pos, 4, "####") != 0) {
      return std::nullopt;
    }
    const std::size_t end = SkipAny(text, SkipAny(text, pos, "#"), " \t");
    // "#### Step 2: ..." is a markdown heading, not GSM8K's "#### 72": a word right after the
    // hashes rules it out (a lone letter, as in "#### B", is still an answer).
    if (end + 1 < text.size() && IsAsciiLetter(text[end]) && IsAsciiLetter(text[end + 1])) {
      return std::nullopt;
    }
    return end;
  }
  if (!HasWordAt(text, pos, "answer")) {
    return std::nullopt;
  }
  if (pos > 0 && IsAsciiLetter(text[pos - 1])) {
    return std::nullopt;  // "reanswer"
  }
  std::size_t p = SkipAny(text, pos + 6, "*_ \t");
  if (p < text.size() && text[p] == ':') {
    ++p;
  } else if (HasWordAt(text, p, "is") && (p + 2 >= text.size() || !IsAsciiLetter(text[p + 2]))) {
    p += 2;
  } else {
    return std::nullopt;
  }
  return SkipAny(text, p, ":*_ \t");
}

// Drops what surrounds an answer but is not part of it: whitespace, markdown bold, a leading ':'.
std::string_view Clean(std::string_view s) {
  std::size_t begin = 0;
  std::size_t end = s.size();
  while (begin < end && (IsSpace(s[begin]) || s[begin] == '*' || s[begin] == ':')) {
    ++begin;
  }
  while (end > begin && (IsSpace(s[end - 1]) || s[end - 1] == '*')) {
    --end;
  }
  return s.substr(begin, end - begin);
}

// "\boxed{5}" → "5". A few levels at most: each level rescans the text, and deeper nesting than
// this is not an answer format anyone uses.
std::string_view UnwrapBoxes(std::string_view s) {
  for (int level = 0; level < 4; ++level) {
    if (s.empty() || s[0] != '\\') {
      break;
    }
    const std::optional<Found> box = FindBoxed(s, 0);
    if (!box || box->begin != 0 || box->end != s.size()) {
      break;
    }
    s = Clean(box->content);
  }
  return s;
}

template <typename Finder>
std::optional<Found> FindLast(std::string_view text, Finder finder) {
  std::optional<Found> last;
  std::size_t from = 0;
  while (std::optional<Found> found = finder(text, from)) {
    last = found;
    from = found->end;
  }
  return last;
}

std::optional<Answer> Cleaned(std::string_view content, AnswerSource source) {
  const std::string_view text = UnwrapBoxes(Clean(content));
  if (text.empty()) {
    return std::nullopt;
  }
  return Answer{.text = text, .source = source};
}

bool IsBlankString(const Json& value) {
  return value.is_string() && TrimSpace(value.str()).empty();
}

}  // namespace

Extract ExtractFromName(std::string_view name) {
  if (name == "none") {
    return Extract::kNone;
  }
  if (name == "answer_tag") {
    return Extract::kAnswerTag;
  }
  if (name == "boxed") {
    return Extract::kBoxed;
  }
  if (name == "final_answer") {
    return Extract::kFinalAnswer;
  }
  return Extract::kAuto;
}

std::string_view TrimSpace(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && IsSpace(text[begin])) {
    ++begin;
  }
  while (end > begin && IsSpace(text[end - 1])) {
    --end;
  }
  return text.substr(begin, end - begin);
}

std::string_view LastNonEmptyLine(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0) {
    const std::size_t newline = text.rfind('\n', end - 1);
    const std::size_t begin = newline == std::string_view::npos ? 0 : newline + 1;
    const std::string_view line = TrimSpace(text.substr(begin, end - begin));
    if (!line.empty()) {
      return line;
    }
    if (newline == std::string_view::npos) {
      break;
    }
    end = newline;
  }
  return {};
}

std::optional<Found> FindAnswerTag(std::string_view text, std::size_t from) {
  constexpr std::string_view kOpen = "<answer>";
  constexpr std::string_view kClose = "</answer>";
  const std::size_t open = text.find(kOpen, from);
  if (open == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t content = open + kOpen.size();
  const std::size_t close = text.find(kClose, content);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  return Found{.content = text.substr(content, close - content),
               .begin = open,
               .end = close + kClose.size()};
}

std::optional<Found> FindBoxed(std::string_view text, std::size_t from) {
  for (std::size_t pos = text.find('\\', from); pos != std::string_view::npos;
       pos = text.find('\\', pos + 1)) {
    std::size_t p;
    if (text.compare(pos, 6, "\\boxed") == 0) {
      p = pos + 6;
    } else if (text.compare(pos, 5, "\\fbox") == 0) {
      p = pos + 5;
    } else {
      continue;
    }
    p = SkipAny(text, p, " \t");
    if (p >= text.size() || text[p] != '{') {
      continue;
    }
    // Balanced-brace scan with a depth counter (never recursion): nesting is input-controlled.
    std::size_t depth = 0;
    for (std::size_t i = p; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\\') {
        ++i;  // \{, \}, \\ : the next byte is escaped.
      } else if (c == '{') {
        ++depth;
      } else if (c == '}' && --depth == 0) {
        return Found{.content = text.substr(p + 1, i - p - 1), .begin = pos, .end = i + 1};
      }
    }
    return std::nullopt;  // Unclosed: any later box is inside this one.
  }
  return std::nullopt;
}

std::optional<Found> FindAnswerPhrase(std::string_view text, std::size_t from) {
  const auto phrase_at = [&](std::size_t pos) -> std::optional<std::size_t> {
    const char c = text[pos];
    if (c != '#' && c != 'a' && c != 'A') {
      return std::nullopt;
    }
    return PhraseEndAt(text, pos);
  };
  std::size_t begin = from;
  std::optional<std::size_t> end;
  for (; begin < text.size() && !end; ++begin) {
    end = phrase_at(begin);
  }
  if (!end) {
    return std::nullopt;
  }
  --begin;
  // The content runs to the end of the line or to the next phrase on it, whichever is first.
  // Stopping at the next phrase keeps a line of many phrases linear (each byte is looked at by
  // two calls at most), and gives each phrase its own answer ("answer is A or answer is B").
  std::size_t stop = *end;
  while (stop < text.size() && text[stop] != '\n' && !phrase_at(stop)) {
    ++stop;
  }
  std::string_view content = text.substr(*end, stop - *end);
  if (TrimSpace(content).empty() && stop < text.size() && text[stop] == '\n') {
    // "Final answer:\n\n42": the answer is on the next non-empty line. Only the last phrase
    // of a line gets here, so each line is read this way at most once.
    std::size_t next = stop;
    while (next < text.size()) {
      const std::string_view line = LineAt(text, next + 1);
      if (!TrimSpace(line).empty()) {
        content = line;
        break;
      }
      next += 1 + line.size();
    }
  }
  return Found{.content = content, .begin = begin, .end = *end};
}

std::string_view AfterThinking(std::string_view completion) {
  constexpr std::string_view kClose = "</think>";
  const std::size_t close = completion.rfind(kClose);
  return close == std::string_view::npos ? completion : completion.substr(close + kClose.size());
}

std::optional<Answer> ExtractAnswer(std::string_view completion, Extract mode) {
  if (mode != Extract::kNone) {
    completion = AfterThinking(completion);
  }
  const auto by_tag = [&]() -> std::optional<std::optional<Answer>> {
    const std::optional<Found> f = FindLast(completion, FindAnswerTag);
    if (!f) {
      return std::nullopt;
    }
    return Cleaned(f->content, AnswerSource::kAnswerTag);
  };
  const auto by_box = [&]() -> std::optional<std::optional<Answer>> {
    const std::optional<Found> f = FindLast(completion, FindBoxed);
    if (!f) {
      return std::nullopt;
    }
    return Cleaned(f->content, AnswerSource::kBoxed);
  };
  const auto by_phrase = [&]() -> std::optional<std::optional<Answer>> {
    const std::optional<Found> f = FindLast(completion, FindAnswerPhrase);
    if (!f) {
      return std::nullopt;
    }
    return Cleaned(f->content, AnswerSource::kPhrase);
  };
  const auto whole = [&](AnswerSource source, std::string_view text) -> std::optional<Answer> {
    text = TrimSpace(text);
    if (text.empty()) {
      return std::nullopt;
    }
    return Answer{.text = text, .source = source};
  };
  // An outer nullopt means "this rule found nothing, try the next"; an inner one means "found,
  // but blank": the completion did answer, with nothing, and no later rule overrides that.
  switch (mode) {
    case Extract::kNone:
      return whole(AnswerSource::kWhole, completion);
    case Extract::kAnswerTag:
      return by_tag().value_or(std::nullopt);
    case Extract::kBoxed:
      return by_box().value_or(std::nullopt);
    case Extract::kFinalAnswer:
      if (auto found = by_phrase()) {
        return *found;
      }
      return whole(AnswerSource::kLastLine, LastNonEmptyLine(completion));
    case Extract::kAuto:
      if (auto found = by_tag()) {
        return *found;
      }
      if (auto found = by_box()) {
        return *found;
      }
      if (auto found = by_phrase()) {
        return *found;
      }
      return whole(AnswerSource::kWhole, completion);
  }
  return std::nullopt;
}

std::optional<Score> CheckReference(const Json& reference) {
  switch (reference.type()) {
    case Json::Type::kNull:
      return Score::Unscorable("no_reference", "the sample has no reference");
    case Json::Type::kNumber:
      return std::nullopt;
    case Json::Type::kString:
      if (IsBlankString(reference)) {
        return Score::Unscorable("no_reference", "the reference is a blank string");
      }
      return std::nullopt;
    case Json::Type::kArray: {
      bool any_usable = false;
      const Json::Array& items = reference.array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_string() && !items[i].is_number()) {
          return Score::Unscorable("reference_unparseable",
                                   "reference[" + std::to_string(i) + "] is " +
                                       std::string(Json::TypeName(items[i].type())) +
                                       "; expected a string or a number");
        }
        any_usable = any_usable || !IsBlankString(items[i]);
      }
      if (!any_usable) {
        return Score::Unscorable("no_reference", "the reference list has no non-blank answer");
      }
      return std::nullopt;
    }
    case Json::Type::kBool:
    case Json::Type::kObject:
      break;
  }
  return Score::Unscorable("reference_unparseable",
                           "the reference is " + std::string(Json::TypeName(reference.type())) +
                               "; expected a string, a number or a list of those");
}

std::span<const Json> ReferenceAlternatives(const Json& reference) {
  if (reference.is_array()) {
    return reference.array();
  }
  return {&reference, 1};
}

std::string_view ReferenceText(const Json& alternative) {
  return alternative.is_number() ? std::string_view(alternative.number_text())
                                 : std::string_view(alternative.str());
}

}  // namespace merit::match
