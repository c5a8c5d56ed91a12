#include "merit/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <simdjson.h>

namespace merit {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 if the bytes there are not valid UTF-8.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    return 1;
  }
  std::size_t len = 0;
  std::uint32_t min_code = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min_code = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min_code = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min_code = 0x10000;
  } else {
    return 0;
  }
  if (i + len > text.size()) {
    return 0;
  }
  std::uint32_t code = b0 & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  return len;
}

}  // namespace

Json Json::Num(double value) {
  std::string text;
  AppendJsonNumber(value, text);
  return Json(Value(Number{value, std::move(text)}));
}

const Json* Json::Find(std::string_view key) const {
  if (!is_object()) {
    return nullptr;
  }
  for (const auto& [k, v] : object()) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

const Json* Json::FindPath(std::string_view dotted_path) const {
  const Json* node = this;
  while (node != nullptr) {
    const std::size_t dot = dotted_path.find('.');
    const std::string_view part = dotted_path.substr(0, dot);
    if (node->is_array()) {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
      if (ec != std::errc() || end != part.data() + part.size() || index >= node->array().size()) {
        return nullptr;
      }
      node = &node->array()[index];
    } else {
      node = node->Find(part);
    }
    if (dot == std::string_view::npos) {
      return node;
    }
    dotted_path.remove_prefix(dot + 1);
  }
  return nullptr;
}

void Json::Set(std::string key, Json value) {
  for (auto& [k, v] : object()) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  object().emplace_back(std::move(key), std::move(value));
}

std::string Json::Dump() const {
  std::string out;
  DumpTo(out);
  return out;
}

void Json::DumpTo(std::string& out) const {
  switch (type()) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += boolean() ? "true" : "false";
      return;
    case Type::kNumber:
      if (!std::isfinite(number())) {
        out += "null";
      } else {
        out += number_text();
      }
      return;
    case Type::kString:
      AppendJsonString(str(), out);
      return;
    case Type::kArray: {
      out += '[';
      bool first = true;
      for (const Json& item : array()) {
        if (!first) {
          out += ',';
        }
        first = false;
        item.DumpTo(out);
      }
      out += ']';
      return;
    }
    case Type::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : object()) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendJsonString(key, out);
        out += ':';
        item.DumpTo(out);
      }
      out += '}';
      return;
    }
  }
}

bool operator==(const Json& a, const Json& b) {
  if (a.type() != b.type()) {
    return false;
  }
  switch (a.type()) {
    case Json::Type::kNull:
      return true;
    case Json::Type::kBool:
      return a.boolean() == b.boolean();
    case Json::Type::kNumber:
      return a.number() == b.number();
    case Json::Type::kString:
      return a.str() == b.str();
    case Json::Type::kArray:
      return a.array() == b.array();
    case Json::Type::kObject: {
      if (a.object().size() != b.object().size()) {
        return false;
      }
      for (const auto& [key, value] : a.object()) {
        const Json* other = b.Find(key);
        if (other == nullptr || !(*other == value)) {
          return false;
        }
      }
      return true;
    }
  }
  return false;
}

std::string_view Json::TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kArray:
      return "array";
    case Type::kObject:
      return "object";
  }
  return "unknown";
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy runs of plain ASCII in one append: the common case.
    std::size_t run = i;
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) {
        break;
      }
      ++run;
    }
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) {
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t len = Utf8SequenceLength(text, i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(text.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    ++i;
  }
  out += '"';
}

void AppendJsonNumber(double value, std::string& out) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buf[32];
  // Rewards are very often small integers (0, 1, -1): the integer path is several times cheaper
  // than the shortest-round-trip double path and gives the same text. -0.0 keeps its sign.
  if (value == std::trunc(value) && std::fabs(value) < 1e15 &&
      !(value == 0 && std::signbit(value))) {
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(value));
    out.append(buf, static_cast<std::size_t>(end - buf));
    return;
  }
  // fmt's Dragonbox gives the same shortest round-trip digits as std::to_chars at a fraction of
  // libstdc++'s cost; the JSONL writer formats several numbers per sample.
  const char* end = fmt::format_to(buf, "{}", value);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

