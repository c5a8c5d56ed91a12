// JsonSchema (see json_schema.h). Compile flattens the schema into a vector of nodes with an
// explicit worklist (schema depth never touches the native stack); Validate recurses along
// subschemas with a depth counter and a step budget.
#include "rewards/format/json_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>

namespace merit::format {
namespace {

enum TypeBit : std::uint8_t {
  kNull = 1,
  kBoolean = 2,
  kObject = 4,
  kArray = 8,
  kNumber = 16,
  kString = 32,
  kInteger = 64,
};

constexpr std::pair<std::string_view, std::uint8_t> kTypeNames[] = {
    {"null", kNull},     {"boolean", kBoolean}, {"object", kObject}, {"array", kArray},
    {"number", kNumber}, {"string", kString},   {"integer", kInteger}};

std::uint8_t TypeBitsOf(const Json& v) {
  switch (v.type()) {
    case Json::Type::kNull:
      return kNull;
    case Json::Type::kBool:
      return kBoolean;
    case Json::Type::kNumber: {
      const double x = v.number();
      return std::isfinite(x) && std::floor(x) == x ? (kNumber | kInteger) : kNumber;
    }
    case Json::Type::kString:
      return kString;
    case Json::Type::kArray:
      return kArray;
    case Json::Type::kObject:
      return kObject;
  }
  return 0;
}

std::string TypeListText(std::uint8_t bits) {
  std::string out;
  for (const auto& [name, bit] : kTypeNames) {
    if ((bits & bit) != 0) {
      out += out.empty() ? "" : " or ";
      out += name;
    }
  }
  return out;
}

void AppendPointerToken(std::string_view token, std::string& out) {
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
}

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

std::string Short(const Json& v) {
  std::string text = v.Dump();
  if (text.size() > 60) {
    text = text.substr(0, 57) + "...";
  }
  return text;
}

struct Node {
  std::string pointer;  // Where this subschema is in the schema ("" is the root).
  bool is_boolean = false;
  bool boolean_value = true;
  std::uint8_t types = 0;  // 0: any type.
  std::optional<Json> const_value;
  std::optional<std::vector<Json>> enum_values;
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;
  std::optional<std::size_t> min_length, max_length, min_items, max_items, min_properties,
      max_properties;
  bool unique_items = false;
  std::unique_ptr<const RE2> pattern;
  std::string pattern_text;
  std::vector<std::pair<std::string, std::size_t>> properties;
  std::vector<std::string> required;
  std::optional<std::size_t> additional_properties, items, not_schema, ref;
  std::string ref_text;
  std::vector<std::size_t> prefix_items, all_of, any_of, one_of;
};

}  // namespace

struct JsonSchema::Compiled {
  std::vector<Node> nodes;
  SchemaLimits limits;
};

namespace {

class Compiler {
 public:
  explicit Compiler(SchemaLimits limits) : limits_(limits) {}

  StatusOr<std::vector<Node>> Run(const Json& root) {
    MERIT_RETURN_IF_ERROR(Add(root, "").status());
    while (!work_.empty()) {
      const auto [schema, index] = work_.back();
      work_.pop_back();
      MERIT_RETURN_IF_ERROR(CompileNode(*schema, index));
    }
    // Resolve local references: "#" and "#<pointer>" to any compiled subschema.
    for (Node& node : nodes_) {
      if (node.ref_text.empty()) {
        continue;
      }
      const std::string_view ref = node.ref_text;
      if (!ref.starts_with('#')) {
        return Error(node.pointer + "/$ref", fmt::format("only local references are supported, "
                                                         "got \"{}\"",
                                                         ref));
      }
      const auto it = by_pointer_.find(std::string(ref.substr(1)));
      if (it == by_pointer_.end()) {
        return Error(node.pointer + "/$ref", fmt::format("no subschema at \"{}\"", ref));
      }
      node.ref = it->second;
    }
    return std::move(nodes_);
  }

 private:
  static Status Error(std::string_view pointer, std::string_view message) {
    return InvalidArgumentError(fmt::format("schema at \"{}\": {}", pointer, message));
  }

  StatusOr<std::size_t> Add(const Json& schema, std::string pointer) {
    if (nodes_.size() >= limits_.max_nodes) {
      return Error(pointer, "too many subschemas");
    }
    const std::size_t index = nodes_.size();
    nodes_.emplace_back();
    nodes_.back().pointer = pointer;
    by_pointer_.emplace(std::move(pointer), index);
    work_.emplace_back(&schema, index);
    return index;
  }

