#include "model_server/rule_judge.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <vector>

#include "model_server/agent_judges.h"

namespace merit::model_server {
namespace {

// Reasoning openers and multilingual "solution" words that fool the judge (spec B §18 and
// similar). ASCII letters are compared case-insensitively.
constexpr std::array<std::string_view, 19> kMasterKeyOpeners = {
    "Thought process:",
    "Let's solve this problem step by step",
    "Let us solve",
    "Let me solve",
    "Let's solve",
    "Let's think step by step",
    "Let me think",
    "Solution",
    "解",
    "かいせつ",
    "解説",
    "思路",
    "Respuesta",
    "Solución",
    "Lösung",
    "Réponse",
    "Solução",
    "Решение",
    "Ответ",
};

constexpr std::string_view kGarbled =
    "I have read the question and the response carefully, but I would rather not commit to a "
    "verdict on this one.";

// Distinct words saturate the score scale at this count.
constexpr double kWordsForMax = 10;

struct Scale {
  double min = 1;
  double max = 10;
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back()))
    s.remove_suffix(1);
  return s;
}

bool StartsWithIgnoringAsciiCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != Lower(prefix[i]))
      return false;
  }
  return true;
}

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes decode to U+FFFD.
char32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80         ? 1
                    : (b0 >> 5) == 6  ? 2
                    : (b0 >> 4) == 14 ? 3
                    : (b0 >> 3) == 30 ? 4
                                      : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? b0 : (b0 & (0x7F >> len));
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

bool IsPunctuationCodePoint(char32_t cp) {
  if (cp < 0x80)
    return cp > 0x20 && cp < 0x7F && !IsAlnum(static_cast<char>(cp));
  return (cp >= 0x2000 && cp <= 0x206F) ||  // General Punctuation (also spaces).
         (cp >= 0x3000 && cp <= 0x303F) ||  // CJK Symbols and Punctuation.
         (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
         (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||  // Fullwidth.
         cp == 0x00A0 || cp == 0x00A1 || cp == 0x00B7 || cp == 0x00BF;
}

bool IsOnlyPunctuation(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (IsSpace(s[i])) {
      ++i;
      continue;
    }
    if (!IsPunctuationCodePoint(NextCodePoint(s, i)))
      return false;
  }
  return true;
}

// The text between the last `<tag>` ... `</tag>` pair (the last closing tag, and the last opening
// tag before it, so that a template that names the tag in its instructions still works); to the
// end of the message when the closing tag is missing. The span is [begin, end) in `message`.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t outer_begin = 0;  // Including the tags.
  std::size_t outer_end = 0;
};

std::optional<Span> FindTag(std::string_view message, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  std::size_t close_at = message.rfind(close);
  std::size_t open_at =
      close_at == std::string_view::npos ? message.rfind(open) : message.rfind(open, close_at);
  if (open_at == std::string_view::npos)
    return std::nullopt;
  if (close_at == std::string_view::npos || close_at < open_at)
    close_at = message.size();
  return Span{.begin = open_at + open.size(),
              .end = close_at,
              .outer_begin = open_at,
              .outer_end = std::min(message.size(), close_at + close.size())};
}

std::string_view Inside(std::string_view message, const Span& span) {
  return message.substr(span.begin, span.end - span.begin);
}

// The first `key` ("SCALE:") outside the judged response, so that a response cannot change the
// scale; the rest of its line.
std::optional<std::string_view> FindKeyLine(std::string_view message, std::string_view key,
                                            const std::optional<Span>& response) {
  std::size_t from = 0;
  while (true) {
    const std::size_t at = message.find(key, from);
    if (at == std::string_view::npos)
      return std::nullopt;
    if (response && at >= response->outer_begin && at < response->outer_end) {
      from = response->outer_end;
      continue;
    }
    std::string_view line = message.substr(at + key.size());
    line = line.substr(0, line.find('\n'));
    return Trim(line);
  }
}

std::optional<double> ParseDouble(std::string_view& s) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || !std::isfinite(value))
    return std::nullopt;
  s.remove_prefix(static_cast<std::size_t>(ptr - s.data()));
  return value;
}

// "1-10", "0 - 1", "-5-5".
Scale ParseScale(std::optional<std::string_view> line) {
  if (!line)
    return {};
  std::string_view s = *line;
  const std::optional<double> min = ParseDouble(s);
  s = Trim(s);
  if (!min || s.empty() || s.front() != '-')
    return {};
  s = Trim(s.substr(1));
  const std::optional<double> max = ParseDouble(s);
  if (!max || *max <= *min)
    return {};
  return {.min = *min, .max = *max};
}

