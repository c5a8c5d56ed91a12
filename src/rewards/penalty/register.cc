#include "rewards/families.h"

namespace merit {

void RegisterPenaltyRewards(Registry&) {}

}  // namespace merit