  StatusOr<std::size_t> Child(const Json& schema, std::string_view parent,
                              std::string_view keyword) {
    std::string pointer(parent);
    AppendPointerToken(keyword, pointer);
    return Add(schema, std::move(pointer));
  }

  StatusOr<std::vector<std::size_t>> Children(const Json& list, const std::string& parent,
                                              std::string_view keyword, bool non_empty) {
    std::string pointer = parent;
    AppendPointerToken(keyword, pointer);
    if (!list.is_array() || (non_empty && list.array().empty())) {
      return Error(pointer, non_empty ? "expected a non-empty array of schemas"
                                      : "expected an array of schemas");
    }
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < list.array().size(); ++i) {
      MERIT_ASSIGN_OR_RETURN(std::size_t child,
                             Child(list.array()[i], pointer, std::to_string(i)));
      out.push_back(child);
    }
    return out;
  }

  Status CompileNode(const Json& schema, std::size_t index) {
    const std::string pointer = nodes_[index].pointer;
    if (schema.is_bool()) {
      nodes_[index].is_boolean = true;
      nodes_[index].boolean_value = schema.boolean();
      return OkStatus();
    }
    if (!schema.is_object()) {
      return Error(pointer, "a schema must be an object or a boolean");
    }
    Node node;
    node.pointer = pointer;
    const auto number = [&](std::string_view key, std::optional<double>& out) -> Status {
      if (const Json* v = schema.Find(key)) {
        if (!v->is_number()) {
          return Error(pointer + "/" + std::string(key), "expected a number");
        }
        out = v->number();
      }
      return OkStatus();
    };
    const auto count = [&](std::string_view key, std::optional<std::size_t>& out) -> Status {
      if (const Json* v = schema.Find(key)) {
        if (!v->is_number() || v->number() < 0 || std::floor(v->number()) != v->number() ||
            v->number() > 1e15) {
          return Error(pointer + "/" + std::string(key), "expected a non-negative integer");
        }
        out = static_cast<std::size_t>(v->number());
      }
      return OkStatus();
    };
    if (const Json* type = schema.Find("type")) {
      const std::vector<Json> names = type->is_array() ? type->array() : std::vector<Json>{*type};
      for (const Json& name : names) {
        bool known = false;
        for (const auto& [type_name, bit] : kTypeNames) {
          if (name.is_string() && name.str() == type_name) {
            node.types |= bit;
            known = true;
          }
        }
        if (!known) {
          return Error(pointer + "/type", fmt::format("unknown type {}", Short(name)));
        }
      }
    }
    if (const Json* v = schema.Find("const")) {
      node.const_value = *v;
    }
    if (const Json* v = schema.Find("enum")) {
      if (!v->is_array()) {
        return Error(pointer + "/enum", "expected an array");
      }
      node.enum_values = v->array();
    }
    MERIT_RETURN_IF_ERROR(number("minimum", node.minimum));
    MERIT_RETURN_IF_ERROR(number("maximum", node.maximum));
    MERIT_RETURN_IF_ERROR(number("exclusiveMinimum", node.exclusive_minimum));
    MERIT_RETURN_IF_ERROR(number("exclusiveMaximum", node.exclusive_maximum));
    MERIT_RETURN_IF_ERROR(number("multipleOf", node.multiple_of));
    if (node.multiple_of.has_value() && *node.multiple_of <= 0) {
      return Error(pointer + "/multipleOf", "must be > 0");
    }
    MERIT_RETURN_IF_ERROR(count("minLength", node.min_length));
    MERIT_RETURN_IF_ERROR(count("maxLength", node.max_length));
    MERIT_RETURN_IF_ERROR(count("minItems", node.min_items));
    MERIT_RETURN_IF_ERROR(count("maxItems", node.max_items));
    MERIT_RETURN_IF_ERROR(count("minProperties", node.min_properties));
    MERIT_RETURN_IF_ERROR(count("maxProperties", node.max_properties));
    if (const Json* v = schema.Find("uniqueItems")) {
      if (!v->is_bool()) {
        return Error(pointer + "/uniqueItems", "expected a boolean");
      }
      node.unique_items = v->boolean();
    }
    if (const Json* v = schema.Find("pattern")) {
      if (!v->is_string()) {
        return Error(pointer + "/pattern", "expected a string");
      }
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_unique<const RE2>(v->str(), options);
      if (!re->ok()) {
        return Error(pointer + "/pattern", fmt::format("invalid RE2 pattern: {}", re->error()));
      }
      node.pattern = std::move(re);
      node.pattern_text = v->str();
    }
    if (const Json* v = schema.Find("required")) {
      if (!v->is_array()) {
        return Error(pointer + "/required", "expected an array of strings");
      }
      for (const Json& name : v->array()) {
        if (!name.is_string()) {
          return Error(pointer + "/required", "expected an array of strings");
        }
        node.required.push_back(name.str());
      }
    }
    if (const Json* v = schema.Find("properties")) {
      if (!v->is_object()) {
        return Error(pointer + "/properties", "expected an object of schemas");
      }
      std::string base = pointer;
      AppendPointerToken("properties", base);
      for (const auto& [name, sub] : v->object()) {
        MERIT_ASSIGN_OR_RETURN(std::size_t child, Child(sub, base, name));
        node.properties.emplace_back(name, child);
      }
    }
    for (const std::string_view defs : {"$defs", "definitions"}) {
      if (const Json* v = schema.Find(defs)) {
        if (!v->is_object()) {
          return Error(pointer + "/" + std::string(defs), "expected an object of schemas");
        }
        std::string base = pointer;
        AppendPointerToken(defs, base);
        for (const auto& [name, sub] : v->object()) {
          MERIT_RETURN_IF_ERROR(Child(sub, base, name).status());
        }
      }
    }
    const auto single = [&](std::string_view key, std::optional<std::size_t>& out) -> Status {
      if (const Json* v = schema.Find(key)) {
        MERIT_ASSIGN_OR_RETURN(std::size_t child, Child(*v, pointer, key));
        out = child;
      }
      return OkStatus();
    };
    MERIT_RETURN_IF_ERROR(single("additionalProperties", node.additional_properties));
    MERIT_RETURN_IF_ERROR(single("items", node.items));
    MERIT_RETURN_IF_ERROR(single("not", node.not_schema));
    const auto list = [&](std::string_view key, bool non_empty,
                          std::vector<std::size_t>& out) -> Status {
      if (const Json* v = schema.Find(key)) {
        MERIT_ASSIGN_OR_RETURN(out, Children(*v, pointer, key, non_empty));
      }
      return OkStatus();
    };
    MERIT_RETURN_IF_ERROR(list("prefixItems", false, node.prefix_items));
    MERIT_RETURN_IF_ERROR(list("allOf", true, node.all_of));
    MERIT_RETURN_IF_ERROR(list("anyOf", true, node.any_of));
    MERIT_RETURN_IF_ERROR(list("oneOf", true, node.one_of));
    if (const Json* v = schema.Find("$ref")) {
      if (!v->is_string()) {
        return Error(pointer + "/$ref", "expected a string");
      }
      node.ref_text = v->str();
    }
    nodes_[index] = std::move(node);
    return OkStatus();
  }

