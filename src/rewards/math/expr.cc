#include "rewards/math/expr.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace merit::math {
namespace {

// ---------------------------------------------------------------------------------------------
// Tokens: LaTeX argument syntax already turned into plain infix.

enum class TokKind : std::uint8_t {
  kNum,       // text: digits, one optional '.'.
  kSym,       // text: name.
  kConst,     // text: pi, e, i, inf, empty.
  kWord,      // text: word or phrase (from \text{} or plain letters).
  kUnit,      // text: a unit word (dropped after an operand when units are stripped).
  kFunc,      // text: function name.
  kOp,        // op: + - * / ^ _ ! % = < > L(<=) G(>=) N(!=) P(±) M(∓) U(∪) I(∩) E(∈) : D(°) ~
  kOpen,      // op: ( [ { < |
  kClose,     // op: ) ] } > |
  kBar,       // | (open or close, decided by the parser)
  kComma,
  kMatOpen,
  kColSep,
  kRowSep,
  kMatClose,
};

struct Tok {
  TokKind kind = TokKind::kOp;
  char op = 0;
  std::string text = {};
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '~'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool InList(std::string_view word, std::span<const std::string_view> list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

constexpr std::string_view kFunctions[] = {
    "sin",  "cos",  "tan",    "cot",    "sec",    "csc",  "arcsin", "arccos", "arctan",
    "sinh", "cosh", "tanh",   "ln",     "log",    "exp",  "sqrt",   "abs",    "floor",
    "ceil", "gcd",  "lcm",    "max",    "min",    "lg",   "arccot", "arcsec", "arccsc",
    "asin", "acos", "atan",
};

// Words that label a quantity rather than name an answer: dropped after a number when units are
// stripped ("15 cm^2", "\$5 dollars", "90^\circ").
constexpr std::string_view kUnits[] = {
    "cm",      "mm",      "km",     "m",       "meter",   "meters",  "metre",   "metres",
    "inch",    "inches",  "in",     "ft",      "foot",    "feet",    "yard",    "yards",
    "yd",      "mile",    "miles",  "mi",      "sec",     "second",  "seconds", "s",
    "min",     "minute",  "minutes", "hr",     "hrs",     "hour",    "hours",   "h",
    "day",     "days",    "week",   "weeks",   "month",   "months",  "year",    "years",
    "dollar",  "dollars", "cent",   "cents",   "degree",  "degrees", "unit",    "units",
    "square",  "sq",      "cubic",  "kg",      "g",       "gram",    "grams",   "pound",
    "pounds",  "lb",      "lbs",    "oz",      "ounce",   "ounces",  "liter",   "liters",
    "litre",   "litres",  "l",      "ml",      "mph",     "kmh",     "radian",  "radians",
    "rad",     "mps",     "people", "students", "times",  "percent", "point",   "points",
};

constexpr std::string_view kGreek[] = {
    "alpha", "beta",   "gamma", "delta", "epsilon", "varepsilon", "zeta",  "eta",
    "theta", "vartheta", "iota", "kappa", "lambda", "mu",        "nu",    "xi",
    "rho",   "sigma",  "tau",   "upsilon", "phi",   "varphi",     "chi",   "psi",
    "omega", "Gamma",  "Delta", "Theta", "Lambda",  "Xi",         "Sigma", "Phi",
    "Psi",   "Omega",
};

// What an argument slot is for; decides what is emitted when it closes.
enum class Slot : std::uint8_t {
  kGroup,      // Plain {...}: ( ... ).
  kFracNum,
  kFracDen,
  kSqrt,
  kRootIndex,  // The [n] of \sqrt[n]{x}.
  kRootBody,
  kBinomTop,
  kBinomBottom,
  kSup,        // ^{...}
  kSub,        // _{...}
  kMixed,      // 3\frac12: closes the ( 3 + ... ) around the fraction.
};

struct Frame {
  Slot slot = Slot::kGroup;
  char closer = 0;        // '}' ']' ')' or 0: the slot takes one unit.
  std::uint32_t nest = 0;  // Open delimiters of the closer's kind inside the slot.
  bool single_digit = false;  // A one-unit slot of \frac / \sqrt / \binom takes one digit.
};

class Lexer {
 public:
  Lexer(std::string_view text, const ParseLimits& limits, std::vector<Tok>& out)
      : text_(text), limits_(limits), out_(out) {}

  ParseError Run() {
    while (pos_ < text_.size()) {
      const ParseError e = Step();
      if (e != ParseError::kNone) return e;
      if (out_.size() > limits_.max_nodes * 2) return Fail(ParseError::kTooLarge, "too many tokens");
    }
    if (!frames_.empty()) return Fail(ParseError::kSyntax, "unclosed argument");
    return ParseError::kNone;
  }

  std::string_view message() const { return message_; }

 private:
  ParseError Fail(ParseError e, std::string_view message) {
    message_ = message;
    return e;
  }

  void Emit(TokKind kind, char op = 0, std::string text = {}) {
    if (kind == TokKind::kOpen || kind == TokKind::kMatOpen) ++open_groups_;
    if ((kind == TokKind::kClose || kind == TokKind::kMatClose) && open_groups_ > 0) {
      --open_groups_;
    }
    out_.push_back(Tok{kind, op, std::move(text)});
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  bool StartsWith(std::string_view s) const { return text_.substr(pos_).starts_with(s); }

  // Reads a command name after a backslash at pos_ (letters, or one other character).
  std::string_view ReadCommand() {
    ++pos_;  // The backslash.
    const std::size_t start = pos_;
    if (pos_ < text_.size() && IsAlpha(text_[pos_])) {
      while (pos_ < text_.size() && IsAlpha(text_[pos_])) ++pos_;
    } else if (pos_ < text_.size()) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  // The content of a {...} group at pos_ (after spaces), braces balanced by a counter; nullopt
  // when there is no group or it is not closed.
  std::optional<std::string_view> ReadBraced() {
    SkipSpaces();
    if (pos_ >= text_.size() || text_[pos_] != '{') return std::nullopt;
    std::size_t depth = 0;
    for (std::size_t i = pos_; i < text_.size(); ++i) {
      if (text_[i] == '\\') {
        ++i;
        continue;
      }
      if (text_[i] == '{') ++depth;
      if (text_[i] == '}' && --depth == 0) {
        const std::string_view content = text_.substr(pos_ + 1, i - pos_ - 1);
        pos_ = i + 1;
        return content;
      }
    }
    return std::nullopt;
  }

  ParseError PushFrame(Frame f) {
    if (frames_.size() >= limits_.max_depth) return Fail(ParseError::kTooLarge, "nested too deep");
    frames_.push_back(f);
    return ParseError::kNone;
  }

  // Opens an argument slot: a {...} group, a (...) group (plain-text powers), or one unit.
  ParseError OpenSlot(Slot slot, bool single_digit) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == '{') {
      ++pos_;
      return PushFrame({slot, '}', 0, false});
    }
    if ((slot == Slot::kSup || slot == Slot::kSub) && pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      return PushFrame({slot, ')', 0, false});
    }
    if (pos_ >= text_.size()) return Fail(ParseError::kSyntax, "missing argument");
    return PushFrame({slot, 0, 0, single_digit});
  }

  // Emits what closes `f` and opens the next slot of the same command, if any. Returns true when
  // the command (or group) is complete, i.e. it is itself one finished unit.
  bool FinishSlot(const Frame& f, ParseError& error) {
    switch (f.slot) {
      case Slot::kGroup:
      case Slot::kSup:
      case Slot::kSub:
        Emit(TokKind::kClose, ')');
        return true;
      case Slot::kFracNum:
        Emit(TokKind::kClose, ')');
        Emit(TokKind::kOp, '/');
        Emit(TokKind::kOpen, '(');
        error = OpenSlot(Slot::kFracDen, true);
        return false;
      case Slot::kBinomTop:
        Emit(TokKind::kClose, ')');
        Emit(TokKind::kComma);
        Emit(TokKind::kOpen, '(');
        error = OpenSlot(Slot::kBinomBottom, true);
        return false;
      case Slot::kRootIndex:
        Emit(TokKind::kClose, ')');
        Emit(TokKind::kComma);
        Emit(TokKind::kOpen, '(');
        error = OpenSlot(Slot::kRootBody, true);
        return false;
      case Slot::kFracDen:
      case Slot::kSqrt:
      case Slot::kRootBody:
      case Slot::kBinomBottom:
      case Slot::kMixed:
        Emit(TokKind::kClose, ')');
        Emit(TokKind::kClose, ')');
        return true;
    }
    return true;
  }

  // A unit (atom or finished command) just ended: close every one-unit slot it completes.
  ParseError UnitDone() {
    while (!frames_.empty() && frames_.back().closer == 0) {
      const Frame f = frames_.back();
      frames_.pop_back();
      ParseError error = ParseError::kNone;
      const bool complete = FinishSlot(f, error);
      if (error != ParseError::kNone) return error;
      if (!complete) break;
    }
    return ParseError::kNone;
  }

  bool InOneUnitSlot() const { return !frames_.empty() && frames_.back().closer == 0; }

  // A closing delimiter that may end the top frame.
  ParseError Close(char c) {
    if (!frames_.empty() && frames_.back().closer == c) {
      if (frames_.back().nest > 0) {
        --frames_.back().nest;
      } else {
        const Frame f = frames_.back();
        frames_.pop_back();
        ParseError error = ParseError::kNone;
        if (FinishSlot(f, error)) return UnitDone();
        return error;
      }
    }
    if (c == '}') return Fail(ParseError::kSyntax, "unbalanced }");
    Emit(TokKind::kClose, c);
    return UnitDone();
  }

  void Open(char c) {
    // A one-unit slot that meets a parenthesis takes the whole parenthesised group (\sqrt(2+3)).
    if (InOneUnitSlot() && frames_.back().slot != Slot::kMixed) {
      frames_.back().closer = c == '(' ? ')' : ']';
      return;
    }
    if (!frames_.empty() && frames_.back().closer != 0 &&
        ((c == '(' && frames_.back().closer == ')') || (c == '[' && frames_.back().closer == ']'))) {
      ++frames_.back().nest;
    }
    Emit(TokKind::kOpen, c);
  }

  // Digits with thousands separators (1,000  10{,}000  1\,000  371,\!043), one decimal point,
  // and plain-text scientific notation (1.5e-3).
  ParseError LexNumber() {
    std::string digits;
    const bool one_digit = InOneUnitSlot() && frames_.back().single_digit;
    if (one_digit) {
      if (IsDigit(text_[pos_])) {
        digits.push_back(text_[pos_++]);
        Emit(TokKind::kNum, 0, std::move(digits));
        return UnitDone();
      }
    }
    std::size_t group = 0;  // Digits in the current group.
    bool grouped = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (IsDigit(c)) {
        digits.push_back(c);
        ++group;
        ++pos_;
        continue;
      }
      // A separator counts only between a group of 1-3 digits (3 once grouped) and exactly three
      // more digits: "1,000" is a thousand, "1,5" and "7,14,18" are lists.
      if ((grouped ? group == 3 : (group >= 1 && group <= 3)) &&
          digits.find('.') == std::string::npos) {
        // A bare comma is a thousands separator only outside brackets and lists: "(3,331)" is a
        // pair and "27,54,108" a list, while 58,500 and 10{,}000 are numbers.
        const bool bare_comma_ok =
            open_groups_ == 0 && (out_.empty() || out_.back().kind != TokKind::kComma);
        std::size_t sep = 0;
        for (std::string_view s : {",\\!", "{,}", "\\,", "\\!", ","}) {
          if (text_.substr(pos_).starts_with(s) && (s != "," || bare_comma_ok)) {
            sep = s.size();
            break;
          }
        }
        if (sep > 0) {
          const std::size_t after = pos_ + sep;
          if (after + 3 <= text_.size() && IsDigit(text_[after]) && IsDigit(text_[after + 1]) &&
              IsDigit(text_[after + 2]) &&
              (after + 3 == text_.size() || !IsDigit(text_[after + 3]))) {
            pos_ = after;
            group = 0;
            grouped = true;
            continue;
          }
        }
      }
      if (c == '.' && digits.find('.') == std::string::npos && pos_ + 1 < text_.size() &&
          IsDigit(text_[pos_ + 1])) {
        digits.push_back('.');
        group = 0;
        ++pos_;
        continue;
      }
      break;
    }
    if (digits.empty()) {  // A lone '.' (".5" starts here too).
      ++pos_;
      return ParseError::kNone;
    }
    if (digits.size() > limits_.max_digits) return Fail(ParseError::kTooLarge, "number too long");
    // Scientific notation, plain text only: 1.5e-3, 2E5 (not "2e" or "2ex").
    if (pos_ + 1 < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t q = pos_ + 1;
      if (q < text_.size() && (text_[q] == '-' || text_[q] == '+')) ++q;
      const std::size_t exp_start = q;
      while (q < text_.size() && IsDigit(text_[q])) ++q;
      if (q > exp_start && (q == text_.size() || !IsAlpha(text_[q])) && q - exp_start <= 6) {
        Emit(TokKind::kOpen, '(');
        Emit(TokKind::kNum, 0, std::move(digits));
        Emit(TokKind::kOp, '*');
        Emit(TokKind::kNum, 0, "10");
        Emit(TokKind::kOp, '^');
        Emit(TokKind::kOpen, '(');
        if (text_[pos_ + 1] == '-') Emit(TokKind::kOp, '-');
        Emit(TokKind::kNum, 0, std::string(text_.substr(exp_start, q - exp_start)));
        Emit(TokKind::kClose, ')');
        Emit(TokKind::kClose, ')');
        pos_ = q;
        return UnitDone();
      }
    }
    // Mixed number: an integer right before a fraction of two integers (3\frac{1}{2}).
    if (!InOneUnitSlot() && digits.find('.') == std::string::npos && IntegerFractionAhead()) {
      Emit(TokKind::kOpen, '(');
      Emit(TokKind::kOpen, '(');
      Emit(TokKind::kNum, 0, std::move(digits));
      Emit(TokKind::kOp, '+');
      return PushFrame({Slot::kMixed, 0, 0, false});
    }
    Emit(TokKind::kNum, 0, std::move(digits));
    return UnitDone();
  }

  // Whether the text at pos_ is (spaces) \frac, \dfrac or \tfrac of two integer arguments.
  bool IntegerFractionAhead() const {
    std::size_t q = pos_;
    while (q < text_.size() && text_[q] == ' ') ++q;
    std::string_view rest = text_.substr(q);
    for (std::string_view f : {"\\frac", "\\dfrac", "\\tfrac"}) {
      if (rest.starts_with(f)) {
        rest.remove_prefix(f.size());
        if (rest.size() >= 2 && IsDigit(rest[0]) && IsDigit(rest[1])) return true;
        for (int arg = 0; arg < 2; ++arg) {
          while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
          if (rest.empty() || rest[0] != '{') return false;
          std::size_t i = 1;
          while (i < rest.size() && (IsDigit(rest[i]) || rest[i] == ' ')) ++i;
          if (i == 1 || i >= rest.size() || rest[i] != '}') return false;
          rest.remove_prefix(i + 1);
        }
        return true;
      }
    }
    return false;
  }

  // A run of letters: a function, constant, connective, unit, single-letter symbols or a word.
  ParseError LexLetters() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && IsAlpha(text_[pos_])) ++pos_;
    std::string_view run = text_.substr(start, pos_ - start);
    if (InOneUnitSlot() || run.size() == 1) {
      // One unit takes one letter (x^ab is x^a b).
      pos_ = start + 1;
      return EmitLetter(text_[start]);
    }
    return EmitWord(run);
  }

