// The Python-call-syntax parsers of tool_call.h: a literal parser with an explicit frame stack
// (never recursion, never evaluation), and the source-text scanner for BFCL's Java/JavaScript
// prompt outputs.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "rewards/tool/tool_call.h"

namespace merit::tool {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendUtf8(char32_t cp, std::string& out) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    cp = 0xFFFD;  // A lone surrogate cannot be UTF-8; Python would keep it, JSON cannot.
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// The literal parser. One instance per call of ParsePythonCalls.
class PyCallParser {
 public:
  PyCallParser(std::string_view text, const PythonParseOptions& options)
      : text_(text), options_(options) {}

  StatusOr<std::vector<ToolCall>> Parse();
  // One literal instead of calls; `json`: JSON's syntax (true/false/null, double quotes only).
  StatusOr<Json> ParseLiteral(bool json);

 private:
  enum class Kind : std::uint8_t { kTop, kList, kParen, kBrace, kDict, kCall };

  struct Frame {
    Kind kind = Kind::kList;
    std::size_t start = 0;        // Offset of the opening token (a call: of its name).
    bool implicit = false;        // kTop without brackets: closes at the end of the text.
    bool saw_comma = false;       // kParen: a tuple, not a parenthesised value.
    bool after_key = false;       // kDict: a key was read and ':' is next.
    bool expect_dict_value = false;
    Json items = Json::Arr();     // kList, kParen, kBrace (first element).
    Json object = Json::Obj();    // kDict; kCall: keyword arguments.
    std::string key;              // kDict: current key; kCall: current keyword.
    bool have_key = false;
    std::string name;             // kCall.
    std::size_t positional = 0;   // kCall.
  };

  Status Error(std::string_view what) const {
    return InvalidArgumentError(fmt::format("python call syntax: {} at offset {}", what, pos_));
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      if (IsSpace(text_[pos_])) {
        ++pos_;
      } else if (text_[pos_] == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
        pos_ += 2;  // Explicit line continuation.
      } else {
        break;
      }
    }
  }

  bool AtStringStart() const;
  Status ParseString(std::string& out);
  Status ParseStrings(Json& out);  // Adjacent literals concatenate, as in Python.
  Status ParseNumber(bool negative, Json& out);
  Status ReadDottedName(std::string& out);
  bool AtNumberStart() const;
  Status ParseSignedNumber(Json& out);
  Status ParseArithmetic(Json& out);
  Status SkipBrackets();
  Status Attach(Json value);
  Status Close(char closer);
  Status Push(Kind kind, std::size_t start);

  std::string_view text_;
  const PythonParseOptions& options_;
  std::size_t pos_ = 0;
  std::vector<Frame> stack_;
  std::vector<ToolCall> calls_;
  bool done_ = false;
  bool literal_ = false;  // ParseLiteral: the top frame takes one value, calls are errors.
  bool json_ = false;
  std::optional<Json> literal_value_;
};

bool PyCallParser::AtStringStart() const {
  if (json_) {
    return pos_ < text_.size() && text_[pos_] == '"';
  }
  std::size_t p = pos_;
  for (int i = 0; i < 2 && p < text_.size(); ++i) {
    const char c = static_cast<char>(text_[p] | 0x20);
    if (c == 'r' || c == 'b' || c == 'u' || c == 'f') {
      ++p;
    } else {
      break;
    }
  }
  return p < text_.size() && (text_[p] == '"' || text_[p] == '\'');
}

