// BFCL's AST checker; see bfcl.h. Function and variable names follow ast_checker.py so the two
// can be read side by side.
#include "rewards/tool/bfcl.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "text/normalize.h"

namespace merit::tool::bfcl {
namespace {

// A Python type as BFCL's type tables name it; kSet and kUnknown never match a value.
enum class Expected : std::uint8_t { kStr, kInt, kFloat, kBool, kList, kDict, kSet, kUnknown };

Expected FromPyType(PyType t) {
  switch (t) {
    case PyType::kStr:
      return Expected::kStr;
    case PyType::kInt:
      return Expected::kInt;
    case PyType::kFloat:
      return Expected::kFloat;
    case PyType::kBool:
      return Expected::kBool;
    case PyType::kList:
      return Expected::kList;
    case PyType::kDict:
      return Expected::kDict;
    case PyType::kNone:
      return Expected::kUnknown;
  }
  return Expected::kUnknown;
}

// PYTHON_TYPE_MAPPING, JAVA_TYPE_CONVERSION, JS_TYPE_CONVERSION. nullopt: not in the table
// (BFCL raises KeyError there).
std::optional<Expected> TypeFor(Language language, std::string_view type) {
  struct Entry {
    std::string_view name;
    Expected expected;
  };
  static constexpr Entry kPython[] = {
      {"string", Expected::kStr}, {"integer", Expected::kInt}, {"float", Expected::kFloat},
      {"boolean", Expected::kBool}, {"array", Expected::kList}, {"tuple", Expected::kList},
      {"dict", Expected::kDict}, {"any", Expected::kStr}};
  static constexpr Entry kJava[] = {
      {"byte", Expected::kInt},     {"short", Expected::kInt},      {"integer", Expected::kInt},
      {"float", Expected::kFloat},  {"double", Expected::kFloat},   {"long", Expected::kInt},
      {"boolean", Expected::kBool}, {"char", Expected::kStr},       {"Array", Expected::kList},
      {"ArrayList", Expected::kList}, {"Set", Expected::kSet},      {"HashMap", Expected::kDict},
      {"Hashtable", Expected::kDict}, {"Queue", Expected::kList},   {"Stack", Expected::kList},
      {"String", Expected::kStr},   {"any", Expected::kStr}};
  static constexpr Entry kJs[] = {
      {"String", Expected::kStr},   {"integer", Expected::kInt}, {"float", Expected::kFloat},
      {"Bigint", Expected::kInt},   {"Boolean", Expected::kBool}, {"dict", Expected::kDict},
      {"array", Expected::kList},   {"any", Expected::kStr}};
  const std::span<const Entry> table = language == Language::kPython
                                           ? std::span<const Entry>(kPython)
                                       : language == Language::kJava ? std::span<const Entry>(kJava)
                                                                     : std::span<const Entry>(kJs);
  for (const Entry& entry : table) {
    if (entry.name == type) {
      return entry.expected;
    }
  }
  return std::nullopt;
}

bool IsEmptyString(const Json& v) { return v.is_string() && v.str().empty(); }

// Python's `x in values` for a list of values.
bool PyIn(const Json& x, const Json& values) {
  if (!values.is_array()) {
    return false;
  }
  for (const Json& v : values.array()) {
    if (PyEquals(x, v)) {
      return true;
    }
  }
  return false;
}

// Python's `"" in container`: for a list, an element equal to ""; for a string, always true.
bool AllowsEmpty(const Json& values) {
  if (values.is_string()) {
    return true;
  }
  if (!values.is_array()) {
    return false;
  }
  for (const Json& v : values.array()) {
    if (IsEmptyString(v)) {
      return true;
    }
  }
  return false;
}

// Iterating a possible answer the way Python does: a list's items, or a string's characters.
std::vector<Json> Items(const Json& value) {
  std::vector<Json> items;
  if (value.is_array()) {
    items = value.array();
  } else if (value.is_string()) {
    for (char c : value.str()) {
      items.push_back(Json::Str(std::string(1, c)));
    }
  }
  return items;
}

Json Standardized(const Json& v) {
  return v.is_string() ? Json::Str(StandardizeString(v.str())) : v;
}

struct Failure {
  std::string_view type;
  std::string error;
};

using Check = std::optional<Failure>;  // nullopt: passed.

Failure Fail(std::string_view type, std::string error) { return Failure{type, std::move(error)}; }

struct TypeCheck {
  bool valid = true;
  bool is_variable = false;
  std::string_view error_type = {};
};

std::optional<Expected> PossibleAnswerType(const Json& possible) {
  if (!possible.is_array()) {
    return std::nullopt;
  }
  for (const Json& answer : possible.array()) {
    if (!IsEmptyString(answer)) {
      return FromPyType(PyTypeOf(answer));
    }
  }
  return std::nullopt;
}

TypeCheck TypeChecker(const Json& value, const Json& possible, Expected expected,
                      std::optional<Expected> nested) {
  TypeCheck result;
  const std::optional<Expected> possible_type = PossibleAnswerType(possible);
  const bool is_variable = possible_type.has_value() && *possible_type != expected;
  const Expected value_type = FromPyType(PyTypeOf(value));
  bool nested_failed = false;
  if (value_type == expected) {
    if (!nested.has_value()) {
      result.is_variable = is_variable;
      return result;
    }
    if (possible.is_array()) {
      for (const Json& item : possible.array()) {
        bool flag = true;
        if (item.is_array()) {
          for (const Json& value_item : value.array()) {
            if (!TypeChecker(value_item, item, *nested, std::nullopt).valid) {
              flag = false;
              break;
            }
          }
        }
        if (flag) {
          result.is_variable = is_variable;
          return result;
        }
      }
    }
    nested_failed = true;
  }
  if (possible_type.has_value() && value_type == *possible_type) {
    result.is_variable = true;
    if (nested_failed) {
      result.valid = false;
      result.error_type = "type_error:nested";
    }
    return result;
  }
  result.valid = false;
  result.error_type = nested_failed ? "type_error:nested" : "type_error:simple";
  return result;
}

Check StringChecker(std::string_view param, const Json& value, const Json& possible) {
  const std::string standardized = StandardizeString(value.str());
  if (possible.is_array()) {
    for (const Json& answer : possible.array()) {
      if (answer.is_string() && StandardizeString(answer.str()) == standardized) {
        return std::nullopt;
      }
    }
  }
  return Fail("value_error:string",
              fmt::format("invalid value for parameter '{}': {}. Expected one of {}", param,
                          value.Dump(), possible.Dump()));
}

Check ListChecker(std::string_view param, const Json& value, const Json& possible) {
  Json::Array standardized;
  for (const Json& item : value.array()) {
    standardized.push_back(Standardized(item));
  }
  const Json model = Json::Arr(std::move(standardized));
  if (possible.is_array()) {
    for (const Json& answer : possible.array()) {
      Json::Array items;
      for (const Json& item : Items(answer)) {
        items.push_back(Standardized(item));
      }
      if (PyEquals(model, Json::Arr(std::move(items)))) {
        return std::nullopt;
      }
    }
  }
  return Fail("value_error:list/tuple",
              fmt::format("invalid value for parameter '{}': {}. Expected one of {}", param,
                          value.Dump(), possible.Dump()));
}

Check DictChecker(const Json& value, std::span<const Json> possibles) {
  Check result = Fail("dict_checker:unclear", "no acceptable dict");
  for (const Json& possible : possibles) {
    if (IsEmptyString(possible)) {
      continue;
    }
    result = Fail("dict_checker:unclear", "no acceptable dict");
    bool flag = true;
    if (!value.is_object()) {
      break;
    }
    for (const auto& [key, item] : value.object()) {
      const Json* options = possible.is_object() ? possible.Find(key) : nullptr;
      if (options == nullptr) {
        result = Fail("value_error:dict_key", fmt::format("unexpected dict key '{}'", key));
        flag = false;
        break;
      }
      Json::Array standardized;
      for (const Json& option : Items(*options)) {
        standardized.push_back(Standardized(option));
      }
      if (!PyIn(Standardized(item), Json::Arr(std::move(standardized)))) {
        result = Fail("value_error:dict_value",
                      fmt::format("invalid value for dict key '{}': {}", key, item.Dump()));
        flag = false;
        break;
      }
    }
    if (flag && possible.is_object()) {
      for (const auto& [key, options] : possible.object()) {
        if (value.Find(key) == nullptr && !AllowsEmpty(options)) {
          result = Fail("value_error:dict_key", fmt::format("missing dict key '{}'", key));
          flag = false;
          break;
        }
      }
    }
    if (flag) {
      return std::nullopt;
    }
  }
  return result;
}

Check ListDictChecker(const Json& value, const Json& possible) {
  Check result = Fail("list_dict_checker:unclear", "no acceptable list of dicts");
  if (!possible.is_array()) {
    return result;
  }
  for (const Json& answer : possible.array()) {
    const std::vector<Json> items = Items(answer);
    if (value.array().size() != items.size()) {
      result = Fail("value_error:list_dict_count", "wrong number of dictionaries in the list");
      continue;
    }
    bool flag = true;
    for (std::size_t i = 0; i < items.size(); ++i) {
      result = DictChecker(value.array()[i], std::span<const Json>(&items[i], 1));
      if (result.has_value()) {
        flag = false;
        break;
      }
    }
    if (flag) {
      return std::nullopt;
    }
  }
  return result;
}

std::string ConvertName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '.') {
      c = '_';
    }
  }
  return out;
}

