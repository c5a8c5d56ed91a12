// Rule-based answers of the test model server's judge (model "rule-judge") to the prompts of the
// agent and rubric rewards (issue 7). JudgeReply (rule_judge.h) asks each in turn before its own
// rules; each returns nullopt when `message` (the last user message) is not its kind of prompt.
//
// Thread safety: pure functions.
#ifndef MERIT_TESTS_MODEL_SERVER_AGENT_JUDGES_H_
#define MERIT_TESTS_MODEL_SERVER_AGENT_JUDGES_H_

#include <optional>
#include <string>
#include <string_view>

namespace merit::model_server {

// rubric.carr: outcome grading, entity identification and support judging (carr_judge.cc).
std::optional<std::string> CarrJudgeReply(std::string_view message);
// step.*: SLATE's step scores and R3-RAG's relevance and outcome (step_judge.cc).
std::optional<std::string> StepJudgeReply(std::string_view message);
// rubric.items: rubric generation per prompt and rubric-conditioned pairwise (rubric_judge.cc).
std::optional<std::string> RubricJudgeReply(std::string_view message);

}  // namespace merit::model_server

#endif  // MERIT_TESTS_MODEL_SERVER_AGENT_JUDGES_H_