Status PyCallParser::ParseString(std::string& out) {
  bool raw = false;
  while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\'') {
    raw = raw || (text_[pos_] | 0x20) == 'r';
    ++pos_;
  }
  const char quote = text_[pos_];
  const bool triple =
      pos_ + 2 < text_.size() && text_[pos_ + 1] == quote && text_[pos_ + 2] == quote;
  pos_ += triple ? 3 : 1;
  while (true) {
    if (pos_ >= text_.size()) {
      return Error("unterminated string");
    }
    const char c = text_[pos_];
    if (c == quote) {
      if (!triple) {
        ++pos_;
        return OkStatus();
      }
      if (pos_ + 2 < text_.size() && text_[pos_ + 1] == quote && text_[pos_ + 2] == quote) {
        pos_ += 3;
        return OkStatus();
      }
      out.push_back(c);
      ++pos_;
      continue;
    }
    if (c == '\n' && !triple) {
      return Error("newline in string");
    }
    if (c != '\\') {
      out.push_back(c);
      ++pos_;
      continue;
    }
    if (pos_ + 1 >= text_.size()) {
      return Error("unterminated string");
    }
    const char e = text_[pos_ + 1];
    if (raw) {
      // A raw string keeps the backslash; it still cannot end on an escaped quote.
      out.push_back('\\');
      out.push_back(e);
      pos_ += 2;
      continue;
    }
    pos_ += 2;
    switch (e) {
      case '\n':
        break;
      case '\\':
      case '\'':
      case '"':
      case '/':  // JSON's escaped solidus; Python keeps "\/" as two characters.
        if (e == '/' && !json_) {
          out.push_back('\\');
        }
        out.push_back(e);
        break;
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case 'x':
      case 'u':
      case 'U': {
        const int digits = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
        char32_t cp = 0;
        for (int i = 0; i < digits; ++i) {
          const int h = pos_ < text_.size() ? HexValue(text_[pos_]) : -1;
          if (h < 0) {
            return Error("bad escape");
          }
          cp = cp * 16 + static_cast<char32_t>(h);
          ++pos_;
        }
        // A UTF-16 surrogate pair written as two \u escapes (JSON's way for astral characters).
        if (e == 'u' && cp >= 0xD800 && cp <= 0xDBFF && pos_ + 6 <= text_.size() &&
            text_[pos_] == '\\' && text_[pos_ + 1] == 'u') {
          char32_t low = 0;
          bool ok = true;
          for (std::size_t i = 2; i < 6; ++i) {
            const int h = HexValue(text_[pos_ + i]);
            ok = ok && h >= 0;
            low = low * 16 + static_cast<char32_t>(h < 0 ? 0 : h);
          }
          if (ok && low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            pos_ += 6;
          }
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          char32_t cp = static_cast<char32_t>(e - '0');
          for (int i = 0; i < 2 && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '7';
               ++i) {
            cp = cp * 8 + static_cast<char32_t>(text_[pos_] - '0');
            ++pos_;
          }
          AppendUtf8(cp, out);
        } else if (e == 'N') {
          return Error("named unicode escape");
        } else {
          out.push_back('\\');  // Python keeps unknown escapes as written.
          out.push_back(e);
        }
    }
  }
}

Status PyCallParser::ParseStrings(Json& out) {
  std::string value;
  do {
    MERIT_RETURN_IF_ERROR(ParseString(value));
    SkipSpace();
  } while (AtStringStart());
  out = Json::Str(std::move(value));
  return OkStatus();
}

Status PyCallParser::ParseNumber(bool negative, Json& out) {
  const std::size_t start = pos_;
  std::string digits;
  if (negative) {
    digits.push_back('-');
  }
  if (text_[pos_] == '0' && pos_ + 1 < text_.size() &&
      ((text_[pos_ + 1] | 0x20) == 'x' || (text_[pos_ + 1] | 0x20) == 'o' ||
       (text_[pos_ + 1] | 0x20) == 'b')) {
    const char base_char = static_cast<char>(text_[pos_ + 1] | 0x20);
    const int base = base_char == 'x' ? 16 : (base_char == 'o' ? 8 : 2);
    pos_ += 2;
    std::uint64_t value = 0;
    bool any = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      const int d = c == '_' ? -2 : HexValue(c);
      if (d == -2) {
        ++pos_;
        continue;
      }
      if (d < 0 || d >= base) {
        break;
      }
      if (value > (UINT64_MAX - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) {
        return Error("integer too large");
      }
      value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
      any = true;
      ++pos_;
    }
    if (!any) {
      return Error("bad number");
    }
    digits += std::to_string(value);
    out = Json::Num(negative ? -static_cast<double>(value) : static_cast<double>(value),
                    std::move(digits));
    return OkStatus();
  }
  bool is_float = false;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (IsDigit(c)) {
      digits.push_back(c);
    } else if (c == '_') {
      // Digit separator.
    } else if (c == '.' || c == 'e' || c == 'E') {
      is_float = true;
      digits.push_back(c);
      if ((c == 'e' || c == 'E') && pos_ + 1 < text_.size() &&
          (text_[pos_ + 1] == '+' || text_[pos_ + 1] == '-')) {
        digits.push_back(text_[pos_ + 1]);
        ++pos_;
      }
    } else {
      break;
    }
    ++pos_;
  }
  if (pos_ < text_.size() &&
      (text_[pos_] == 'j' || text_[pos_] == 'J' || IsIdentStart(text_[pos_]))) {
    return Error("unsupported number literal");
  }
  double value = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  // from_chars rejects "1." and ".5" forms only in odd cases; "1." parses as 1.
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last || pos_ == start) {
    return Error("bad number");
  }
  if (is_float) {
    out = PyFloat(value);
  } else {
    // Python ints are exact: keep the digits (without leading zeros) as the text.
    std::size_t lead = negative ? 1 : 0;
    while (lead + 1 < digits.size() && digits[lead] == '0') {
      digits.erase(lead, 1);
    }
    out = Json::Num(value, std::move(digits));
  }
  return OkStatus();
}

