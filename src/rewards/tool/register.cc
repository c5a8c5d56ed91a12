#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterToolRewards(Registry& registry) {
  (void)registry;
}

}  // namespace merit
