// math.verify: extract the final answer, parse it and the reference(s), decide equivalence.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/reward.h"

#include "rewards/math/equiv.h"
#include "rewards/math/expr.h"
#include "rewards/math/extract.h"
#include "rewards/math/math.h"
#include "rewards/math/value.h"

namespace merit::math {
namespace {

// The strict profile's leniencies only change notation, never the value: the variable name in
// "x = 5", the order of a bare list of solutions, a column vector written as a matrix, a tuple
// written without parentheses, and unit words. The lenient profile adds value-changing readings (a dropped percent sign, rounded
// decimals, ratios) that a training run must not reward.
constexpr std::string_view kStrictLeniencies[] = {"equation_rhs", "unordered_lists",
                                                  "vector_matrix", "tuple_list", "units"};

constexpr std::size_t kMaxAnswers = 8;

struct Config {
  Leniency leniency;
  bool strip_units = false;
};

Config BuildConfig(const VerifyOptions& options) {
  std::vector<std::string_view> names;
  if (!options.leniencies.empty()) {
    names.assign(options.leniencies.begin(), options.leniencies.end());
  } else if (options.profile == "lenient") {
    names.assign(std::begin(kLeniencyNames), std::end(kLeniencyNames));
  } else {
    names.assign(std::begin(kStrictLeniencies), std::end(kStrictLeniencies));
  }
  Config c;
  auto has = [&](std::string_view n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  c.leniency.equation_rhs = has("equation_rhs");
  c.leniency.unordered_lists = has("unordered_lists");
  c.leniency.vector_matrix = has("vector_matrix");
  c.leniency.percent = has("percent");
  c.leniency.decimal_rounding = has("decimal_rounding");
  c.leniency.tuple_list = has("tuple_list");
  c.leniency.ratio = has("ratio");
  c.leniency.single_set = has("single_set");
  c.strip_units = has("units");
  return c;
}

std::string Squeeze(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != ' ' && c != '$' && c != '\n' && c != '\t') out.push_back(c);
  }
  return out;
}

// Whether the tree still holds arithmetic on literal numbers (2+3, 4\cdot 5, 5!, 2^3): an
// unsimplified expression, as a question states it.
bool Unsimplified(const Expr& e) {
  for (std::uint32_t id = 0; id < e.nodes.size(); ++id) {
    const Node& n = e.nodes[id];
    if (n.kind != NodeKind::kAdd && n.kind != NodeKind::kMul && n.kind != NodeKind::kPow &&
        n.kind != NodeKind::kFactorial && !(n.kind == NodeKind::kFunc && n.text == "binom")) {
      continue;
    }
    bool all_numbers = n.count > 0;
    for (std::uint32_t c : e.children(id)) {
      const Node* k = &e.nodes[c];
      if (k->kind == NodeKind::kNeg) k = &e.nodes[e.kids[k->first]];
      all_numbers = all_numbers && k->kind == NodeKind::kNumber;
    }
    if (all_numbers) return true;
  }
  return false;
}

std::string_view ReferenceText(const Json& j) { return j.is_string() ? j.str() : j.number_text(); }

class Verify final : public Reward {
 public:
  explicit Verify(VerifyOptions options)
      : options_(std::move(options)),
        config_(BuildConfig(options_)),
        label_(options_.leniencies.empty() ? "profile " + options_.profile : "profile custom") {
    limits_.max_nodes = static_cast<std::size_t>(options_.max_nodes);
    limits_.max_depth = static_cast<std::size_t>(options_.max_depth);
    limits_.strip_units = config_.strip_units;
  }

