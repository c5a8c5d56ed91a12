#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterTextRewards(Registry& registry) {
  (void)registry;
}

}  // namespace merit
