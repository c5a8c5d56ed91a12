// The registration function of every family. builtin.cc calls each once.
#ifndef MERIT_REWARDS_FAMILIES_H_
#define MERIT_REWARDS_FAMILIES_H_

#include "merit/registry.h"

namespace merit {

void RegisterAggregators(Registry& registry);          // src/compose/register.cc
void RegisterAdvantageEstimators(Registry& registry);  // src/rl/register.cc
void RegisterMatchRewards(Registry& registry);         // src/rewards/match/register.cc
void RegisterFormatRewards(Registry& registry);        // src/rewards/format/register.cc
void RegisterPenaltyRewards(Registry& registry);       // src/rewards/penalty/register.cc
void RegisterFieldRewards(Registry& registry);         // src/rewards/field/value.cc
void RegisterMathRewards(Registry& registry);          // src/rewards/math/register.cc
void RegisterTextRewards(Registry& registry);          // src/rewards/text/register.cc
void RegisterVisionRewards(Registry& registry);        // src/rewards/vision/register.cc
void RegisterToolRewards(Registry& registry);          // src/rewards/tool/register.cc
void RegisterSqlRewards(Registry& registry);           // src/rewards/sql/register.cc
void RegisterCodeRewards(Registry& registry);          // src/rewards/code/register.cc
void RegisterModelRewards(Registry& registry);         // src/rewards/model/register.cc
void RegisterJudgeRewards(Registry& registry);         // src/rewards/judge/register.cc
void RegisterLikelihoodRewards(Registry& registry);    // src/rewards/likelihood/register.cc
void RegisterRubricRewards(Registry& registry);        // src/rewards/rubric/register.cc
void RegisterSegmentRewards(Registry& registry);       // src/rewards/segment/register.cc
void RegisterStepRewards(Registry& registry);          // src/rewards/step/register.cc

}  // namespace merit

#endif  // MERIT_REWARDS_FAMILIES_H_
