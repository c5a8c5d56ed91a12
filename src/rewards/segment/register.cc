// The segment family's registrations: one line per reward.
#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {

void RegisterSegmentRewards(Registry& /*registry*/) {}

}  // namespace merit
