#include "rewards/math/equiv.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace merit::math {
namespace {

// A node to compare; `pm` picks one branch of the ± signs in it (0: none chosen).
struct Item {
  std::uint32_t node = 0;
  int pm = 0;
};

enum class Shape : std::uint8_t { kLeaf, kText, kRelation, kUnordered, kOrdered, kMatrix };

struct View {
  Shape shape = Shape::kLeaf;
  bool bare_list = false;  // A bare "a, b" list (ordered or not, per leniency).
  bool union_of = false;   // A union of sets/intervals.
  char open = 0;
  char close = 0;
  std::uint32_t rows = 0;
  std::vector<Item> items;
};

enum class Outcome : std::uint8_t { kEqual, kDifferent, kUnsupported, kBudget };

std::string Squeeze(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

class Comparer {
 public:
  Comparer(const Expr& a, const Expr& b, const EquivOptions& options, Budget& budget)
      : a_(a), b_(b), options_(options), len_(options.leniency), budget_(budget) {}

  bool budget_hit() const { return budget_hit_; }

  bool Eq(Item a, Item b, int depth) {
    if (depth > kMaxContainerDepth) return DumpEq(a, b);
    if (a.pm == 0 && b.pm == 0) {
      a.node = Unwrap(a_, a.node, b_, b.node, false);
      b.node = Unwrap(b_, b.node, a_, a.node, true);
    }
    View va;
    View vb;
    Describe(a_, a, va);
    Describe(b_, b, vb);
    if (va.shape == Shape::kText || vb.shape == Shape::kText) return TextEq(a, va, b, vb);
    if (va.shape == Shape::kRelation || vb.shape == Shape::kRelation) {
      if (va.shape == vb.shape) return RelEq(a.node, b.node, depth);
      // "k < -5" and "(-\\infty, -5)".
      if (va.shape == Shape::kRelation && vb.shape == Shape::kOrdered && !vb.bare_list) {
        return IntervalEq(a_, a.node, b_, b.node, depth, true);
      }
      if (vb.shape == Shape::kRelation && va.shape == Shape::kOrdered && !va.bare_list) {
        return IntervalEq(b_, b.node, a_, a.node, depth, false);
      }
      return false;
    }
    const bool ca = va.shape != Shape::kLeaf;
    const bool cb = vb.shape != Shape::kLeaf;
    if (ca && cb) return ContainerEq(va, vb, depth);
    if (ca || cb) {
      // "\{5\}" and "5", or a union of one interval and that interval.
      const View& c = ca ? va : vb;
      if (c.items.size() == 1 && c.shape == Shape::kUnordered && !c.bare_list &&
          (len_.single_set || c.union_of)) {
        return ca ? Eq(c.items[0], b, depth + 1) : Eq(a, c.items[0], depth + 1);
      }
      return false;
    }
    return LeafEq(a, b);
  }

 private:
  // An equation compared with a non-equation is its right side (leniency equation_rhs) when it
  // names a value ("x = 5", "2+2+2 = 6", "(b, c) = (6, 5)": the right side has no variables) or
  // defines a variable or a function ("d = \\frac{1+\\sqrt{1+8n}}{2}", "f(x) = x + 22"), unless the
  // reference is an equation between coordinates.
  std::uint32_t Unwrap(const Expr& e, std::uint32_t n, const Expr& other, std::uint32_t on,
                       bool candidate) const {
    if (!len_.equation_rhs) return n;
    const Node& node = e.nodes[n];
    if (node.kind != NodeKind::kRelation || (node.text != "=" && node.text != "in")) return n;
    if (other.nodes[on].kind == NodeKind::kRelation) return n;
    const std::uint32_t rhs = e.kids[node.first + 1];
    std::vector<std::string> vars;
    CollectVariables(e, rhs, vars);
    if (vars.empty()) return rhs;
    const Node& lhs = e.nodes[e.kids[node.first]];
    const bool function = lhs.kind == NodeKind::kMul && lhs.count == 2 &&
                          e.nodes[e.kids[lhs.first]].kind == NodeKind::kSymbol &&
                          std::string_view("fghpqFGHPQ").find(e.nodes[e.kids[lhs.first]].text) !=
                              std::string_view::npos &&
                          e.nodes[e.kids[lhs.first]].text.size() == 1;
    if (function) return rhs;
    const bool variable = lhs.kind == NodeKind::kSymbol ||
                          (lhs.kind == NodeKind::kSubscript &&
                           e.nodes[e.kids[lhs.first]].kind == NodeKind::kSymbol);
    if (!variable) return n;
    // A reference "y = -2x" between coordinates is a curve: it asks for an equation. The
    // candidate's "y = -2x" still answers a reference "-2x".
    const auto coordinate = [](const std::string& v) { return v == "x" || v == "y" || v == "z"; };
    const bool curve = coordinate(lhs.text) && std::all_of(vars.begin(), vars.end(), coordinate);
    return (candidate || !curve) ? rhs : n;
  }

  void Describe(const Expr& e, Item it, View& v) const {
    const Node& node = e.nodes[it.node];
    v.items.clear();
    if (it.pm != 0) {
      v.shape = Shape::kLeaf;
      return;
    }
    switch (node.kind) {
      case NodeKind::kText:
        v.shape = Shape::kText;
        return;
      case NodeKind::kRelation:
        v.shape = (node.text == ":" && len_.ratio) ? Shape::kLeaf : Shape::kRelation;
        return;
      case NodeKind::kList:
        v.shape = len_.unordered_lists ? Shape::kUnordered : Shape::kOrdered;
        v.bare_list = true;
        break;
      case NodeKind::kGroup:
        v.shape = node.open == '{' ? Shape::kUnordered : Shape::kOrdered;
        v.open = node.open == '<' ? '(' : node.open;
        v.close = node.close == '>' ? ')' : node.close;
        break;
      case NodeKind::kEmptySet:
        v.shape = Shape::kUnordered;
        return;
      case NodeKind::kMatrix:
        v.shape = Shape::kMatrix;
        v.rows = node.rows;
        break;
      case NodeKind::kUnion: {
        v.shape = Shape::kUnordered;
        v.union_of = true;
        std::vector<std::uint32_t> stack = {it.node};
        while (!stack.empty()) {
          const std::uint32_t id = stack.back();
          stack.pop_back();
          if (e.nodes[id].kind == NodeKind::kUnion) {
            const auto kids = e.children(id);
            for (std::size_t k = kids.size(); k-- > 0;) stack.push_back(kids[k]);
          } else {
            v.items.push_back({id, 0});
          }
        }
        return;
      }
      default:
        if (HasPlusMinus(e, it.node)) {
          v.shape = Shape::kUnordered;
          v.items = {{it.node, 1}, {it.node, -1}};
        } else {
          v.shape = Shape::kLeaf;
        }
        return;
    }
    for (std::uint32_t c : e.children(it.node)) {
      // In a set of answers, "1 \pm \sqrt{2}" is two answers.
      if (v.shape == Shape::kUnordered && HasPlusMinus(e, c)) {
        v.items.push_back({c, 1});
        v.items.push_back({c, -1});
      } else {
        v.items.push_back({c, 0});
      }
    }
  }

  bool TextEq(Item a, const View& va, Item b, const View& vb) const {
    const std::string ta = TextOf(a_, a.node, va);
    const std::string tb = TextOf(b_, b.node, vb);
    return !ta.empty() && ta == tb;
  }

  // A word, or a single symbol read as one ("B" and "\text{(B)}").
  static std::string TextOf(const Expr& e, std::uint32_t n, const View& v) {
    const Node& node = e.nodes[n];
    if (v.shape == Shape::kText) return Squeeze(node.text);
    // Symbols, or a product of symbols ("No" parses as N times o), spelled out in order.
    std::string t;
    std::vector<std::uint32_t> stack = {n};
    while (!stack.empty()) {
      const Node& x = e.nodes[stack.back()];
      const std::uint32_t id = stack.back();
      stack.pop_back();
      if (x.kind == NodeKind::kSymbol || x.kind == NodeKind::kConstant) {
        t += x.text;
      } else if (x.kind == NodeKind::kMul && t.size() < 64) {
        const auto kids = e.children(id);
        for (std::size_t k = kids.size(); k-- > 0;) stack.push_back(kids[k]);
      } else {
        return {};
      }
    }
    for (char& c : t) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return t;
  }

  bool ContainerEq(const View& va, const View& vb, int depth) {
    // A bare list against a tuple: the tuple's order counts (leniency tuple_list).
    if (va.bare_list != vb.bare_list && va.shape != Shape::kMatrix && vb.shape != Shape::kMatrix) {
      const View& t = va.bare_list ? vb : va;
      if (t.shape == Shape::kOrdered && t.open == '(' && t.close == ')') {
        return len_.tuple_list && SeqEq(va, vb, depth);
      }
    }
    const bool ua = va.shape == Shape::kUnordered;
    const bool ub = vb.shape == Shape::kUnordered;
    if (ua && ub) return SetEq(va, vb, depth);
    // A set against an ordered bare list: still a set of answers.
    if ((ua && vb.bare_list) || (ub && va.bare_list)) return SetEq(va, vb, depth);
    if (ua || ub) {
      // A union against a single interval.
      if ((va.union_of && vb.shape == Shape::kOrdered && !vb.bare_list) ||
          (vb.union_of && va.shape == Shape::kOrdered && !va.bare_list)) {
        return false;
      }
      return false;
    }
    if (va.shape == Shape::kMatrix && vb.shape == Shape::kMatrix) {
      return va.rows == vb.rows && SeqEq(va, vb, depth);
    }
    if (va.shape == Shape::kMatrix || vb.shape == Shape::kMatrix) {
      const View& m = va.shape == Shape::kMatrix ? va : vb;
      const View& t = va.shape == Shape::kMatrix ? vb : va;
      const bool vector = m.rows == 1 || m.rows == m.items.size();
      return len_.vector_matrix && vector && !t.bare_list && t.open == '(' && SeqEq(va, vb, depth);
    }
    if (va.bare_list && vb.bare_list) return SeqEq(va, vb, depth);
    if (va.bare_list || vb.bare_list) {
      const View& t = va.bare_list ? vb : va;
      return len_.tuple_list && t.open == '(' && t.close == ')' && SeqEq(va, vb, depth);
    }
    return va.open == vb.open && va.close == vb.close && SeqEq(va, vb, depth);
  }

  bool SeqEq(const View& va, const View& vb, int depth) {
    if (va.items.size() != vb.items.size()) return false;
    for (std::size_t k = 0; k < va.items.size(); ++k) {
      if (!Eq(va.items[k], vb.items[k], depth + 1)) return false;
    }
    return true;
  }

  // Unordered: a greedy matching is exact because equivalence is transitive.
  bool SetEq(const View& va, const View& vb, int depth) {
    if (va.items.size() != vb.items.size()) return false;
    // Quadratic: past 64 items compare in order instead.
    if (va.items.size() > 64) return SeqEq(va, vb, depth);
    std::vector<bool> used(vb.items.size(), false);
    for (const Item& x : va.items) {
      bool found = false;
      for (std::size_t k = 0; k < vb.items.size() && !found; ++k) {
        if (!used[k] && Eq(x, vb.items[k], depth + 1)) {
          used[k] = true;
          found = true;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  // An inequality on one variable (x < a, a <= x, a < x <= b) against an interval.
  // `rel_is_a`: the relation is on the reference side.
  bool IntervalEq(const Expr& re, std::uint32_t rel, const Expr& ge, std::uint32_t group,
                  int depth, bool rel_is_a) {
    const Node& g = ge.nodes[group];
    if (g.kind != NodeKind::kGroup || g.count != 2) return false;
    // Bounds as (node or none for infinity, closed).
    struct Bound {
      std::optional<std::uint32_t> node;
      bool closed = false;
    };
    Bound lo;
    Bound hi;
    auto set = [](Bound& b, std::uint32_t node, const std::string& op) {
      b.node = node;
      b.closed = op == "<=";
    };
    const Rel r = Normalize(re, rel);
    if (r.op != "<" && r.op != "<=") return false;
    const Node& l = re.nodes[r.lhs];
    const Node& h = re.nodes[r.rhs];
    if (l.kind == NodeKind::kRelation) {  // a < x < b
      const Rel inner = Normalize(re, r.lhs);
      if ((inner.op != "<" && inner.op != "<=") || re.nodes[inner.rhs].kind != NodeKind::kSymbol) {
        return false;
      }
      set(lo, inner.lhs, inner.op);
      set(hi, r.rhs, r.op);
    } else if (l.kind == NodeKind::kSymbol) {
      set(hi, r.rhs, r.op);
    } else if (h.kind == NodeKind::kSymbol) {
      set(lo, r.lhs, r.op);
    } else {
      return false;
    }
    const std::uint32_t glo = ge.kids[g.first];
    const std::uint32_t ghi = ge.kids[g.first + 1];
    auto infinite = [&](std::uint32_t n, bool negative) {
      const Node* x = &ge.nodes[n];
      if (negative) {
        if (x->kind != NodeKind::kNeg) return false;
        x = &ge.nodes[ge.kids[x->first]];
      }
      return x->kind == NodeKind::kConstant && x->text == "inf";
    };
    auto bound_eq = [&](const Bound& b, std::uint32_t n, bool closed, bool negative) {
      if (!b.node) return infinite(n, negative) && !closed;
      if (b.closed != closed) return false;
      return rel_is_a ? Eq({*b.node, 0}, {n, 0}, depth + 1) : Eq({n, 0}, {*b.node, 0}, depth + 1);
    };
    return bound_eq(lo, glo, g.open == '[', true) && bound_eq(hi, ghi, g.close == ']', false);
  }

  struct Rel {
    std::string op;
    std::uint32_t lhs = 0;
    std::uint32_t rhs = 0;
  };

  static Rel Normalize(const Expr& e, std::uint32_t n) {
    const Node& node = e.nodes[n];
    Rel r{node.text, e.kids[node.first], e.kids[node.first + 1]};
    if (r.op == ">" || r.op == ">=") {
      r.op = r.op == ">" ? "<" : "<=";
      std::swap(r.lhs, r.rhs);
    }
    if (r.op == "~") r.op = "=";
    return r;
  }

  bool RelEq(std::uint32_t a, std::uint32_t b, int depth) {
    const Rel ra = Normalize(a_, a);
    const Rel rb = Normalize(b_, b);
    if (ra.op != rb.op) return false;
    if (Eq({ra.lhs, 0}, {rb.lhs, 0}, depth + 1) && Eq({ra.rhs, 0}, {rb.rhs, 0}, depth + 1)) {
      return true;
    }
    if (ra.op == "=" || ra.op == "!=") {
      if (Eq({ra.lhs, 0}, {rb.rhs, 0}, depth + 1) && Eq({ra.rhs, 0}, {rb.lhs, 0}, depth + 1)) {
        return true;
      }
    }
    if (ra.op == "=") return Proportional(ra, rb);
    return false;
  }

  // Two equations with variables are the same when lhs - rhs of one is a nonzero constant
  // multiple of the other's (checked at random points).
  bool Proportional(const Rel& ra, const Rel& rb) {
    std::vector<std::string> vars;
    CollectVariables(a_, ra.lhs, vars);
    CollectVariables(a_, ra.rhs, vars);
    CollectVariables(b_, rb.lhs, vars);
    CollectVariables(b_, rb.rhs, vars);
    if (vars.empty()) return false;
    std::optional<Value> ratio;
    for (int k = 0; k < 3; ++k) {
      Assignment assignment;
      for (const std::string& v : vars) {
        assignment.values.emplace_back(v, RandomPoint(v, k, options_.seed));
      }
      Value la, ra_v, lb, rb_v, da, db, q;
      const EvalOptions eo{};
      if (Evaluate(a_, ra.lhs, assignment, eo, budget_, la) != EvalStatus::kOk ||
          Evaluate(a_, ra.rhs, assignment, eo, budget_, ra_v) != EvalStatus::kOk ||
          Evaluate(b_, rb.lhs, assignment, eo, budget_, lb) != EvalStatus::kOk ||
          Evaluate(b_, rb.rhs, assignment, eo, budget_, rb_v) != EvalStatus::kOk ||
          Subtract(la, ra_v, budget_, da) != EvalStatus::kOk ||
          Subtract(lb, rb_v, budget_, db) != EvalStatus::kOk) {
        return false;
      }
      if (IsZero(da) || IsZero(db)) {
        if (!(IsZero(da) && IsZero(db))) return false;
        continue;
      }
      if (Divide(da, db, budget_, q) != EvalStatus::kOk) return false;
      if (ratio) {
        if (CompareValues(*ratio, q) != Compare::kEqual) return false;
      } else {
        ratio = std::move(q);
      }
    }
    return ratio.has_value();
  }

  Outcome EvalCompare(Item a, Item b, const std::vector<std::string>& vars, PercentMode mode) {
    const int points = vars.empty() ? 1 : 3;
    int compared = 0;
    for (int k = 0; k < points; ++k) {
      Assignment assignment;
      for (const std::string& v : vars) {
        assignment.values.emplace_back(v, RandomPoint(v, k, options_.seed));
      }
      Value va;
      Value vb;
      EvalOptions ea{.percent = mode, .plus_minus_sign = a.pm, .ratio_as_division = len_.ratio};
      EvalOptions eb{.percent = mode, .plus_minus_sign = b.pm, .ratio_as_division = len_.ratio};
      const EvalStatus sa = Evaluate(a_, a.node, assignment, ea, budget_, va);
      const EvalStatus sb = Evaluate(b_, b.node, assignment, eb, budget_, vb);
      if (sa == EvalStatus::kBudget || sb == EvalStatus::kBudget) return Outcome::kBudget;
      if (sa == EvalStatus::kUnsupported || sb == EvalStatus::kUnsupported) {
        return Outcome::kUnsupported;
      }
      if (sa == EvalStatus::kDomain && sb == EvalStatus::kDomain) continue;
      if (sa == EvalStatus::kDomain || sb == EvalStatus::kDomain) return Outcome::kDifferent;
      if (CompareValues(va, vb) != Compare::kEqual) {
        // Leniency decimal_rounding: a written decimal equals the other value rounded to its
        // number of places.
        if (len_.decimal_rounding && vars.empty()) {
          const int pa = DecimalPlaces(a_, a.node);
          const int pb = DecimalPlaces(b_, b.node);
          if ((pb > 0 && RoundsTo(va, vb, pb)) || (pa > 0 && RoundsTo(vb, va, pa))) {
            ++compared;
            continue;
          }
        }
        return Outcome::kDifferent;
      }
      ++compared;
    }
    return compared > 0 ? Outcome::kEqual : Outcome::kUnsupported;
  }

  // Places after the point of a plain decimal literal (possibly negated); 0 otherwise.
  static int DecimalPlaces(const Expr& e, std::uint32_t n) {
    const Node* node = &e.nodes[n];
    if (node->kind == NodeKind::kNeg) node = &e.nodes[e.kids[node->first]];
    if (node->kind != NodeKind::kNumber) return 0;
    const std::size_t dot = node->text.find('.');
    if (dot == std::string::npos) return 0;
    return static_cast<int>(node->text.size() - dot - 1);
  }

  // 4210_{5} written as 4210: the same digits without the base.
  bool SameDigits(const Expr& e, std::uint32_t n, const Expr& o, std::uint32_t on) const {
    const Node& x = e.nodes[n];
    const Node& y = o.nodes[on];
    return x.kind == NodeKind::kSubscript && y.kind == NodeKind::kNumber &&
           e.nodes[e.kids[x.first]].kind == NodeKind::kNumber &&
           e.nodes[e.kids[x.first + 1]].kind == NodeKind::kNumber &&
           e.nodes[e.kids[x.first]].text == y.text;
  }

  bool LeafEq(Item a, Item b) {
    if (SameDigits(a_, a.node, b_, b.node) || SameDigits(b_, b.node, a_, a.node)) return true;
    std::vector<std::string> vars;
    CollectVariables(a_, a.node, vars);
    CollectVariables(b_, b.node, vars);
    Outcome o = EvalCompare(a, b, vars, PercentMode::kFraction);
    if (o == Outcome::kDifferent && len_.percent) {
      o = EvalCompare(a, b, vars, PercentMode::kStrip);
    }
    if (o == Outcome::kEqual) return true;
    if (o == Outcome::kDifferent) return false;
    if (o == Outcome::kBudget) budget_hit_ = true;
    return DumpEq(a, b);
  }

  bool DumpEq(Item a, Item b) const {
    return a.pm == b.pm && ToDebugString(a_, a.node) == ToDebugString(b_, b.node);
  }

  const Expr& a_;
  const Expr& b_;
  const EquivOptions& options_;
  const Leniency& len_;
  Budget& budget_;
  bool budget_hit_ = false;
};

}  // namespace

Verdict Equivalent(const Expr& reference, const Expr& candidate, const EquivOptions& options,
                   Budget& budget) {
  Comparer comparer(reference, candidate, options, budget);
  if (comparer.Eq({reference.root, 0}, {candidate.root, 0}, 0)) return Verdict::kEqual;
  return comparer.budget_hit() ? Verdict::kBudget : Verdict::kDifferent;
}

}  // namespace merit::math
