// Json: an owned, immutable-by-convention JSON value. Samples carry references, metadata and chat
// messages as Json; configs are loaded (from YAML or JSON) into the same tree, so rewards see one
// value type whatever the source.
//
// Numbers keep their source text as well as a double, so that a big integer such as
// 123456789012345678901 is never silently rounded by a reward that compares text.
//
// Thread safety: a const Json may be read from any number of threads.
#ifndef MERIT_JSON_H_
#define MERIT_JSON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "merit/status.h"

namespace merit {

class Json {
 public:
  enum class Type : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  struct Number {
    double value = 0;
    std::string text;  // As written in the source ("1e3", "007" is not valid JSON, "-0").
  };

  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;  // Source order; keys unique.

  Json() = default;  // null

  static Json Bool(bool b) { return Json(Value(b)); }

  static Json Num(double value);  // Text is the shortest round-trip form.

  static Json Num(double value, std::string text) {
    return Json(Value(Number{value, std::move(text)}));
  }

  static Json Str(std::string s) { return Json(Value(std::move(s))); }

  static Json Arr(Array a = {}) { return Json(Value(std::move(a))); }

  static Json Obj(Object o = {}) { return Json(Value(std::move(o))); }

  Type type() const { return static_cast<Type>(value_.index()); }

  bool is_null() const { return type() == Type::kNull; }

  bool is_bool() const { return type() == Type::kBool; }

  bool is_number() const { return type() == Type::kNumber; }

  bool is_string() const { return type() == Type::kString; }

  bool is_array() const { return type() == Type::kArray; }

  bool is_object() const { return type() == Type::kObject; }

  // REQUIRES: the matching is_*() is true.
  bool boolean() const { return std::get<bool>(value_); }

  double number() const { return std::get<Number>(value_).value; }

  const std::string& number_text() const { return std::get<Number>(value_).text; }

  const std::string& str() const { return std::get<std::string>(value_); }

  const Array& array() const { return std::get<Array>(value_); }

  Array& array() { return std::get<Array>(value_); }

  const Object& object() const { return std::get<Object>(value_); }

  Object& object() { return std::get<Object>(value_); }

  // The member named `key` of an object; nullptr when absent or when this is not an object.
  const Json* Find(std::string_view key) const;
  // Follows a dotted path ("extra_info.answer", "choices.0.text": digits index arrays).
  const Json* FindPath(std::string_view dotted_path) const;
  // Sets (or replaces) an object member. REQUIRES: is_object().
  void Set(std::string key, Json value);

  // Compact JSON text. Non-finite numbers (which JSON cannot hold) are written as null.
  std::string Dump() const;
  void DumpTo(std::string& out) const;

  // Deep equality with JSON semantics: numbers compare by value (1 == 1.0), object key order is
  // irrelevant.
  friend bool operator==(const Json& a, const Json& b);

  static std::string_view TypeName(Type type);

 private:
  using Value = std::variant<std::monostate, bool, Number, std::string, Array, Object>;

  explicit Json(Value v) : value_(std::move(v)) {}

  Value value_;
};

// Appends `text` to `out` as a JSON string literal (quotes included). Invalid UTF-8 bytes are
// replaced by U+FFFD so that the output is always valid JSON.
void AppendJsonString(std::string_view text, std::string& out);
// Appends the shortest text that round-trips `value`; non-finite values become null.
void AppendJsonNumber(double value, std::string& out);

// Limits for parsing untrusted JSON.
struct JsonParseLimits {
  // Deeper documents are rejected, not recursed into. simdjson's convention: the document itself
  // is one level, so max_depth = N admits N - 1 levels of nested arrays/objects.
  std::size_t max_depth = 128;
};

// Parses one JSON document. Thread-compatible: use one JsonParser per thread (it reuses its
// buffers across calls, which is what makes parsing fast).
class JsonParser {
 public:
  explicit JsonParser(JsonParseLimits limits = {});
  JsonParser(JsonParser&&) noexcept;
  JsonParser& operator=(JsonParser&&) noexcept;
  ~JsonParser();

  // Errors: kInvalidArgument for malformed JSON or invalid UTF-8 (the message says which),
  // kResourceExhausted for a document deeper than max_depth.
  StatusOr<Json> Parse(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace merit

#endif  // MERIT_JSON_H_
