#include "merit/options.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace merit {
namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string GotText(const Json& value) {
  switch (value.type()) {
    case Json::Type::kString:
    case Json::Type::kNumber:
    case Json::Type::kBool:
      return value.Dump();
    default:
      return std::string(Json::TypeName(value.type()));
  }
}

std::string RangeError(double v, const Limits& limits) {
  if (v < limits.min || v > limits.max) {
    return fmt::format("expected a value {}, got {}", internal::LimitsText(limits),
                       Json::Num(v).Dump());
  }
  return {};
}

}  // namespace

ConfigLocation ConfigLocation::Key(std::string_view key) const {
  return ConfigLocation(file_, path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key));
}

ConfigLocation ConfigLocation::Index(std::size_t index) const {
  return ConfigLocation(file_, fmt::format("{}[{}]", path_, index));
}

Status ConfigLocation::Error(std::string_view message) const {
  if (path_.empty()) {
    return InvalidArgumentError(fmt::format("{}: {}", file_, message));
  }
  return InvalidArgumentError(fmt::format("{}: {}: {}", file_, path_, message));
}

std::vector<std::string_view> ClosestNames(std::string_view name,
                                           std::span<const std::string_view> candidates) {
  std::vector<std::pair<std::size_t, std::string_view>> scored;
  for (std::string_view candidate : candidates) {
    const std::size_t distance = EditDistance(name, candidate);
    // Close enough to be a typo, or the name is a prefix/suffix of a candidate ("bleu" ->
    // "text.bleu").
    const bool contains = !name.empty() && candidate.find(name) != std::string_view::npos;
    if (distance <= std::max<std::size_t>(2, name.size() / 3) || contains) {
      scored.emplace_back(contains ? 0 : distance, candidate);
    }
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) {
    out.push_back(scored[i].second);
  }
  return out;
}

std::string SuggestionText(std::string_view name, std::span<const std::string_view> valid) {
  const std::vector<std::string_view> closest = ClosestNames(name, valid);
  std::string text;
  if (!closest.empty()) {
    text = fmt::format(", did you mean \"{}\"", fmt::join(closest, "\" or \""));
    text += "?";
  }
  // The full list only helps when nothing is close (and stays readable).
  if (closest.empty() && !valid.empty() && valid.size() <= 40) {
    text += fmt::format(" (valid: {})", fmt::join(valid, ", "));
  }
  return text;
}

namespace internal {

std::string ReadOption(const Json& value, const Limits& limits, double& out) {
  if (!value.is_number()) {
    return fmt::format("expected a number, got {}", GotText(value));
  }
  if (!std::isfinite(value.number())) {
    return "expected a finite number";
  }
  if (std::string error = RangeError(value.number(), limits); !error.empty()) {
    return error;
  }
  out = value.number();
  return {};
}

std::string ReadOption(const Json& value, const Limits& limits, std::int64_t& out) {
  if (!value.is_number() || std::trunc(value.number()) != value.number() ||
      std::fabs(value.number()) > 9.0e15) {
    return fmt::format("expected an integer, got {}", GotText(value));
  }
  if (std::string error = RangeError(value.number(), limits); !error.empty()) {
    return error;
  }
  out = static_cast<std::int64_t>(value.number());
  return {};
}

std::string ReadOption(const Json& value, const Limits&, bool& out) {
  if (!value.is_bool()) {
    return fmt::format("expected true or false, got {}", GotText(value));
  }
  out = value.boolean();
  return {};
}

std::string ReadOption(const Json& value, const Limits& limits, std::string& out) {
  if (!value.is_string()) {
    return fmt::format("expected a string, got {}", GotText(value));
  }
  if (!limits.choices.empty() && std::find(limits.choices.begin(), limits.choices.end(),
                                           value.str()) == limits.choices.end()) {
    return fmt::format("unknown value \"{}\"{}", value.str(),
                       SuggestionText(value.str(), limits.choices));
  }
  out = value.str();
  return {};
}

std::string ReadOption(const Json& value, const Limits& limits, std::vector<std::string>& out) {
  if (value.is_string()) {  // A single string stands for a list of one.
    out.clear();
    std::string item;
    if (std::string error = ReadOption(value, limits, item); !error.empty()) {
      return error;
    }
    out.push_back(std::move(item));
    return {};
  }
  if (!value.is_array()) {
    return fmt::format("expected a list of strings, got {}", GotText(value));
  }
  std::vector<std::string> items;
  for (std::size_t i = 0; i < value.array().size(); ++i) {
    std::string item;
    if (std::string error = ReadOption(value.array()[i], limits, item); !error.empty()) {
      return fmt::format("item {}: {}", i, error);
    }
    items.push_back(std::move(item));
  }
  out = std::move(items);
  return {};
}

std::string ReadOption(const Json& value, const Limits& limits, std::vector<double>& out) {
  if (!value.is_array()) {
    return fmt::format("expected a list of numbers, got {}", GotText(value));
  }
  std::vector<double> items;
  for (std::size_t i = 0; i < value.array().size(); ++i) {
    double item = 0;
    if (std::string error = ReadOption(value.array()[i], limits, item); !error.empty()) {
      return fmt::format("item {}: {}", i, error);
    }
    items.push_back(item);
  }
  out = std::move(items);
  return {};
}

std::string ReadOption(const Json& value, const Limits&, Json& out) {
  out = value;
  return {};
}

Json OptionToJson(double v) {
  return Json::Num(v);
}

Json OptionToJson(std::int64_t v) {
  return Json::Num(static_cast<double>(v));
}

Json OptionToJson(bool v) {
  return Json::Bool(v);
}

Json OptionToJson(const std::string& v) {
  return Json::Str(v);
}

Json OptionToJson(const std::vector<std::string>& v) {
  Json::Array items;
  for (const std::string& s : v) {
    items.push_back(Json::Str(s));
  }
  return Json::Arr(std::move(items));
}

Json OptionToJson(const std::vector<double>& v) {
  Json::Array items;
  for (double d : v) {
    items.push_back(Json::Num(d));
  }
  return Json::Arr(std::move(items));
}

Json OptionToJson(const Json& v) {
  return v;
}

std::string_view OptionTypeName(const double*) {
  return "number";
}

std::string_view OptionTypeName(const std::int64_t*) {
  return "integer";
}

std::string_view OptionTypeName(const bool*) {
  return "boolean";
}

std::string_view OptionTypeName(const std::string*) {
  return "string";
}

std::string_view OptionTypeName(const std::vector<std::string>*) {
  return "list of strings";
}

std::string_view OptionTypeName(const std::vector<double>*) {
  return "list of numbers";
}

std::string_view OptionTypeName(const Json*) {
  return "any";
}

std::string LimitsText(const Limits& limits) {
  if (!limits.choices.empty()) {
    return fmt::format("one of: {}", fmt::join(limits.choices, ", "));
  }
  const bool has_min = std::isfinite(limits.min);
  const bool has_max = std::isfinite(limits.max);
  if (has_min && has_max) {
    return fmt::format("in [{}, {}]", Json::Num(limits.min).Dump(), Json::Num(limits.max).Dump());
  }
  if (has_min) {
    return fmt::format(">= {}", Json::Num(limits.min).Dump());
  }
  if (has_max) {
    return fmt::format("<= {}", Json::Num(limits.max).Dump());
  }
  return {};
}

std::string ExpectedObjectMessage(const Json& node) {
  return fmt::format("expected an object of options, got {}", GotText(node));
}

}  // namespace internal
}  // namespace merit