bool PyCallParser::AtNumberStart() const {
  std::size_t p = pos_;
  if (p < text_.size() && (text_[p] == '-' || text_[p] == '+')) {
    ++p;
    while (p < text_.size() && IsSpace(text_[p])) {
      ++p;
    }
  }
  return p < text_.size() &&
         (IsDigit(text_[p]) || (text_[p] == '.' && p + 1 < text_.size() && IsDigit(text_[p + 1])));
}

Status PyCallParser::ParseSignedNumber(Json& out) {
  bool negative = false;
  if (text_[pos_] == '-' || text_[pos_] == '+') {
    negative = text_[pos_] == '-';
    ++pos_;
    SkipSpace();
  }
  return ParseNumber(negative, out);
}

// Folds + - * / % over numeric literals with Python's precedence and int/float rules
// (2 * 3.1416, 25/1): BFCL's decoder evaluates such a BinOp. Only literals take part, so this is
// arithmetic on parsed numbers, never evaluation of text.
Status PyCallParser::ParseArithmetic(Json& out) {
  Json first;
  MERIT_RETURN_IF_ERROR(ParseSignedNumber(first));
  double sum = 0.0;
  bool sum_int = true;
  char add_op = '+';
  double term = first.number();
  bool term_int = PyTypeOf(first) == PyType::kInt;
  bool folded = false;
  const auto fold_term = [&] {
    sum = add_op == '+' ? sum + term : sum - term;
    sum_int = sum_int && term_int;
  };
  while (!json_) {
    const std::size_t save = pos_;
    SkipSpace();
    const char op = pos_ < text_.size() ? text_[pos_] : '\0';
    if (op != '+' && op != '-' && op != '*' && op != '/' && op != '%') {
      pos_ = save;
      break;
    }
    if (pos_ + 1 < text_.size() && (text_[pos_ + 1] == '*' || text_[pos_ + 1] == '/')) {
      return Error("unsupported operator");
    }
    ++pos_;
    SkipSpace();
    if (!AtNumberStart()) {
      return Error("unsupported operand");
    }
    Json operand;
    MERIT_RETURN_IF_ERROR(ParseSignedNumber(operand));
    const double v = operand.number();
    const bool v_int = PyTypeOf(operand) == PyType::kInt;
    folded = true;
    if (op == '*') {
      term *= v;
      term_int = term_int && v_int;
    } else if (op == '/' || op == '%') {
      if (v == 0) {
        return Error("division by zero");
      }
      if (op == '/') {
        term /= v;
        term_int = false;
      } else {
        const double r = std::fmod(term, v);
        term = (r != 0 && ((r < 0) != (v < 0))) ? r + v : r;  // Python: the divisor's sign.
        term_int = term_int && v_int;
      }
    } else {
      fold_term();
      add_op = op;
      term = v;
      term_int = v_int;
    }
  }
  if (!folded) {
    out = std::move(first);
    return OkStatus();
  }
  fold_term();
  if (sum_int && std::fabs(sum) < 9.0e15) {
    out = Json::Num(sum, fmt::format("{:.0f}", sum));
  } else {
    out = PyFloat(sum);
  }
  return OkStatus();
}