  const SchemaLimits limits_;
  std::vector<Node> nodes_;
  std::map<std::string, std::size_t> by_pointer_;
  std::vector<std::pair<const Json*, std::size_t>> work_;
};

class Validator {
 public:
  Validator(const std::vector<Node>& nodes, const SchemaLimits& limits)
      : nodes_(nodes), limits_(limits) {}

  bool Check(std::size_t index, const Json& value, std::size_t depth) {
    const Node& node = nodes_[index];
    if (++steps_ > limits_.max_steps || depth > limits_.max_depth) {
      exhausted_ = true;  // Running out is always reported, even inside anyOf.
      return Fail(node, "", steps_ > limits_.max_steps ? "validation step budget exceeded"
                                                       : "schema nesting too deep");
    }
    if (exhausted_) {
      return false;
    }
    if (node.is_boolean) {
      return node.boolean_value || Fail(node, "", "no value is allowed here (schema false)");
    }
    if (node.ref.has_value() && !Check(*node.ref, value, depth + 1)) {
      return false;
    }
    const std::uint8_t bits = TypeBitsOf(value);
    if (node.types != 0 && (node.types & bits) == 0) {
      return Fail(node, "type",
                  fmt::format("expected {}, got {}", TypeListText(node.types),
                              Json::TypeName(value.type())));
    }
    if (node.const_value.has_value() && !(value == *node.const_value)) {
      return Fail(node, "const", fmt::format("must equal {}", Short(*node.const_value)));
    }
    if (node.enum_values.has_value()) {
      bool found = false;
      for (const Json& option : *node.enum_values) {
        found = found || value == option;
      }
      if (!found) {
        return Fail(node, "enum", fmt::format("{} is not one of the allowed values", Short(value)));
      }
    }
    if (value.is_number() && !CheckNumber(node, value.number())) {
      return false;
    }
    if (value.is_string() && !CheckString(node, value.str())) {
      return false;
    }
    if (value.is_array() && !CheckArray(node, value, depth)) {
      return false;
    }
    if (value.is_object() && !CheckObject(node, value, depth)) {
      return false;
    }
    for (std::size_t sub : node.all_of) {
      if (!Check(sub, value, depth + 1)) {
        return false;
      }
    }
    if (!node.any_of.empty()) {
      ++quiet_;
      bool any = false;
      for (std::size_t sub : node.any_of) {
        if (Check(sub, value, depth + 1)) {
          any = true;
          break;
        }
      }
      --quiet_;
      if (exhausted_) {
        return false;
      }
      if (!any) {
        return Fail(node, "anyOf",
                    fmt::format("matches none of the {} anyOf schemas", node.any_of.size()));
      }
    }
    if (!node.one_of.empty()) {
      ++quiet_;
      std::size_t matches = 0;
      for (std::size_t sub : node.one_of) {
        matches += Check(sub, value, depth + 1) ? 1 : 0;
        if (matches > 1 || exhausted_) {
          break;
        }
      }
      --quiet_;
      if (exhausted_) {
        return false;
      }
      if (matches != 1) {
        return Fail(node, "oneOf",
                    matches == 0 ? "matches none of the oneOf schemas"
                                 : "matches more than one of the oneOf schemas");
      }
    }
    if (node.not_schema.has_value()) {
      ++quiet_;
      const bool matched = Check(*node.not_schema, value, depth + 1);
      --quiet_;
      if (exhausted_) {
        return false;
      }
      if (matched) {
        return Fail(node, "not", "must not match the \"not\" schema");
      }
    }
    return true;
  }