  ParseError EmitLetter(char c) {
    if (c == 'e') {
      Emit(TokKind::kConst, 0, "e");
    } else if (c == 'i') {
      Emit(TokKind::kConst, 0, "i");
    } else {
      Emit(TokKind::kSym, 0, std::string(1, c));
    }
    return UnitDone();
  }

  ParseError EmitWord(std::string_view run, bool from_text = false) {
    const std::string lower = Lower(run);
    static constexpr std::string_view kNumberWords[] = {
        "zero", "one", "two",   "three",  "four",   "five",  "six",
        "seven", "eight", "nine", "ten", "eleven", "twelve"};
    for (std::size_t k = 0; k < std::size(kNumberWords); ++k) {
      if (lower == kNumberWords[k]) {
        Emit(TokKind::kNum, 0, std::to_string(k));
        return UnitDone();
      }
    }
    if (InList(lower, kFunctions) && !from_text) {
      Emit(TokKind::kFunc, 0, lower);
      return ParseError::kNone;
    }
    if (lower == "pi") {
      Emit(TokKind::kConst, 0, "pi");
      return UnitDone();
    }
    if (lower == "inf" || lower == "infinity" || lower == "infty") {
      Emit(TokKind::kConst, 0, "inf");
      return UnitDone();
    }
    if (lower == "and" || lower == "or") {
      Emit(TokKind::kComma);
      return ParseError::kNone;
    }
    if (InList(lower, kUnits)) {
      Emit(TokKind::kUnit, 0, lower);
      return UnitDone();
    }
    if (run.size() == 2 && !from_text) {  // "xy", "ab", "RC": a product of two symbols.
      ParseError e = EmitLetter(run[0]);
      if (e != ParseError::kNone) return e;
      Emit(TokKind::kOp, '*');
      return EmitLetter(run[1]);
    }
    Emit(TokKind::kWord, 0, lower);
    return UnitDone();
  }