// Skips a balanced [...] (a subscript), quotes included.
Status PyCallParser::SkipBrackets() {
  std::size_t depth = 0;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"' || c == '\'') {
      std::string ignored;
      MERIT_RETURN_IF_ERROR(ParseString(ignored));
      continue;
    }
    ++pos_;
    if (c == '[') {
      if (++depth > options_.max_depth) {
        return Error("nesting too deep");
      }
    } else if (c == ']' && --depth == 0) {
      return OkStatus();
    }
  }
  return Error("unbalanced brackets");
}

Status PyCallParser::ReadDottedName(std::string& out) {
  while (true) {
    if (pos_ >= text_.size() || !IsIdentStart(text_[pos_])) {
      return Error("expected a name");
    }
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
      out.push_back(text_[pos_++]);
    }
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsIdentStart(text_[pos_ + 1])) {
      out.push_back('.');
      ++pos_;
      continue;
    }
    return OkStatus();
  }
}

Status PyCallParser::Push(Kind kind, std::size_t start) {
  if (stack_.size() >= options_.max_depth) {
    return Error("nesting too deep");
  }
  stack_.emplace_back();
  stack_.back().kind = kind;
  stack_.back().start = start;
  return OkStatus();
}

// Hands a finished value to the innermost open frame.
Status PyCallParser::Attach(Json value) {
  Frame& frame = stack_.back();
  switch (frame.kind) {
    case Kind::kTop:
      if (literal_ && !literal_value_.has_value()) {
        literal_value_ = std::move(value);
        return OkStatus();
      }
      return Error("top-level element is not a call");
    case Kind::kList:
    case Kind::kParen:
    case Kind::kBrace:
      frame.items.array().push_back(std::move(value));
      return OkStatus();
    case Kind::kDict:
      if (!frame.after_key) {
        // Python dict keys may be any hashable literal; JSON keys are text.
        if (value.is_string()) {
          frame.key = value.str();
        } else if (value.is_number()) {
          frame.key = value.number_text();
        } else if (value.is_bool()) {
          frame.key = value.boolean() ? "True" : "False";
        } else if (value.is_null()) {
          frame.key = "None";
        } else {
          return Error("unhashable dict key");
        }
        frame.after_key = true;
        return OkStatus();
      }
      frame.object.Set(std::move(frame.key), std::move(value));
      frame.key.clear();
      frame.after_key = false;
      frame.expect_dict_value = false;
      return OkStatus();
    case Kind::kCall:
      if (frame.have_key) {
        if (frame.object.Find(frame.key) != nullptr) {
          return Error("repeated keyword argument");
        }
        frame.object.object().emplace_back(std::move(frame.key), std::move(value));
        frame.key.clear();
        frame.have_key = false;
      } else {
        if (!frame.object.object().empty()) {
          return Error("positional argument follows keyword argument");
        }
        ++frame.positional;
      }
      return OkStatus();
  }
  return Error("internal: unknown frame");
}

// Closes the innermost frame on `closer` (0: end of text) and attaches what it built.
Status PyCallParser::Close(char closer) {
  // Values are moved out of the frame in place; it is popped just before its value is attached
  // to the parent (moving whole frames showed up in profiles).
  Frame& frame = stack_.back();
  Json value;
  switch (frame.kind) {
    case Kind::kTop:
      if ((frame.implicit && closer != 0) || (!frame.implicit && closer != ']')) {
        return Error("unbalanced brackets");
      }
      done_ = true;
      stack_.pop_back();
      return OkStatus();
    case Kind::kList:
      if (closer != ']') {
        return Error("unbalanced brackets");
      }
      value = std::move(frame.items);
      break;
    case Kind::kParen:
      if (closer != ')') {
        return Error("unbalanced brackets");
      }
      if (frame.items.array().size() == 1 && !frame.saw_comma) {
        value = std::move(frame.items.array()[0]);
      } else {
        value = std::move(frame.items);  // A tuple: BFCL compares tuples as lists.
      }
      break;
    case Kind::kBrace:
      if (closer != '}') {
        return Error("unbalanced brackets");
      }
      if (!frame.items.array().empty()) {
        return Error("set literal");
      }
      value = Json::Obj();
      break;
    case Kind::kDict:
      if (closer != '}' || frame.after_key) {
        return Error("unbalanced brackets");
      }
      value = std::move(frame.object);
      break;
    case Kind::kCall: {
      if (closer != ')') {
        return Error("unbalanced brackets");
      }
      if (frame.have_key) {
        return Error("keyword without value");
      }
      if (stack_[stack_.size() - 2].kind == Kind::kTop) {
        if (calls_.size() >= options_.max_calls) {
          return Error("too many calls");
        }
        calls_.push_back(ToolCall{.name = std::move(frame.name),
                                  .arguments = std::move(frame.object),
                                  .positional = frame.positional});
        stack_.pop_back();
        return OkStatus();
      }
      // A nested call: BFCL resolves one with keywords to {name: {args}} and keeps one without
      // as its source text.
      if (!frame.object.object().empty()) {
        Json::Object wrapper;
        wrapper.emplace_back(std::move(frame.name), std::move(frame.object));
        value = Json::Obj(std::move(wrapper));
      } else {
        value = Json::Str(std::string(text_.substr(frame.start, pos_ - frame.start)));
      }
      break;
    }
  }
  stack_.pop_back();
  return Attach(std::move(value));
}