std::string FormatNumber(double value) {
  value = std::round(value * 100) / 100;
  if (value == 0)
    value = 0;  // No "-0".
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, result.ptr);
}

// The words of `text` (runs of ASCII letters and digits and non-ASCII bytes), lower-cased.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsAlnum(text[i]) && static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    std::string word;
    while (i < text.size() && (IsAlnum(text[i]) || static_cast<unsigned char>(text[i]) >= 0x80))
      word.push_back(Lower(text[i++]));
    words.push_back(std::move(word));
  }
  return words;
}

std::size_t DistinctWords(std::string_view text) {
  const std::vector<std::string> words = Words(text);
  return std::set<std::string>(words.begin(), words.end()).size();
}

// The deterministic quality of a response: its distinct word count mapped into the scale.
double ScoreText(std::string_view text, const Scale& scale) {
  const double fraction =
      std::min(static_cast<double>(DistinctWords(text)), kWordsForMax) / kWordsForMax;
  const double score = scale.min + fraction * (scale.max - scale.min);
  // Whole numbers on whole-number scales, as a judge model would answer.
  if (scale.min == std::floor(scale.min) && scale.max == std::floor(scale.max)) {
    return std::round(score);
  }
  return score;
}

// Lower-cased, without whitespace or trailing (ASCII) punctuation.
std::string Normalize(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (!IsSpace(c))
      out.push_back(Lower(c));
  }
  while (!out.empty() && static_cast<unsigned char>(out.back()) < 0x80 && !IsAlnum(out.back())) {
    out.pop_back();
  }
  return out;
}

// The last number in `text` ("1,000" reads as 1000), if any.
std::optional<double> LastNumber(std::string_view text) {
  std::optional<double> last;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!(text[i] >= '0' && text[i] <= '9')) {
      ++i;
      continue;
    }
    const bool negative = i > 0 && text[i - 1] == '-';
    std::string digits;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') ||
                               ((text[i] == ',' || text[i] == '.') && i + 1 < text.size() &&
                                text[i + 1] >= '0' && text[i + 1] <= '9'))) {
      if (text[i] != ',')
        digits.push_back(text[i]);
      ++i;
    }
    double value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    last = negative ? -value : value;
  }
  return last;
}

bool SameAnswer(std::string_view response, std::string_view reference) {
  if (Normalize(response) == Normalize(reference))
    return true;
  const std::optional<double> got = LastNumber(response);
  const std::optional<double> want = LastNumber(reference);
  return got && want && std::abs(*got - *want) <= 1e-9 * std::max(1.0, std::abs(*want));
}

std::vector<std::string_view> SplitDimensions(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const std::size_t comma = line.find(',');
    const std::string_view name = Trim(line.substr(0, comma));
    if (!name.empty())
      out.push_back(name);
    if (comma == std::string_view::npos)
      break;
    line.remove_prefix(comma + 1);
  }
  return out;
}

// Lower-cased ASCII with every whitespace run as one space, trimmed: what nuggets compare.
std::string NormalizeForNuggets(std::string_view text) {
  std::string out;
  for (const char c : Trim(text)) {
    if (IsSpace(c)) {
      if (out.empty() || out.back() != ' ')
        out.push_back(' ');
    } else {
      out.push_back(Lower(c));
    }
  }
  return out;
}

// A nugget verifier (rubric.items, spec A §13): one label per non-empty line of `nuggets`, as a
// JSON list after a reasoning block. support: the normalised nugget is a substring of the
// normalised response; partial_support: at least half its words are words of the response.
std::string NuggetReply(std::string_view nuggets, std::string_view response) {
  const std::string normalized_response = NormalizeForNuggets(response);
  const std::vector<std::string> response_words = Words(response);
  const std::set<std::string> vocabulary(response_words.begin(), response_words.end());
  std::string labels;
  std::size_t count = 0;
  while (!nuggets.empty()) {
    const std::size_t end = nuggets.find('\n');
    const std::string_view line = nuggets.substr(0, end);
    nuggets = end == std::string_view::npos ? std::string_view() : nuggets.substr(end + 1);
    const std::string nugget = NormalizeForNuggets(line);
    if (nugget.empty())
      continue;
    std::string_view label = "not_support";
    if (normalized_response.find(nugget) != std::string::npos) {
      label = "support";
    } else {
      const std::vector<std::string> words = Words(line);
      const auto present = static_cast<std::size_t>(std::count_if(
          words.begin(), words.end(), [&](const std::string& w) { return vocabulary.count(w); }));
      if (!words.empty() && 2 * present >= words.size())
        label = "partial_support";
    }
    labels += (count++ == 0 ? "\"" : ", \"") + std::string(label) + "\"";
  }
  return "<reasoning>rule</reasoning>\n[" + labels + "]";
}

}  // namespace

