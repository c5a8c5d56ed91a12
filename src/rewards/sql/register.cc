#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterSqlRewards(Registry& registry) {
  (void)registry;
}

}  // namespace merit