  // \text{...} and friends: words, connectives ("and"), units, or nothing.
  ParseError EmitText(std::string_view content) {
    std::size_t b = 0;
    std::size_t e = content.size();
    while (b < e && (IsSpace(content[b]) || content[b] == '\\')) ++b;
    while (e > b && (IsSpace(content[e - 1]) || content[e - 1] == '.')) --e;
    content = content.substr(b, e - b);
    if (content.empty()) return ParseError::kNone;
    if (content == "," || content == ";") {
      Emit(TokKind::kComma);
      return ParseError::kNone;
    }
    // "A, D": several answers, one piece at a time.
    const std::size_t comma = content.find(',');
    if (comma != std::string_view::npos && content.size() > 1) {
      std::size_t start = 0;
      while (start <= content.size()) {
        std::size_t end = content.find(',', start);
        if (end == std::string_view::npos) end = content.size();
        if (start > 0) Emit(TokKind::kComma);
        const std::string_view piece = content.substr(start, end - start);
        if (piece.find(',') == std::string_view::npos && !piece.empty()) {
          // No comma in `piece`: this recurses one level at most.
          const ParseError error = EmitText(piece);
          if (error != ParseError::kNone) return error;
        }
        start = end + 1;
      }
      return ParseError::kNone;
    }
    bool letters = true;
    for (char c : content) letters = letters && IsAlpha(c);
    if (letters) return EmitWord(content, /*from_text=*/true);
    // "(B)" and "B)" name a choice: keep the letter.
    std::string_view inner = content;
    while (!inner.empty() && (inner.front() == '(' || inner.front() == ' ')) inner.remove_prefix(1);
    while (!inner.empty() && (inner.back() == ')' || inner.back() == ' ')) inner.remove_suffix(1);
    bool all_letters = !inner.empty();
    for (char c : inner) all_letters = all_letters && IsAlpha(c);
    if (all_letters) return EmitWord(inner, /*from_text=*/true);
    // A phrase: units if every word is a unit ("sq units"), else one word token.
    std::string lower = Lower(content);
    bool all_units = true;
    std::size_t i = 0;
    while (i < lower.size()) {
      while (i < lower.size() && !IsAlpha(lower[i])) ++i;
      const std::size_t w = i;
      while (i < lower.size() && IsAlpha(lower[i])) ++i;
      if (i > w && !InList(std::string_view(lower).substr(w, i - w), kUnits)) all_units = false;
    }
    Emit(all_units ? TokKind::kUnit : TokKind::kWord, 0, std::move(lower));
    return UnitDone();
  }