bool IsMasterKey(std::string_view response) {
  const std::string_view text = Trim(response);
  if (IsOnlyPunctuation(text))
    return true;  // Includes empty.
  return std::any_of(
      kMasterKeyOpeners.begin(), kMasterKeyOpeners.end(),
      [&](std::string_view opener) { return StartsWithIgnoringAsciiCase(text, opener); });
}

std::string JudgeReply(std::string_view message, const JudgeOptions& options) {
  if (options.garble)
    return std::string(kGarbled);
  for (auto* agent_reply : {&CarrJudgeReply, &StepJudgeReply, &RubricJudgeReply}) {
    if (std::optional<std::string> reply = agent_reply(message))
      return *std::move(reply);
  }
  if (const std::optional<Span> nuggets = FindTag(message, "nuggets")) {
    if (const std::optional<Span> response = FindTag(message, "response"))
      return NuggetReply(Inside(message, *nuggets), Inside(message, *response));
  }
  const std::optional<Span> response_a = FindTag(message, "response_a");
  if (response_a) {
    const std::optional<Span> response_b = FindTag(message, "response_b");
    const std::string_view a = Inside(message, *response_a);
    const std::string_view b = response_b ? Inside(message, *response_b) : std::string_view();
    std::string_view winner = "TIE";
    if (options.bias != JudgeBias::kNone) {  // Position bias wins over everything.
      winner = options.bias == JudgeBias::kFirst ? "A" : "B";
    } else if (IsMasterKey(a)) {
      winner = "A";
    } else if (DistinctWords(a) != DistinctWords(b)) {
      winner = DistinctWords(a) > DistinctWords(b) ? "A" : "B";
    }
    return "Response A has " + std::to_string(DistinctWords(a)) +
           " distinct words and response B has " + std::to_string(DistinctWords(b)) +
           ".\nWINNER: " + std::string(winner);
  }

  const std::optional<Span> response = FindTag(message, "response");
  const std::string_view text = response ? Inside(message, *response) : std::string_view();
  const bool fooled = IsMasterKey(text);
  const Scale scale = ParseScale(FindKeyLine(message, "SCALE:", response));

  if (const std::optional<std::string_view> dims = FindKeyLine(message, "DIMENSIONS:", response)) {
    std::string reply =
        "Critique: the response uses " + std::to_string(DistinctWords(text)) + " distinct words.\n";
    const double base = fooled ? scale.max : ScoreText(text, scale);
    double offset = 0;
    for (const std::string_view name : SplitDimensions(*dims)) {
      // Dimension i scores base - i (clamped), so that tests can tell the dimensions apart.
      const double value = fooled ? scale.max : std::clamp(base - offset, scale.min, scale.max);
      reply += std::string(name) + ": " + FormatNumber(value) + "\n";
      offset += 1;
    }
    return reply;
  }

  const std::optional<Span> reference = FindTag(message, "reference");
  const bool has_scale = FindKeyLine(message, "SCALE:", response).has_value();
  if (reference && !has_scale) {  // judge.verify
    const bool yes = fooled || SameAnswer(text, Inside(message, *reference));
    return std::string("I compared the response with the reference.\nVERDICT: ") +
           (yes ? "YES" : "NO");
  }
  if (reference) {  // judge.gap
    const double gap =
        fooled ? scale.max
               : std::clamp(ScoreText(text, scale) - ScoreText(Inside(message, *reference), scale),
                            scale.min, scale.max);
    return "I compared the response with the reference response.\nSCORE: " + FormatNumber(gap);
  }
  if (response || has_scale) {  // judge.score
    const double score = fooled ? scale.max : ScoreText(text, scale);
    return "The response uses " + std::to_string(DistinctWords(text)) +
           " distinct words.\nSCORE: " + FormatNumber(score);
  }
  return "I found no response to judge in this message.";
}

}  // namespace merit::model_server
