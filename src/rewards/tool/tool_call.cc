// Python-typed value helpers and ExtractToolCalls (see tool_call.h).
#include "rewards/tool/tool_call.h"

#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace merit::tool {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view Trim(std::string_view s, std::string_view chars = " \t\n\r\f\v") {
  const std::size_t first = s.find_first_not_of(chars);
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(chars) - first + 1);
}

bool IsNumeric(PyType t) { return t == PyType::kBool || t == PyType::kInt || t == PyType::kFloat; }

double NumericValue(const Json& v) {
  return v.is_bool() ? (v.boolean() ? 1.0 : 0.0) : v.number();
}

std::string_view IntText(const Json& v) {
  std::string_view t = v.number_text();
  if (!t.empty() && t.front() == '+') {
    t.remove_prefix(1);
  }
  return t;
}

Json* FindMutable(Json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  for (auto& [name, value] : object.object()) {
    if (name == key) {
      return &value;
    }
  }
  return nullptr;
}

// The arguments of a call as an object; `args` is moved from (callers own a copy).
StatusOr<Json> ArgumentsObject(Json* args) {
  if (args == nullptr || args->is_null()) {
    return Json::Obj();
  }
  if (args->is_object()) {
    return std::move(*args);
  }
  if (args->is_string()) {
    const std::string_view text = Trim(args->str());
    if (text.empty()) {
      return Json::Obj();
    }
    MERIT_ASSIGN_OR_RETURN(Json parsed, ParseLiteral(text));
    if (!parsed.is_object()) {
      return InvalidArgumentError("arguments are not a JSON object");
    }
    return parsed;
  }
  return InvalidArgumentError("arguments are not an object");
}

// Does the text look like an attempt at Python call syntax ("name(" or "[name(")?
bool LooksLikePythonCall(std::string_view text) {
  std::size_t p = 0;
  if (p < text.size() && text[p] == '[') {
    ++p;
    while (p < text.size() && IsSpace(text[p])) {
      ++p;
    }
  }
  const std::size_t name_start = p;
  while (p < text.size() && (std::isalnum(static_cast<unsigned char>(text[p])) != 0 ||
                             text[p] == '_' || text[p] == '.')) {
    ++p;
  }
  if (p == name_start) {
    return false;
  }
  while (p < text.size() && IsSpace(text[p])) {
    ++p;
  }
  return p < text.size() && text[p] == '(';
}

StatusOr<std::vector<ToolCall>> CallsFromJson(const Json& value) {
  std::vector<ToolCall> calls;
  if (value.is_array()) {
    for (const Json& item : value.array()) {
      MERIT_ASSIGN_OR_RETURN(ToolCall call, ReadCallObject(item));
      calls.push_back(std::move(call));
    }
    return calls;
  }
  if (const Json* inner = value.Find("tool_calls"); inner != nullptr && inner->is_array()) {
    return CallsFromJson(*inner);  // One level only: an array never recurses here.
  }
  MERIT_ASSIGN_OR_RETURN(ToolCall call, ReadCallObject(value));
  calls.push_back(std::move(call));
  return calls;
}

// The last assistant message of a chat completion, or the array itself when it is BFCL's result
// format (a list of {name: args} with no roles). nullptr: no calls there.
StatusOr<std::optional<std::vector<ToolCall>>> CallsFromMessages(const Json& completion) {
  if (!completion.is_array() || completion.array().empty()) {
    return std::optional<std::vector<ToolCall>>();
  }
  bool any_role = false;
  const Json* assistant = nullptr;
  for (const Json& message : completion.array()) {
    const Json* role = message.Find("role");
    if (role != nullptr) {
      any_role = true;
      if (role->is_string() && role->str() == "assistant") {
        assistant = &message;
      }
    }
  }
  if (!any_role) {
    MERIT_ASSIGN_OR_RETURN(std::vector<ToolCall> calls, CallsFromJson(completion));
    return std::optional<std::vector<ToolCall>>(std::move(calls));
  }
  if (assistant == nullptr) {
    return std::optional<std::vector<ToolCall>>();
  }
  const Json* tool_calls = assistant->Find("tool_calls");
  if (tool_calls == nullptr || !tool_calls->is_array() || tool_calls->array().empty()) {
    return std::optional<std::vector<ToolCall>>();
  }
  MERIT_ASSIGN_OR_RETURN(std::vector<ToolCall> calls, CallsFromJson(*tool_calls));
  return std::optional<std::vector<ToolCall>>(std::move(calls));
}

}  // namespace