  ParseError LexCommand() {
    const std::string_view name = ReadCommand();
    if (name == "frac" || name == "dfrac" || name == "tfrac" || name == "cfrac") {
      Emit(TokKind::kOpen, '(');
      Emit(TokKind::kOpen, '(');
      return OpenSlot(Slot::kFracNum, true);
    }
    if (name == "binom" || name == "dbinom" || name == "tbinom") {
      Emit(TokKind::kFunc, 0, "binom");
      Emit(TokKind::kOpen, '(');
      Emit(TokKind::kOpen, '(');
      return OpenSlot(Slot::kBinomTop, true);
    }
    if (name == "sqrt") {
      SkipSpaces();
      if (pos_ < text_.size() && text_[pos_] == '[') {
        ++pos_;
        Emit(TokKind::kFunc, 0, "root");
        Emit(TokKind::kOpen, '(');
        Emit(TokKind::kOpen, '(');
        return PushFrame({Slot::kRootIndex, ']', 0, false});
      }
      Emit(TokKind::kFunc, 0, "sqrt");
      Emit(TokKind::kOpen, '(');
      Emit(TokKind::kOpen, '(');
      return OpenSlot(Slot::kSqrt, true);
    }
    if (name == "text" || name == "textbf" || name == "textit" || name == "textrm" ||
        name == "mbox" || name == "textnormal" || name == "texttt" || name == "textsf" ||
        name == "hbox" || name == "textup") {
      const std::optional<std::string_view> content = ReadBraced();
      if (!content) return Fail(ParseError::kSyntax, "\\text without {}");
      return EmitText(*content);
    }
    if (name == "mathrm" || name == "operatorname" || name == "mathit" || name == "mathbf" ||
        name == "boldsymbol" || name == "bm" || name == "mathsf" || name == "mathtt" ||
        name == "mathbb" || name == "mathcal" || name == "mathfrak") {
      // Multi-letter content is a name (\operatorname{lcm}, \mathrm{cm}); anything else is just
      // grouped by its braces.
      const std::size_t save = pos_;
      const std::optional<std::string_view> content = ReadBraced();
      if (content && content->size() >= 2 &&
          std::all_of(content->begin(), content->end(), [](char c) { return IsAlpha(c); })) {
        return EmitWord(*content);
      }
      pos_ = save;
      return ParseError::kNone;
    }
    if (name == "begin") {
      const std::optional<std::string_view> env = ReadBraced();
      if (!env) return Fail(ParseError::kSyntax, "\\begin without {}");
      if (*env == "array") (void)ReadBraced();  // Column spec.
      Emit(TokKind::kMatOpen);
      return ParseError::kNone;
    }
    if (name == "end") {
      if (!ReadBraced()) return Fail(ParseError::kSyntax, "\\end without {}");
      Emit(TokKind::kMatClose);
      return UnitDone();
    }
    if (name == "\\") {
      // "\\frac": a doubly escaped backslash from a JSON or Python string, not a row break.
      if (pos_ < text_.size() && IsAlpha(text_[pos_])) {
        --pos_;
        return LexCommand();  // Reads the command once; no further recursion.
      }
      Emit(TokKind::kRowSep);
      return ParseError::kNone;
    }
    if (name == "left" || name == "right" || name == "bigl" || name == "bigr" || name == "Bigl" ||
        name == "Bigr" || name == "big" || name == "Big" || name == "bigg" || name == "Bigg" ||
        name == "biggl" || name == "biggr" || name == "middle") {
      SkipSpaces();
      if (pos_ < text_.size() && text_[pos_] == '.') ++pos_;
      return ParseError::kNone;
    }
    static constexpr std::string_view kIgnored[] = {
        "displaystyle", "textstyle", "limits", "nolimits", "quad", "qquad", ",", ";", ":", "!",
        " ", ">", "boxed", "fbox", "overline", "underline", "hat", "vec", "bar", "tilde",
        "widehat", "overrightarrow", "not", "prime", "$", "#", "&", "scriptstyle", "mathop",
        "phantom", "hphantom", "vphantom", "rm", "bf", "it", "noindent", "medskip", "smallskip",
        "dollar", "rlap", "llap"};
    if (InList(name, kIgnored)) return ParseError::kNone;
    if (name == "cdot" || name == "times" || name == "ast" || name == "bullet" || name == "cdotp") {
      Emit(TokKind::kOp, '*');
      return ParseError::kNone;
    }
    struct Simple {
      std::string_view name;
      TokKind kind;
      char op;
    };
    static constexpr Simple kSimple[] = {
        {"div", TokKind::kOp, '/'},       {"pm", TokKind::kOp, 'P'},
        {"mp", TokKind::kOp, 'M'},        {"le", TokKind::kOp, 'L'},
        {"leq", TokKind::kOp, 'L'},       {"leqslant", TokKind::kOp, 'L'},
        {"ge", TokKind::kOp, 'G'},        {"geq", TokKind::kOp, 'G'},
        {"geqslant", TokKind::kOp, 'G'},  {"ne", TokKind::kOp, 'N'},
        {"neq", TokKind::kOp, 'N'},       {"lt", TokKind::kOp, '<'},
        {"gt", TokKind::kOp, '>'},        {"approx", TokKind::kOp, '~'},
        {"simeq", TokKind::kOp, '~'},     {"equiv", TokKind::kOp, '='},
        {"in", TokKind::kOp, 'E'},        {"cup", TokKind::kOp, 'U'},
        {"cap", TokKind::kOp, 'I'},       {"colon", TokKind::kOp, ':'},
        {"circ", TokKind::kOp, 'D'},      {"degree", TokKind::kOp, 'D'},
        {"%", TokKind::kOp, '%'},         {"{", TokKind::kOpen, '{'},
        {"}", TokKind::kClose, '}'},      {"langle", TokKind::kOpen, '<'},
        {"rangle", TokKind::kClose, '>'}, {"lvert", TokKind::kBar, '|'},
        {"rvert", TokKind::kBar, '|'},    {"vert", TokKind::kBar, '|'},
        {"|", TokKind::kBar, '|'},        {"lVert", TokKind::kBar, '|'},
        {"rVert", TokKind::kBar, '|'},    {"Vert", TokKind::kBar, '|'},
        {"lbrace", TokKind::kOpen, '{'},  {"rbrace", TokKind::kClose, '}'},
        {"lbrack", TokKind::kOpen, '['},  {"rbrack", TokKind::kClose, ']'},
    };
    for (const Simple& s : kSimple) {
      if (name == s.name) {
        if (s.kind == TokKind::kClose) {
          Emit(s.kind, s.op);
          return UnitDone();
        }
        if (s.kind == TokKind::kOp && s.op == 'D') {
          Emit(s.kind, s.op);
          return UnitDone();
        }
        Emit(s.kind, s.op);
        return ParseError::kNone;
      }
    }
    if (name == "lfloor" || name == "lceil") {
      Emit(TokKind::kFunc, 0, name == "lfloor" ? "floor" : "ceil");
      Emit(TokKind::kOpen, '(');
      return ParseError::kNone;
    }
    if (name == "rfloor" || name == "rceil") {
      Emit(TokKind::kClose, ')');
      return UnitDone();
    }
    if (name == "infty" || name == "infin") {
      Emit(TokKind::kConst, 0, "inf");
      return UnitDone();
    }
    if (name == "emptyset" || name == "varnothing") {
      Emit(TokKind::kConst, 0, "empty");
      return UnitDone();
    }
    if (name == "pi") {
      Emit(TokKind::kConst, 0, "pi");
      return UnitDone();
    }
    if (name == "imath") {
      Emit(TokKind::kConst, 0, "i");
      return UnitDone();
    }
    if (name == "dots" || name == "ldots" || name == "cdots") {
      Emit(TokKind::kWord, 0, "...");
      return UnitDone();
    }
    if (InList(name, kGreek)) {
      Emit(TokKind::kSym, 0, std::string(name));
      return UnitDone();
    }
    if (InList(name, kFunctions)) {
      Emit(TokKind::kFunc, 0, std::string(name));
      return ParseError::kNone;
    }
    // Arrows and set relations are kept as words so that they still compare; any other command
    // (\hbar, \ell, \mathbb{R}'s letter) names a symbol.
    static constexpr std::string_view kWordCommands[] = {
        "to", "rightarrow", "Rightarrow", "implies", "mapsto", "iff", "Leftrightarrow",
        "subset", "subseteq", "supset", "supseteq", "setminus", "forall", "exists", "mid",
        "parallel", "perp", "angle", "triangle", "square", "cdots", "vdots", "ddots"};
    if (InList(name, kWordCommands) || name.size() == 1) {
      Emit(TokKind::kWord, 0, "\\" + std::string(name));
    } else {
      Emit(TokKind::kSym, 0, std::string(name));
    }
    return UnitDone();
  }

