// The one list of everything merit ships. No self-registering statics: a family is registered
// because this function calls it.
#include "rewards/families.h"

namespace merit {

Registry BuiltinRegistry() {
  Registry registry;
  RegisterAggregators(registry);
  RegisterAdvantageEstimators(registry);
  RegisterMatchRewards(registry);
  RegisterFormatRewards(registry);
  RegisterPenaltyRewards(registry);
  RegisterFieldRewards(registry);
  RegisterMathRewards(registry);
  RegisterTextRewards(registry);
  RegisterVisionRewards(registry);
  RegisterToolRewards(registry);
  RegisterSqlRewards(registry);
  RegisterCodeRewards(registry);
  RegisterModelRewards(registry);
  RegisterJudgeRewards(registry);
  RegisterLikelihoodRewards(registry);
  RegisterRubricRewards(registry);
  RegisterSegmentRewards(registry);
  RegisterStepRewards(registry);
  return registry;
}

}  // namespace merit