bool NameMatches(std::string_view documented, std::string_view output, NameMatch match) {
  switch (match) {
    case NameMatch::kExact:
      return documented == output;
    case NameMatch::kUnderscore:
      return ConvertName(documented) == output;
    case NameMatch::kEither:
      return documented == output || ConvertName(documented) == output;
  }
  return false;
}

std::string_view TypeString(const Json& details) {
  const Json* type = details.is_object() ? details.Find("type") : nullptr;
  return type != nullptr && type->is_string() ? std::string_view(type->str()) : std::string_view();
}

std::string_view ItemsType(const Json& details) {
  const Json* items = details.Find("items");
  return items != nullptr ? TypeString(*items) : std::string_view();
}

constexpr std::string_view kBadReference = "bfcl:bad_reference";

// simple_function_checker: one output call against one expected call.
Check SimpleFunctionChecker(const Json& doc, const ToolCall& call, const Json& expected,
                            const CheckOptions& options) {
  if (!doc.is_object() || !expected.is_object() || expected.object().empty()) {
    return Fail(kBadReference, "function doc or ground truth is not an object");
  }
  const Json& possible_answer = expected.object().front().second;
  const Json* name = doc.Find("name");
  const Json* parameters = doc.Find("parameters");
  const Json* properties = parameters != nullptr ? parameters->Find("properties") : nullptr;
  if (name == nullptr || !name->is_string() || properties == nullptr ||
      !possible_answer.is_object()) {
    return Fail(kBadReference, "function doc without name or parameters.properties");
  }
  if (!NameMatches(name->str(), call.name, options.name_match)) {
    return Fail("simple_function_checker:wrong_func_name",
                fmt::format("function name '{}' not found in model output", name->str()));
  }
  const Json& model_params = call.arguments;
  if (const Json* required = parameters->Find("required");
      required != nullptr && required->is_array()) {
    for (const Json& param : required->array()) {
      if (param.is_string() && model_params.Find(param.str()) == nullptr) {
        return Fail("simple_function_checker:missing_required",
                    fmt::format("missing required parameter '{}'", param.str()));
      }
    }
  }
  for (const auto& [param, raw_value] : model_params.object()) {
    const Json* details = properties->Find(param);
    const Json* possible = possible_answer.Find(param);
    if (details == nullptr || possible == nullptr) {
      return Fail("simple_function_checker:unexpected_param",
                  fmt::format("unexpected parameter '{}'", param));
    }
    const std::string_view type_description = TypeString(*details);
    const std::optional<Expected> expected_type = TypeFor(options.language, type_description);
    if (!expected_type.has_value()) {
      return Fail(kBadReference, fmt::format("unknown parameter type '{}'", type_description));
    }
    std::optional<Expected> nested;
    Json value = raw_value;
    if (options.language != Language::kPython) {
      if (!value.is_string()) {
        return Fail(options.language == Language::kJava ? "type_error:java" : "type_error:js",
                    fmt::format("incorrect type for parameter '{}': expected a string, got {}",
                                param, PyTypeName(PyTypeOf(value))));
      }
      std::string_view nested_type;
      if (type_description == "Array" || type_description == "ArrayList" ||
          type_description == "array") {
        nested_type = ItemsType(*details);
        nested = TypeFor(options.language, nested_type);
        if (!nested.has_value()) {
          return Fail(kBadReference, fmt::format("unknown item type '{}'", nested_type));
        }
      }
      value = options.language == Language::kJava
                  ? ConvertJava(value.str(), type_description, nested_type)
                  : ConvertJavaScript(value.str(), type_description, nested_type);
    } else {
      if (type_description == "array" || type_description == "tuple") {
        nested = TypeFor(options.language, ItemsType(*details));
        if (!nested.has_value()) {
          return Fail(kBadReference, "unknown item type");
        }
      }
      if (type_description == "float" && PyTypeOf(value) == PyType::kInt) {
        value = PyFloat(value.number());  // Python's int -> float allowance.
      }
    }
    const TypeCheck type_check = TypeChecker(value, *possible, *expected_type, nested);
    if (!type_check.valid) {
      return Fail(type_check.error_type,
                  fmt::format("incorrect type for parameter '{}': expected {}, got {}", param,
                              type_description, PyTypeName(PyTypeOf(value))));
    }
    if (!type_check.is_variable) {
      Check result;
      bool handled = true;
      if (*expected_type == Expected::kDict) {
        result = DictChecker(value, Items(*possible));
      } else if (*expected_type == Expected::kList && nested == Expected::kDict) {
        result = ListDictChecker(value, *possible);
      } else if (*expected_type == Expected::kStr) {
        result = StringChecker(param, value, *possible);
      } else if (*expected_type == Expected::kList) {
        result = ListChecker(param, value, *possible);
      } else {
        handled = false;
      }
      if (result.has_value()) {
        return result;
      }
      if (handled) {
        continue;
      }
    }
    if (!PyIn(value, *possible)) {
      return Fail("value_error:others",
                  fmt::format("invalid value for parameter '{}': {}. Expected one of {}", param,
                              value.Dump(), possible->Dump()));
    }
  }
  for (const auto& [param, possible] : possible_answer.object()) {
    if (model_params.Find(param) == nullptr && !AllowsEmpty(possible)) {
      return Fail("simple_function_checker:missing_optional",
                  fmt::format("parameter '{}' not provided and not optional", param));
    }
  }
  return std::nullopt;
}