// ---------------------------------------------------------------------------------------------
// Parsing. simdjson's DOM API dispatches at run time to the best SIMD kernel of the machine, so
// it is the fast path. It rejects integers wider than 64 bits (NUMBER_ERROR); for those rare
// documents the On-Demand API (which gives each number's raw text) parses the line again, exactly.

struct JsonParser::Impl {
  explicit Impl(JsonParseLimits l) : limits(l) {}

  JsonParseLimits limits;
  simdjson::dom::parser dom;
  simdjson::ondemand::parser ondemand;
  std::string padded;
};

namespace {

Status FromSimdjson(simdjson::error_code error) {
  if (error == simdjson::DEPTH_ERROR) {
    return ResourceExhaustedError("json nested too deeply");
  }
  return InvalidArgumentError(fmt::format("invalid json: {}", simdjson::error_message(error)));
}

// Recursion depth is bounded by the parser's max_depth, enforced by simdjson before we get here.
Json FromDom(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return Json();
    case simdjson::dom::element_type::BOOL:
      return Json::Bool(element.get_bool().value_unsafe());
    case simdjson::dom::element_type::INT64: {
      const std::int64_t v = element.get_int64().value_unsafe();
      return Json::Num(static_cast<double>(v), std::to_string(v));
    }
    case simdjson::dom::element_type::UINT64: {
      const std::uint64_t v = element.get_uint64().value_unsafe();
      return Json::Num(static_cast<double>(v), std::to_string(v));
    }
    case simdjson::dom::element_type::DOUBLE: {
      const double v = element.get_double().value_unsafe();
      std::string text;
      AppendJsonNumber(v, text);
      // A float stays a float: 1.0 must not read back as the integer 1 (tool-call checkers
      // follow Python, where int and float arguments differ).
      if (text.find_first_of(".eEn") == std::string::npos) {
        text += ".0";
      }
      return Json::Num(v, std::move(text));
    }
    case simdjson::dom::element_type::STRING:
      return Json::Str(std::string(element.get_string().value_unsafe()));
    case simdjson::dom::element_type::ARRAY: {
      Json::Array items;
      const simdjson::dom::array array = element.get_array().value_unsafe();
      items.reserve(array.size());
      for (simdjson::dom::element item : array) {
        items.push_back(FromDom(item));
      }
      return Json::Arr(std::move(items));
    }
    case simdjson::dom::element_type::OBJECT: {
      Json out = Json::Obj();
      const simdjson::dom::object object = element.get_object().value_unsafe();
      out.object().reserve(object.size());
      for (simdjson::dom::key_value_pair field : object) {
        // Duplicate keys: the last one wins, as in Python's json module.
        out.Set(std::string(field.key), FromDom(field.value));
      }
      return out;
    }
  }
  return Json();
}

