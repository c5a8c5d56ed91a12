// rubric.carr (CaRR, citation-aware rubric reward, spec A §1) and the c_grpo group aggregator.
#ifndef MERIT_REWARDS_RUBRIC_CARR_H_
#define MERIT_REWARDS_RUBRIC_CARR_H_

#include "merit/registry.h"

namespace merit::rubric {

// Registers rubric.carr and c_grpo (called from the rubric family's register.cc).
void RegisterCarr(Registry& registry);

}  // namespace merit::rubric

#endif  // MERIT_REWARDS_RUBRIC_CARR_H_
