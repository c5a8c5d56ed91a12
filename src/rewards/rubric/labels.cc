// Verifier label lists (spec A §13, "Verifier output"), generated rubric lists (spec B §20c) and
// answer blocks.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "merit/json.h"
#include "rewards/rubric/rubric.h"

namespace merit::rubric {
namespace {

constexpr std::string_view kReasoningOpen = "<reasoning>";
constexpr std::string_view kReasoningClose = "</reasoning>";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// One label, trimmed of whitespace and one pair of quotes or backticks.
std::optional<Label> ParseOne(std::string_view text) {
  text = Trim(text);
  if (text.size() >= 2 && text.front() == text.back() &&
      (text.front() == '"' || text.front() == '\'' || text.front() == '`')) {
    text = Trim(text.substr(1, text.size() - 2));
  }
  for (const Label label : {Label::kSupport, Label::kPartialSupport, Label::kNotSupport}) {
    if (EqualsIgnoringAsciiCase(text, LabelName(label))) {
      return label;
    }
  }
  return std::nullopt;
}

std::optional<std::vector<Label>> FromJsonArray(const Json& array) {
  if (!array.is_array() || array.array().empty()) {
    return std::nullopt;
  }
  std::vector<Label> labels;
  labels.reserve(array.array().size());
  for (const Json& element : array.array()) {
    if (!element.is_string()) {
      return std::nullopt;
    }
    const std::optional<Label> label = ParseOne(element.str());
    if (!label) {
      return std::nullopt;
    }
    labels.push_back(*label);
  }
  return labels;
}

std::optional<std::vector<Label>> FromJson(std::string_view text) {
  JsonParser parser(JsonParseLimits{.max_depth = 4});
  StatusOr<Json> json = parser.Parse(text);
  if (!json.ok()) {
    return std::nullopt;
  }
  if (json->is_object()) {
    const Json* labels = json->Find("labels");
    return labels == nullptr || json->object().size() != 1 ? std::nullopt : FromJsonArray(*labels);
  }
  return FromJsonArray(*json);
}

// <label>x</label> elements with only whitespace between them.
std::optional<std::vector<Label>> FromXml(std::string_view text) {
  constexpr std::string_view kOpen = "<label>";
  constexpr std::string_view kClose = "</label>";
  std::vector<Label> labels;
  while (!(text = Trim(text)).empty()) {
    if (!text.starts_with(kOpen)) {
      return std::nullopt;
    }
    text.remove_prefix(kOpen.size());
    const std::size_t close = text.find(kClose);
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    const std::optional<Label> label = ParseOne(text.substr(0, close));
    if (!label) {
      return std::nullopt;
    }
    labels.push_back(*label);
    text.remove_prefix(close + kClose.size());
  }
  return labels;
}

// A list line's number: "N. rest" or "N) rest" (N at most 6 digits); nullopt for other lines.
struct Numbered {
  std::size_t number = 0;
  std::string_view rest = {};
};

std::optional<Numbered> SplitNumber(std::string_view line) {
  std::size_t digits = 0;
  std::size_t value = 0;
  while (digits < line.size() && digits < 6 && line[digits] >= '0' && line[digits] <= '9') {
    value = value * 10 + static_cast<std::size_t>(line[digits] - '0');
    ++digits;
  }
  if (digits == 0 || digits >= line.size() || (line[digits] != '.' && line[digits] != ')')) {
    return std::nullopt;
  }
  return Numbered{.number = value, .rest = line.substr(digits + 1)};
}

// A line's label without its list marker: "- x", "* x", or "N. x" / "N) x" where N must be
// `number` (1-based position), so a skipped or repeated item is not silently realigned.
std::optional<Label> FromLine(std::string_view line, std::size_t number) {
  line = Trim(line);
  if (line.starts_with("- ") || line.starts_with("* ")) {
    return ParseOne(line.substr(2));
  }
  if (const std::optional<Numbered> numbered = SplitNumber(line)) {
    return numbered->number == number ? ParseOne(numbered->rest) : std::nullopt;
  }
  return ParseOne(line);
}

std::optional<std::vector<Label>> FromLines(std::string_view text) {
  std::vector<Label> labels;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (Trim(line).empty()) {
      continue;
    }
    const std::optional<Label> label = FromLine(line, labels.size() + 1);
    if (!label) {
      return std::nullopt;
    }
    labels.push_back(*label);
  }
  return labels;
}

// One line of labels separated by `separator` (CSV, TSV, pipe; a pipe table row's outer pipes
// are allowed).
std::optional<std::vector<Label>> FromSeparated(std::string_view line, char separator) {
  line = Trim(line);
  if (separator == '|' && line.size() >= 2 && line.front() == '|' && line.back() == '|') {
    line = line.substr(1, line.size() - 2);
  }
  std::vector<Label> labels;
  while (true) {
    const std::size_t end = line.find(separator);
    const std::optional<Label> label = ParseOne(line.substr(0, end));
    if (!label) {
      return std::nullopt;
    }
    labels.push_back(*label);
    if (end == std::string_view::npos) {
      return labels;
    }
    line.remove_prefix(end + 1);
  }
}

// The content of one ``` fence around the whole text (with an optional language tag), or the
// text itself.
std::string_view WithoutFence(std::string_view text) {
  if (!text.starts_with("```") || text.size() < 6 || !text.ends_with("```")) {
    return text;
  }
  text = text.substr(3, text.size() - 6);
  const std::size_t newline = text.find('\n');
  return newline == std::string_view::npos ? text : Trim(text.substr(newline + 1));
}

// "N. text" or "N) text" where N must be `number`: the text, or nullopt.
std::optional<std::string_view> NumberedLine(std::string_view line, std::size_t number) {
  const std::optional<Numbered> numbered = SplitNumber(line);
  if (!numbered || numbered->number != number) {
    return std::nullopt;
  }
  return Trim(numbered->rest);
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower-cased ASCII, whitespace runs as one space: what duplicate items compare.
std::string DuplicateKey(std::string_view text) {
  std::string key;
  for (const char c : Trim(text)) {
    if (IsSpace(c)) {
      if (key.back() != ' ') {
        key += ' ';
      }
    } else {
      key += LowerAscii(c);
    }
  }
  return key;
}

bool IsPunctuationOnly(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                         (c >= 'A' && c <= 'Z'));
  });
}