  // Multi-byte UTF-8 symbols models use.
  bool LexUnicode() {
    struct U {
      std::string_view bytes;
      TokKind kind;
      char op;
      std::string_view text;
    };
    static constexpr U kUnicode[] = {
        {"\xCF\x80", TokKind::kConst, 0, "pi"},   {"\xE2\x88\x9A", TokKind::kFunc, 0, "sqrt"},
        {"\xE2\x88\x9E", TokKind::kConst, 0, "inf"}, {"\xE2\x89\xA4", TokKind::kOp, 'L', ""},
        {"\xE2\x89\xA5", TokKind::kOp, 'G', ""},  {"\xE2\x89\xA0", TokKind::kOp, 'N', ""},
        {"\xC3\x97", TokKind::kOp, '*', ""},      {"\xC3\xB7", TokKind::kOp, '/', ""},
        {"\xE2\x88\x92", TokKind::kOp, '-', ""},  {"\xC2\xB1", TokKind::kOp, 'P', ""},
        {"\xC2\xB0", TokKind::kOp, 'D', ""},      {"\xC2\xB7", TokKind::kOp, '*', ""},
        {"\xE2\x8B\x85", TokKind::kOp, '*', ""},  {"\xE2\x88\xAA", TokKind::kOp, 'U', ""},
        {"\xE2\x88\xA9", TokKind::kOp, 'I', ""},  {"\xE2\x88\x88", TokKind::kOp, 'E', ""},
        {"\xE2\x88\x85", TokKind::kConst, 0, "empty"}, {"\xE2\x80\x89", TokKind::kWord, 0, ""},
        {"\xC2\xA0", TokKind::kWord, 0, ""},
    };
    for (const U& u : kUnicode) {
      if (StartsWith(u.bytes)) {
        pos_ += u.bytes.size();
        if (u.kind == TokKind::kWord) return true;  // A space.
        Emit(u.kind, u.op, std::string(u.text));
        if (u.kind == TokKind::kConst || (u.kind == TokKind::kOp && u.op == 'D')) (void)UnitDone();
        return true;
      }
    }
    return false;
  }

  ParseError Step() {
    const char c = text_[pos_];
    if (IsSpace(c)) {
      ++pos_;
      return ParseError::kNone;
    }
    if (IsDigit(c) || (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
      if (c == '.') {  // ".5": a leading zero.
        std::string digits = "0";
        const std::size_t start = pos_;
        ++pos_;
        while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
        digits.append(text_.substr(start, pos_ - start));
        Emit(TokKind::kNum, 0, std::move(digits));
        return UnitDone();
      }
      return LexNumber();
    }
    if (IsAlpha(c)) return LexLetters();
    if (c == '\\') return LexCommand();
    if (static_cast<unsigned char>(c) >= 0x80) {
      if (LexUnicode()) return ParseError::kNone;
      // Other non-ASCII text (accents, CJK): part of a word.
      const std::size_t start = pos_;
      while (pos_ < text_.size() && static_cast<unsigned char>(text_[pos_]) >= 0x80) ++pos_;
      Emit(TokKind::kWord, 0, std::string(text_.substr(start, pos_ - start)));
      return UnitDone();
    }
    ++pos_;
    switch (c) {
      case '{': {
        const ParseError e = PushFrame({Slot::kGroup, '}', 0, false});
        if (e != ParseError::kNone) return e;
        Emit(TokKind::kOpen, '(');
        return ParseError::kNone;
      }
      case '}':
        return Close('}');
      case '(':
      case '[':
        Open(c);
        return ParseError::kNone;
      case ')':
      case ']':
        return Close(c);
      case '^': {
        // ^\circ and ^{\circ} are degrees.
        SkipSpaces();
        for (std::string_view deg : {"\\circ", "{\\circ}", "{ \\circ }", "\\degree"}) {
          if (StartsWith(deg)) {
            pos_ += deg.size();
            Emit(TokKind::kOp, 'D');
            return UnitDone();
          }
        }
        Emit(TokKind::kOp, '^');
        Emit(TokKind::kOpen, '(');
        return OpenSlot(Slot::kSup, false);
      }
      case '_':
        Emit(TokKind::kOp, '_');
        Emit(TokKind::kOpen, '(');
        return OpenSlot(Slot::kSub, false);
      case '*':
        if (pos_ < text_.size() && text_[pos_] == '*') {  // Python power.
          ++pos_;
          Emit(TokKind::kOp, '^');
          return ParseError::kNone;
        }
        Emit(TokKind::kOp, '*');
        return ParseError::kNone;
      case '<':
      case '>':
        if (pos_ < text_.size() && text_[pos_] == '=') {
          ++pos_;
          Emit(TokKind::kOp, c == '<' ? 'L' : 'G');
        } else {
          Emit(TokKind::kOp, c);
        }
        return ParseError::kNone;
      case '!':
        if (pos_ < text_.size() && text_[pos_] == '=') {
          ++pos_;
          Emit(TokKind::kOp, 'N');
          return ParseError::kNone;
        }
        Emit(TokKind::kOp, '!');
        return UnitDone();
      case '%':
        Emit(TokKind::kOp, '%');
        return UnitDone();
      case '+':
      case '-':
      case '/':
      case '=':
      case ':':
        Emit(TokKind::kOp, c);
        return ParseError::kNone;
      case ',':
      case ';':
        Emit(TokKind::kComma);
        return ParseError::kNone;
      case '|':
        Emit(TokKind::kBar, '|');
        return ParseError::kNone;
      case '&':
        Emit(TokKind::kColSep);
        return ParseError::kNone;
      case '$':
      case '\'':
      case '"':
      case '`':
      case '?':
        return ParseError::kNone;
      default:
        return ParseError::kNone;  // Other punctuation (#, @, ...) carries no math.
    }
  }

  std::string_view text_;
  const ParseLimits& limits_;
  std::vector<Tok>& out_;
  std::vector<Frame> frames_;
  std::size_t pos_ = 0;
  std::size_t open_groups_ = 0;
  std::string_view message_ = {};
};

// ---------------------------------------------------------------------------------------------
// Shunting-yard parser.

enum Prec : int {
  kPrecRelation = 1,
  kPrecSet = 2,
  kPrecAdd = 3,
  kPrecFunc = 4,  // \sin 2x is sin(2x); \sin x + 1 is sin(x) + 1.
  kPrecMul = 5,
  kPrecUnary = 6,
  kPrecPow = 7,
  kPrecSub = 8,
};

struct OpEntry {
  enum Type : std::uint8_t { kBinary, kPrefix, kFunc, kGroup } type = kBinary;
  char op = 0;
  int prec = 0;
  std::string text = {};
  // Groups.
  char open = 0;
  std::size_t out_base = 0;
  std::size_t items = 0;     // Items completed by a separator.
  bool matrix = false;
  std::size_t rows = 0;
  std::size_t cols = 0;       // Columns of the first row.
  std::size_t row_items = 0;  // Items in the current row.
  bool call = false;          // The group holds a function's arguments.
  // Functions: optional base (\log_2) and power (\sin^2).
  std::optional<std::uint32_t> base = std::nullopt;
  std::optional<std::uint32_t> power = std::nullopt;
  bool awaiting_base = false;
  bool awaiting_power = false;
};

class Parser {
 public:
  Parser(const std::vector<Tok>& toks, const ParseLimits& limits, Expr& expr)
      : toks_(toks), limits_(limits), expr_(expr) {}