  Score Evaluate(const Sample& sample, ScoreContext& ctx) const override {
    // References.
    const Json& ref = sample.reference;
    std::vector<const Json*> alternatives;
    if (ref.is_array()) {
      for (const Json& a : ref.array()) alternatives.push_back(&a);
    } else if (!ref.is_null()) {
      alternatives.push_back(&ref);
    }
    std::vector<ParseResult> golds;
    std::vector<std::string> gold_texts;
    std::string gold_error;
    for (const Json* a : alternatives) {
      if (!a->is_string() && !a->is_number()) {
        return Score::Unscorable("gold_unparseable", "reference of type " +
                                                         std::string(Json::TypeName(a->type())));
      }
      std::string_view text = TrimAnswer(ReferenceText(*a));
      if (text.empty()) continue;
      const Extraction boxed = ExtractAnswer(text, {.last_number = false});
      const bool boxed_gold = boxed.source == AnswerSource::kBoxed && !boxed.answers.empty();
      if (boxed_gold) text = boxed.answers.back();
      ParseResult parsed = Parse(text, limits_);
      if (!parsed.ok()) {
        gold_error = std::string(parsed.message) + ": " + std::string(text.substr(0, 200));
        continue;
      }
      golds.push_back(std::move(parsed));
      gold_texts.push_back(Squeeze(text));
    }
    if (golds.empty()) {
      if (gold_error.empty()) return Score::Unscorable("no_reference");
      return Score::Unscorable("gold_unparseable", std::move(gold_error));
    }

    // Candidate answers.
    Extraction extraction;
    if (options_.extract == "none") {
      extraction.answers.emplace_back(TrimAnswer(sample.completion_text));
    } else {
      extraction = ExtractAnswer(sample.completion_text, {.after_think = options_.after_think,
                                                          .last_number = options_.last_number,
                                                          .all_boxes = options_.strict});
    }
    std::vector<std::string_view> distinct;
    for (std::string_view a : extraction.answers) {
      if (a.empty()) continue;
      if (std::find(distinct.begin(), distinct.end(), a) == distinct.end()) distinct.push_back(a);
      // A completion that boxes many different answers is hedging; past a few, stop reading.
      if (distinct.size() > kMaxAnswers) return Ok(0, "multiple_answers");
    }
    if (distinct.empty()) return Ok(0, "no_answer");
    for (std::string_view a : distinct) {
      if (a.size() > static_cast<std::size_t>(options_.max_answer_bytes)) {
        return Ok(0, "answer_too_long");
      }
    }

    Budget budget{.max_bits = static_cast<std::size_t>(options_.max_bits)};
    const EquivOptions eo{.leniency = config_.leniency, .seed = ctx.seed};
    int equal = 0;
    bool budget_hit = false;
    std::string_view failure = {};
    for (std::string_view text : distinct) {
      const ParseResult parsed = Parse(text, limits_);
      if (!parsed.ok()) {
        failure = parsed.error == ParseError::kTooLarge ? "answer_too_large"
                  : parsed.error == ParseError::kEmpty ? "no_answer"
                                                       : "answer_unparseable";
        continue;
      }
      if (options_.reject_echo && Echoes(sample.prompt_text, text, gold_texts, parsed.expr)) {
        return Ok(0, "echoes_question");
      }
      bool matched = false;
      for (const ParseResult& g : golds) {
        const Verdict v = Equivalent(g.expr, parsed.expr, eo, budget);
        if (v == Verdict::kEqual) {
          matched = true;
          break;
        }
        budget_hit = budget_hit || v == Verdict::kBudget;
      }
      if (matched) {
        ++equal;
      } else if (distinct.size() == 1 && parsed.expr.nodes[parsed.expr.root].kind == NodeKind::kList &&
                 AnyItemMatches(parsed.expr, golds, eo, budget)) {
        failure = "multiple_answers";  // "5 or 7" for 5.
      }
    }
    if (equal == static_cast<int>(distinct.size())) return Ok(1, "equivalent");
    if (distinct.size() > 1) {
      // "\boxed{5} and \boxed{7}" for the reference "5, 7".
      std::string joined;
      for (std::string_view a : distinct) {
        if (!joined.empty()) joined += ", ";
        joined.append(a);
      }
      const ParseResult parsed = Parse(joined, limits_);
      if (parsed.ok()) {
        for (const ParseResult& g : golds) {
          if (g.expr.nodes[g.expr.root].kind != NodeKind::kList &&
              g.expr.nodes[g.expr.root].kind != NodeKind::kGroup) {
            continue;
          }
          if (Equivalent(g.expr, parsed.expr, eo, budget) == Verdict::kEqual) {
            return Ok(1, "equivalent");
          }
        }
      }
      if (equal > 0) return Ok(0, "multiple_answers");
    }
    if (!failure.empty()) return Ok(0, failure);
    return Ok(0, budget_hit ? "budget_exceeded" : "not_equivalent");
  }

 private:
  Score Ok(double value, std::string_view reason) const {
    Score s = Score::Ok(value, reason);
    s.explanation = label_;
    return s;
  }

  // Whether a bare answer list holds the reference as one of several answers.
  bool AnyItemMatches(const Expr& list, const std::vector<ParseResult>& golds,
                      const EquivOptions& eo, Budget& budget) const {
    // A hedge lists a few answers; copying a long list once per item would be quadratic.
    if (list.nodes[list.root].count > kMaxAnswers) return false;
    for (std::uint32_t item : list.children(list.root)) {
      Expr one = list;  // Rare path: a copy rooted at the item.
      one.root = item;
      for (const ParseResult& g : golds) {
        if (Equivalent(g.expr, one, eo, budget) == Verdict::kEqual) return true;
      }
    }
    return false;
  }

  static bool Echoes(std::string_view prompt, std::string_view answer,
                     const std::vector<std::string>& gold_texts, const Expr& parsed) {
    if (prompt.empty() || !Unsimplified(parsed)) return false;
    const std::string a = Squeeze(answer);
    if (a.size() < 3) return false;
    for (const std::string& g : gold_texts) {
      if (g == a) return false;
    }
    return Squeeze(prompt).find(a) != std::string::npos;
  }

  const VerifyOptions options_;
  const Config config_;
  const std::string label_;
  ParseLimits limits_;
};

}  // namespace

StatusOr<std::unique_ptr<const Reward>> MakeVerify(const VerifyOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<Verify>(options));
}

}  // namespace merit::math
