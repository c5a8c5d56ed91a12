// Ports of BFCL's java_type_converter.py and js_type_converter.py: turn the string a model gave
// for a Java/JavaScript parameter into a typed value, falling back to the string itself. The
// regular expressions are BFCL's (RE2 accepts them; re.match is an anchored RE2 match); the one
// with a look-ahead (the JS object splitter) is hand-written below.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "rewards/tool/bfcl.h"

namespace merit::tool::bfcl {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view StripChars(std::string_view s, std::string_view chars) {
  while (!s.empty() && chars.find(s.front()) != std::string_view::npos) {
    s.remove_prefix(1);
  }
  while (!s.empty() && chars.find(s.back()) != std::string_view::npos) {
    s.remove_suffix(1);
  }
  return s;
}

// re.match: the pattern must match at the start (not necessarily to the end).
bool MatchStart(std::string_view text, const RE2& re, std::string_view* group1 = nullptr,
                std::string_view* group2 = nullptr) {
  re2::StringPiece groups[3];
  const int n = 1 + re.NumberOfCapturingGroups();
  if (!re.Match(text, 0, text.size(), RE2::ANCHOR_START, groups, n > 3 ? 3 : n)) {
    return false;
  }
  if (group1 != nullptr) {
    *group1 = n > 1 ? std::string_view(groups[1].data(), groups[1].size()) : std::string_view();
  }
  if (group2 != nullptr) {
    *group2 = n > 2 ? std::string_view(groups[2].data(), groups[2].size()) : std::string_view();
  }
  return true;
}

// re.search.
bool Search(std::string_view text, const RE2& re, std::string_view* group1 = nullptr) {
  re2::StringPiece groups[2];
  if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, groups, 2)) {
    return false;
  }
  if (group1 != nullptr) {
    *group1 = std::string_view(groups[1].data(), groups[1].size());
  }
  return true;
}

// re.findall for a pattern with one or two groups: the groups of each non-overlapping match.
std::vector<std::pair<std::string_view, std::string_view>> FindAll(std::string_view text,
                                                                   const RE2& re) {
  std::vector<std::pair<std::string_view, std::string_view>> found;
  re2::StringPiece groups[3];
  const int n = std::min(1 + re.NumberOfCapturingGroups(), 3);
  std::size_t pos = 0;
  while (pos <= text.size() && re.Match(text, pos, text.size(), RE2::UNANCHORED, groups, n)) {
    found.emplace_back(std::string_view(groups[1].data(), groups[1].size()),
                       n > 2 ? std::string_view(groups[2].data(), groups[2].size())
                             : std::string_view());
    const std::size_t end =
        static_cast<std::size_t>(groups[0].data() - text.data()) + groups[0].size();
    pos = groups[0].empty() ? end + 1 : end;
  }
  return found;
}

Json IntFromDigits(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  std::string digits(text);
  if (!digits.empty() && digits.front() == '+') {
    digits.erase(0, 1);
  }
  return Json::Num(value, std::move(digits));
}

// Python's int(s): optional sign, decimal digits with single underscores between them.
std::optional<Json> PyInt(std::string_view s) {
  s = Strip(s);
  std::string digits;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    if (s[i] == '-') {
      digits.push_back('-');
    }
    ++i;
  }
  bool any = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits.push_back(s[i]);
      any = true;
    } else if (s[i] == '_' && any && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
      continue;
    } else {
      return std::nullopt;
    }
  }
  if (!any) {
    return std::nullopt;
  }
  return IntFromDigits(digits);
}