// find_description: the doc named `name` in a list, or the single doc.
const Json* FindDescription(const Json& functions, std::string_view name) {
  if (functions.is_array()) {
    for (const Json& doc : functions.array()) {
      const Json* doc_name = doc.Find("name");
      if (doc_name != nullptr && doc_name->is_string() && doc_name->str() == name) {
        return &doc;
      }
    }
    return nullptr;
  }
  return functions.is_object() ? &functions : nullptr;
}

std::string_view ExpectedName(const Json& expected) {
  return expected.is_object() && !expected.object().empty()
             ? std::string_view(expected.object().front().first)
             : std::string_view();
}

CheckResult ToResult(Check check) {
  if (!check.has_value()) {
    return CheckResult{};
  }
  return CheckResult{.valid = false, .error_type = check->type, .error = std::move(check->error)};
}

}  // namespace

Category CategoryFromName(std::string_view name) {
  if (name.find("irrelevance") != std::string_view::npos) {
    return Category::kIrrelevance;
  }
  if (name.find("relevance") != std::string_view::npos) {
    return Category::kRelevance;
  }
  if (name.find("parallel") != std::string_view::npos) {
    return Category::kParallel;
  }
  if (name.find("multiple") != std::string_view::npos) {
    return Category::kMultiple;
  }
  return Category::kSimple;
}