  ParseError Run() {
    OpEntry top{.type = OpEntry::kGroup};
    ops_.push_back(top);
    for (i_ = 0; i_ < toks_.size(); ++i_) {
      const ParseError e = Step(toks_[i_]);
      if (e != ParseError::kNone) return e;
    }
    if (expect_operand_) {
      if (out_.empty() && ops_.size() == 1 && ops_.back().items == 0) {
        return Fail(ParseError::kEmpty, "empty");
      }
      if (!TrailingSeparator()) return Fail(ParseError::kSyntax, "dangling operator");
    }
    ParseError e = PopUntilGroup();
    if (e != ParseError::kNone) return e;
    if (ops_.size() != 1) return Fail(ParseError::kSyntax, "unclosed group");
    const std::size_t n = out_.size();
    if (n == 0) return Fail(ParseError::kEmpty, "empty");
    if (n == 1) {
      expr_.root = out_[0];
    } else {
      e = Make(NodeKind::kList, {}, n, &expr_.root);
      if (e != ParseError::kNone) return e;
    }
    return ParseError::kNone;
  }

  std::string_view message() const { return message_; }

 private:
  ParseError Fail(ParseError e, std::string_view m) {
    message_ = m;
    return e;
  }

  // A trailing "," or "and" (as in "1, 2,") is ignored.
  bool TrailingSeparator() const {
    return !toks_.empty() && toks_.back().kind == TokKind::kComma && !out_.empty();
  }

  // Pops `count` operands as children of a new node; `out` receives its index.
  ParseError Make(NodeKind kind, std::string text, std::size_t count, std::uint32_t* out,
                  char open = 0, char close = 0) {
    if (out_.size() < count) return Fail(ParseError::kSyntax, "missing operand");
    if (expr_.nodes.size() >= limits_.max_nodes) return Fail(ParseError::kTooLarge, "too many nodes");
    Node node{.kind = kind, .open = open, .close = close};
    node.first = static_cast<std::uint32_t>(expr_.kids.size());
    node.count = static_cast<std::uint32_t>(count);
    std::uint32_t depth = 0;
    for (std::size_t k = out_.size() - count; k < out_.size(); ++k) {
      expr_.kids.push_back(out_[k]);
      depth = std::max(depth, expr_.nodes[out_[k]].depth);
    }
    node.depth = depth + 1;
    if (node.depth > limits_.max_depth) return Fail(ParseError::kTooLarge, "nested too deep");
    node.text = std::move(text);
    out_.resize(out_.size() - count);
    *out = static_cast<std::uint32_t>(expr_.nodes.size());
    expr_.nodes.push_back(std::move(node));
    return ParseError::kNone;
  }

  ParseError PushNode(NodeKind kind, std::string text, std::size_t count, char open = 0,
                      char close = 0) {
    std::uint32_t id = 0;
    const ParseError e = Make(kind, std::move(text), count, &id, open, close);
    if (e != ParseError::kNone) return e;
    out_.push_back(id);
    return ParseError::kNone;
  }

  // An operand just completed: a function waiting for its base or power takes it.
  void OperandDone() {
    expect_operand_ = false;
    if (ops_.back().type == OpEntry::kFunc &&
        (ops_.back().awaiting_base || ops_.back().awaiting_power)) {
      OpEntry& f = ops_.back();
      const std::uint32_t v = out_.back();
      out_.pop_back();
      if (f.awaiting_base) {
        f.base = v;
        f.awaiting_base = false;
      } else {
        f.power = v;
        f.awaiting_power = false;
        // \sin^{-1} is arcsin.
        const Node& p = expr_.nodes[v];
        if (p.kind == NodeKind::kNeg && expr_.nodes[expr_.kids[p.first]].kind == NodeKind::kNumber &&
            expr_.nodes[expr_.kids[p.first]].text == "1" &&
            (f.text == "sin" || f.text == "cos" || f.text == "tan")) {
          f.text = "arc" + f.text;
          f.power.reset();
        }
      }
      expect_operand_ = true;
    }
  }

  ParseError Leaf(NodeKind kind, std::string text) {
    if (!expect_operand_) {
      const ParseError e = Binary('*', kPrecMul);
      if (e != ParseError::kNone) return e;
    }
    ParseError e = PushNode(kind, std::move(text), 0);
    if (e != ParseError::kNone) return e;
    OperandDone();
    return ParseError::kNone;
  }

  ParseError Apply(const OpEntry& op) {
    if (op.type == OpEntry::kPrefix) {
      switch (op.op) {
        case '-':
          return PushNode(NodeKind::kNeg, {}, 1);
        case '+':
          return ParseError::kNone;
        default:  // 'P', 'M'
          return PushNode(NodeKind::kPlusMinus, {}, 1);
      }
    }
    if (op.type == OpEntry::kFunc) return ApplyFunc(op, 1);
    if (out_.size() < 2) return Fail(ParseError::kSyntax, "missing operand");
    switch (op.op) {
      case '+':
        return PushNode(NodeKind::kAdd, {}, 2);
      case '-': {
        ParseError e = PushNode(NodeKind::kNeg, {}, 1);
        if (e != ParseError::kNone) return e;
        return PushNode(NodeKind::kAdd, {}, 2);
      }
      case 'P':
      case 'M':
        return PushNode(NodeKind::kPlusMinus, {}, 2);
      case '*':
        return PushNode(NodeKind::kMul, {}, 2);
      case '/':
        return PushNode(NodeKind::kDiv, {}, 2);
      case ':':
        return PushNode(NodeKind::kRelation, ":", 2);
      case '^':
        return PushNode(NodeKind::kPow, {}, 2);
      case '_':
        return PushNode(NodeKind::kSubscript, {}, 2);
      case 'U':
        return PushNode(NodeKind::kUnion, {}, 2);
      case 'I':
        return PushNode(NodeKind::kIntersect, {}, 2);
      case '=':
        return PushNode(NodeKind::kRelation, "=", 2);
      case '~':
        return PushNode(NodeKind::kRelation, "~", 2);
      case '<':
        return PushNode(NodeKind::kRelation, "<", 2);
      case '>':
        return PushNode(NodeKind::kRelation, ">", 2);
      case 'L':
        return PushNode(NodeKind::kRelation, "<=", 2);
      case 'G':
        return PushNode(NodeKind::kRelation, ">=", 2);
      case 'N':
        return PushNode(NodeKind::kRelation, "!=", 2);
      case 'E':
        return PushNode(NodeKind::kRelation, "in", 2);
      default:
        return Fail(ParseError::kSyntax, "unknown operator");
    }
  }

  // Builds f(args) from the top `nargs` operands, with the function's base and power.
  ParseError ApplyFunc(const OpEntry& f, std::size_t nargs) {
    if (out_.size() < nargs) return Fail(ParseError::kSyntax, "missing argument");
    if (f.base) {
      // log_b(x) is log(x, b): the base goes last.
      out_.push_back(*f.base);
      ++nargs;
    }
    ParseError e = PushNode(NodeKind::kFunc, f.text, nargs);
    if (e != ParseError::kNone) return e;
    if (f.power) {
      out_.push_back(*f.power);
      return PushNode(NodeKind::kPow, {}, 2);
    }
    return ParseError::kNone;
  }

  static bool RightAssoc(const OpEntry& op) { return op.op == '^'; }

