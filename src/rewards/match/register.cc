#include "rewards/families.h"

namespace merit {

void RegisterMatchRewards(Registry&) {}

}  // namespace merit