// Python's float(s), for the forms models write (decimal, exponent, inf, nan).
std::optional<Json> PyFloatOf(std::string_view s) {
  s = Strip(s);
  if (s.empty()) {
    return std::nullopt;
  }
  std::string_view body = s;
  bool negative = false;
  if (body.front() == '-' || body.front() == '+') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  std::string lower;
  for (char c : body) {
    lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  if (lower == "inf" || lower == "infinity") {
    return PyFloat(negative ? -HUGE_VAL : HUGE_VAL);
  }
  if (lower == "nan") {
    return PyFloat(std::nan(""));
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec != std::errc() || ptr != body.data() + body.size() ||
      body.find_first_of("0123456789") == std::string_view::npos) {
    return std::nullopt;
  }
  return PyFloat(negative ? -value : value);
}

std::vector<std::string_view> SplitComma(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
}

// ---- Java ----

const RE2& JavaIntRe() {
  static const RE2 re(R"(^-?\d+$)");
  return re;
}

const RE2& JavaFloatRe() {
  static const RE2 re(R"(^-?\d+(\.\d+)?([eE][+-]?\d+)?[fF]$)");
  return re;
}

const RE2& JavaDoubleRe() {
  static const RE2 re(R"(^-?\d+(\.\d+)?([eE][+-]?\d+)?$)");
  return re;
}

const RE2& JavaLongRe() {
  static const RE2 re(R"(^-?\d+[lL]$)");
  return re;
}

Json ParseJavaValue(std::string_view value) {
  if (value == "true" || value == "false") {
    return Json::Bool(value == "true");
  }
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return Json::Str(std::string(value.substr(1, value.size() - 2)));
  }
  if (value.size() == 1 && value == "\"") {
    return Json::Str("");
  }
  if (MatchStart(value, JavaLongRe())) {
    return IntFromDigits(value.substr(0, value.size() - 1));
  }
  if (MatchStart(value, JavaFloatRe())) {
    return *PyFloatOf(value.substr(0, value.size() - 1));
  }
  if (std::optional<Json> i = PyInt(value)) {
    return *i;
  }
  if (std::optional<Json> f = PyFloatOf(value)) {
    return *f;
  }
  return Json::Str(std::string(value));
}

Json JavaElement(std::string_view element, std::string_view nested_type, bool strip_quotes) {
  if (strip_quotes && (nested_type == "char" || nested_type == "String")) {
    return Json::Str(element.size() >= 2 ? std::string(element.substr(1, element.size() - 2))
                                         : std::string());
  }
  return nested_type.empty() ? ParseJavaValue(element) : ConvertJava(element, nested_type, "");
}

Json ParseArrayList(std::string_view input, std::string_view nested_type) {
  static const RE2 as_list(R"(new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\))");
  static const RE2 with_adds(R"((?s)new\s+ArrayList<\w*>\(\)\s*\{\{\s*(.+?)\s*\}\})");
  static const RE2 add(R"(add\((.+?)\))");
  static const RE2 empty(R"(new\s+ArrayList<\w*>\(\))");
  std::string_view group;
  if (Search(input, as_list, &group)) {
    Json::Array elements;
    for (std::string_view part : SplitComma(group)) {
      elements.push_back(JavaElement(Strip(part), nested_type, true));
    }
    return Json::Arr(std::move(elements));
  }
  if (Search(input, with_adds, &group)) {
    Json::Array elements;
    for (const auto& [value, unused] : FindAll(group, add)) {
      elements.push_back(JavaElement(Strip(value), nested_type, true));
    }
    return Json::Arr(std::move(elements));
  }
  if (Search(input, empty)) {
    return Json::Arr();
  }
  return Json::Str(std::string(input));
}

Json ParseJavaArray(std::string_view input, std::string_view nested_type) {
  static const RE2 array(R"(new\s+\w+\[\]\s*\{(.*?)\})");
  std::string_view group;
  if (!Search(input, array, &group)) {
    return Json::Str(std::string(input));
  }
  Json::Array elements;
  for (std::string_view part : SplitComma(group)) {
    part = Strip(part);
    if (!part.empty()) {
      elements.push_back(JavaElement(part, nested_type, false));
    }
  }
  return Json::Arr(std::move(elements));
}

Json ParseHashMap(std::string_view input) {
  static const RE2 map(R"((?s)new\s+HashMap<.*?>\s*\(\)\s*\{\s*\{?\s*(.*?)\s*\}?\s*\})");
  static const RE2 put(R"re(put\("(.*?)",\s*(.*?)\))re");
  static const RE2 empty(R"(new\s+HashMap<.*?>\s*\(\))");
  std::string_view group;
  if (Search(input, map, &group)) {
    Json result = Json::Obj();
    if (!Strip(group).empty()) {
      for (const auto& [key, value] : FindAll(group, put)) {
        result.Set(std::string(key), ParseJavaValue(Strip(value)));
      }
    }
    return result;
  }
  if (Search(input, empty)) {
    return Json::Obj();
  }
  return Json::Str(std::string(input));
}

