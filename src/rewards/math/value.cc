#include "rewards/math/value.h"

#include <gmp.h>
#include <mpfr.h>

#include <algorithm>
#include <cstring>

namespace merit::math {
namespace {

// 256-bit intervals: the equality threshold (2^-200 relative) leaves 56 bits for the widening of
// a few dozen operations.
constexpr mpfr_prec_t kPrec = 256;
constexpr long kEqualBits = 200;

// A real number: an exact rational, or an interval that contains the true value.
struct Real {
  bool exact = true;
  bool has_iv = false;
  mpq_t q;
  mpfr_t lo;
  mpfr_t hi;

  Real() { mpq_init(q); }
  ~Real() {
    mpq_clear(q);
    if (has_iv) {
      mpfr_clear(lo);
      mpfr_clear(hi);
    }
  }
  Real(const Real&) = delete;
  Real& operator=(const Real&) = delete;

  void InitIv() {
    if (!has_iv) {
      mpfr_init2(lo, kPrec);
      mpfr_init2(hi, kPrec);
      has_iv = true;
    }
  }

  void CopyFrom(const Real& o) {
    exact = o.exact;
    if (o.exact) {
      mpq_set(q, o.q);
    } else {
      InitIv();
      mpfr_set(lo, o.lo, MPFR_RNDD);
      mpfr_set(hi, o.hi, MPFR_RNDU);
    }
  }

  // Makes this an interval (a point interval when it was exact).
  void ToInterval() {
    if (!exact) return;
    InitIv();
    mpfr_set_q(lo, q, MPFR_RNDD);
    mpfr_set_q(hi, q, MPFR_RNDU);
    exact = false;
  }

  bool IsExactZero() const { return exact && mpq_sgn(q) == 0; }

  bool IsExactInteger() const { return exact && mpz_cmp_ui(mpq_denref(q), 1) == 0; }

  // -1, 0, 1; 2 when an interval contains 0.
  int Sign() const {
    if (exact) return mpq_sgn(q);
    if (mpfr_sgn(lo) > 0) return 1;
    if (mpfr_sgn(hi) < 0) return -1;
    if (mpfr_zero_p(lo) && mpfr_zero_p(hi)) return 0;
    return 2;
  }

