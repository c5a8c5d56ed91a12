#include "rewards/math/extract.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace merit::math {
namespace {

constexpr std::size_t kTailBytes = 16 * 1024;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive search for an ASCII lowercase `needle` at or after `from`.
std::size_t FindNoCase(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (Lower(hay[i]) != needle[0]) continue;
    std::size_t k = 1;
    while (k < needle.size() && Lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

// The content of the brace group opening at `open` (text[open] == '{'), balanced; nullopt when
// it is not closed. Sets *end just past the closing brace.
std::optional<std::string_view> Braced(std::string_view text, std::size_t open, std::size_t* end) {
  std::size_t depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '{' || text[i + 1] == '}')) {
      ++i;
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) {
      *end = i + 1;
      return text.substr(open + 1, i - open - 1);
    }
  }
  return std::nullopt;
}

// Every \boxed{...} / \fbox{...} (outermost only), in order.
std::vector<std::string_view> FindBoxes(std::string_view text) {
  std::vector<std::string_view> boxes;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t b = text.find('\\', pos);
    if (b == std::string_view::npos) break;
    std::size_t after = 0;
    if (text.substr(b).starts_with("\\boxed")) {
      after = b + 6;
    } else if (text.substr(b).starts_with("\\fbox")) {
      after = b + 5;
    } else {
      pos = b + 1;
      continue;
    }
    while (after < text.size() && text[after] == ' ') ++after;
    if (after < text.size() && text[after] == '{') {
      std::size_t end = 0;
      const std::optional<std::string_view> content = Braced(text, after, &end);
      if (!content) break;  // Unclosed: every later box would lie inside it.
      boxes.push_back(*content);
      pos = end;
    } else if (after > b + 5 && after < text.size() && text[after - 1] == ' ') {
      // "\boxed 5": up to the next space or '$'.
      std::size_t e = after;
      while (e < text.size() && !IsSpace(text[e]) && text[e] != '$') ++e;
      boxes.push_back(text.substr(after, e - after));
      pos = e;
    } else {
      pos = after;
    }
  }
  return boxes;
}

// Every balanced math span in `text`, in order: $...$, $$...$$, \(...\), \[...\]. One
// forward scan.
std::vector<std::string_view> MathSpans(std::string_view text) {
  std::vector<std::string_view> spans;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '$') {
      const bool dbl = pos + 1 < text.size() && text[pos + 1] == '$';
      const std::size_t start = pos + (dbl ? 2 : 1);
      const std::size_t close = text.find(dbl ? "$$" : "$", start);
      if (close == std::string_view::npos) break;
      spans.push_back(text.substr(start, close - start));
      pos = close + (dbl ? 2 : 1);
      continue;
    }
    if (c == '\\' && pos + 1 < text.size() && (text[pos + 1] == '(' || text[pos + 1] == '[')) {
      const std::string_view closer = text[pos + 1] == '(' ? "\\)" : "\\]";
      const std::size_t close = text.find(closer, pos + 2);
      if (close == std::string_view::npos) break;
      spans.push_back(text.substr(pos + 2, close - pos - 2));
      pos = close + 2;
      continue;
    }
    pos += c == '\\' ? 2 : 1;  // An escaped character (\$) is not a delimiter.
  }
  return spans;
}

std::optional<std::string_view> LastMathSpan(std::string_view text) {
  std::vector<std::string_view> spans = MathSpans(text);
  if (spans.empty()) return std::nullopt;
  return spans.back();
}


// The last number: digits with separators, a decimal point, a sign and a fraction bar.
std::optional<std::string_view> LastNumber(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0 && !IsDigit(text[end - 1])) --end;
  if (end == 0) return std::nullopt;
  std::size_t begin = end;
  while (begin > 0) {
    const char c = text[begin - 1];
    if (IsDigit(c)) {
      --begin;
    } else if ((c == '.' || c == ',' || c == '/') && begin >= 2 && IsDigit(text[begin - 2])) {
      --begin;
    } else {
      break;
    }
  }
  if (begin > 0 && text[begin - 1] == '-') --begin;
  return text.substr(begin, end - begin);
}

