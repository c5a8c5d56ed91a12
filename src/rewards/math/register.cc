#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterMathRewards(Registry& registry) {
  (void)registry;
}

}  // namespace merit
