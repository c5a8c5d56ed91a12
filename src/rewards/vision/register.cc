#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/vision/iou.h"

namespace merit {

void RegisterVisionRewards(Registry& registry) {
  vision::RegisterIou(registry);
}

}  // namespace merit