// The answer a concluding sentence states ("Therefore, the total is **12**.", "the solutions
// are \(x = 1\) and \(x = 2\)"): what follows its last "is"/"are"/":", as bold text, math spans
// (joined into a list), else its last number.
std::optional<std::string> AnswerFromSentence(std::string_view sentence) {
  // Bold text is the strongest signal ("there are **1680** cubes that can be made from 8 ...").
  const std::size_t bold = sentence.find("**");
  if (bold != std::string_view::npos) {
    const std::size_t close = sentence.find("**", bold + 2);
    if (close != std::string_view::npos && close > bold + 2) {
      return std::string(TrimAnswer(sentence.substr(bold + 2, close - bold - 2)));
    }
  }
  std::size_t cut = 0;
  for (std::string_view verb :
       {" is ", " are ", " was ", " were ", " equals ", ": ", " is:", " are:"}) {
    std::size_t pos = 0;
    while ((pos = FindNoCase(sentence, verb, pos)) != std::string_view::npos) {
      cut = std::max(cut, pos + verb.size());
      pos += verb.size();
    }
  }
  const std::string_view segment = sentence.substr(cut);
  std::string joined;
  for (std::string_view s : MathSpans(segment)) {
    s = TrimAnswer(s);
    if (s.empty()) continue;
    if (!joined.empty()) joined += ", ";
    joined.append(s);
  }
  if (!joined.empty()) return joined;
  if (const std::optional<std::string_view> n = LastNumber(segment)) return std::string(*n);
  return std::nullopt;
}

// The end of the sentence starting at `start`: a '.', '!' or '?' followed by a space or the end
// outside math spans, or a blank line.
std::size_t SentenceEnd(std::string_view text, std::size_t start) {
  bool in_dollar = false;
  int in_math = 0;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char n = text[i + 1];
      if (n == '(' || n == '[') ++in_math;
      if ((n == ')' || n == ']') && in_math > 0) --in_math;
      ++i;
      continue;
    }
    if (c == '$') in_dollar = !in_dollar;
    if (in_dollar || in_math > 0) continue;
    if (c == '\n' && i + 1 < text.size() && text[i + 1] == '\n') return i;
    if ((c == '.' || c == '!' || c == '?') &&
        (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      return i;
    }
  }
  return text.size();
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The last occurrence of any of `words` that starts a word, or npos; *end is set past it.
std::size_t LastWord(std::string_view text, std::span<const std::string_view> words,
                     std::size_t* end) {
  std::size_t best = std::string_view::npos;
  for (std::string_view w : words) {
    std::size_t pos = 0;
    while ((pos = FindNoCase(text, w, pos)) != std::string_view::npos) {
      if ((pos == 0 || !IsLetter(text[pos - 1])) &&
          (best == std::string_view::npos || pos > best)) {
        best = pos;
        *end = pos + w.size();
      }
      pos += w.size();
    }
  }
  return best;
}

// The last concluding sentence ("Therefore, ...", "Thus ...", "In conclusion ...").
std::optional<std::string> LastConclusion(std::string_view text) {
  static constexpr std::string_view kWords[] = {"therefore", "thus", "hence", "so,",
                                                "so ", "in conclusion", "conclusion:"};
  std::size_t end = 0;
  const std::size_t best = LastWord(text, kWords, &end);
  if (best == std::string_view::npos) return std::nullopt;
  return AnswerFromSentence(text.substr(best, SentenceEnd(text, best) - best));
}

// The text after an answer phrase: the rest of its line (the next line when it is blank), or
// the line's only math span.
std::string_view PhraseContent(std::string_view text, std::size_t start) {
  while (start < text.size() && (text[start] == ':' || text[start] == '*' || text[start] == ' ' ||
                                 text[start] == '\t')) {
    ++start;
  }
  std::size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  if (end == start) {  // "Final answer:\n42".
    while (start < text.size() && IsSpace(text[start])) ++start;
    end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
  }
  const std::string_view line = text.substr(start, end - start);
  const std::vector<std::string_view> spans = MathSpans(line);
  if (spans.size() == 1 && TrimAnswer(line).size() == spans[0].size() + 2) return spans[0];
  return line.substr(0, SentenceEnd(line, 0));
}

std::optional<std::string> LastPhrase(std::string_view text) {
  static constexpr std::string_view kPhrases[] = {"final answer is", "answer is", "answer:",
                                                  "answer**:", "####", "final answer"};
  std::size_t end = 0;
  if (LastWord(text, kPhrases, &end) == std::string_view::npos) return std::nullopt;
  const std::string_view content = TrimAnswer(PhraseContent(text, end));
  if (content.empty()) return std::nullopt;
  // A plain answer ("12", "\frac{1}{2}", "x = 3") or a sentence stating one.
  if (content.find(' ') != std::string_view::npos && content.size() > 24) {
    if (std::optional<std::string> a = AnswerFromSentence(content)) return a;
  }
  return std::string(content);
}

}  // namespace

