// Typed, documented options for rewards, aggregators and advantage estimators.
//
// An options struct lists its fields once, in a `kFields` tuple; that table drives strict parsing
// (unknown keys, wrong types and out-of-range values are errors that name the config path and the
// closest valid names), `merit describe`, the README's reward table and the registry test:
//
//   struct OverlongOptions {
//     std::int64_t max_length = 4096;
//     std::string unit = "tokens";
//     static constexpr auto kFields = std::tuple{
//         merit::Field{"max_length", &OverlongOptions::max_length, "Hard length limit.",
//                      {.min = 1}},
//         merit::Field{"unit", &OverlongOptions::unit, "How length is counted.",
//                      {.choices = merit::kLengthUnits}},
//     };
//     merit::Status Validate() const;  // Optional cross-field checks.
//   };
#ifndef MERIT_OPTIONS_H_
#define MERIT_OPTIONS_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "merit/json.h"
#include "merit/status.h"

namespace merit {

// Where a config value came from, for error messages: "config.yaml: reward.children[1].tags".
class ConfigLocation {
 public:
  ConfigLocation(std::string file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}

  ConfigLocation Key(std::string_view key) const;
  ConfigLocation Index(std::size_t index) const;

  const std::string& file() const { return file_; }

  const std::string& path() const { return path_; }

  // kInvalidArgument "<file>: <path>: <message>".
  Status Error(std::string_view message) const;

 private:
  std::string file_;
  std::string path_;
};

// Up to three names from `candidates` closest to `name` (edit distance), best first.
std::vector<std::string_view> ClosestNames(std::string_view name,
                                           std::span<const std::string_view> candidates);
// ", did you mean "x" or "y"?" or "" when nothing is close. `valid` lists what is accepted.
std::string SuggestionText(std::string_view name, std::span<const std::string_view> valid);

struct Limits {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::span<const std::string_view> choices = {};  // For strings: the allowed values.
};

template <typename Options, typename T>
struct Field {
  std::string_view name;
  T Options::*member;
  std::string_view doc;
  Limits limits = {};
};

template <typename Options, typename T>
Field(std::string_view, T Options::*, std::string_view) -> Field<Options, T>;
template <typename Options, typename T>
Field(std::string_view, T Options::*, std::string_view, Limits) -> Field<Options, T>;

// One documented option, for `merit describe` and the README.
struct OptionDoc {
  std::string name;
  std::string type;           // "number", "integer", "boolean", "string", "list of strings", ...
  std::string default_value;  // JSON text.
  std::string doc;
  std::string limits;  // "in [0, 1]", "one of: a, b", or "".
};

namespace internal {

// Conversions between option members and Json. Each returns an error message (empty on success)
// rather than a Status so the caller can prefix the location once.
std::string ReadOption(const Json& value, const Limits& limits, double& out);
std::string ReadOption(const Json& value, const Limits& limits, std::int64_t& out);
std::string ReadOption(const Json& value, const Limits& limits, bool& out);
std::string ReadOption(const Json& value, const Limits& limits, std::string& out);
std::string ReadOption(const Json& value, const Limits& limits, std::vector<std::string>& out);
std::string ReadOption(const Json& value, const Limits& limits, std::vector<double>& out);
std::string ReadOption(const Json& value, const Limits& limits, Json& out);

Json OptionToJson(double v);
Json OptionToJson(std::int64_t v);
Json OptionToJson(bool v);
Json OptionToJson(const std::string& v);
Json OptionToJson(const std::vector<std::string>& v);
Json OptionToJson(const std::vector<double>& v);
Json OptionToJson(const Json& v);

std::string_view OptionTypeName(const double*);
std::string_view OptionTypeName(const std::int64_t*);
std::string_view OptionTypeName(const bool*);
std::string_view OptionTypeName(const std::string*);
std::string_view OptionTypeName(const std::vector<std::string>*);
std::string_view OptionTypeName(const std::vector<double>*);
std::string_view OptionTypeName(const Json*);

std::string LimitsText(const Limits& limits);
// "expected an object of options, got <type>".
std::string ExpectedObjectMessage(const Json& node);

template <typename Options>
concept HasValidate = requires(const Options& o) {
  { o.Validate() } -> std::same_as<Status>;
};

}  // namespace internal

// The names of every option of `Options`.
template <typename Options>
std::vector<std::string_view> OptionNames() {
  std::vector<std::string_view> names;
  std::apply([&](const auto&... field) { (names.push_back(field.name), ...); }, Options::kFields);
  return names;
}

template <typename Options>
std::vector<OptionDoc> DescribeOptions() {
  std::vector<OptionDoc> docs;
  const Options defaults{};
  std::apply(
      [&](const auto&... field) {
        (docs.push_back(
             OptionDoc{.name = std::string(field.name),
                       .type = std::string(internal::OptionTypeName(&(defaults.*field.member))),
                       .default_value = internal::OptionToJson(defaults.*field.member).Dump(),
                       .doc = std::string(field.doc),
                       .limits = internal::LimitsText(field.limits)}),
         ...);
      },
      Options::kFields);
  return docs;
}

// Parses `node` (an object, or null for "all defaults") into Options. Keys in `ignored_keys` are
// the node's structural keys (type, name, weight, ...) and are skipped. Any other key must be an
// option. Errors: kInvalidArgument naming `location`, the key, what was expected and, for an
// unknown key, the closest option names.
template <typename Options>
StatusOr<Options> ParseOptions(const Json& node, const ConfigLocation& location,
                               std::span<const std::string_view> ignored_keys = {}) {
  Options options{};
  if (node.is_null())
    return options;
  if (!node.is_object()) {
    return location.Error(internal::ExpectedObjectMessage(node));
  }
  const std::vector<std::string_view> names = OptionNames<Options>();
  for (const auto& member : node.object()) {
    // Named references, not a structured binding: clang 14 cannot capture bindings in lambdas.
    const std::string& key = member.first;
    const Json& value = member.second;
    bool ignored = false;
    for (std::string_view k : ignored_keys)
      ignored = ignored || k == key;
    if (ignored)
      continue;
    std::string error;
    bool found = false;
    const auto try_field = [&](const auto& field) {
      if (field.name != key)
        return;
      found = true;
      error = internal::ReadOption(value, field.limits, options.*field.member);
    };
    std::apply([&](const auto&... field) { (try_field(field), ...); }, Options::kFields);
    if (!found) {
      std::vector<std::string_view> valid = names;
      valid.insert(valid.end(), ignored_keys.begin(), ignored_keys.end());
      return location.Key(key).Error("unknown option" + SuggestionText(key, valid));
    }
    if (!error.empty())
      return location.Key(key).Error(error);
  }
  if constexpr (internal::HasValidate<Options>) {
    if (Status status = options.Validate(); !status.ok())
      return location.Error(status.message());
  }
  return options;
}

}  // namespace merit

#endif  // MERIT_OPTIONS_H_
