#include "rewards/judge/parse.h"

#include <charconv>
#include <cmath>
#include <system_error>
#include <vector>

namespace merit::judge {
namespace {

bool IsBlankChar(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlankChar(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsBlankChar(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// Walks the non-empty lines of a reply from the last one backwards.
class LinesFromEnd {
 public:
  explicit LinesFromEnd(std::string_view text) : text_(text), end_(text.size()) {}

  // The previous non-empty line, trimmed; nullopt when there is none.
  std::optional<std::string_view> Previous() {
    while (end_ > 0) {
      const std::size_t newline = text_.rfind('\n', end_ - 1);
      const std::size_t begin = newline == std::string_view::npos ? 0 : newline + 1;
      const std::string_view line = Trim(text_.substr(begin, end_ - begin));
      end_ = newline == std::string_view::npos ? 0 : newline;
      if (!line.empty()) {
        return line;
      }
    }
    return std::nullopt;
  }

 private:
  std::string_view text_;
  std::size_t end_;
};

// "<keyword>:" followed by at least one space or tab: the rest of the line; nullopt otherwise.
std::optional<std::string_view> AfterKeyword(std::string_view line, std::string_view keyword) {
  if (line.size() <= keyword.size() + 1 || line.substr(0, keyword.size()) != keyword ||
      line[keyword.size()] != ':') {
    return std::nullopt;
  }
  std::string_view rest = line.substr(keyword.size() + 1);
  if (rest.front() != ' ' && rest.front() != '\t') {
    return std::nullopt;
  }
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
    rest.remove_prefix(1);
  }
  return rest;
}

std::optional<double> NumberInScale(std::string_view text, double min, double max) {
  const std::optional<double> value = ParseNumber(text);
  if (!value || *value < min || *value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string_view LastLine(std::string_view reply) {
  return LinesFromEnd(reply).Previous().value_or(std::string_view());
}

std::optional<double> ParseNumber(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    ++i;
  }
  const std::size_t digits_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    ++i;
  }
  if (i == digits_begin) {
    return std::nullopt;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    const std::size_t fraction_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      ++i;
    }
    if (i == fraction_begin) {
      return std::nullopt;
    }
  }
  if (i != text.size()) {
    return std::nullopt;
  }
  // from_chars takes no '+'.
  const std::size_t start = text.front() == '+' ? 1 : 0;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data() + start, text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ParseVerdict(std::string_view reply) {
  const std::optional<std::string_view> value = AfterKeyword(LastLine(reply), "VERDICT");
  if (value == "YES") {
    return true;
  }
  if (value == "NO") {
    return false;
  }
  return std::nullopt;
}

std::optional<double> ParseScore(std::string_view reply, double min, double max) {
  const std::optional<std::string_view> value = AfterKeyword(LastLine(reply), "SCORE");
  if (!value) {
    return std::nullopt;
  }
  return NumberInScale(*value, min, max);
}

std::optional<Winner> ParseWinner(std::string_view reply) {
  const std::optional<std::string_view> value = AfterKeyword(LastLine(reply), "WINNER");
  if (value == "A") {
    return Winner::kA;
  }
  if (value == "B") {
    return Winner::kB;
  }
  if (value == "TIE") {
    return Winner::kTie;
  }
  return std::nullopt;
}

std::optional<std::vector<double>> ParseDimensions(std::string_view reply,
                                                   std::span<const std::string> names, double min,
                                                   double max) {
  if (names.empty()) {
    return std::nullopt;
  }
  std::vector<double> values(names.size());
  // Which dimensions were seen: names are few (a config list), so a linear scan per line is
  // cheaper than any set.
  std::vector<bool> seen(names.size(), false);
  LinesFromEnd lines(reply);
  for (std::size_t count = 0; count < names.size(); ++count) {
    const std::optional<std::string_view> line = lines.Previous();
    if (!line) {
      return std::nullopt;
    }
    bool matched = false;
    for (std::size_t i = 0; i < names.size() && !matched; ++i) {
      if (seen[i]) {
        continue;
      }
      const std::optional<std::string_view> value = AfterKeyword(*line, names[i]);
      if (!value) {
        continue;
      }
      const std::optional<double> number = NumberInScale(*value, min, max);
      if (!number) {
        return std::nullopt;
      }
      values[i] = *number;
      seen[i] = true;
      matched = true;
    }
    if (!matched) {
      return std::nullopt;
    }
  }
  return values;
}

std::string_view ReplyTail(std::string_view reply) {
  constexpr std::size_t kTailBytes = 160;
  if (reply.size() <= kTailBytes) {
    return reply;
  }
  std::size_t begin = reply.size() - kTailBytes;
  while (begin < reply.size() && (static_cast<unsigned char>(reply[begin]) & 0xC0) == 0x80) {
    ++begin;
  }
  return reply.substr(begin);
}

}  // namespace merit::judge