Language LanguageFromName(std::string_view name) {
  if (name.find("javascript") != std::string_view::npos) {
    return Language::kJavaScript;
  }
  if (name.find("java") != std::string_view::npos) {
    return Language::kJava;
  }
  return Language::kPython;
}

std::string StandardizeString(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool ascii = true;
  for (char c : text) {
    ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  }
  std::string folded;
  if (!ascii) {
    // Python's str.lower() on non-ASCII letters; full case folding differs only for a handful
    // of letters (ß, ς, ...), which BFCL's data does not use in acceptable answers.
    text::NormalizeInto(text, {.case_fold = true}, folded);
    text = folded;
  }
  for (char c : text) {
    switch (c) {
      case ' ':
      case ',':
      case '.':
      case '/':
      case '-':
      case '_':
      case '*':
      case '^':
        break;
      case '\'':
        out.push_back('"');
        break;
      default:
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  return out;
}

CheckResult CheckCalls(std::span<const ToolCall> calls, const Json& functions,
                       const Json& ground_truth, const CheckOptions& options) {
  if (!ground_truth.is_array() || ground_truth.array().empty()) {
    return CheckResult{.valid = false, .error_type = kBadReference, .error = "no ground truth"};
  }
  const Json::Array& expected = ground_truth.array();
  switch (options.category) {
    case Category::kSimple: {
      if (calls.size() != 1) {
        return CheckResult{.valid = false,
                           .error_type = "simple_function_checker:wrong_count",
                           .error = "wrong number of functions"};
      }
      const Json* doc = functions.is_array()
                            ? (functions.array().empty() ? nullptr : &functions.array()[0])
                            : &functions;
      if (doc == nullptr) {
        return CheckResult{.valid = false, .error_type = kBadReference, .error = "no function doc"};
      }
      return ToResult(SimpleFunctionChecker(*doc, calls[0], expected[0], options));
    }
    case Category::kMultiple: {
      if (calls.size() != expected.size()) {
        return CheckResult{.valid = false,
                           .error_type = "multiple_function_checker:wrong_count",
                           .error = "wrong number of functions"};
      }
      const Json* doc = FindDescription(functions, ExpectedName(expected[0]));
      if (doc == nullptr) {
        return CheckResult{.valid = false, .error_type = kBadReference, .error = "no function doc"};
      }
      return ToResult(SimpleFunctionChecker(*doc, calls[0], expected[0], options));
    }
    case Category::kParallel:
    case Category::kIrrelevance:
    case Category::kRelevance:
      break;
  }
  if (calls.size() != expected.size()) {
    return CheckResult{.valid = false,
                       .error_type = "parallel_function_checker_no_order:wrong_count",
                       .error = "wrong number of functions"};
  }
  std::vector<bool> matched(calls.size(), false);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Json* doc = FindDescription(functions, ExpectedName(expected[i]));
    if (doc == nullptr) {
      return CheckResult{.valid = false, .error_type = kBadReference, .error = "no function doc"};
    }
    Check last;
    bool found = false;
    for (std::size_t j = 0; j < calls.size(); ++j) {
      if (matched[j]) {
        continue;
      }
      last = SimpleFunctionChecker(*doc, calls[j], expected[i], options);
      if (!last.has_value()) {
        matched[j] = true;
        found = true;
        break;
      }
    }
    if (!found) {
      return CheckResult{
          .valid = false,
          .error_type = "parallel_function_checker_no_order:cannot_find_match",
          .error = fmt::format("no output call matches expected call {} ({}): {}", i,
                               ExpectedName(expected[i]), last.has_value() ? last->error : "")};
    }
  }
  return CheckResult{};
}

}  // namespace merit::tool::bfcl
