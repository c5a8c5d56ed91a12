// Exact and rigorous numeric evaluation of expression trees (expr.h).
//
// A Real is either an exact rational (GMP mpq) or an interval [lo, hi] of MPFR floats computed
// with outward (directed) rounding, so that the true value always lies inside it. Arithmetic stays
// exact while it can (integers of any size, fractions, decimals, percents, integer powers,
// factorials, binomials, perfect roots, i); irrational steps (\sqrt2, \pi, \sin, \log) switch to
// intervals. Two values are equal when both are exact and equal, or when their intervals overlap
// and both are narrower than 2^-200 relative to their magnitude; disjoint intervals prove
// inequality. Floating-point rounding can therefore never make 1/2004! equal 1/2006!.
//
// Every evaluation runs under a Budget: exact results larger than `max_bits` fall back to
// intervals (or stop), factorial and binomial arguments are capped, and the number of operations
// is bounded, so 9^{9^{9^9}} returns kBudget in microseconds.
//
// Thread safety: values are owned by one thread; functions are pure.
#ifndef MERIT_REWARDS_MATH_VALUE_H_
#define MERIT_REWARDS_MATH_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rewards/math/expr.h"

namespace merit::math {

enum class EvalStatus : std::uint8_t {
  kOk,
  kUnsupported,  // Text, sets, an unknown function, a free variable without a value.
  kDomain,       // Division by zero, log of a negative number, ...
  kBudget,       // A limit of the Budget was hit.
};

struct Budget {
  std::size_t max_bits = 1 << 18;          // Largest exact numerator or denominator (bits).
  std::size_t max_factorial = 20000;       // Largest n in n! evaluated exactly.
  std::int64_t operations = 20000;         // Operations left for the whole verdict.
};

// How a written percent sign is read.
enum class PercentMode : std::uint8_t { kFraction, kStrip };

// A number: real and imaginary parts, each exact or an interval; or a signed infinity.
class Value {
 public:
  Value();
  ~Value();
  Value(Value&& other) noexcept;
  Value& operator=(Value&& other) noexcept;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  struct Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Values for free variables, by name.
struct Assignment {
  std::vector<std::pair<std::string, Value>> values;
  const Value* Find(std::string_view name) const;
};

struct EvalOptions {
  PercentMode percent = PercentMode::kFraction;
  int plus_minus_sign = 1;  // Which branch of every ± to take (+1 or -1).
  bool ratio_as_division = false;  // 1:2 is 1/2.
};

// Evaluates the subtree at `node`. Iterative (explicit stack).
EvalStatus Evaluate(const Expr& expr, std::uint32_t node, const Assignment& assignment,
                    const EvalOptions& options, Budget& budget, Value& out);

enum class Compare : std::uint8_t { kEqual, kDifferent, kUndecided };

// Compares two values (see the file comment for what "equal" means for intervals).
Compare CompareValues(const Value& a, const Value& b);

// The difference a - b (for equation sides). kDomain/kUnsupported when impossible.
EvalStatus Subtract(const Value& a, const Value& b, Budget& budget, Value& out);
// a / b, for proportional equations.
EvalStatus Divide(const Value& a, const Value& b, Budget& budget, Value& out);
// Whether the value is exactly or provably zero.
bool IsZero(const Value& v);

// Whether |a - b| <= 0.5 * 10^-decimals (the rounding leniency: "0.33" for 1/3 at 2 places).
bool RoundsTo(const Value& exact, const Value& rounded, int decimals);

// A deterministic pseudo-random positive rational for variable `name` at point `k`, mixed with
// `seed`: the points of the randomised identity test.
Value RandomPoint(std::string_view name, int k, std::uint64_t seed);

// Names of the free variables under `node` (symbols and subscripted symbols), appended to `out`
// without duplicates.
void CollectVariables(const Expr& expr, std::uint32_t node, std::vector<std::string>& out);

// Whether the subtree contains a ± sign.
bool HasPlusMinus(const Expr& expr, std::uint32_t node);

}  // namespace merit::math

#endif  // MERIT_REWARDS_MATH_VALUE_H_