// ---- JavaScript ----

bool TypeKnownJs(std::string_view type) {
  constexpr std::string_view kTypes[] = {"String",  "integer", "float", "Bigint",
                                         "Boolean", "dict",    "array", "any"};
  for (std::string_view t : kTypes) {
    if (t == type) {
      return true;
    }
  }
  return false;
}

Json ParseJsValue(std::string_view value) {
  value = Strip(value);
  if (value == "true" || value == "false") {
    return Json::Bool(value == "true");
  }
  if (!value.empty() && ((value.front() == '"' && value.back() == '"') ||
                         (value.front() == '\'' && value.back() == '\''))) {
    return Json::Str(value.size() >= 2 ? std::string(value.substr(1, value.size() - 2)) : "");
  }
  if (std::optional<Json> i = PyInt(value)) {
    return *i;
  }
  if (std::optional<Json> f = PyFloatOf(value)) {
    return *f;
  }
  return Json::Str(std::string(value));
}

Json ParseJsCollection(std::string_view code, bool array, std::string_view nested_type, int depth);

// The pairs BFCL's regex ([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$) finds: a key up to the first ':',
// then a value that ends at a ',' followed by another "key:" segment, or at the end.
std::vector<std::pair<std::string_view, std::string_view>> JsPairs(std::string_view content) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  std::size_t s = 0;
  const std::size_t n = content.size();
  while (s < n) {
    const std::size_t colon = content.find(':', s);
    if (colon == std::string_view::npos) {
      break;
    }
    if (colon == s) {
      ++s;
      continue;
    }
    std::size_t v = colon + 1;
    while (v < n && IsSpace(content[v])) {
      ++v;
    }
    std::size_t end = n;
    std::size_t next = n;
    for (std::size_t e = v; e < n; ++e) {
      if (content[e] != ',') {
        continue;
      }
      std::size_t f = e + 1;
      while (f < n && IsSpace(content[f])) {
        ++f;
      }
      const std::size_t h = std::min(content.find(',', f), n);
      const std::size_t c = content.find(':', f + 1);
      if (f < n && c != std::string_view::npos && c < h) {
        end = e;
        next = f;
        break;
      }
    }
    pairs.emplace_back(content.substr(s, colon - s), content.substr(v, end - v));
    s = next;
  }
  return pairs;
}

Json ParseJsCollection(std::string_view code, bool array, std::string_view nested_type, int depth) {
  code = Strip(code);
  if (depth > 8) {
    return Json::Str(std::string(code));  // BFCL recurses without a limit; we stop here.
  }
  if (array) {
    static const RE2 array_2d(
        R"(\[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]|\bnew\s+Array\(\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\))");
    static const RE2 array_1d(R"(\[(.*?)\]|\bnew\s+Array\((.*?)\))");
    static const RE2 inner(R"(\[(.*?)\])");
    std::string_view whole;
    re2::StringPiece groups[1];
    if (array_2d.Match(code, 0, code.size(), RE2::ANCHOR_START, groups, 1)) {
      whole = std::string_view(groups[0].data(), groups[0].size());
      Json::Array elements;
      bool first = true;
      for (auto [inner_str, unused] : FindAll(whole, inner)) {
        inner_str = Strip(inner_str);
        if (first && !inner_str.empty() && inner_str.front() == '[') {
          inner_str.remove_prefix(1);
        }
        first = false;
        Json::Array row;
        for (std::string_view e : SplitComma(inner_str)) {
          row.push_back(ParseJsValue(Strip(e)));
        }
        elements.push_back(Json::Arr(std::move(row)));
      }
      return Json::Arr(std::move(elements));
    }
    std::string_view g1;
    std::string_view g2;
    if (!MatchStart(code, array_1d, &g1, &g2)) {
      return Json::Str(std::string(code));
    }
    const std::string_view elements_str = Strip(g1.data() != nullptr ? g1 : g2);
    Json::Array elements;
    if (!elements_str.empty()) {
      for (std::string_view e : SplitComma(elements_str)) {
        e = Strip(e);
        if (!nested_type.empty()) {
          if (!TypeKnownJs(nested_type)) {
            return Json::Str(std::string(code));  // BFCL's ValueError, caught: the string.
          }
          const bool quoted = !e.empty() && (e.front() == '\'' || e.front() == '"');
          elements.push_back(ConvertJavaScript(e, nested_type, quoted ? "String" : ""));
        } else {
          elements.push_back(ParseJsValue(e));
        }
      }
    }
    return Json::Arr(std::move(elements));
  }
  if (code == "{}") {
    return Json::Obj();
  }
  static const RE2 dict(R"(\{(.*?)\})");
  std::string_view content;
  if (!MatchStart(code, dict, &content)) {
    return Json::Str(std::string(code));
  }
  Json result = Json::Obj();
  for (const auto& [raw_key, raw_value] : JsPairs(content)) {
    const std::string_view key = StripChars(Strip(raw_key), "'\"");
    const std::string_view value = Strip(raw_value);
    if (!value.empty() && value.front() == '[' && value.back() == ']') {
      result.Set(std::string(key), ParseJsCollection(value, true, "", depth + 1));
    } else if (!value.empty() && value.front() == '{' && value.back() == '}') {
      result.Set(std::string(key), ParseJsCollection(value, false, "", depth + 1));
    } else {
      result.Set(std::string(key), ParseJsValue(StripChars(value, "'\"")));
    }
  }
  return result;
}

}  // namespace