template <typename V>
StatusOr<Json> FromOnDemand(V value) {
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type)) {
    return FromSimdjson(error);
  }
  switch (type) {
    case simdjson::ondemand::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null); error || !is_null) {
        return InvalidArgumentError("invalid json: bad literal");
      }
      return Json();
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b = false;
      if (auto error = value.get_bool().get(b)) {
        return FromSimdjson(error);
      }
      return Json::Bool(b);
    }
    case simdjson::ondemand::json_type::number: {
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' ||
                              raw.back() == '\r')) {
        raw.remove_suffix(1);
      }
      double d = 0;
      const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), d);
      if (ec != std::errc() || end != raw.data() + raw.size() || !std::isfinite(d)) {
        return InvalidArgumentError("invalid json: number out of range");
      }
      return Json::Num(d, std::string(raw));
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      if (auto error = value.get_string().get(s)) {
        return FromSimdjson(error);
      }
      return Json::Str(std::string(s));
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array array;
      if (auto error = value.get_array().get(array)) {
        return FromSimdjson(error);
      }
      Json::Array items;
      for (auto element : array) {
        simdjson::ondemand::value item;
        if (auto error = element.get(item)) {
          return FromSimdjson(error);
        }
        MERIT_ASSIGN_OR_RETURN(Json converted, FromOnDemand(item));
        items.push_back(std::move(converted));
      }
      return Json::Arr(std::move(items));
    }
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object object;
      if (auto error = value.get_object().get(object)) {
        return FromSimdjson(error);
      }
      Json out = Json::Obj();
      for (auto field : object) {
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) {
          return FromSimdjson(error);
        }
        std::string key_copy(key);
        simdjson::ondemand::value item;
        if (auto error = field.value().get(item)) {
          return FromSimdjson(error);
        }
        MERIT_ASSIGN_OR_RETURN(Json converted, FromOnDemand(item));
        out.Set(std::move(key_copy), std::move(converted));
      }
      return out;
    }
  }
  return InvalidArgumentError("invalid json");
}

}  // namespace

JsonParser::JsonParser(JsonParseLimits limits) : impl_(std::make_unique<Impl>(limits)) {}

JsonParser::JsonParser(JsonParser&&) noexcept = default;
JsonParser& JsonParser::operator=(JsonParser&&) noexcept = default;
JsonParser::~JsonParser() = default;

StatusOr<Json> JsonParser::Parse(std::string_view text) {
  Impl& impl = *impl_;
  if (impl.dom.max_depth() != impl.limits.max_depth || impl.dom.capacity() < text.size()) {
    if (impl.dom.allocate(std::max<std::size_t>(text.size(), 4096), impl.limits.max_depth)) {
      return ResourceExhaustedError("json document too large");
    }
  }
  simdjson::dom::element root;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; copying into our own padded buffer
  // (capacity kept across calls) avoids the allocation simdjson would make for every document.
  impl.padded.assign(text);
  impl.padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
  const simdjson::error_code error =
      impl.dom.parse(impl.padded.data(), text.size(), /*realloc_if_needed=*/false).get(root);
  if (!error) {
    return FromDom(root);
  }
  if (error != simdjson::NUMBER_ERROR) {
    return FromSimdjson(error);
  }

  // Wrapping the text in [ ] lets On-Demand validate a scalar document as strictly as any other.
  impl.padded.assign("[");
  impl.padded.append(text);
  impl.padded.append("]");
  const std::size_t length = impl.padded.size();
  impl.padded.resize(length + simdjson::SIMDJSON_PADDING);
  if (impl.ondemand.allocate(length, impl.limits.max_depth + 1)) {
    return ResourceExhaustedError("json document too large");
  }
  simdjson::ondemand::document doc;
  if (auto e = impl.ondemand.iterate(impl.padded.data(), length, impl.padded.size()).get(doc)) {
    return FromSimdjson(e);
  }
  simdjson::ondemand::array wrapper;
  if (auto e = doc.get_array().get(wrapper)) {
    return FromSimdjson(e);
  }
  Json result;
  std::size_t count = 0;
  for (auto element : wrapper) {
    simdjson::ondemand::value item;
    if (auto e = element.get(item)) {
      return FromSimdjson(e);
    }
    if (++count > 1) {
      return InvalidArgumentError("invalid json: trailing content after value");
    }
    MERIT_ASSIGN_OR_RETURN(result, FromOnDemand(item));
  }
  if (count != 1) {
    return InvalidArgumentError("invalid json: empty input");
  }
  const char* location = nullptr;
  if (!doc.current_location().get(location)) {
    return InvalidArgumentError("invalid json: trailing content after value");
  }
  return result;
}

}  // namespace merit
