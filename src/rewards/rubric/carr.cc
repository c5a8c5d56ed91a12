#include "rewards/rubric/carr.h"

namespace merit::rubric {

void RegisterCarr(Registry& /*registry*/) {}

}  // namespace merit::rubric
