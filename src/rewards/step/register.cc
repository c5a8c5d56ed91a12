// The step family's registrations: one line per reward.
#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterStepRewards(Registry& /*registry*/) {}

}  // namespace merit