// A template's slot rather than a criterion: the generator did not fill it in.
bool IsPlaceholder(std::string_view item) {
  const std::string key = DuplicateKey(item);
  if (IsPunctuationOnly(key)) {
    return true;  // "...", "-", "[]".
  }
  // Wholly bracketed: "<item 1>", "[criterion]", "{rubric item}".
  if (key.size() >= 2 && ((key.front() == '<' && key.back() == '>') ||
                          (key.front() == '[' && key.back() == ']') ||
                          (key.front() == '{' && key.back() == '}'))) {
    return true;
  }
  for (const std::string_view word : {"todo", "tbd", "n/a", "none", "placeholder"}) {
    if (key == word) {
      return true;
    }
  }
  // "item 3", "criterion 2", "rubric item 1", "nugget": a name and an optional number.
  for (const std::string_view name : {"item", "criterion", "rubric item", "nugget", "rubric"}) {
    if (key.starts_with(name)) {
      const std::string_view rest = std::string_view(key).substr(name.size());
      if (std::all_of(rest.begin(), rest.end(),
                      [](char c) { return c == ' ' || c == ':' || (c >= '0' && c <= '9'); })) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

StatusOr<std::vector<std::string>> ParseRubricList(std::string_view text, std::size_t max_items) {
  text = WithoutFence(Trim(text));
  std::vector<std::string> items;
  // Each raw item is checked as it comes, so parsing stops at max_items + 1.
  const auto add = [&](std::string_view item) -> std::string {
    item = Trim(item);
    if (item.empty()) {
      return fmt::format("item {} is blank", items.size() + 1);
    }
    if (IsPlaceholder(item)) {
      return fmt::format("item {} is a placeholder, not a criterion: \"{}\"", items.size() + 1,
                         item.substr(0, 80));
    }
    if (items.size() == max_items) {
      return fmt::format("more than {} items", max_items);
    }
    items.emplace_back(item);
    return "";
  };
  if (text.starts_with("[")) {
    JsonParser parser(JsonParseLimits{.max_depth = 2});
    StatusOr<Json> json = parser.Parse(text);
    if (!json.ok() || !json->is_array()) {
      return InvalidArgumentError("the reply is not a JSON list of strings");
    }
    for (const Json& element : json->array()) {
      if (!element.is_string()) {
        return InvalidArgumentError("the JSON list holds a non-string");
      }
      if (std::string error = add(element.str()); !error.empty()) {
        return InvalidArgumentError(error);
      }
    }
  } else {
    while (!text.empty()) {
      const std::size_t end = text.find('\n');
      const std::string_view line = Trim(text.substr(0, end));
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      if (line.empty()) {
        continue;
      }
      const std::optional<std::string_view> item = NumberedLine(line, items.size() + 1);
      if (!item) {
        return InvalidArgumentError(fmt::format(
            "line \"{}\" is not item {} of a numbered list", line.substr(0, 80), items.size() + 1));
      }
      if (std::string error = add(*item); !error.empty()) {
        return InvalidArgumentError(error);
      }
    }
  }
  if (items.empty()) {
    return InvalidArgumentError("the rubric has no items");
  }
  // Duplicates would weigh one criterion twice: keep the first.
  std::vector<std::string> keys;
  std::vector<std::string> unique;
  for (std::string& item : items) {
    std::string key = DuplicateKey(item);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(std::move(key));
      unique.push_back(std::move(item));
    }
  }
  return unique;
}

std::string_view LabelName(Label label) {
  switch (label) {
    case Label::kSupport:
      return "support";
    case Label::kPartialSupport:
      return "partial_support";
    case Label::kNotSupport:
      break;
  }
  return "not_support";
}

double LabelValue(Label label, bool strict) {
  switch (label) {
    case Label::kSupport:
      return 1;
    case Label::kPartialSupport:
      return strict ? 0 : 0.5;
    case Label::kNotSupport:
      break;
  }
  return 0;
}

namespace {
// ParseLabelList before its "never empty" rule.
std::optional<std::vector<Label>> ParseAnyLabelList(std::string_view text) {
  text = WithoutFence(Trim(text));
  if (text.empty()) {
    return std::nullopt;
  }
  if (text.front() == '[' || text.front() == '{') {
    return FromJson(text);
  }
  if (text.front() == '<') {
    return FromXml(text);
  }
  if (text.find('\n') != std::string_view::npos) {
    return FromLines(text);
  }
  for (const char separator : {'|', '\t', ','}) {
    if (text.find(separator) != std::string_view::npos) {
      return FromSeparated(text, separator);
    }
  }
  return FromLines(text);
}
}  // namespace

std::optional<std::vector<Label>> ParseLabelList(std::string_view text) {
  // Some formats can come out empty (a fence around only whitespace such as "```\v```"): an
  // empty list labels nothing, so it is no list.
  std::optional<std::vector<Label>> labels = ParseAnyLabelList(text);
  if (labels && labels->empty())
    return std::nullopt;
  return labels;
}

std::optional<std::vector<Label>> ParseLabelReply(std::string_view reply) {
  // Exactly one reasoning block: a second one means the labels could hide inside reasoning (the
  // training reward of spec A §13 penalises it too).
  const std::size_t open = reply.find(kReasoningOpen);
  const std::size_t close = reply.find(kReasoningClose);
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      reply.find(kReasoningOpen, open + 1) != std::string_view::npos ||
      reply.find(kReasoningClose, close + 1) != std::string_view::npos ||
      !Trim(reply.substr(0, open)).empty()) {
    return std::nullopt;
  }
  return ParseLabelList(reply.substr(close + kReasoningClose.size()));
}

std::vector<std::string_view> SplitParagraphs(std::string_view text, std::size_t max_blocks) {
  std::vector<std::string_view> blocks;
  std::size_t start = 0;  // Start of the current paragraph.
  std::size_t line = 0;   // Start of the current line.
  const auto close = [&](std::size_t end) {
    const std::string_view block = Trim(text.substr(start, end - start));
    if (block.empty()) {
      return;
    }
    if (blocks.size() + 1 < max_blocks) {
      blocks.push_back(block);
    } else if (blocks.size() + 1 == max_blocks) {
      blocks.push_back(Trim(text.substr(start)));  // The rest of the text.
    }
  };
  while (line <= text.size() && blocks.size() < max_blocks) {
    std::size_t end = text.find('\n', line);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    if (Trim(text.substr(line, end - line)).empty()) {  // A blank line ends a paragraph.
      close(line);
      start = end;
    }
    if (end == text.size()) {
      close(end);
      break;
    }
    line = end + 1;
  }
  return blocks;
}

}  // namespace merit::rubric