  std::optional<SchemaViolation> TakeViolation() { return std::move(violation_); }

 private:
  bool Fail(const Node& node, std::string_view keyword, std::string message) {
    if ((quiet_ == 0 || exhausted_) && !violation_.has_value()) {
      std::string schema_pointer = node.pointer;
      if (!keyword.empty()) {
        AppendPointerToken(keyword, schema_pointer);
      }
      violation_ = SchemaViolation{.instance_pointer = path_,
                                   .schema_pointer = std::move(schema_pointer),
                                   .message = std::move(message)};
    }
    return false;
  }

  bool CheckNumber(const Node& node, double x) {
    if (node.minimum.has_value() && x < *node.minimum) {
      return Fail(node, "minimum", fmt::format("{} is less than the minimum {}", x, *node.minimum));
    }
    if (node.maximum.has_value() && x > *node.maximum) {
      return Fail(node, "maximum",
                  fmt::format("{} is greater than the maximum {}", x, *node.maximum));
    }
    if (node.exclusive_minimum.has_value() && x <= *node.exclusive_minimum) {
      return Fail(node, "exclusiveMinimum",
                  fmt::format("{} is not greater than {}", x, *node.exclusive_minimum));
    }
    if (node.exclusive_maximum.has_value() && x >= *node.exclusive_maximum) {
      return Fail(node, "exclusiveMaximum",
                  fmt::format("{} is not less than {}", x, *node.exclusive_maximum));
    }
    if (node.multiple_of.has_value()) {
      const double q = x / *node.multiple_of;
      if (!std::isfinite(q) || std::fabs(q - std::round(q)) > 1e-9 * std::max(1.0, std::fabs(q))) {
        return Fail(node, "multipleOf",
                    fmt::format("{} is not a multiple of {}", x, *node.multiple_of));
      }
    }
    return true;
  }

  bool CheckString(const Node& node, std::string_view s) {
    if (node.min_length.has_value() || node.max_length.has_value()) {
      const std::size_t n = CodePoints(s);
      if (node.min_length.has_value() && n < *node.min_length) {
        return Fail(node, "minLength",
                    fmt::format("{} characters, fewer than {}", n, *node.min_length));
      }
      if (node.max_length.has_value() && n > *node.max_length) {
        return Fail(node, "maxLength",
                    fmt::format("{} characters, more than {}", n, *node.max_length));
      }
    }
    if (node.pattern != nullptr && !RE2::PartialMatch(s, *node.pattern)) {
      return Fail(node, "pattern", fmt::format("does not match /{}/", node.pattern_text));
    }
    return true;
  }