PyType PyTypeOf(const Json& value) {
  switch (value.type()) {
    case Json::Type::kNull:
      return PyType::kNone;
    case Json::Type::kBool:
      return PyType::kBool;
    case Json::Type::kNumber: {
      const std::string& text = value.number_text();
      return text.find_first_of(".eEnN") == std::string::npos ? PyType::kInt : PyType::kFloat;
    }
    case Json::Type::kString:
      return PyType::kStr;
    case Json::Type::kArray:
      return PyType::kList;
    case Json::Type::kObject:
      return PyType::kDict;
  }
  return PyType::kNone;
}

std::string_view PyTypeName(PyType type) {
  switch (type) {
    case PyType::kNone:
      return "NoneType";
    case PyType::kBool:
      return "bool";
    case PyType::kInt:
      return "int";
    case PyType::kFloat:
      return "float";
    case PyType::kStr:
      return "str";
    case PyType::kList:
      return "list";
    case PyType::kDict:
      return "dict";
  }
  return "?";
}

Json PyFloat(double value) {
  std::string text;
  AppendJsonNumber(value, text);
  if (text.find_first_of(".eEn") == std::string::npos) {
    text += ".0";
  }
  return Json::Num(value, std::move(text));
}

bool PyEquals(const Json& a, const Json& b) {
  std::vector<std::pair<const Json*, const Json*>> pending = {{&a, &b}};
  while (!pending.empty()) {
    const auto [x, y] = pending.back();
    pending.pop_back();
    const PyType tx = PyTypeOf(*x);
    const PyType ty = PyTypeOf(*y);
    if (IsNumeric(tx) && IsNumeric(ty)) {
      if (tx == PyType::kInt && ty == PyType::kInt &&
          (std::fabs(x->number()) >= 9.0e15 || std::fabs(y->number()) >= 9.0e15)) {
        if (IntText(*x) != IntText(*y)) {  // Beyond 2^53 the doubles may round together.
          return false;
        }
      } else if (NumericValue(*x) != NumericValue(*y)) {
        return false;
      }
      continue;
    }
    if (tx != ty) {
      return false;
    }
    switch (tx) {
      case PyType::kStr:
        if (x->str() != y->str()) {
          return false;
        }
        break;
      case PyType::kList:
        if (x->array().size() != y->array().size()) {
          return false;
        }
        for (std::size_t i = 0; i < x->array().size(); ++i) {
          pending.emplace_back(&x->array()[i], &y->array()[i]);
        }
        break;
      case PyType::kDict:
        if (x->object().size() != y->object().size()) {
          return false;
        }
        for (const auto& [key, value] : x->object()) {
          const Json* other = y->Find(key);
          if (other == nullptr) {
            return false;
          }
          pending.emplace_back(&value, other);
        }
        break;
      default:
        break;  // None == None.
    }
  }
  return true;
}

StatusOr<ToolCall> ReadCallObject(Json&& object) {
  if (!object.is_object()) {
    return InvalidArgumentError(
        fmt::format("a tool call must be an object, got {}", Json::TypeName(object.type())));
  }
  Json* body = &object;
  if (Json* function = FindMutable(object, "function");
      function != nullptr && function->is_object()) {
    body = function;  // OpenAI: {"type": "function", "function": {"name", "arguments"}}.
  }
  const Json* name = body->Find("name");
  if (name != nullptr && name->is_string()) {
    if (name->str().empty()) {
      return InvalidArgumentError("a tool call's \"name\" is empty");
    }
    Json* args = FindMutable(*body, "arguments");
    if (args == nullptr) {
      args = FindMutable(*body, "parameters");
    }
    std::string call_name = name->str();
    MERIT_ASSIGN_OR_RETURN(Json arguments, ArgumentsObject(args));
    return ToolCall{.name = std::move(call_name), .arguments = std::move(arguments)};
  }
  // BFCL's result format: {"<name>": "<json args>"} or {"<name>": {args}}.
  if (body->object().size() == 1) {
    auto& [key, value] = body->object().front();
    if (!key.empty() && (value.is_string() || value.is_object())) {
      MERIT_ASSIGN_OR_RETURN(Json arguments, ArgumentsObject(&value));
      return ToolCall{.name = key, .arguments = std::move(arguments)};
    }
  }
  return InvalidArgumentError("a tool call needs a \"name\"");
}

StatusOr<ToolCall> ReadCallObject(const Json& object) { return ReadCallObject(Json(object)); }