StatusOr<std::vector<ToolCall>> PyCallParser::Parse() {
  stack_.reserve(4);  // Typical calls nest a few levels; growing moves whole frames.
  SkipSpace();
  if (!literal_ && pos_ < text_.size() && text_[pos_] == '[') {
    stack_.emplace_back();
    stack_.back().kind = Kind::kTop;
    ++pos_;
  } else {
    stack_.emplace_back();
    stack_.back().kind = Kind::kTop;
    stack_.back().implicit = true;
  }
  bool expect_value = true;
  bool may_close = true;  // A closer is allowed where a value is expected (empty, trailing comma).
  while (!done_) {
    SkipSpace();
    Frame& frame = stack_.back();
    if (pos_ >= text_.size()) {
      if (frame.kind == Kind::kTop && frame.implicit && (may_close || !expect_value)) {
        MERIT_RETURN_IF_ERROR(Close(0));
        break;
      }
      return Error("unexpected end of text");
    }
    const char c = text_[pos_];
    if (expect_value) {
      if ((c == ']' || c == ')' || c == '}') && may_close) {
        ++pos_;
        MERIT_RETURN_IF_ERROR(Close(c));
        if (literal_value_.has_value()) {
          break;
        }
        expect_value = false;
        may_close = false;
        continue;
      }
      may_close = false;
      if (frame.kind == Kind::kCall && IsIdentStart(c)) {
        // keyword=value? Look past the name for a single '='.
        std::size_t p = pos_;
        while (p < text_.size() && IsIdentChar(text_[p])) {
          ++p;
        }
        std::size_t q = p;
        while (q < text_.size() && (text_[q] == ' ' || text_[q] == '\t')) {
          ++q;
        }
        if (q < text_.size() && text_[q] == '=' && (q + 1 >= text_.size() || text_[q + 1] != '=')) {
          frame.key.assign(text_.substr(pos_, p - pos_));
          frame.have_key = true;
          pos_ = q + 1;
          SkipSpace();
          if (pos_ >= text_.size()) {
            return Error("unexpected end of text");
          }
        }
      }
      const char v = text_[pos_];
      const std::size_t value_start = pos_;
      Json value;
      if (AtStringStart()) {
        MERIT_RETURN_IF_ERROR(ParseStrings(value));
      } else if (AtNumberStart()) {
        MERIT_RETURN_IF_ERROR(ParseArithmetic(value));
      } else if (v == '[' || (v == '(' && !json_) || v == '{') {
        MERIT_RETURN_IF_ERROR(
            Push(v == '[' ? Kind::kList : (v == '(' ? Kind::kParen : Kind::kBrace), pos_));
        ++pos_;
        may_close = true;
        continue;
      } else if (IsIdentStart(v)) {
        std::string name;
        MERIT_RETURN_IF_ERROR(ReadDottedName(name));
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == '(') {
          if (literal_) {
            return Error("call in a literal");
          }
          MERIT_RETURN_IF_ERROR(Push(Kind::kCall, value_start));
          stack_.back().name = std::move(name);
          ++pos_;
          may_close = true;
          continue;
        }
        if (json_ ? (name == "true" || name == "false") : (name == "True" || name == "False")) {
          value = Json::Bool(name == "True" || name == "true");
        } else if (name == (json_ ? "null" : "None")) {
          value = Json();
        } else if (literal_) {
          return Error("a name in a literal");
        } else {
          // A variable (BFCL keeps its name), or a subscript such as data['x'] (its source).
          while (!json_ && pos_ < text_.size() && text_[pos_] == '[') {
            MERIT_RETURN_IF_ERROR(SkipBrackets());
            name.assign(text_.substr(value_start, pos_ - value_start));
            SkipSpace();
          }
          value = Json::Str(std::move(name));
        }
      } else {
        return Error(fmt::format("unexpected '{}'", v));
      }
      if (stack_.back().kind == Kind::kTop && !literal_) {
        return Error("top-level element is not a call");
      }
      MERIT_RETURN_IF_ERROR(Attach(std::move(value)));
      if (literal_ && stack_.size() == 1) {
        break;
      }
      expect_value = false;
      continue;
    }
    // After a value.
    if (c == ',') {
      ++pos_;
      if (frame.kind == Kind::kDict && frame.after_key) {
        return Error("expected ':'");
      }
      if (frame.kind == Kind::kBrace) {
        return Error("set literal");
      }
      frame.saw_comma = true;
      expect_value = true;
      may_close = true;
      continue;
    }
    if (c == ':' &&
        (frame.kind == Kind::kBrace || (frame.kind == Kind::kDict && frame.after_key))) {
      ++pos_;
      if (frame.kind == Kind::kBrace) {
        // The first element was a key: this brace is a dict.
        Json key = std::move(frame.items.array()[0]);
        frame.items.array().clear();
        frame.kind = Kind::kDict;
        MERIT_RETURN_IF_ERROR(Attach(std::move(key)));
      }
      stack_.back().expect_dict_value = true;
      expect_value = true;
      continue;
    }
    if (c == ']' || c == ')' || c == '}') {
      if (frame.kind == Kind::kDict && frame.after_key) {
        return Error("expected ':'");
      }
      ++pos_;
      MERIT_RETURN_IF_ERROR(Close(c));
      if (literal_value_.has_value()) {
        break;
      }
      continue;
    }
    return Error(fmt::format("unexpected '{}'", c));
  }
  SkipSpace();
  if (pos_ != text_.size()) {
    return Error("text after the calls");
  }
  return std::move(calls_);
}

