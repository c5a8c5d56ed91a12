#include "rewards/step/judge_calls.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "backends/protocol.h"

namespace merit::step {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

std::size_t FindNoCase(std::string_view text, std::string_view needle, std::size_t from) {
  for (std::size_t i = from; i + needle.size() <= text.size(); ++i) {
    if (StartsWithNoCase(text.substr(i), needle)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The first number in `text` (an optional sign right before digits, an optional fraction).
std::optional<double> FirstNumber(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!IsDigit(text[i])) {
      continue;
    }
    std::size_t begin = i;
    if (begin > 0 && (text[begin - 1] == '-' || text[begin - 1] == '+')) {
      --begin;
    }
    std::size_t end = i;
    while (end < text.size() && IsDigit(text[end])) {
      ++end;
    }
    if (end + 1 < text.size() && text[end] == '.' && IsDigit(text[end + 1])) {
      ++end;
      while (end < text.size() && IsDigit(text[end])) {
        ++end;
      }
    }
    // Bounded: a number is parsed from at most 32 bytes, so a run of a million digits is cheap.
    const std::string number(text.substr(begin, std::min<std::size_t>(end - begin, 32)));
    return std::strtod(number.c_str(), nullptr);
  }
  return std::nullopt;
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' ||
                           text.front() == '\n')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

backends::ModelPlan::Request StepJudge::Request(const judge::Template& user,
                                                std::span<const std::string_view> values) const {
  std::string text;
  user.RenderNamed(values, max_field_bytes, text);
  return {.backend = backend,
          .call = {.kind = backends::Call::Kind::kChat,
                   .body = backends::ChatBody(system_prompt, std::move(text), temperature,
                                              max_tokens)}};
}

StatusOr<StepJudge> MakeStepJudge(const JudgeOptions& options, const BuildContext& build) {
  StepJudge judge{.system_prompt = options.system_prompt,
                  .temperature = options.temperature,
                  .max_tokens = options.max_tokens,
                  .max_field_bytes = static_cast<std::size_t>(options.max_field_bytes)};
  if (!options.backend.empty()) {
    MERIT_ASSIGN_OR_RETURN(judge.backend,
                           backends::ResolveBackend(build.backends, options.backend,
                                                    backends::Call::Kind::kChat));
  }
  return judge;
}

StatusOr<judge::Template> CompileOption(std::string_view option, const std::string& given,
                                        std::string_view fallback,
                                        std::span<const std::string_view> names) {
  StatusOr<judge::Template> compiled =
      judge::Template::CompileNamed(given.empty() ? fallback : given, names);
  if (!compiled.ok()) {
    return InvalidArgumentError(fmt::format("{}: {}", option, compiled.status().message()));
  }
  return compiled;
}


int ParseTernary(std::string_view reply) {
  std::optional<double> value;
  if (const std::size_t open = FindNoCase(reply, "<score>", 0); open != std::string_view::npos) {
    const std::size_t begin = open + 7;
    const std::size_t close = FindNoCase(reply, "</score>", begin);
    if (close != std::string_view::npos) {
      value = FirstNumber(reply.substr(begin, close - begin));
    }
  }
  if (!value) {
    std::size_t line_begin = 0;
    while (line_begin < reply.size() && !value) {
      std::size_t line_end = reply.find('\n', line_begin);
      if (line_end == std::string_view::npos) {
        line_end = reply.size();
      }
      std::string_view line = reply.substr(line_begin, line_end - line_begin);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t' ||
                               line.front() == '*' || line.front() == '#')) {
        line.remove_prefix(1);
      }
      for (const std::string_view key : {std::string_view("score"), std::string_view("rating")}) {
        if (StartsWithNoCase(line, key)) {
          std::string_view rest = line.substr(key.size());
          while (!rest.empty() && (rest.front() == ' ' || rest.front() == '*')) {
            rest.remove_prefix(1);
          }
          if (!rest.empty() && rest.front() == ':') {
            value = FirstNumber(rest);
            break;
          }
        }
      }
      line_begin = line_end + 1;
    }
  }
  if (!value) {
    value = FirstNumber(reply);
  }
  if (!value || !std::isfinite(*value)) {
    return 0;
  }
  return static_cast<int>(std::clamp(std::round(*value), -1.0, 1.0));
}

std::optional<double> ParseRelevance(std::string_view reply) {
  constexpr std::string_view kKey = "relevance:";
  std::optional<double> found;
  for (std::size_t at = FindNoCase(reply, kKey, 0); at != std::string_view::npos;
       at = FindNoCase(reply, kKey, at + 1)) {
    std::string_view rest = reply.substr(at + kKey.size());
    std::size_t i = 0;
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '*')) {
      ++i;
    }
    if (i < rest.size() && (IsDigit(rest[i]) || rest[i] == '-' || rest[i] == '+')) {
      if (std::optional<double> number = FirstNumber(rest.substr(i, 40))) {
        found = number;
      }
    }
  }
  if (!found || !std::isfinite(*found)) {
    return std::nullopt;
  }
  return Round3(std::clamp(*found, 0.0, 1.0));
}

std::optional<bool> ParseTrueFalse(std::string_view reply) {
  reply = TrimSpace(reply);
  const std::size_t newline = reply.rfind('\n');
  std::string_view line = newline == std::string_view::npos ? reply : reply.substr(newline + 1);
  const auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  while (!line.empty() && !is_letter(line.back())) {
    line.remove_suffix(1);
  }
  for (const auto& [word, verdict] :
       {std::pair{std::string_view("true"), true}, std::pair{std::string_view("false"), false}}) {
    if (line.size() < word.size() || !StartsWithNoCase(line.substr(line.size() - word.size()), word)) {
      continue;
    }
    std::string_view before = line.substr(0, line.size() - word.size());
    while (!before.empty() && !is_letter(before.back()) && before.back() != ':') {
      before.remove_suffix(1);
    }
    if (before.empty() || before.back() == ':') {
      return verdict;
    }
  }
  return std::nullopt;
}

double Round3(double value) { return std::round(value * 1000.0) / 1000.0; }

std::string QuestionOf(const Sample& sample) {
  if (!sample.prompt.is_array()) {
    return sample.prompt_text;
  }
  for (const Json& message : sample.prompt.array()) {
    const Json* role = message.Find("role");
    const Json* content = message.Find("content");
    if (role != nullptr && role->is_string() && role->str() == "user" && content != nullptr &&
        content->is_string()) {
      return content->str();
    }
  }
  return sample.prompt_text;
}

std::string ContextOf(const Sample& sample) {
  if (!sample.prompt.is_array()) {
    return sample.prompt_text;
  }
  std::string context;
  for (const Json& message : sample.prompt.array()) {
    const Json* role = message.Find("role");
    const Json* content = message.Find("content");
    if (role == nullptr || !role->is_string() || content == nullptr || !content->is_string() ||
        role->str() == "system") {
      continue;
    }
    if (!context.empty()) {
      context += "\n\n";
    }
    context += role->str();
    context += ": ";
    context += content->str();
  }
  return context;
}

std::string ReferenceText(const Json& reference) {
  const auto scalar = [](const Json& value) -> std::string {
    if (value.is_string()) {
      return value.str();
    }
    return value.is_number() ? value.number_text() : std::string();
  };
  if (!reference.is_array()) {
    return scalar(reference);
  }
  std::string text;
  for (const Json& item : reference.array()) {
    const std::string line = scalar(item);
    if (line.empty()) {
      continue;
    }
    if (!text.empty()) {
      text += '\n';
    }
    text += line;
  }
  return text;
}

}  // namespace merit::step