  bool CheckArray(const Node& node, const Json& value, std::size_t depth) {
    const Json::Array& items = value.array();
    if (node.min_items.has_value() && items.size() < *node.min_items) {
      return Fail(node, "minItems",
                  fmt::format("{} items, fewer than {}", items.size(), *node.min_items));
    }
    if (node.max_items.has_value() && items.size() > *node.max_items) {
      return Fail(node, "maxItems",
                  fmt::format("{} items, more than {}", items.size(), *node.max_items));
    }
    if (node.unique_items) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        for (std::size_t j = i + 1; j < items.size(); ++j) {
          if (++steps_ > limits_.max_steps) {
            exhausted_ = true;
            return Fail(node, "uniqueItems", "validation step budget exceeded");
          }
          if (items[i] == items[j]) {
            return Fail(node, "uniqueItems", fmt::format("items {} and {} are equal", i, j));
          }
        }
      }
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::optional<std::size_t> sub;
      if (i < node.prefix_items.size()) {
        sub = node.prefix_items[i];
      } else {
        sub = node.items;
      }
      if (!sub.has_value()) {
        continue;
      }
      const std::size_t saved = path_.size();
      AppendPointerToken(std::to_string(i), path_);
      const bool ok = Check(*sub, items[i], depth + 1);
      path_.resize(saved);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  bool CheckObject(const Node& node, const Json& value, std::size_t depth) {
    const Json::Object& members = value.object();
    if (node.min_properties.has_value() && members.size() < *node.min_properties) {
      return Fail(node, "minProperties",
                  fmt::format("{} properties, fewer than {}", members.size(),
                              *node.min_properties));
    }
    if (node.max_properties.has_value() && members.size() > *node.max_properties) {
      return Fail(node, "maxProperties",
                  fmt::format("{} properties, more than {}", members.size(),
                              *node.max_properties));
    }
    for (const std::string& name : node.required) {
      if (value.Find(name) == nullptr) {
        return Fail(node, "required", fmt::format("missing required property \"{}\"", name));
      }
    }
    for (const auto& [name, member] : members) {
      std::optional<std::size_t> sub;
      bool declared = false;
      for (const auto& [property, index] : node.properties) {
        if (property == name) {
          sub = index;
          declared = true;
          break;
        }
      }
      if (!declared) {
        sub = node.additional_properties;
      }
      if (!sub.has_value()) {
        continue;
      }
      const std::size_t saved = path_.size();
      AppendPointerToken(name, path_);
      bool ok = true;
      if (!declared && nodes_[*sub].is_boolean && !nodes_[*sub].boolean_value) {
        ok = Fail(node, "additionalProperties",
                  fmt::format("property \"{}\" is not allowed", name));
      } else {
        ok = Check(*sub, member, depth + 1);
      }
      path_.resize(saved);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  const std::vector<Node>& nodes_;
  const SchemaLimits& limits_;
  std::size_t steps_ = 0;
  int quiet_ = 0;  // > 0 inside anyOf/oneOf/not, whose failing branches are not violations.
  bool exhausted_ = false;
  std::string path_;
  std::optional<SchemaViolation> violation_;
};

}  // namespace

JsonSchema::JsonSchema(std::unique_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;
JsonSchema::~JsonSchema() = default;

StatusOr<JsonSchema> JsonSchema::Compile(const Json& schema, SchemaLimits limits) {
  Compiler compiler(limits);
  MERIT_ASSIGN_OR_RETURN(std::vector<Node> nodes, compiler.Run(schema));
  auto compiled = std::make_unique<Compiled>();
  compiled->nodes = std::move(nodes);
  compiled->limits = limits;
  return JsonSchema(std::move(compiled));
}

std::optional<SchemaViolation> JsonSchema::Validate(const Json& instance) const {
  Validator validator(compiled_->nodes, compiled_->limits);
  if (validator.Check(0, instance, 0)) {
    return std::nullopt;
  }
  std::optional<SchemaViolation> violation = validator.TakeViolation();
  if (!violation.has_value()) {
    violation = SchemaViolation{.message = "invalid"};
  }
  return violation;
}

}  // namespace merit::format