  bool Finite() const { return exact || (mpfr_number_p(lo) && mpfr_number_p(hi)); }
};

std::size_t Bits(const mpq_t q) {
  return mpz_sizeinbase(mpq_numref(q), 2) + mpz_sizeinbase(mpq_denref(q), 2);
}

// A scratch interval pair, for the operand that is still exact.
struct Iv {
  mpfr_t lo;
  mpfr_t hi;
  Iv() {
    mpfr_init2(lo, kPrec);
    mpfr_init2(hi, kPrec);
  }
  explicit Iv(const Real& r) : Iv() { Set(r); }
  ~Iv() {
    mpfr_clear(lo);
    mpfr_clear(hi);
  }
  Iv(const Iv&) = delete;
  Iv& operator=(const Iv&) = delete;
  void Set(const Real& r) {
    if (r.exact) {
      mpfr_set_q(lo, r.q, MPFR_RNDD);
      mpfr_set_q(hi, r.q, MPFR_RNDU);
    } else {
      mpfr_set(lo, r.lo, MPFR_RNDD);
      mpfr_set(hi, r.hi, MPFR_RNDU);
    }
  }
};

void StoreIv(const Iv& iv, Real& out) {
  out.InitIv();
  out.exact = false;
  mpfr_set(out.lo, iv.lo, MPFR_RNDD);
  mpfr_set(out.hi, iv.hi, MPFR_RNDU);
}

EvalStatus CheckFinite(const Real& r) {
  return r.Finite() ? EvalStatus::kOk : EvalStatus::kBudget;
}

// After an exact operation: too many bits become an interval rather than an error, so that a
// long chain stays bounded.
void Shrink(Real& r, const Budget& budget) {
  if (r.exact && Bits(r.q) > budget.max_bits) r.ToInterval();
}

EvalStatus AddReal(const Real& a, const Real& b, bool negate_b, const Budget& budget, Real& out) {
  if (a.exact && b.exact) {
    if (negate_b) {
      mpq_sub(out.q, a.q, b.q);
    } else {
      mpq_add(out.q, a.q, b.q);
    }
    out.exact = true;
    Shrink(out, budget);
    return EvalStatus::kOk;
  }
  Iv x(a);
  Iv y(b);
  Iv r;
  if (negate_b) {
    mpfr_sub(r.lo, x.lo, y.hi, MPFR_RNDD);
    mpfr_sub(r.hi, x.hi, y.lo, MPFR_RNDU);
  } else {
    mpfr_add(r.lo, x.lo, y.lo, MPFR_RNDD);
    mpfr_add(r.hi, x.hi, y.hi, MPFR_RNDU);
  }
  StoreIv(r, out);
  return CheckFinite(out);
}

// min and max of the four corner products (or quotients), each rounded outward.
template <typename Op>
void Corners(const Iv& x, const Iv& y, Op op, Iv& r) {
  mpfr_t t;
  mpfr_init2(t, kPrec);
  bool first = true;
  for (const auto* a : {&x.lo, &x.hi}) {
    for (const auto* b : {&y.lo, &y.hi}) {
      op(t, *a, *b, MPFR_RNDD);
      if (first || mpfr_less_p(t, r.lo)) mpfr_set(r.lo, t, MPFR_RNDD);
      op(t, *a, *b, MPFR_RNDU);
      if (first || mpfr_greater_p(t, r.hi)) mpfr_set(r.hi, t, MPFR_RNDU);
      first = false;
    }
  }
  mpfr_clear(t);
}

// a * b or a / b: exact for two rationals, else the outward-rounded hull of the corner values
// (multiplication and division by an interval without 0 are monotone in each argument).
EvalStatus ProductReal(const Real& a, const Real& b, bool divide, const Budget& budget,
                       Real& out) {
  if (divide && (b.Sign() == 0 || b.Sign() == 2)) return EvalStatus::kDomain;  // 2: maybe zero.
  if (!divide && (a.IsExactZero() || b.IsExactZero())) {
    mpq_set_ui(out.q, 0, 1);
    out.exact = true;
    return EvalStatus::kOk;
  }
  if (a.exact && b.exact) {
    (divide ? mpq_div : mpq_mul)(out.q, a.q, b.q);
    out.exact = true;
    Shrink(out, budget);
    return EvalStatus::kOk;
  }
  Iv x(a);
  Iv y(b);
  Iv r;
  Corners(x, y, divide ? mpfr_div : mpfr_mul, r);
  StoreIv(r, out);
  return CheckFinite(out);
}

EvalStatus MulReal(const Real& a, const Real& b, const Budget& budget, Real& out) {
  return ProductReal(a, b, false, budget, out);
}

EvalStatus DivReal(const Real& a, const Real& b, const Budget& budget, Real& out) {
  return ProductReal(a, b, true, budget, out);
}

void NegReal(Real& r) {
  if (r.exact) {
    mpq_neg(r.q, r.q);
  } else {
    mpfr_swap(r.lo, r.hi);
    mpfr_neg(r.lo, r.lo, MPFR_RNDD);
    mpfr_neg(r.hi, r.hi, MPFR_RNDU);
  }
}

// f monotone increasing (or decreasing) on the interval.
template <typename F>
void Monotone(const Iv& x, F f, bool increasing, Iv& r) {
  if (increasing) {
    f(r.lo, x.lo, MPFR_RNDD);
    f(r.hi, x.hi, MPFR_RNDU);
  } else {
    f(r.lo, x.hi, MPFR_RNDD);
    f(r.hi, x.lo, MPFR_RNDU);
  }
}

// sin and cos are 1-Lipschitz: f([lo, hi]) lies in f(lo) ± (hi - lo).
template <typename F>
void Lipschitz(const Iv& x, F f, Iv& r) {
  mpfr_t w;
  mpfr_init2(w, kPrec);
  mpfr_sub(w, x.hi, x.lo, MPFR_RNDU);
  f(r.lo, x.lo, MPFR_RNDD);
  f(r.hi, x.lo, MPFR_RNDU);
  mpfr_sub(r.lo, r.lo, w, MPFR_RNDD);
  mpfr_add(r.hi, r.hi, w, MPFR_RNDU);
  if (mpfr_cmp_si(r.lo, -1) < 0) mpfr_set_si(r.lo, -1, MPFR_RNDD);
  if (mpfr_cmp_si(r.hi, 1) > 0) mpfr_set_si(r.hi, 1, MPFR_RNDU);
  mpfr_clear(w);
}

// Exact integer root of a non-negative rational when there is one.
bool ExactRoot(const mpq_t x, unsigned long n, mpq_t out) {
  if (mpq_sgn(x) < 0) return false;
  mpz_t a;
  mpz_t b;
  mpz_init(a);
  mpz_init(b);
  const bool ok = mpz_root(a, mpq_numref(x), n) != 0 && mpz_root(b, mpq_denref(x), n) != 0;
  if (ok) {
    mpz_set(mpq_numref(out), a);
    mpz_set(mpq_denref(out), b);
    mpq_canonicalize(out);
  }
  mpz_clear(a);
  mpz_clear(b);
  return ok;
}

// x^n for an exact x and integer n, exactly when the result fits the budget.
EvalStatus PowExactInt(const Real& x, const mpz_t n, const Budget& budget, Real& out) {
  if (!mpz_fits_slong_p(n)) return EvalStatus::kBudget;
  const long e = mpz_get_si(n);
  if (mpq_sgn(x.q) == 0) {
    if (e < 0) return EvalStatus::kDomain;
    mpq_set_ui(out.q, e == 0 ? 1 : 0, 1);
    out.exact = true;
    return EvalStatus::kOk;
  }
  const unsigned long ue = static_cast<unsigned long>(e < 0 ? -e : e);
  // |x| = 1: sign only.
  if (mpz_cmpabs_ui(mpq_numref(x.q), 1) == 0 && mpz_cmp_ui(mpq_denref(x.q), 1) == 0) {
    mpq_set_si(out.q, (mpq_sgn(x.q) < 0 && (ue & 1)) ? -1 : 1, 1);
    out.exact = true;
    return EvalStatus::kOk;
  }
  const double bits = static_cast<double>(Bits(x.q)) * static_cast<double>(ue);
  if (bits <= static_cast<double>(budget.max_bits)) {
    mpz_pow_ui(mpq_numref(out.q), mpq_numref(x.q), ue);
    mpz_pow_ui(mpq_denref(out.q), mpq_denref(x.q), ue);
    if (e < 0) mpq_inv(out.q, out.q);
    out.exact = true;
    return EvalStatus::kOk;
  }
  // Too big to hold exactly: an interval (MPFR's exponent range still bounds it).
  if (bits > 1e9) return EvalStatus::kBudget;
  Iv b(x);
  Iv r;
  const bool neg = mpfr_sgn(b.hi) < 0;
  if (neg) {
    mpfr_neg(b.lo, b.lo, MPFR_RNDU);
    mpfr_neg(b.hi, b.hi, MPFR_RNDD);
    mpfr_swap(b.lo, b.hi);
  }
  if (mpfr_sgn(b.lo) <= 0) return EvalStatus::kBudget;
  // |x|^e is monotone in |x|: increasing for e > 0, decreasing for e < 0.
  if (e > 0) {
    mpfr_pow_si(r.lo, b.lo, e, MPFR_RNDD);
    mpfr_pow_si(r.hi, b.hi, e, MPFR_RNDU);
  } else {
    mpfr_pow_si(r.lo, b.hi, e, MPFR_RNDD);
    mpfr_pow_si(r.hi, b.lo, e, MPFR_RNDU);
  }
  if (neg && (ue & 1)) {
    mpfr_swap(r.lo, r.hi);
    mpfr_neg(r.lo, r.lo, MPFR_RNDD);
    mpfr_neg(r.hi, r.hi, MPFR_RNDU);
  }
  StoreIv(r, out);
  if (!out.Finite() || mpfr_zero_p(out.lo) || mpfr_zero_p(out.hi)) return EvalStatus::kBudget;
  return EvalStatus::kOk;
}

// x^y for real x > 0 and real y, as an interval: x^y is monotone in each argument, so its range
// over the box lies between the corner values.
EvalStatus PowPositiveInterval(const Real& x, const Real& y, Real& out) {
  Iv a(x);
  Iv b(y);
  if (mpfr_sgn(a.lo) <= 0) return EvalStatus::kDomain;
  Iv r;
  Corners(a, b, mpfr_pow, r);
  StoreIv(r, out);
  return CheckFinite(out);
}

}  // namespace

struct Value::Impl {
  bool infinite = false;
  int inf_sign = 1;
  Real re;
  Real im;  // Exact 0 unless complex.