  // Applies operators above the innermost group while they bind at least as tightly as `prec`.
  ParseError PopWhile(int prec, bool right_assoc) {
    while (ops_.back().type != OpEntry::kGroup) {
      const OpEntry& top = ops_.back();
      if (top.awaiting_base || top.awaiting_power) return Fail(ParseError::kSyntax, "dangling _ or ^");
      if (right_assoc ? top.prec <= prec : top.prec < prec) break;
      const OpEntry op = std::move(ops_.back());
      ops_.pop_back();
      const ParseError e = Apply(op);
      if (e != ParseError::kNone) return e;
    }
    return ParseError::kNone;
  }

  ParseError PopUntilGroup() { return PopWhile(0, false); }

  ParseError Binary(char op, int prec) {
    const ParseError e = PopWhile(prec, op == '^');
    if (e != ParseError::kNone) return e;
    ops_.push_back(OpEntry{.type = OpEntry::kBinary, .op = op, .prec = prec});
    expect_operand_ = true;
    return ParseError::kNone;
  }

  ParseError OpenGroup(char open, bool matrix) {
    if (ops_.size() > limits_.max_depth) return Fail(ParseError::kTooLarge, "nested too deep");
    bool call = false;
    if (!expect_operand_) {
      const ParseError e = Binary('*', kPrecMul);
      if (e != ParseError::kNone) return e;
    } else if (open == '(' && ops_.back().type == OpEntry::kFunc && !ops_.back().awaiting_base &&
               !ops_.back().awaiting_power) {
      call = true;
    }
    ops_.push_back(OpEntry{.type = OpEntry::kGroup,
                           .open = open,
                           .out_base = out_.size(),
                           .matrix = matrix,
                           .call = call});
    expect_operand_ = true;
    return ParseError::kNone;
  }

  ParseError Separator(bool row) {
    if (expect_operand_) return Fail(ParseError::kSyntax, "empty item");
    ParseError e = PopUntilGroup();
    if (e != ParseError::kNone) return e;
    OpEntry& g = ops_.back();
    if (row) {
      if (!g.matrix) return Fail(ParseError::kSyntax, "row separator outside a matrix");
      ++g.row_items;
      if (g.rows == 0) g.cols = g.row_items;
      if (g.row_items != g.cols) return Fail(ParseError::kSyntax, "ragged matrix");
      ++g.rows;
      g.row_items = 0;
    } else if (g.matrix) {
      ++g.row_items;
    }
    ++g.items;
    expect_operand_ = true;
    return ParseError::kNone;
  }

  ParseError CloseGroup(char close) {
    OpEntry* g = nullptr;
    bool empty = false;
    if (expect_operand_ && ops_.back().type == OpEntry::kFunc && !ops_.back().awaiting_base &&
        !ops_.back().awaiting_power) {
      // A function name with no argument names a thing: I_{\max}.
      const std::string name = ops_.back().text;
      ops_.pop_back();
      expect_operand_ = true;
      const ParseError e = PushNode(NodeKind::kSymbol, name, 0);
      if (e != ParseError::kNone) return e;
      expect_operand_ = false;
    }
    if (expect_operand_) {
      // "()" "\{\}" or a trailing separator; and a matrix ending in "\\".
      g = &ops_.back();
      if (g->type != OpEntry::kGroup) return Fail(ParseError::kSyntax, "dangling operator");
      empty = out_.size() == g->out_base;
    } else {
      const ParseError e = PopUntilGroup();
      if (e != ParseError::kNone) return e;
      g = &ops_.back();
    }
    if (ops_.size() == 1) return Fail(ParseError::kSyntax, "unbalanced close");
    const OpEntry group = std::move(*g);
    ops_.pop_back();
    const std::size_t n = out_.size() - group.out_base;
    if (group.matrix) {
      if (close != 'M') return Fail(ParseError::kSyntax, "unclosed matrix");
      std::size_t rows = group.rows;
      if (!expect_operand_) {
        const std::size_t row_items = group.row_items + 1;
        if (rows > 0 && row_items != group.cols) return Fail(ParseError::kSyntax, "ragged matrix");
        ++rows;
      }
      if (n == 0 || rows == 0) return Fail(ParseError::kSyntax, "empty matrix");
      ParseError e = PushNode(NodeKind::kMatrix, {}, n);
      if (e != ParseError::kNone) return e;
      expr_.nodes[out_.back()].rows = static_cast<std::uint32_t>(rows);
      OperandDone();
      return ParseError::kNone;
    }
    if (close == 'M') return Fail(ParseError::kSyntax, "\\end without \\begin");
    const char open = group.open;
    const bool compatible =
        ((open == '(' || open == '[') && (close == ')' || close == ']')) ||
        (open == '{' && close == '}') || (open == '<' && close == '>') ||
        (open == '|' && close == '|');
    if (!compatible) return Fail(ParseError::kSyntax, "mismatched delimiters");
    if (group.call) {
      const OpEntry f = std::move(ops_.back());
      ops_.pop_back();
      if (n == 0) return Fail(ParseError::kSyntax, "empty call");
      ParseError e = ApplyFunc(f, n);
      if (e != ParseError::kNone) return e;
      OperandDone();
      return ParseError::kNone;
    }
    ParseError e = ParseError::kNone;
    if (open == '|') {
      if (n != 1) return Fail(ParseError::kSyntax, "bad absolute value");
      e = PushNode(NodeKind::kFunc, "abs", 1);
    } else if (n == 0) {
      if (open != '{' || !empty) return Fail(ParseError::kSyntax, "empty group");
      e = PushNode(NodeKind::kEmptySet, {}, 0);
    } else if (n == 1 && group.items == 0 && (open == '(' || open == '[') && close == (open == '(' ? ')' : ']')) {
      // Parentheses (or brackets) around one expression only group it.
    } else {
      e = PushNode(NodeKind::kGroup, {}, n, open, close);
    }
    if (e != ParseError::kNone) return e;
    OperandDone();
    return ParseError::kNone;
  }

  // Whether the innermost group is an open absolute value, so that a bar closes it.
  bool InAbs() const {
    for (std::size_t k = ops_.size(); k-- > 0;) {
      if (ops_[k].type == OpEntry::kGroup) return ops_[k].open == '|';
    }
    return false;
  }

