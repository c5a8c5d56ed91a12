#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterCodeRewards(Registry& registry) {
  (void)registry;
}

}  // namespace merit