  bool IsReal() const { return im.IsExactZero(); }

  void CopyFrom(const Impl& o) {
    infinite = o.infinite;
    inf_sign = o.inf_sign;
    re.CopyFrom(o.re);
    im.CopyFrom(o.im);
  }
};

Value::Value() : impl_(std::make_unique<Impl>()) {}
Value::~Value() = default;
Value::Value(Value&& other) noexcept = default;
Value& Value::operator=(Value&& other) noexcept = default;

const Value* Assignment::Find(std::string_view name) const {
  for (const auto& [n, v] : values) {
    if (n == name) return &v;
  }
  return nullptr;
}

namespace {

using Impl = Value::Impl;

EvalStatus AddValues(const Impl& a, const Impl& b, bool negate_b, const Budget& budget, Impl& out) {
  if (a.infinite || b.infinite) return EvalStatus::kUnsupported;
  EvalStatus s = AddReal(a.re, b.re, negate_b, budget, out.re);
  if (s != EvalStatus::kOk) return s;
  return AddReal(a.im, b.im, negate_b, budget, out.im);
}

EvalStatus MulValues(const Impl& a, const Impl& b, const Budget& budget, Impl& out) {
  if (a.infinite || b.infinite) return EvalStatus::kUnsupported;
  if (a.IsReal() && b.IsReal()) {
    mpq_set_ui(out.im.q, 0, 1);
    out.im.exact = true;
    return MulReal(a.re, b.re, budget, out.re);
  }
  Real ac, bd, ad, bc;
  EvalStatus s = MulReal(a.re, b.re, budget, ac);
  if (s == EvalStatus::kOk) s = MulReal(a.im, b.im, budget, bd);
  if (s == EvalStatus::kOk) s = MulReal(a.re, b.im, budget, ad);
  if (s == EvalStatus::kOk) s = MulReal(a.im, b.re, budget, bc);
  if (s == EvalStatus::kOk) s = AddReal(ac, bd, true, budget, out.re);
  if (s == EvalStatus::kOk) s = AddReal(ad, bc, false, budget, out.im);
  return s;
}

EvalStatus DivValues(const Impl& a, const Impl& b, const Budget& budget, Impl& out) {
  if (a.infinite || b.infinite) return EvalStatus::kUnsupported;
  if (b.IsReal()) {
    EvalStatus s = DivReal(a.re, b.re, budget, out.re);
    if (s == EvalStatus::kOk) s = DivReal(a.im, b.re, budget, out.im);
    return s;
  }
  // (a + bi) / (c + di) = (a + bi)(c - di) / (c^2 + d^2).
  Impl conj;
  conj.re.CopyFrom(b.re);
  conj.im.CopyFrom(b.im);
  NegReal(conj.im);
  Impl num;
  EvalStatus s = MulValues(a, conj, budget, num);
  Real c2, d2, den;
  if (s == EvalStatus::kOk) s = MulReal(b.re, b.re, budget, c2);
  if (s == EvalStatus::kOk) s = MulReal(b.im, b.im, budget, d2);
  if (s == EvalStatus::kOk) s = AddReal(c2, d2, false, budget, den);
  if (s == EvalStatus::kOk) s = DivReal(num.re, den, budget, out.re);
  if (s == EvalStatus::kOk) s = DivReal(num.im, den, budget, out.im);
  return s;
}

void SetInt(Impl& v, long n) {
  v.infinite = false;
  mpq_set_si(v.re.q, n, 1);
  v.re.exact = true;
  mpq_set_ui(v.im.q, 0, 1);
  v.im.exact = true;
}

EvalStatus PowValues(const Impl& base, const Impl& exp, const Budget& budget, Impl& out) {
  if (base.infinite || exp.infinite || !exp.IsReal()) return EvalStatus::kUnsupported;
  const Real& y = exp.re;
  if (y.IsExactInteger()) {
    if (base.IsReal()) {
      mpq_set_ui(out.im.q, 0, 1);
      out.im.exact = true;
      if (base.re.exact) return PowExactInt(base.re, mpq_numref(y.q), budget, out.re);
      // Interval base, integer exponent: repeated multiplication for small exponents.
    }
    if (!mpz_fits_slong_p(mpq_numref(y.q))) return EvalStatus::kBudget;
    const long e = mpz_get_si(mpq_numref(y.q));
    const unsigned long ue = static_cast<unsigned long>(e < 0 ? -e : e);
    if (ue > 4096) {
      if (!base.IsReal()) return EvalStatus::kBudget;
      return PowPositiveInterval(base.re, y, out.re) == EvalStatus::kOk ? EvalStatus::kOk
                                                                          : EvalStatus::kBudget;
    }
    Impl result;
    SetInt(result, 1);
    Impl square;
    square.CopyFrom(base);
    unsigned long k = ue;
    while (k > 0) {
      if (k & 1) {
        Impl t;
        const EvalStatus s = MulValues(result, square, budget, t);
        if (s != EvalStatus::kOk) return s;
        result.CopyFrom(t);
      }
      k >>= 1;
      if (k > 0) {
        Impl t;
        const EvalStatus s = MulValues(square, square, budget, t);
        if (s != EvalStatus::kOk) return s;
        square.CopyFrom(t);
      }
    }
    if (e < 0) {
      Impl one;
      SetInt(one, 1);
      return DivValues(one, result, budget, out);
    }
    out.CopyFrom(result);
    return EvalStatus::kOk;
  }
  if (!base.IsReal()) return EvalStatus::kUnsupported;
  mpq_set_ui(out.im.q, 0, 1);
  out.im.exact = true;
  const Real& x = base.re;
  if (x.IsExactZero()) {
    if (y.Sign() == 1) {
      SetInt(out, 0);
      return EvalStatus::kOk;
    }
    return EvalStatus::kDomain;
  }
  // Rational exponent p/q: exact when x is a perfect q-th power.
  if (y.exact && mpz_cmp_ui(mpq_denref(y.q), 64) <= 0 && mpz_cmpabs_ui(mpq_numref(y.q), 4096) <= 0) {
    const unsigned long q = mpz_get_ui(mpq_denref(y.q));
    const bool odd = (q & 1) != 0;
    if (x.exact) {
      Real root;
      Real absx;
      mpq_abs(absx.q, x.q);
      if (mpq_sgn(x.q) < 0 && !odd) {
        if (q != 2) return EvalStatus::kUnsupported;
        // (-a)^(p/2) = (i sqrt(a))^p.
        Impl i_root;
        if (ExactRoot(absx.q, 2, root.q)) {
          mpq_set(i_root.im.q, root.q);
        } else {
          Iv a(absx);
          Iv r;
          Monotone(a, [](mpfr_t t, const mpfr_t u, mpfr_rnd_t m) { mpfr_sqrt(t, u, m); }, true, r);
          StoreIv(r, i_root.im);
        }
        mpq_set_ui(i_root.re.q, 0, 1);
        Impl p;
        SetInt(p, mpz_get_si(mpq_numref(y.q)));
        return PowValues(i_root, p, budget, out);
      }
      if (ExactRoot(absx.q, q, root.q)) {
        Impl r;
        r.re.CopyFrom(root);
        if (mpq_sgn(x.q) < 0) NegReal(r.re);
        Impl p;
        SetInt(p, mpz_get_si(mpq_numref(y.q)));
        return PowValues(r, p, budget, out);
      }
    }
    if (x.Sign() == -1) {
      if (!odd) return EvalStatus::kUnsupported;
      // Odd root of a negative number: -(|x|^y) with the sign of the numerator's parity.
      Real absx;
      absx.CopyFrom(x);
      NegReal(absx);
      const EvalStatus s = PowPositiveInterval(absx, y, out.re);
      if (s != EvalStatus::kOk) return s;
      if (mpz_odd_p(mpq_numref(y.q))) NegReal(out.re);
      return EvalStatus::kOk;
    }
  }
  if (x.Sign() != 1) return EvalStatus::kDomain;
  return PowPositiveInterval(x, y, out.re);
}

// Real-argument functions.
EvalStatus ApplyFunction(std::string_view name, std::span<Impl*> args, const Budget& budget,
                         Impl& out) {
  mpq_set_ui(out.im.q, 0, 1);
  out.im.exact = true;
  out.infinite = false;
  for (Impl* a : args) {
    if (a->infinite) return EvalStatus::kUnsupported;
  }
  if (name == "sqrt" || name == "root") {
    if (args.size() != (name == "sqrt" ? 1u : 2u)) return EvalStatus::kUnsupported;
    Impl exp;
    Impl one;
    SetInt(one, 1);
    if (name == "sqrt") {
      mpq_set_ui(exp.re.q, 1, 2);
    } else {
      // root(n, x): n must be a positive integer.
      if (!args[0]->IsReal() || !args[0]->re.IsExactInteger() ||
          mpz_sgn(mpq_numref(args[0]->re.q)) <= 0 ||
          mpz_cmp_ui(mpq_numref(args[0]->re.q), 64) > 0) {
        return EvalStatus::kUnsupported;
      }
      mpq_set_ui(exp.re.q, 1, mpz_get_ui(mpq_numref(args[0]->re.q)));
    }
    Impl& x = *args.back();
    if (!x.IsReal()) return EvalStatus::kUnsupported;
    return PowValues(x, exp, budget, out);
  }
  if (name == "abs") {
    if (args.size() != 1) return EvalStatus::kUnsupported;
    Impl& x = *args[0];
    if (x.IsReal()) {
      out.re.CopyFrom(x.re);
      const int s = x.re.Sign();
      if (s == -1) NegReal(out.re);
      if (s == 2) {
        Iv a(x.re);
        Iv r;
        mpfr_set_ui(r.lo, 0, MPFR_RNDD);
        mpfr_neg(a.lo, a.lo, MPFR_RNDU);
        mpfr_max(r.hi, a.lo, a.hi, MPFR_RNDU);
        StoreIv(r, out.re);
      }
      return EvalStatus::kOk;
    }
    // |a + bi| = sqrt(a^2 + b^2).
    Impl sq;
    Real a2, b2;
    EvalStatus s = MulReal(x.re, x.re, budget, a2);
    if (s == EvalStatus::kOk) s = MulReal(x.im, x.im, budget, b2);
    if (s == EvalStatus::kOk) s = AddReal(a2, b2, false, budget, sq.re);
    if (s != EvalStatus::kOk) return s;
    Impl* arg = &sq;
    return ApplyFunction("sqrt", std::span<Impl*>(&arg, 1), budget, out);
  }
  for (Impl* a : args) {
    if (!a->IsReal()) return EvalStatus::kUnsupported;
  }
  if (name == "factorial") {
    const Real& x = args[0]->re;
    if (!x.IsExactInteger()) {
      // x! = Gamma(x + 1), at random points of identities like d!/(d-1)! = d. Gamma increases
      // on [1.4617, inf), so past 1.5 the interval is [Gamma(lo + 1), Gamma(hi + 1)].
      Iv a(x);
      mpfr_add_ui(a.lo, a.lo, 1, MPFR_RNDD);
      mpfr_add_ui(a.hi, a.hi, 1, MPFR_RNDU);
      if (mpfr_cmp_d(a.lo, 1.5) < 0 || mpfr_cmp_ui(a.hi, 1000) > 0) return EvalStatus::kUnsupported;
      Iv r;
      Monotone(a, mpfr_gamma, true, r);
      StoreIv(r, out.re);
      return CheckFinite(out.re);
    }
    if (mpq_sgn(x.q) < 0) return EvalStatus::kDomain;
    if (mpz_cmp_ui(mpq_numref(x.q), budget.max_factorial) > 0) return EvalStatus::kBudget;
    mpz_fac_ui(mpq_numref(out.re.q), mpz_get_ui(mpq_numref(x.q)));
    mpz_set_ui(mpq_denref(out.re.q), 1);
    out.re.exact = true;
    Shrink(out.re, budget);
    return EvalStatus::kOk;
  }
  if (name == "binom") {
    if (args.size() != 2) return EvalStatus::kUnsupported;
    const Real& n = args[0]->re;
    const Real& k = args[1]->re;
    if (!n.IsExactInteger() || !k.IsExactInteger()) return EvalStatus::kUnsupported;
    if (mpq_sgn(k.q) < 0 || mpq_sgn(n.q) < 0) return EvalStatus::kUnsupported;
    if (!mpz_fits_ulong_p(mpq_numref(n.q)) || !mpz_fits_ulong_p(mpq_numref(k.q))) {
      return EvalStatus::kBudget;
    }
    const unsigned long nn = mpz_get_ui(mpq_numref(n.q));
    unsigned long kk = mpz_get_ui(mpq_numref(k.q));
    if (kk > nn) {
      SetInt(out, 0);
      return EvalStatus::kOk;
    }
    kk = std::min(kk, nn - kk);
    // log2 C(n, k) <= k log2 n.
    if (static_cast<double>(kk) * static_cast<double>(mpz_sizeinbase(mpq_numref(n.q), 2)) >
        static_cast<double>(budget.max_bits)) {
      return EvalStatus::kBudget;
    }
    mpz_bin_uiui(mpq_numref(out.re.q), nn, kk);
    mpz_set_ui(mpq_denref(out.re.q), 1);
    out.re.exact = true;
    return EvalStatus::kOk;
  }
  if (name == "floor" || name == "ceil") {
    if (args.size() != 1) return EvalStatus::kUnsupported;
    const Real& x = args[0]->re;
    mpz_t lo;
    mpz_t hi;
    mpz_init(lo);
    mpz_init(hi);
    bool ok = true;
    if (x.exact) {
      if (name == "floor") {
        mpz_fdiv_q(lo, mpq_numref(x.q), mpq_denref(x.q));
      } else {
        mpz_cdiv_q(lo, mpq_numref(x.q), mpq_denref(x.q));
      }
      mpz_set(hi, lo);
    } else {
      ok = mpfr_number_p(x.lo) && mpfr_number_p(x.hi) &&
           mpfr_get_exp(x.hi) < 100000 && mpfr_get_exp(x.lo) < 100000;
      if (ok) {
        mpfr_get_z(lo, x.lo, name == "floor" ? MPFR_RNDD : MPFR_RNDU);
        mpfr_get_z(hi, x.hi, name == "floor" ? MPFR_RNDD : MPFR_RNDU);
      }
    }
    ok = ok && mpz_cmp(lo, hi) == 0;
    if (ok) {
      mpz_set(mpq_numref(out.re.q), lo);
      mpz_set_ui(mpq_denref(out.re.q), 1);
      out.re.exact = true;
    }
    mpz_clear(lo);
    mpz_clear(hi);
    return ok ? EvalStatus::kOk : EvalStatus::kUnsupported;
  }
  if (name == "gcd" || name == "lcm") {
    if (args.size() < 2) return EvalStatus::kUnsupported;
    mpz_set_ui(mpq_denref(out.re.q), 1);
    for (std::size_t k = 0; k < args.size(); ++k) {
      if (!args[k]->re.IsExactInteger()) return EvalStatus::kUnsupported;
      if (k == 0) {
        mpz_abs(mpq_numref(out.re.q), mpq_numref(args[k]->re.q));
      } else if (name == "gcd") {
        mpz_gcd(mpq_numref(out.re.q), mpq_numref(out.re.q), mpq_numref(args[k]->re.q));
      } else {
        mpz_lcm(mpq_numref(out.re.q), mpq_numref(out.re.q), mpq_numref(args[k]->re.q));
      }
    }
    out.re.exact = true;
    Shrink(out.re, budget);
    return EvalStatus::kOk;
  }
  if (name == "max" || name == "min") {
    if (args.empty()) return EvalStatus::kUnsupported;
    std::size_t best = 0;
    for (std::size_t k = 0; k < args.size(); ++k) {
      if (!args[k]->re.exact) return EvalStatus::kUnsupported;
      const int c = mpq_cmp(args[k]->re.q, args[best]->re.q);
      if ((name == "max" && c > 0) || (name == "min" && c < 0)) best = k;
    }
    out.re.CopyFrom(args[best]->re);
    return EvalStatus::kOk;
  }
  if (name == "log" && args.size() == 2) {
    // log_b(x) = ln x / ln b; exact when x is an integer power of b.
    const Real& x = args[0]->re;
    const Real& b = args[1]->re;
    if (x.Sign() != 1 || b.Sign() != 1) return EvalStatus::kDomain;
    Impl lx;
    Impl lb;
    Impl* ax = args[0];
    Impl* ab = args[1];
    EvalStatus s = ApplyFunction("ln", std::span<Impl*>(&ax, 1), budget, lx);
    if (s == EvalStatus::kOk) s = ApplyFunction("ln", std::span<Impl*>(&ab, 1), budget, lb);
    if (s == EvalStatus::kOk) s = DivValues(lx, lb, budget, out);
    if (s != EvalStatus::kOk || !x.exact || !b.exact || out.re.exact) return s;
    // Snap to an integer or half-integer k when b^k == x exactly.
    mpfr_t mid;
    mpfr_init2(mid, kPrec);
    mpfr_add(mid, out.re.lo, out.re.hi, MPFR_RNDN);  // About twice the value.
    const bool small = mpfr_number_p(mid) && mpfr_cmpabs_ui(mid, 100000) < 0;
    const long twice = small ? mpfr_get_si(mid, MPFR_RNDN) : 0;
    mpfr_clear(mid);
    if (small) {
      Impl k;
      mpq_set_si(k.re.q, twice, 2);
      mpq_canonicalize(k.re.q);
      Impl check;
      if (PowValues(*args[1], k, budget, check) == EvalStatus::kOk && check.re.exact &&
          check.IsReal() && mpq_equal(check.re.q, x.q)) {
        out.re.CopyFrom(k.re);
      }
    }
    return EvalStatus::kOk;
  }
  if (args.size() != 1) return EvalStatus::kUnsupported;
  const Real& x = args[0]->re;
  // Exact values at 0 and 1.
  if (x.IsExactZero() && (name == "sin" || name == "tan" || name == "arcsin" ||
                          name == "arctan" || name == "sinh" || name == "tanh")) {
    SetInt(out, 0);
    return EvalStatus::kOk;
  }
  if (x.IsExactZero() && (name == "cos" || name == "exp" || name == "cosh" || name == "sec")) {
    SetInt(out, 1);
    return EvalStatus::kOk;
  }
  if (x.exact && mpq_cmp_ui(x.q, 1, 1) == 0 && (name == "ln" || name == "log" || name == "lg" ||
                                                  name == "arccos")) {
    SetInt(out, 0);
    return EvalStatus::kOk;
  }
  Iv a(x);
  Iv r;
  using F = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
  struct Mono {
    std::string_view name;
    F f;
    bool increasing;
    int domain;  // 0: all reals, 1: x > 0, 2: |x| <= 1
  };
  static const Mono kMono[] = {
      {"exp", mpfr_exp, true, 0},     {"ln", mpfr_log, true, 1},
      {"log", mpfr_log, true, 1},     {"lg", mpfr_log10, true, 1},
      {"arctan", mpfr_atan, true, 0}, {"atan", mpfr_atan, true, 0},
      {"arcsin", mpfr_asin, true, 2}, {"asin", mpfr_asin, true, 2},
      {"arccos", mpfr_acos, false, 2}, {"acos", mpfr_acos, false, 2},
      {"sinh", mpfr_sinh, true, 0},   {"tanh", mpfr_tanh, true, 0},
  };
  for (const Mono& m : kMono) {
    if (name != m.name) continue;
    if (m.domain == 1 && x.Sign() != 1) return EvalStatus::kDomain;
    if (m.domain == 2 && (mpfr_cmp_si(a.lo, -1) < 0 || mpfr_cmp_si(a.hi, 1) > 0)) {
      return EvalStatus::kDomain;
    }
    Monotone(a, m.f, m.increasing, r);
    StoreIv(r, out.re);
    return CheckFinite(out.re);
  }
  if (name == "sin" || name == "cos" || name == "tan" || name == "cot" || name == "sec" ||
      name == "csc") {
    Iv s;
    Iv c;
    Lipschitz(a, mpfr_sin, s);
    Lipschitz(a, mpfr_cos, c);
    Real sr, cr;
    StoreIv(s, sr);
    StoreIv(c, cr);
    Real one;
    mpq_set_ui(one.q, 1, 1);
    if (name == "sin") {
      out.re.CopyFrom(sr);
      return EvalStatus::kOk;
    }
    if (name == "cos") {
      out.re.CopyFrom(cr);
      return EvalStatus::kOk;
    }
    if (name == "tan") return DivReal(sr, cr, budget, out.re);
    if (name == "cot") return DivReal(cr, sr, budget, out.re);
    if (name == "sec") return DivReal(one, cr, budget, out.re);
    return DivReal(one, sr, budget, out.re);
  }
  if (name == "arccot") {
    Real one;
    mpq_set_ui(one.q, 1, 1);
    Impl inv;
    EvalStatus s = DivReal(one, x, budget, inv.re);
    if (s != EvalStatus::kOk) return s;
    Impl* p = &inv;
    return ApplyFunction("arctan", std::span<Impl*>(&p, 1), budget, out);
  }
  if (name == "cosh") {
    if (x.Sign() == 1 || x.Sign() == -1) {
      Monotone(a, mpfr_cosh, x.Sign() == 1, r);
      StoreIv(r, out.re);
      return CheckFinite(out.re);
    }
    return EvalStatus::kUnsupported;
  }
  return EvalStatus::kUnsupported;
}

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A name for a subscripted symbol (a_1, x_{n}).
std::string VariableName(const Expr& expr, std::uint32_t node) {
  return ToDebugString(expr, node);
}

// Digits of `digits` in base `base` (2..36), or false.
bool BaseValue(std::string_view digits, unsigned base, mpz_t out) {
  if (base < 2 || base > 36 || digits.empty() || digits.find('.') != std::string_view::npos) {
    return false;
  }
  for (char c : digits) {
    if (static_cast<unsigned>(c - '0') >= base) return false;
  }
  const std::string s(digits);
  return mpz_set_str(out, s.c_str(), static_cast<int>(base)) == 0;
}

EvalStatus Leaf(const Expr& expr, std::uint32_t id, const Assignment& assignment,
                const EvalOptions& options, Impl& out) {
  const Node& node = expr.nodes[id];
  SetInt(out, 0);
  switch (node.kind) {
    case NodeKind::kNumber: {
      const std::string& t = node.text;
      const std::size_t dot = t.find('.');
      std::string digits = t;
      std::size_t decimals = 0;
      if (dot != std::string::npos) {
        decimals = t.size() - dot - 1;
        digits.erase(dot, 1);
      }
      if (mpz_set_str(mpq_numref(out.re.q), digits.c_str(), 10) != 0) return EvalStatus::kUnsupported;
      mpz_ui_pow_ui(mpq_denref(out.re.q), 10, decimals);
      mpq_canonicalize(out.re.q);
      return EvalStatus::kOk;
    }
    case NodeKind::kConstant: {
      if (node.text == "i") {
        mpq_set_ui(out.im.q, 1, 1);
        return EvalStatus::kOk;
      }
      if (node.text == "inf") {
        out.infinite = true;
        out.inf_sign = 1;
        return EvalStatus::kOk;
      }
      Iv r;
      if (node.text == "pi") {
        mpfr_const_pi(r.lo, MPFR_RNDD);
        mpfr_const_pi(r.hi, MPFR_RNDU);
      } else {  // e
        mpfr_set_ui(r.lo, 1, MPFR_RNDD);
        mpfr_set_ui(r.hi, 1, MPFR_RNDU);
        mpfr_exp(r.lo, r.lo, MPFR_RNDD);
        mpfr_exp(r.hi, r.hi, MPFR_RNDU);
      }
      StoreIv(r, out.re);
      return EvalStatus::kOk;
    }
    case NodeKind::kSymbol: {
      const Value* v = assignment.Find(node.text);
      if (v == nullptr) return EvalStatus::kUnsupported;
      out.CopyFrom(v->impl());
      return EvalStatus::kOk;
    }
    case NodeKind::kSubscript: {
      const Node& base = expr.nodes[expr.kids[node.first]];
      const Node& sub = expr.nodes[expr.kids[node.first + 1]];
      if (base.kind == NodeKind::kNumber && sub.kind == NodeKind::kNumber &&
          sub.text.size() <= 2 && sub.text.find('.') == std::string::npos) {
        if (BaseValue(base.text, static_cast<unsigned>(std::stoul(sub.text)), mpq_numref(out.re.q))) {
          mpz_set_ui(mpq_denref(out.re.q), 1);
          return EvalStatus::kOk;
        }
        return EvalStatus::kUnsupported;
      }
      const Value* v = assignment.Find(VariableName(expr, id));
      if (v == nullptr) return EvalStatus::kUnsupported;
      out.CopyFrom(v->impl());
      return EvalStatus::kOk;
    }
    default:
      (void)options;
      return EvalStatus::kUnsupported;
  }
}

}  // namespace

EvalStatus Evaluate(const Expr& expr, std::uint32_t root, const Assignment& assignment,
                    const EvalOptions& options, Budget& budget, Value& result) {
  struct Item {
    std::uint32_t node;
    bool expanded;
  };
  std::vector<Item> stack;
  std::vector<Value> values;
  stack.push_back({root, false});
  while (!stack.empty()) {
    Item& item = stack.back();
    const Node& node = expr.nodes[item.node];
    if (--budget.operations < 0) return EvalStatus::kBudget;
    const bool leaf = node.count == 0 || node.kind == NodeKind::kSubscript;
    if (!leaf && !item.expanded) {
      item.expanded = true;
      const std::uint32_t id = item.node;
      // Children pushed in reverse so they are evaluated (and their values stacked) in order.
      const auto kids = expr.children(id);
      for (std::size_t k = kids.size(); k-- > 0;) stack.push_back({kids[k], false});
      continue;
    }
    const std::uint32_t id = item.node;
    stack.pop_back();
    Value v;
    Impl& out = v.impl();
    EvalStatus s = EvalStatus::kOk;
    if (leaf) {
      s = Leaf(expr, id, assignment, options, out);
    } else {
      const std::size_t n = node.count;
      if (values.size() < n) return EvalStatus::kUnsupported;
      std::vector<Impl*> args;
      args.reserve(n);
      for (std::size_t k = values.size() - n; k < values.size(); ++k) {
        args.push_back(&values[k].impl());
      }
      switch (node.kind) {
        case NodeKind::kAdd:
          s = AddValues(*args[0], *args[1], false, budget, out);
          break;
        case NodeKind::kMul:
          s = MulValues(*args[0], *args[1], budget, out);
          break;
        case NodeKind::kDiv:
          s = DivValues(*args[0], *args[1], budget, out);
          break;
        case NodeKind::kPow:
          s = PowValues(*args[0], *args[1], budget, out);
          break;
        case NodeKind::kNeg:
          out.CopyFrom(*args[0]);
          if (out.infinite) {
            out.inf_sign = -out.inf_sign;
          } else {
            NegReal(out.re);
            NegReal(out.im);
          }
          break;
        case NodeKind::kPlusMinus:
          if (n == 1) {
            out.CopyFrom(*args[0]);
            if (options.plus_minus_sign < 0) {
              NegReal(out.re);
              NegReal(out.im);
            }
          } else {
            s = AddValues(*args[0], *args[1], options.plus_minus_sign < 0, budget, out);
          }
          break;
        case NodeKind::kPercent:
          if (options.percent == PercentMode::kStrip) {
            out.CopyFrom(*args[0]);
          } else {
            Impl hundred;
            SetInt(hundred, 100);
            s = DivValues(*args[0], hundred, budget, out);
          }
          break;
        case NodeKind::kDegree: {
          Impl pi;
          Impl k;
          Impl ratio;
          Node pi_node{.kind = NodeKind::kConstant, .text = "pi"};
          Expr tmp;
          tmp.nodes.push_back(pi_node);
          s = Leaf(tmp, 0, assignment, options, pi);
          SetInt(k, 180);
          if (s == EvalStatus::kOk) s = DivValues(pi, k, budget, ratio);
          if (s == EvalStatus::kOk) s = MulValues(*args[0], ratio, budget, out);
          break;
        }
        case NodeKind::kFactorial: {
          Impl* a = args[0];
          s = ApplyFunction("factorial", std::span<Impl*>(&a, 1), budget, out);
          break;
        }
        case NodeKind::kFunc:
          // Piecewise functions break the random-point identity test (floor(sqrt(n-1)) and
          // floor(n/2) agree at many points), so with variables they are compared as written.
          if (!assignment.values.empty() &&
              (node.text == "floor" || node.text == "ceil" || node.text == "abs" ||
               node.text == "max" || node.text == "min" || node.text == "gcd" ||
               node.text == "lcm")) {
            s = EvalStatus::kUnsupported;
            break;
          }
          s = ApplyFunction(node.text, args, budget, out);
          break;
        case NodeKind::kRelation:
          // A ratio a:b, read as a/b only where the profile allows it.
          if (node.text == ":" && options.ratio_as_division) {
            s = DivValues(*args[0], *args[1], budget, out);
          } else {
            s = EvalStatus::kUnsupported;
          }
          break;
        default:
          s = EvalStatus::kUnsupported;
      }
      values.resize(values.size() - n);
    }
    if (s != EvalStatus::kOk) return s;
    values.push_back(std::move(v));
  }
  if (values.size() != 1) return EvalStatus::kUnsupported;
  result = std::move(values[0]);
  return EvalStatus::kOk;
}

namespace {

Compare CompareReal(const Real& a, const Real& b) {
  if (a.exact && b.exact) return mpq_equal(a.q, b.q) ? Compare::kEqual : Compare::kDifferent;
  Iv x(a);
  Iv y(b);
  if (mpfr_less_p(x.hi, y.lo) || mpfr_less_p(y.hi, x.lo)) return Compare::kDifferent;
  // Overlapping: equal when both intervals are narrow.
  mpfr_t w, m, t;
  mpfr_inits2(kPrec, w, m, t, static_cast<mpfr_ptr>(nullptr));
  bool narrow = true;
  for (const Iv* iv : {&x, &y}) {
    mpfr_sub(w, iv->hi, iv->lo, MPFR_RNDU);
    mpfr_abs(m, iv->lo, MPFR_RNDU);
    mpfr_abs(t, iv->hi, MPFR_RNDU);
    mpfr_max(m, m, t, MPFR_RNDU);
    if (mpfr_cmp_ui(m, 1) < 0) mpfr_set_ui(m, 1, MPFR_RNDU);
    mpfr_mul_2si(m, m, -kEqualBits, MPFR_RNDD);
    if (mpfr_greater_p(w, m)) narrow = false;
  }
  mpfr_clears(w, m, t, static_cast<mpfr_ptr>(nullptr));
  return narrow ? Compare::kEqual : Compare::kUndecided;
}

}  // namespace

Compare CompareValues(const Value& va, const Value& vb) {
  const Impl& a = va.impl();
  const Impl& b = vb.impl();
  if (a.infinite || b.infinite) {
    return (a.infinite && b.infinite && a.inf_sign == b.inf_sign) ? Compare::kEqual
                                                                  : Compare::kDifferent;
  }
  const Compare re = CompareReal(a.re, b.re);
  if (re == Compare::kDifferent) return re;
  const Compare im = CompareReal(a.im, b.im);
  if (im == Compare::kDifferent) return im;
  return (re == Compare::kEqual && im == Compare::kEqual) ? Compare::kEqual : Compare::kUndecided;
}

EvalStatus Subtract(const Value& a, const Value& b, Budget& budget, Value& out) {
  return AddValues(a.impl(), b.impl(), true, budget, out.impl());
}

EvalStatus Divide(const Value& a, const Value& b, Budget& budget, Value& out) {
  return DivValues(a.impl(), b.impl(), budget, out.impl());
}

bool IsZero(const Value& v) {
  const Impl& x = v.impl();
  return !x.infinite && x.re.IsExactZero() && x.im.IsExactZero();
}

bool RoundsTo(const Value& exact, const Value& rounded, int decimals) {
  const Impl& a = exact.impl();
  const Impl& b = rounded.impl();
  if (a.infinite || b.infinite || !a.IsReal() || !b.IsReal()) return false;
  Real diff;
  Budget budget;
  if (AddReal(a.re, b.re, true, budget, diff) != EvalStatus::kOk) return false;
  Iv d(diff);
  mpfr_t bound;
  mpfr_init2(bound, kPrec);
  mpfr_set_ui(bound, 10, MPFR_RNDD);
  mpfr_pow_si(bound, bound, -decimals, MPFR_RNDD);
  mpfr_div_ui(bound, bound, 2, MPFR_RNDD);
  mpfr_abs(d.lo, d.lo, MPFR_RNDU);
  mpfr_abs(d.hi, d.hi, MPFR_RNDU);
  const bool ok = mpfr_lessequal_p(d.lo, bound) && mpfr_lessequal_p(d.hi, bound);
  mpfr_clear(bound);
  return ok;
}

Value RandomPoint(std::string_view name, int k, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  const std::uint64_t r = SplitMix(h ^ SplitMix(seed + static_cast<std::uint64_t>(k)));
  // Positive rationals in (0, 4) with a large prime denominator: square roots and logarithms of
  // variables stay defined, and distinct rational functions rarely agree there.
  constexpr unsigned long kDen = 1000003;
  Value v;
  mpq_set_ui(v.impl().re.q, 1 + static_cast<unsigned long>(r % (4 * kDen - 1)), kDen);
  mpq_canonicalize(v.impl().re.q);
  return v;
}

void CollectVariables(const Expr& expr, std::uint32_t root, std::vector<std::string>& out) {
  std::vector<std::uint32_t> stack = {root};
  while (!stack.empty()) {
    const std::uint32_t id = stack.back();
    stack.pop_back();
    const Node& node = expr.nodes[id];
    std::string name;
    if (node.kind == NodeKind::kSymbol) {
      name = node.text;
    } else if (node.kind == NodeKind::kSubscript &&
               expr.nodes[expr.kids[node.first]].kind != NodeKind::kNumber) {
      name = VariableName(expr, id);
    } else {
      for (std::uint32_t c : expr.children(id)) stack.push_back(c);
      continue;
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
}

bool HasPlusMinus(const Expr& expr, std::uint32_t root) {
  std::vector<std::uint32_t> stack = {root};
  while (!stack.empty()) {
    const std::uint32_t id = stack.back();
    stack.pop_back();
    if (expr.nodes[id].kind == NodeKind::kPlusMinus) return true;
    for (std::uint32_t c : expr.children(id)) stack.push_back(c);
  }
  return false;
}

}  // namespace merit::math
