#include "model_server/agent_judges.h"

namespace merit::model_server {

std::optional<std::string> RubricJudgeReply(std::string_view /*message*/) { return std::nullopt; }

}  // namespace merit::model_server
