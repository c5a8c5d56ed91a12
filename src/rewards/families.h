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

}  // namespace merit

#endif  // MERIT_REWARDS_FAMILIES_H_