TagBlocks FindTagBlocks(std::string_view text, std::string_view open, std::string_view close) {
  TagBlocks result;
  std::size_t pos = 0;
  while (true) {
    const std::size_t start = text.find(open, pos);
    if (start == std::string_view::npos) {
      break;
    }
    const std::size_t content = start + open.size();
    const std::size_t end = text.find(close, content);
    if (end == std::string_view::npos) {
      result.unclosed = true;
      break;
    }
    result.blocks.push_back(text.substr(content, end - content));
    pos = end + close.size();
  }
  return result;
}

StatusOr<ExtractedCalls> ExtractToolCalls(const Sample& sample, const ExtractOptions& options) {
  const LiteralOptions literal{.max_depth = options.max_json_depth};
  ExtractedCalls result;
  if (options.messages) {
    MERIT_ASSIGN_OR_RETURN(std::optional<std::vector<ToolCall>> calls,
                           CallsFromMessages(sample.completion));
    if (calls.has_value()) {
      result.source = CallSource::kMessages;
      result.calls = std::move(*calls);
      return result;
    }
  }
  std::string_view text = sample.completion_text;
  // Reasoning comes first and may mention calls it then does not make: look after it.
  if (const std::size_t think_end = text.rfind("</think>"); think_end != std::string_view::npos) {
    text.remove_prefix(think_end + 8);
  }
  if (options.tags) {
    const TagBlocks tags = FindTagBlocks(text, "<tool_call>", "</tool_call>");
    if (tags.unclosed) {
      return InvalidArgumentError("<tool_call> without </tool_call>");
    }
    if (!tags.blocks.empty()) {
      result.source = CallSource::kTags;
      for (std::string_view block : tags.blocks) {
        block = Trim(block);
        // One JSON object per line (ToolRL) first: the common case parses each line once. A
        // line that does not parse means the block is one (pretty-printed) document (Hermes).
        const std::size_t before = result.calls.size();
        bool per_line = true;
        std::size_t pos = 0;
        while (per_line && pos <= block.size()) {
          std::size_t end = block.find('\n', pos);
          if (end == std::string_view::npos) {
            end = block.size();
          }
          const std::string_view line = Trim(block.substr(pos, end - pos));
          pos = end + 1;
          if (line.empty()) {
            continue;
          }
          StatusOr<Json> parsed = ParseLiteral(line, literal);
          StatusOr<ToolCall> call = parsed.ok() ? ReadCallObject(std::move(*parsed))
                                                : StatusOr<ToolCall>(parsed.status());
          if (!call.ok()) {
            per_line = false;
            break;
          }
          result.calls.push_back(std::move(*call));
        }
        if (per_line) {
          continue;
        }
        result.calls.resize(before);
        MERIT_ASSIGN_OR_RETURN(Json whole, ParseLiteral(block, literal));
        MERIT_ASSIGN_OR_RETURN(std::vector<ToolCall> calls, CallsFromJson(whole));
        for (ToolCall& call : calls) {
          result.calls.push_back(std::move(call));
        }
      }
      return result;
    }
  }
  // BFCL's prompt decoding strips surrounding backticks, newlines and spaces.
  const std::string_view stripped = Trim(text, "` \t\n\r");
  if (options.python && LooksLikePythonCall(stripped)) {
    MERIT_ASSIGN_OR_RETURN(result.calls, ParsePythonCalls(stripped, options.python_options));
    result.source = CallSource::kPython;
    return result;
  }
  if (options.json) {
    std::string_view candidate = stripped;
    if (candidate.starts_with("json")) {
      candidate = Trim(candidate.substr(4));
    }
    StatusOr<Json> parsed = ParseLiteral(candidate, literal);
    if (!parsed.ok()) {
      // The outermost [...] or {...} inside prose.
      const std::size_t first = candidate.find_first_of("[{");
      if (first != std::string_view::npos) {
        const char closer = candidate[first] == '[' ? ']' : '}';
        const std::size_t last = candidate.rfind(closer);
        if (last != std::string_view::npos && last > first) {
          parsed = ParseLiteral(candidate.substr(first, last - first + 1), literal);
        }
      }
    }
    if (parsed.ok() && (parsed->is_array() || parsed->is_object())) {
      MERIT_ASSIGN_OR_RETURN(result.calls, CallsFromJson(*parsed));
      result.source = CallSource::kJson;
      return result;
    }
  }
  return result;
}

}  // namespace merit::tool
