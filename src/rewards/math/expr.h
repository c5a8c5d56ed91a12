// Math answers (LaTeX or plain text) parsed into an expression tree.
//
// Parse() reads what models and data sets write as final answers: integers of any size, decimals,
// thousands separators (1,000  10{,}000  371,\!043), fractions (\frac \dfrac \tfrac a/b \frac12),
// mixed numbers (3\frac12), percents, radicals (\sqrt \sqrt[n]), powers, \pi, e, i, trig and
// inverse trig, \log \ln \log_b, factorial, \binom, |x|, implicit multiplication (2x, x y,
// 2\pi r), \pm, \cdot, \times, \div, \left/\right, \text{} \mbox{} \mathrm{}, units and ^\circ,
// base subscripts (4210_{5}), sets, intervals and unions (\infty), tuples, pmatrix/bmatrix,
// equations and inequalities, and plain words.
//
// How: a lexer turns LaTeX argument syntax (\frac{a}{b}, x^{..}, \sqrt[n]{..}) into plain infix
// tokens with an explicit frame stack, and a shunting-yard parser builds the tree with explicit
// operator and group stacks. Nothing recurses on the input, so 5,000 nested parentheses cost a
// bounded stack and end at `max_depth` with an error, not a crash.
//
// Thread safety: Parse() is a pure function; an Expr is a value.
#ifndef MERIT_REWARDS_MATH_EXPR_H_
#define MERIT_REWARDS_MATH_EXPR_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace merit::math {

enum class NodeKind : std::uint8_t {
  kNumber,     // text: decimal digits, optionally with one '.' ("12", "0.5").
  kSymbol,     // text: variable name ("x", "alpha").
  kConstant,   // text: "pi", "e", "i", "inf".
  kText,       // text: a word or phrase, lowercased ("monday", "b").
  kAdd,        // n-ary.
  kMul,        // n-ary.
  kDiv,        // [numerator, denominator].
  kPow,        // [base, exponent].
  kNeg,        // [x].
  kPlusMinus,  // [x] (unary ±x) or [a, b] (a ± b).
  kFunc,       // text: function name ("sqrt", "sin", "log"); children: arguments.
  kFactorial,  // [x].
  kPercent,    // [x]: x% as written.
  kDegree,     // [x]: x° as written (kept only when units are not stripped).
  kSubscript,  // [base, subscript]: 4210_{5}, a_1.
  kGroup,      // open/close: '(' '[' '{' '<' ; children: items. (1,2) [0,1) {1,2} <1,2>.
  kList,       // Bare comma list "1, 2, 3" (top level or inside nothing).
  kMatrix,     // rows x cols children, row-major.
  kRelation,   // text: "=", "<", ">", "<=", ">=", "!=", "in", "~"; children [lhs, rhs].
  kUnion,      // n-ary set union.
  kIntersect,  // n-ary set intersection.
  kEmptySet,
};

struct Node {
  NodeKind kind = NodeKind::kNumber;
  char open = 0;   // kGroup: '(' '[' '{' '<'.
  char close = 0;  // kGroup: ')' ']' '}' '>'.
  std::uint32_t first = 0;  // Index of the first child in Expr::kids.
  std::uint32_t count = 0;  // Number of children.
  std::uint32_t rows = 0;   // kMatrix.
  std::uint32_t depth = 1;  // 1 for leaves.
  std::string text = {};
};

struct Expr {
  std::vector<Node> nodes;
  std::vector<std::uint32_t> kids;
  std::uint32_t root = 0;

  std::span<const std::uint32_t> children(std::uint32_t node) const {
    return {kids.data() + nodes[node].first, nodes[node].count};
  }
};

struct ParseLimits {
  std::size_t max_nodes = 4096;
  std::size_t max_depth = 200;    // Nesting of groups, LaTeX arguments and tree depth.
  std::size_t max_digits = 20000;  // Digits in one number literal.
  bool strip_units = true;  // Drop unit words (cm, dollars, \text{ inches}^2) and ^\circ.
};

enum class ParseError : std::uint8_t {
  kNone,
  kEmpty,        // Nothing but spaces and ignorable markup.
  kSyntax,       // Unbalanced delimiters, a dangling operator, ...
  kTooLarge,     // A limit was hit (nodes, depth, digits).
};

struct ParseResult {
  ParseError error = ParseError::kNone;
  std::string_view message = {};  // Static text saying what went wrong.
  Expr expr = {};
  bool ok() const { return error == ParseError::kNone; }
};

ParseResult Parse(std::string_view text, const ParseLimits& limits);

// A canonical one-line dump of the subtree at `node` ("add{num{1} mul{num{2} sym{x}}}"), used by
// tests and as the structural fallback comparison. Iterative.
std::string ToDebugString(const Expr& expr, std::uint32_t node);
inline std::string ToDebugString(const Expr& expr) { return ToDebugString(expr, expr.root); }

}  // namespace merit::math

#endif  // MERIT_REWARDS_MATH_EXPR_H_