StatusOr<Json> PyCallParser::ParseLiteral(bool json) {
  literal_ = true;
  json_ = json;
  MERIT_RETURN_IF_ERROR(Parse().status());
  if (!literal_value_.has_value()) {
    return InvalidArgumentError("literal: empty text");
  }
  return std::move(*literal_value_);
}

// ---- Java/JavaScript prompt mode ----

// Skips one quoted literal starting at text[pos] (', " or `), honouring backslash escapes.
// Returns the offset after the closing quote, or npos when unterminated.
std::size_t SkipQuoted(std::string_view text, std::size_t pos) {
  const char quote = text[pos];
  for (std::size_t p = pos + 1; p < text.size(); ++p) {
    if (text[p] == '\\') {
      ++p;
    } else if (text[p] == quote) {
      return p + 1;
    }
  }
  return std::string_view::npos;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// The end of an argument value: the first ',' or ')' outside brackets and quotes.
std::size_t ValueEnd(std::string_view text, std::size_t pos, std::size_t max_depth, bool& ok) {
  std::size_t depth = 0;
  std::size_t angle = 0;  // Java generics: the comma in HashMap<String, Object> is not a separator.
  ok = true;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '<' && pos > 0 && IsIdentChar(text[pos - 1]) && pos + 1 < text.size() &&
        (IsIdentChar(text[pos + 1]) || text[pos + 1] == '>')) {
      ++angle;
      ++pos;
      continue;
    }
    if (c == '>' && angle > 0) {
      --angle;
      ++pos;
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      pos = SkipQuoted(text, pos);
      if (pos == std::string_view::npos) {
        ok = false;
        return text.size();
      }
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > max_depth) {
        ok = false;
        return text.size();
      }
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) {
        return pos;
      }
      --depth;
    } else if (c == ',' && depth == 0 && angle == 0) {
      return pos;
    }
    ++pos;
  }
  return pos;
}