  ParseError Step(const Tok& t) {
    switch (t.kind) {
      case TokKind::kNum:
        return Leaf(NodeKind::kNumber, t.text);
      case TokKind::kSym:
        return Leaf(NodeKind::kSymbol, t.text);
      case TokKind::kConst:
        if (t.text == "empty") return Leaf(NodeKind::kEmptySet, {});
        return Leaf(NodeKind::kConstant, t.text);
      case TokKind::kWord:
        if (t.text.empty()) return ParseError::kNone;
        // A word after a value labels it ("65 children tickets") when units are stripped.
        if (!expect_operand_ && limits_.strip_units && t.text != "...") return ParseError::kNone;
        return Leaf(NodeKind::kText, t.text);
      case TokKind::kUnit:
        // After an operand a unit labels it ("15 cm"); alone it is a word.
        if (!expect_operand_ && limits_.strip_units) {
          // Also drop the unit's power: cm^2.
          if (i_ + 2 < toks_.size() && toks_[i_ + 1].kind == TokKind::kOp &&
              toks_[i_ + 1].op == '^') {
            std::size_t depth = 0;
            std::size_t k = i_ + 2;
            for (; k < toks_.size(); ++k) {
              if (toks_[k].kind == TokKind::kOpen) ++depth;
              if (toks_[k].kind == TokKind::kClose && --depth == 0) break;
            }
            i_ = std::min(k, toks_.size() - 1);
          }
          return ParseError::kNone;
        }
        return Leaf(NodeKind::kText, t.text);
      case TokKind::kFunc: {
        if (!expect_operand_) {
          const ParseError e = Binary('*', kPrecMul);
          if (e != ParseError::kNone) return e;
        }
        if (ops_.size() > limits_.max_depth) return Fail(ParseError::kTooLarge, "nested too deep");
        ops_.push_back(OpEntry{.type = OpEntry::kFunc, .prec = kPrecFunc, .text = t.text});
        expect_operand_ = true;
        return ParseError::kNone;
      }
      case TokKind::kOp:
        return Operator(t.op);
      case TokKind::kOpen:
        return OpenGroup(t.op, false);
      case TokKind::kClose:
        return CloseGroup(t.op);
      case TokKind::kBar:
        if (!expect_operand_ && InAbs()) return CloseGroup('|');
        return OpenGroup('|', false);
      case TokKind::kComma:
        if (expect_operand_ && !out_.empty() && i_ > 0 && toks_[i_ - 1].kind == TokKind::kComma) {
          return ParseError::kNone;  // ", and" is one separator.
        }
        return Separator(false);
      case TokKind::kMatOpen:
        return OpenGroup('M', true);
      case TokKind::kColSep:
        if (!ops_.empty() && InMatrix()) return Separator(false);
        return Fail(ParseError::kSyntax, "& outside a matrix");
      case TokKind::kRowSep:
        if (InMatrix()) {
          if (expect_operand_ && ops_.back().type == OpEntry::kGroup &&
              out_.size() == ops_.back().out_base + ops_.back().items &&
              ops_.back().row_items == 0) {
            return ParseError::kNone;  // An empty row ("\\" at the end).
          }
          return Separator(true);
        }
        return Separator(false);  // \\ outside a matrix separates answers.
      case TokKind::kMatClose:
        return CloseGroup('M');
    }
    return ParseError::kNone;
  }

  bool InMatrix() const {
    for (std::size_t k = ops_.size(); k-- > 0;) {
      if (ops_[k].type == OpEntry::kGroup) return ops_[k].matrix;
    }
    return false;
  }

  ParseError Operator(char op) {
    if (expect_operand_) {
      // Prefix position.
      if (op == '-' || op == '+' || op == 'P' || op == 'M') {
        if (ops_.size() > limits_.max_depth * 4) return Fail(ParseError::kTooLarge, "too many signs");
        ops_.push_back(OpEntry{.type = OpEntry::kPrefix, .op = op, .prec = kPrecUnary});
        return ParseError::kNone;
      }
      if ((op == '_' || op == '^') && ops_.back().type == OpEntry::kFunc && !ops_.back().base &&
          !ops_.back().power) {
        (op == '_' ? ops_.back().awaiting_base : ops_.back().awaiting_power) = true;
        return ParseError::kNone;
      }
      if (op == 'D' || op == '%') return ParseError::kNone;  // A stray degree or percent sign.
      if (op == '=' || op == ':' || op == '<' || op == '>' || op == 'L' || op == 'G' || op == '~') {
        // "= 5" at the start (an answer restating "x = 5" without x): ignore the relation.
        if (out_.empty() && ops_.size() == 1) return ParseError::kNone;
      }
      return Fail(ParseError::kSyntax, "operator without operand");
    }
    switch (op) {
      case '!':
      case '%':
      case 'D': {
        const ParseError e = PopWhile(kPrecSub + 1, false);
        if (e != ParseError::kNone) return e;
        const NodeKind kind = op == '!' ? NodeKind::kFactorial
                              : op == '%' ? NodeKind::kPercent
                                          : NodeKind::kDegree;
        if (kind == NodeKind::kDegree && limits_.strip_units) return ParseError::kNone;
        return PushNode(kind, {}, 1);
      }
      case '+':
      case '-':
      case 'P':
      case 'M':
        return Binary(op, kPrecAdd);
      case '*':
      case '/':
      case ':':
        return Binary(op, kPrecMul);
      case '^':
        return Binary(op, kPrecPow);
      case '_':
        return Binary(op, kPrecSub);
      case 'U':
      case 'I':
        return Binary(op, kPrecSet);
      default:
        return Binary(op, kPrecRelation);
    }
  }

  const std::vector<Tok>& toks_;
  const ParseLimits& limits_;
  Expr& expr_;
  std::vector<OpEntry> ops_;
  std::vector<std::uint32_t> out_;
  std::size_t i_ = 0;
  bool expect_operand_ = true;
  std::string_view message_ = {};
};

std::string_view KindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kNumber: return "num";
    case NodeKind::kSymbol: return "sym";
    case NodeKind::kConstant: return "const";
    case NodeKind::kText: return "text";
    case NodeKind::kAdd: return "add";
    case NodeKind::kMul: return "mul";
    case NodeKind::kDiv: return "div";
    case NodeKind::kPow: return "pow";
    case NodeKind::kNeg: return "neg";
    case NodeKind::kPlusMinus: return "pm";
    case NodeKind::kFunc: return "func";
    case NodeKind::kFactorial: return "fact";
    case NodeKind::kPercent: return "percent";
    case NodeKind::kDegree: return "degree";
    case NodeKind::kSubscript: return "sub";
    case NodeKind::kGroup: return "group";
    case NodeKind::kList: return "list";
    case NodeKind::kMatrix: return "matrix";
    case NodeKind::kRelation: return "rel";
    case NodeKind::kUnion: return "union";
    case NodeKind::kIntersect: return "intersect";
    case NodeKind::kEmptySet: return "empty";
  }
  return "?";
}

}  // namespace

ParseResult Parse(std::string_view text, const ParseLimits& limits) {
  ParseResult result;
  std::vector<Tok> toks;
  toks.reserve(32);
  Lexer lexer(text, limits, toks);
  result.error = lexer.Run();
  if (result.error != ParseError::kNone) {
    result.message = lexer.message();
    return result;
  }
  if (toks.empty()) {
    result.error = ParseError::kEmpty;
    result.message = "empty";
    return result;
  }
  result.expr.nodes.reserve(toks.size());
  Parser parser(toks, limits, result.expr);
  result.error = parser.Run();
  result.message = parser.message();
  return result;
}

std::string ToDebugString(const Expr& expr, std::uint32_t root) {
  std::string out;
  // Explicit stack of (node, next child index).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;
  stack.push_back({root, 0});
  while (!stack.empty()) {
    auto& [id, next] = stack.back();
    const Node& node = expr.nodes[id];
    if (next == 0) {
      out.append(KindName(node.kind));
      if (node.kind == NodeKind::kGroup) {
        out.push_back(node.open);
        out.push_back(node.close);
      }
      out.push_back('{');
      out.append(node.text);
      if (node.kind == NodeKind::kMatrix) out.append(std::to_string(node.rows) + "r");
      if ((!node.text.empty() || node.kind == NodeKind::kMatrix) && node.count > 0) {
        out.push_back(' ');
      }
    }
    if (next < node.count) {
      if (next > 0) out.push_back(' ');
      const std::uint32_t child = expr.kids[node.first + next];
      ++next;
      stack.push_back({child, 0});
      continue;
    }
    out.push_back('}');
    stack.pop_back();
  }
  return out;
}

}  // namespace merit::math
