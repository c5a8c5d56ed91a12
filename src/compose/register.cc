#include "merit/registry.h"

#include "compose/aggregators.h"
#include "rewards/families.h"

namespace merit {
namespace {

using compose::AggregatorOr;

constexpr double kInf = std::numeric_limits<double>::infinity();

const std::vector<ChildSlot> kChildren = {{.name = "children"}};

struct ScaleOptions {
  double factor = 1.0;
  static constexpr auto kFields =
      std::tuple{Field{"factor", &ScaleOptions::factor, "Multiplies the child's score."}};
};

struct AffineOptions {
  double scale = 1.0;
  double offset = 0.0;
  static constexpr auto kFields = std::tuple{
      Field{"scale", &AffineOptions::scale, "a in a·x + b."},
      Field{"offset", &AffineOptions::offset, "b in a·x + b."},
  };
};

struct ClipOptions {
  double min = -kInf;
  double max = kInf;
  static constexpr auto kFields = std::tuple{
      Field{"min", &ClipOptions::min, "Lower bound."},
      Field{"max", &ClipOptions::max, "Upper bound."},
  };
};

void RegisterReductions(Registry& registry) {
  using compose::ReduceOp;
  using compose::ReduceOptions;
  registry.AddAggregator<ReduceOptions>(
      {.name = "weighted_sum",
       .summary = "Σ weight·score over the children (weights default to 1).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: weighted_sum, children: [{type: match.exact, weight: 1.0}, "
                  "{type: format.tags, tags: [answer], weight: 0.1}]}",
       .source = "design.md §3; TRL multi-reward sum (spec A §0)"},
      kChildren, {}, +[](const ReduceOptions&, std::span<const ChildSpec> c) {
        return compose::MakeReduce(ReduceOp::kWeightedSum, c);
      });
  registry.AddAggregator<ReduceOptions>(
      {.name = "mean",
       .summary = "Weighted mean Σ w·s / Σ w of the children.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: mean, children: [match.exact, match.f1]}",
       .source = "design.md §6"},
      kChildren, {}, +[](const ReduceOptions&, std::span<const ChildSpec> c) {
        return compose::MakeReduce(ReduceOp::kWeightedMean, c);
      });
  registry.AddAggregator<ReduceOptions>(
      {.name = "min",
       .summary = "Smallest child score (weights ignored).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: min, children: [match.exact, match.f1]}",
       .source = "design.md §6"},
      kChildren, {}, +[](const ReduceOptions&, std::span<const ChildSpec> c) {
        return compose::MakeReduce(ReduceOp::kMin, c);
      });
  registry.AddAggregator<ReduceOptions>(
      {.name = "max",
       .summary = "Largest child score (weights ignored).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: max, children: [match.exact, match.f1]}",
       .source = "design.md §6"},
      kChildren, {}, +[](const ReduceOptions&, std::span<const ChildSpec> c) {
        return compose::MakeReduce(ReduceOp::kMax, c);
      });
  registry.AddAggregator<ReduceOptions>(
      {.name = "product",
       .summary = "Product of the child scores (weights ignored).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: product, children: [match.exact, {type: format.tags, tags: [answer]}]}",
       .source = "design.md §6"},
      kChildren, {}, +[](const ReduceOptions&, std::span<const ChildSpec> c) {
        return compose::MakeReduce(ReduceOp::kProduct, c);
      });
}

void RegisterTransforms(Registry& registry) {
  const std::vector<ChildSlot> child = {{.name = "child", .single = true}};
  registry.AddAggregator<ScaleOptions>(
      {.name = "scale",
       .summary = "factor · child.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: scale, factor: 2.0, child: match.exact}",
       .source = "design.md §6"},
      child, {}, +[](const ScaleOptions& o, std::span<const ChildSpec>) {
        return compose::MakeTransform({.scale = o.factor});
      });
  registry.AddAggregator<AffineOptions>(
      {.name = "affine",
       .summary = "scale · child + offset (e.g. map {0,1} to {-1,1}).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: affine, scale: 2.0, offset: -1.0, child: match.exact}",
       .source = "design.md §6"},
      child, {}, +[](const AffineOptions& o, std::span<const ChildSpec>) {
        return compose::MakeTransform({.scale = o.scale, .offset = o.offset});
      });
  registry.AddAggregator<ClipOptions>(
      {.name = "clip",
       .summary = "The child's score clamped to [min, max].",
       .min = -kInf,
       .max = kInf,
       .example = "{type: clip, min: -1.0, max: 1.0, child: penalty.length}",
       .source = "design.md §6"},
      child, {}, +[](const ClipOptions& o, std::span<const ChildSpec>) {
        return compose::MakeTransform({.min = o.min, .max = o.max});
      });
}

}  // namespace

void RegisterAggregators(Registry& registry) {
  RegisterReductions(registry);
  RegisterTransforms(registry);
  registry.AddAggregator<compose::GateOptions>(
      {.name = "gate",
       .summary = "SearchLLM gated aggregation: bottom-line `gates` must pass (each >= its "
                  "`threshold`, default 1) before the weighted `children` count.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: gate, gates: [{type: format.tags, tags: [answer], threshold: 1}], "
                  "children: [{type: match.exact, weight: 1.0}]}",
       .source = "spec A §7 (SearchLLM; formula reconstructed, UNVERIFIED)"},
      {{.name = "gates"}, {.name = "children"}}, {"threshold"}, &compose::MakeGate);
  registry.AddAggregator<compose::HierarchyOptions>(
      {.name = "hierarchy",
       .summary = "PageLLM mixed-grained reward: λ_p·page + λ_i·mean_k(w_k·item_k).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: hierarchy, page: {type: match.f1, name: page}, "
                  "items: [match.exact, match.f1]}",
       .source = "spec A §10 (PageLLM sequence-level form; UNVERIFIED)"},
      {{.name = "page", .single = true}, {.name = "items"}}, {}, &compose::MakeHierarchy);
  registry.AddAggregator<compose::HybridOptions>(
      {.name = "hybrid",
       .summary = "Rule and model scores mixed by the rule's confidence κ, plus weighted "
                  "aspects and penalties.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: hybrid, confidence: 0.8, rule: match.exact, model: match.f1, "
                  "penalties: [{type: penalty.overlong, max_length: 4096, buffer: 512}]}",
       .source = "spec A §9 (Beyond Monolithic Rewards; UNVERIFIED)"},
      {{.name = "rule", .single = true},
       {.name = "model", .single = true},
       {.name = "aspects", .min_count = 0},
       {.name = "penalties", .min_count = 0}},
      {}, &compose::MakeHybrid);
  registry.AddAggregator<compose::IfCorrectOptions>(
      {.name = "if_correct",
       .summary = "C-GRPO combination: the `children` score counts (weight α) only as the "
                  "`outcome` says (only_positive: for correct answers).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: if_correct, alpha: 0.3, outcome: match.exact, children: [match.f1]}",
       .source = "spec A §1.4 (CaRR, released code)"},
      {{.name = "outcome", .single = true}, {.name = "children"}}, {}, &compose::MakeIfCorrect);
  registry.AddAggregator<compose::NormalizeThenSumOptions>(
      {.name = "normalize_then_sum",
       .summary = "Each child normalised over its group ((s - mean) / (std + ε)), then the "
                  "weighted sum (TRL's multi-objective normalize_then_sum).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: normalize_then_sum, children: [match.exact, "
                  "{type: format.tags, tags: [answer]}]}",
       .source = "TRL GRPOConfig multi_objective_aggregation (GDPO)"},
      kChildren, {}, &compose::MakeNormalizeThenSum);
}

}  // namespace merit
