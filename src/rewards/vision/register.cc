#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterVisionRewards(Registry& registry) {
  (void)registry;
}

}  // namespace merit
