#include "compose/aggregators.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace merit::compose {
namespace {

// Indices of the children that sit in `slot`, in order.
std::vector<std::size_t> SlotIndices(std::span<const ChildSpec> children, std::string_view slot) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (children[i].slot == slot) {
      out.push_back(i);
    }
  }
  return out;
}

// The weighted sum of `indices`, or the first failure among them (propagated).
Score WeightedSum(Children& children, std::span<const std::size_t> indices) {
  double sum = 0;
  for (std::size_t i : indices) {
    const Score& score = children.Get(i);
    if (!score.ok()) {
      return PropagateFailure(score, children.spec(i).name);
    }
    sum += children.spec(i).weight * score.value;
  }
  return Score::Ok(sum);
}

class Reduce final : public Aggregator {
 public:
  explicit Reduce(ReduceOp op) : op_(op) {}

  Score Combine(Children& children) const override {
    if (const auto failed = FirstFailure(children)) {
      return PropagateFailure(children.Get(*failed), children.spec(*failed).name);
    }
    double acc = 0;
    double total_weight = 0;
    switch (op_) {
      case ReduceOp::kMin:
        acc = std::numeric_limits<double>::infinity();
        break;
      case ReduceOp::kMax:
        acc = -std::numeric_limits<double>::infinity();
        break;
      case ReduceOp::kProduct:
        acc = 1;
        break;
      default:
        break;
    }
    for (std::size_t i = 0; i < children.size(); ++i) {
      const double value = children.Get(i).value;
      const double weight = children.spec(i).weight;
      switch (op_) {
        case ReduceOp::kWeightedSum:
        case ReduceOp::kWeightedMean:
          acc += weight * value;
          total_weight += weight;
          break;
        case ReduceOp::kMin:
          acc = std::min(acc, value);
          break;
        case ReduceOp::kMax:
          acc = std::max(acc, value);
          break;
        case ReduceOp::kProduct:
          acc *= value;
          break;
      }
    }
    if (op_ == ReduceOp::kWeightedMean) {
      if (total_weight == 0) {
        return Score::Error("zero_total_weight", "mean: weights sum to 0");
      }
      acc /= total_weight;
    }
    return Score::Ok(acc);
  }

 private:
  const ReduceOp op_;
};

class Gate final : public Aggregator {
 public:
  Gate(const GateOptions& options, std::span<const ChildSpec> children)
      : options_(options),
        gates_(SlotIndices(children, "gates")),
        objectives_(SlotIndices(children, "children")) {
    for (std::size_t i : gates_) {
      const Json* threshold = children[i].extras.Find("threshold");
      thresholds_.push_back(threshold != nullptr ? threshold->number() : 1.0);
    }
  }

  Score Combine(Children& children) const override {
    double gate = options_.mode == "soft_product" ? 1.0 : std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < gates_.size(); ++k) {
      const Score& score = children.Get(gates_[k]);
      if (score.status == ScoreStatus::kError) {
        return PropagateFailure(score, children.spec(gates_[k]).name);
      }
      const bool passed = score.ok() && score.value >= thresholds_[k];
      if (options_.mode == "hard") {
        // Fail closed: an unscorable bottom-line check counts as a violation, and the
        // objectives are not evaluated at all (they may be expensive judge calls).
        if (!passed) {
          return Score::Ok(options_.fail_reward, "gate_failed");
        }
        continue;
      }
      const double value = score.ok() ? score.value : 0.0;
      gate = options_.mode == "soft_product" ? gate * value : std::min(gate, value);
    }
    Score sum = WeightedSum(children, objectives_);
    if (!sum.ok()) {
      return sum;
    }
    return Score::Ok(options_.mode == "hard" ? sum.value : gate * sum.value);
  }

 private:
  const GateOptions options_;
  const std::vector<std::size_t> gates_;
  const std::vector<std::size_t> objectives_;
  std::vector<double> thresholds_;
};

class Hierarchy final : public Aggregator {
 public:
  Hierarchy(const HierarchyOptions& options, std::span<const ChildSpec> children)
      : options_(options),
        page_(SlotIndices(children, "page")),
        items_(SlotIndices(children, "items")) {}