Json ConvertJava(std::string_view value, std::string_view type, std::string_view nested_type) {
  if (type == "byte" || type == "short" || type == "integer") {
    return MatchStart(value, JavaIntRe()) ? IntFromDigits(value) : Json::Str(std::string(value));
  }
  if (type == "float") {
    return MatchStart(value, JavaFloatRe()) ? *PyFloatOf(value.substr(0, value.size() - 1))
                                            : Json::Str(std::string(value));
  }
  if (type == "double") {
    return MatchStart(value, JavaDoubleRe()) ? *PyFloatOf(value) : Json::Str(std::string(value));
  }
  if (type == "long") {
    return MatchStart(value, JavaLongRe()) ? IntFromDigits(value.substr(0, value.size() - 1))
                                           : Json::Str(std::string(value));
  }
  if (type == "boolean") {
    return value == "true" || value == "false" ? Json::Bool(value == "true")
                                               : Json::Str(std::string(value));
  }
  if (type == "Array") {
    return ParseJavaArray(value, nested_type);
  }
  if (type == "ArrayList") {
    return ParseArrayList(value, nested_type);
  }
  if (type == "HashMap") {
    return ParseHashMap(value);
  }
  // char (BFCL's char pattern ^\'.$\' can never match), String, any: the string itself.
  return Json::Str(std::string(value));
}

Json ConvertJavaScript(std::string_view value, std::string_view type,
                       std::string_view nested_type) {
  if (type == "String") {
    if (!value.empty() && ((value.front() == '"' && value.back() == '"') ||
                           (value.front() == '\'' && value.back() == '\''))) {
      return Json::Str(value.size() >= 2 ? std::string(value.substr(1, value.size() - 2)) : "");
    }
    return Json::Str(std::string(value));
  }
  if (type == "integer") {
    return MatchStart(value, JavaIntRe()) ? IntFromDigits(value) : Json::Str(std::string(value));
  }
  if (type == "float") {
    static const RE2 js_float(R"(^-?\d+(\.\d+)?$)");
    return MatchStart(value, js_float) ? *PyFloatOf(value) : Json::Str(std::string(value));
  }
  if (type == "Bigint") {
    static const RE2 bigint(R"(^-?\d+n$)");
    return MatchStart(value, bigint) ? IntFromDigits(value.substr(0, value.size() - 1))
                                     : Json::Str(std::string(value));
  }
  if (type == "Boolean") {
    return value == "true" || value == "false" ? Json::Bool(value == "true")
                                               : Json::Str(std::string(value));
  }
  if (type == "dict") {
    return ParseJsCollection(value, false, nested_type, 0);
  }
  if (type == "array") {
    return ParseJsCollection(value, true, nested_type, 0);
  }
  return Json::Str(std::string(value));
}

}  // namespace merit::tool::bfcl
