#include "rewards/families.h"

namespace merit {

void RegisterFormatRewards(Registry&) {}

}  // namespace merit
