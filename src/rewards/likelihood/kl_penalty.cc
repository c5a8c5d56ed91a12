// kl_penalty (spec A §16.5, spec B §7; Stiennon et al. 2020): R = r(x, y) − β · log(π(y|x) /
// π_ref(y|x)). An aggregator, because r comes from another reward (a reward model, a verifier);
// aggregators never see the sample, so the log-ratio comes from a second child, normally
// likelihood.log_ratio.
#include <fmt/format.h>

#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {
namespace {

class KlPenalty final : public Aggregator {
 public:
  explicit KlPenalty(double beta) : beta_(beta) {}

  // Children in slot order: 0 = `child` (the reward), 1 = `log_ratio`.
  Score Combine(Children& children) const override {
    if (const std::optional<std::size_t> failed = FirstFailure(children)) {
      return PropagateFailure(children.Get(*failed), children.spec(*failed).name);
    }
    return FiniteOr(children.Get(0).value - beta_ * children.Get(1).value);
  }

 private:
  const double beta_;
};

}  // namespace

AggregatorOr MakeKlPenalty(const KlPenaltyOptions& options, std::span<const ChildSpec> children) {
  if (children.size() != 2) {
    return InvalidArgumentError(
        fmt::format("kl_penalty needs `child:` and `log_ratio:`, got {} children",
                    children.size()));
  }
  return std::unique_ptr<const Aggregator>(std::make_unique<KlPenalty>(options.beta));
}

}  // namespace merit::likelihood