std::string_view TrimAnswer(std::string_view t) {
  bool changed = true;
  while (changed && !t.empty()) {
    changed = false;
    while (!t.empty() && (IsSpace(t.front()) || t.front() == '$')) {
      t.remove_prefix(1);
      changed = true;
    }
    while (!t.empty() && (IsSpace(t.back()) || t.back() == '$' || t.back() == '.')) {
      t.remove_suffix(1);
      changed = true;
    }
    // Paired marks only: "\\(x\\) and \\(y\\)" keeps its inner delimiters.
    for (const auto& [open, close] : {std::pair<std::string_view, std::string_view>{"**", "**"},
                                      {"\\[", "\\]"},
                                      {"\\(", "\\)"}}) {
      if (t.size() >= open.size() + close.size() && t.starts_with(open) && t.ends_with(close) &&
          t.substr(open.size()).find(open) == std::string_view::npos) {
        t = t.substr(open.size(), t.size() - open.size() - close.size());
        changed = true;
      }
    }
    // A lone bold mark left by a cut ("15**").
    if (t.ends_with("**") && t.find("**") == t.size() - 2) {
      t.remove_suffix(2);
      changed = true;
    } else if (t.starts_with("**") && t.find("**", 2) == std::string_view::npos) {
      t.remove_prefix(2);
      changed = true;
    }
  }
  return t;
}

Extraction ExtractAnswer(std::string_view text, const ExtractOptions& options) {
  Extraction out;
  if (options.after_think) {
    const std::size_t think = text.rfind("</think>");
    if (think != std::string_view::npos) text.remove_prefix(think + 8);
  }
  // 1. <answer> tag: the last one.
  const std::size_t open = text.rfind("<answer>");
  if (open != std::string_view::npos) {
    const std::size_t close = text.find("</answer>", open);
    if (close != std::string_view::npos) {
      std::string_view inner = text.substr(open + 8, close - open - 8);
      const std::vector<std::string_view> boxes = FindBoxes(inner);
      if (!boxes.empty()) inner = boxes.back();
      out.source = AnswerSource::kAnswerTag;
      out.answers.emplace_back(TrimAnswer(inner));
      return out;
    }
  }
  // 2. Boxes.
  const std::vector<std::string_view> boxes = FindBoxes(text);
  if (!boxes.empty()) {
    out.source = AnswerSource::kBoxed;
    if (options.all_boxes) {
      // The last 64 are enough to see a hedge; copying 20,000 boxes is not.
      const std::size_t first = boxes.size() > 64 ? boxes.size() - 64 : 0;
      for (std::size_t k = first; k < boxes.size(); ++k) {
        out.answers.emplace_back(TrimAnswer(boxes[k]));
      }
    } else {
      out.answers.emplace_back(TrimAnswer(boxes.back()));
    }
    return out;
  }
  // The remaining forms read only the tail: a final answer sits at the end, and a megabyte of
  // "the answer is 5." must not cost a pass per phrase over all of it.
  if (text.size() > kTailBytes) text.remove_prefix(text.size() - kTailBytes);
  // 3. Answer phrases, then concluding sentences.
  if (std::optional<std::string> phrase = LastPhrase(text)) {
    out.source = AnswerSource::kPhrase;
    out.answers.push_back(std::move(*phrase));
    return out;
  }
  if (std::optional<std::string> conclusion = LastConclusion(text)) {
    out.source = AnswerSource::kConclusion;
    out.answers.push_back(std::move(*conclusion));
    return out;
  }
  // 4. Math spans.
  if (const std::optional<std::string_view> span = LastMathSpan(text)) {
    const std::string_view t = TrimAnswer(*span);
    if (!t.empty()) {
      out.source = AnswerSource::kMathSpan;
      out.answers.emplace_back(t);
      return out;
    }
  }
  // 5. A short one-line text is itself the answer.
  const std::string_view whole = TrimAnswer(text);
  if (!whole.empty() && whole.size() <= 300 && whole.find('\n') == std::string_view::npos) {
    out.source = AnswerSource::kWhole;
    out.answers.emplace_back(whole);
    return out;
  }
  // 6. The last number.
  if (options.last_number) {
    if (const std::optional<std::string_view> number = LastNumber(text)) {
      out.source = AnswerSource::kLastNumber;
      out.answers.emplace_back(*number);
    }
  }
  return out;
}

}  // namespace merit::math
