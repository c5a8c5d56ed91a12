// Equivalence of two parsed answers (a reference and a candidate).
//
// Structure first: texts compare as normalised words; sets and bare answer lists unordered;
// tuples, intervals (with their open/closed ends) and matrices ordered and elementwise; equations
// side by side or, with variables, as proportional differences (y = 2x+3 is 2x - y + 3 = 0);
// a ± b is the set {a + b, a - b}. Arithmetic leaves compare by exact or interval evaluation
// (value.h); with free variables, at three random rational points (a randomised identity test:
// distinct rational functions of bounded degree agree at a random point with negligible
// probability). What cannot be evaluated compares by its canonical tree dump.
//
// Structural comparison recurses only through containers, at most kMaxContainerDepth levels (a
// constant, not the input's nesting); arithmetic is evaluated iteratively.
//
// Thread safety: pure function.
#ifndef MERIT_REWARDS_MATH_EQUIV_H_
#define MERIT_REWARDS_MATH_EQUIV_H_

#include <cstdint>

#include "rewards/math/expr.h"
#include "rewards/math/value.h"

namespace merit::math {

// Named leniencies; a profile is a set of them (see docs/math.md).
struct Leniency {
  bool equation_rhs = false;     // "x = 5" equals "5" (a lone variable on the left).
  bool unordered_lists = false;  // A bare list "1, 2, 3" is a set of answers.
  bool vector_matrix = false;    // A one-row or one-column matrix equals a tuple.
  bool percent = false;          // A percent sign may also be ignored: "50\%" equals 50.
  bool decimal_rounding = false;  // A decimal equals the reference rounded to its places.
  bool tuple_list = false;       // "(1, 2)" equals the bare list "1, 2".
  bool ratio = false;            // "1:2" equals 1/2.
  bool single_set = false;       // "\{5\}" equals "5".
};

enum class Verdict : std::uint8_t { kEqual, kDifferent, kBudget };

struct EquivOptions {
  Leniency leniency = {};
  std::uint64_t seed = 0;  // For the random points.
};

inline constexpr int kMaxContainerDepth = 8;

// Whether `candidate` (at its root) is equivalent to `reference`.
Verdict Equivalent(const Expr& reference, const Expr& candidate, const EquivOptions& options,
                   Budget& budget);

}  // namespace merit::math

#endif  // MERIT_REWARDS_MATH_EQUIV_H_