  Score Combine(Children& children) const override {
    const Score page = WeightedSum(children, page_);
    if (!page.ok()) {
      return page;
    }
    double items = 0;
    for (std::size_t k = 0; k < items_.size(); ++k) {
      const Score& score = children.Get(items_[k]);
      if (!score.ok()) {
        return PropagateFailure(score, children.spec(items_[k]).name);
      }
      double weight = children.spec(items_[k]).weight;
      if (options_.position_weights == "log") {
        weight /= std::log2(static_cast<double>(k) + 2.0);
      }
      items += weight * score.value;
    }
    items /= static_cast<double>(items_.size());
    return Score::Ok(options_.page_weight * page.value + options_.item_weight * items);
  }

 private:
  const HierarchyOptions options_;
  const std::vector<std::size_t> page_;
  const std::vector<std::size_t> items_;
};

class Hybrid final : public Aggregator {
 public:
  Hybrid(const HybridOptions& options, std::span<const ChildSpec> children)
      : options_(options),
        rule_(SlotIndices(children, "rule").front()),
        model_(SlotIndices(children, "model").front()),
        aspects_(SlotIndices(children, "aspects")),
        penalties_(SlotIndices(children, "penalties")) {}

  Score Combine(Children& children) const override {
    const Score& rule = children.Get(rule_);
    if (rule.status == ScoreStatus::kError) {
      return PropagateFailure(rule, children.spec(rule_).name);
    }
    // An unscorable rule is "not applicable": the model score alone decides (κ = 0).
    const double kappa = rule.ok() ? options_.confidence : 0.0;
    double accuracy = kappa * (rule.ok() ? rule.value : 0.0);
    if (kappa < 1.0) {
      const Score& model = children.Get(model_);
      if (!model.ok()) {
        return PropagateFailure(model, children.spec(model_).name);
      }
      accuracy += (1.0 - kappa) * model.value;
    }
    const Score aspects = WeightedSum(children, aspects_);
    if (!aspects.ok()) {
      return aspects;
    }
    const Score penalties = WeightedSum(children, penalties_);
    if (!penalties.ok()) {
      return penalties;
    }
    return Score::Ok(accuracy + options_.aspect_weight * aspects.value + penalties.value);
  }

 private:
  const HybridOptions options_;
  const std::size_t rule_;
  const std::size_t model_;
  const std::vector<std::size_t> aspects_;
  const std::vector<std::size_t> penalties_;
};

class TransformNode final : public Aggregator {
 public:
  explicit TransformNode(const Transform& t) : t_(t) {}

  Score Combine(Children& children) const override {
    const Score& child = children.Get(0);
    if (!child.ok()) {
      return PropagateFailure(child, children.spec(0).name);
    }
    return Score::Ok(std::clamp(t_.scale * child.value + t_.offset, t_.min, t_.max));
  }

 private:
  const Transform t_;
};

}  // namespace

AggregatorOr MakeReduce(ReduceOp op, std::span<const ChildSpec>) {
  return std::unique_ptr<const Aggregator>(std::make_unique<Reduce>(op));
}

AggregatorOr MakeGate(const GateOptions& options, std::span<const ChildSpec> children) {
  for (const ChildSpec& child : children) {
    const Json* threshold = child.extras.Find("threshold");
    if (threshold != nullptr && (!threshold->is_number() || !std::isfinite(threshold->number()))) {
      return InvalidArgumentError(
          fmt::format("gate child \"{}\": threshold: expected a number", child.name));
    }
  }
  return std::unique_ptr<const Aggregator>(std::make_unique<Gate>(options, children));
}

AggregatorOr MakeHierarchy(const HierarchyOptions& options, std::span<const ChildSpec> children) {
  return std::unique_ptr<const Aggregator>(std::make_unique<Hierarchy>(options, children));
}

AggregatorOr MakeHybrid(const HybridOptions& options, std::span<const ChildSpec> children) {
  return std::unique_ptr<const Aggregator>(std::make_unique<Hybrid>(options, children));
}

AggregatorOr MakeTransform(const Transform& transform) {
  if (transform.min > transform.max) {
    return InvalidArgumentError(
        fmt::format("min ({}) is greater than max ({})", transform.min, transform.max));
  }
  return std::unique_ptr<const Aggregator>(std::make_unique<TransformNode>(transform));
}

}  // namespace merit::compose