StatusOr<std::vector<ToolCall>> ParseSourceTextCalls(std::string_view text,
                                                     const PythonParseOptions& options) {
  const auto error = [](std::string_view what, std::size_t at) {
    return InvalidArgumentError(fmt::format("call syntax: {} at offset {}", what, at));
  };
  text = TrimSpace(text);
  // BFCL strips the outer brackets (input[1:-1]) before parsing.
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::vector<ToolCall> calls;
  std::size_t pos = 0;
  while (true) {
    while (pos < text.size() && IsSpace(text[pos])) {
      ++pos;
    }
    if (pos >= text.size()) {
      break;
    }
    ToolCall call;
    while (pos < text.size() && (IsIdentChar(text[pos]) || text[pos] == '.' || text[pos] == '$')) {
      call.name.push_back(text[pos++]);
    }
    while (pos < text.size() && IsSpace(text[pos])) {
      ++pos;
    }
    if (call.name.empty() || pos >= text.size() || text[pos] != '(') {
      return error("expected a call", pos);
    }
    ++pos;
    while (true) {
      while (pos < text.size() && IsSpace(text[pos])) {
        ++pos;
      }
      if (pos >= text.size()) {
        return error("unterminated call", pos);
      }
      if (text[pos] == ')') {
        ++pos;
        break;
      }
      std::size_t p = pos;
      while (p < text.size() && (IsIdentChar(text[p]) || text[p] == '$')) {
        ++p;
      }
      std::size_t q = p;
      while (q < text.size() && IsSpace(text[q])) {
        ++q;
      }
      std::string key;
      if (p > pos && q < text.size() && text[q] == '=' &&
          (q + 1 >= text.size() || (text[q + 1] != '=' && text[q + 1] != '>'))) {
        key.assign(text.substr(pos, p - pos));
        pos = q + 1;
      }
      bool ok = true;
      const std::size_t end = ValueEnd(text, pos, options.max_depth, ok);
      if (!ok) {
        return error("unbalanced value", pos);
      }
      std::string_view value = TrimSpace(text.substr(pos, end - pos));
      if (value.size() >= 2 && ((value.front() == '"' && value.back() == '"') ||
                                (value.front() == '\'' && value.back() == '\''))) {
        value = value.substr(1, value.size() - 2);
      }
      if (key.empty()) {
        ++call.positional;
      } else if (call.arguments.Find(key) == nullptr) {
        call.arguments.object().emplace_back(std::move(key), Json::Str(std::string(value)));
      } else {
        return error("repeated argument", pos);
      }
      pos = end;
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
      } else if (pos < text.size() && text[pos] != ')') {
        // A stray ']' or '}' ends the value without being consumed: without this the loop
        // would never advance (found by tool_calls_fuzzer).
        return error("unbalanced value", pos);
      }
    }
    if (calls.size() >= options.max_calls) {
      return error("too many calls", pos);
    }
    calls.push_back(std::move(call));
    while (pos < text.size() && IsSpace(text[pos])) {
      ++pos;
    }
    if (pos < text.size()) {
      if (text[pos] != ',') {
        return error("expected ','", pos);
      }
      ++pos;
      while (pos < text.size() && IsSpace(text[pos])) {
        ++pos;
      }
      if (pos >= text.size()) {
        return error("trailing ','", pos);  // Java and JavaScript grammars reject it.
      }
    }
  }
  return calls;
}

}  // namespace

StatusOr<Json> ParseLiteral(std::string_view text, const LiteralOptions& options) {
  const PythonParseOptions parse_options{.max_depth = options.max_depth};
  PyCallParser parser(text, parse_options);
  return parser.ParseLiteral(options.json);
}

StatusOr<std::vector<ToolCall>> ParsePythonCalls(std::string_view text,
                                                 const PythonParseOptions& options) {
  if (options.values_as_source_text) {
    return ParseSourceTextCalls(text, options);
  }
  PyCallParser parser(text, options);
  return parser.Parse();
}

}  // namespace merit::tool
