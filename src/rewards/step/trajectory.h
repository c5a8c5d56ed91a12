// Retrieve-and-reason trajectories (SLATE, R3-RAG; spec A §11, §14): the steps of a completion.
//
// Two input shapes:
//   * chat messages (sample.completion is an array): an assistant message's content is reasoning
//     and each of its `tool_calls` is a search step whose query is the call's `query` argument
//     (else its first string argument); the `tool` messages that follow are the retrieved
//     documents (matched by `tool_call_id` when the messages carry it, else in order). An
//     assistant message without tool calls is the answer step (its content; an <answer> block in
//     it, when present, is the answer and a <think> block the reasoning).
//   * text with Search-R1 tags: `<think>..</think>` reasoning, `<search>q</search>` a search step,
//     `<information>..</information>` its documents, `<answer>a</answer>` the answer step. Text
//     outside tags before a step counts as its reasoning when the step has no <think> block.
//
// Where a step is in the completion: for text, [start, end) are byte offsets (from the end of the
// previous step to the end of the step's last tag); for chat, start is the step's index and
// end = start + 1 (a message can hold several steps, so message indices would not be unique).
//
// States: done (an answer step ends the trajectory; anything after it is ignored), fail (no answer:
// the trajectory ran out without answering), format_error (a step that cannot be read: tool-call
// arguments that are not JSON, an unclosed tag, an empty query; or no step at all). The step that
// cannot be read is kept as the last step with kind kInvalid, so R3-RAG can penalise it.
//
// Bounds: at most `max_steps` steps are read (the rest is dropped, `truncated` is set and the state
// is fail with problem "too_many_steps" unless an answer was read); every
// text is a copy of part of the completion, so memory is linear in its size; all scans are linear.
//
// Thread safety: pure functions.
#ifndef MERIT_REWARDS_STEP_TRAJECTORY_H_
#define MERIT_REWARDS_STEP_TRAJECTORY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/sample.h"

namespace merit::step {

enum class StepKind : std::uint8_t { kSearch, kAnswer, kInvalid };
enum class TrajectoryState : std::uint8_t { kDone, kFail, kFormatError };

std::string_view StepKindName(StepKind kind);             // "search", "answer", "invalid"
std::string_view TrajectoryStateName(TrajectoryState s);  // "done", "fail", "format_error"

struct Step {
  StepKind kind = StepKind::kSearch;
  std::string thinking = {};
  std::string query = {};                   // kSearch.
  std::vector<std::string> documents = {};  // kSearch: the retrieved documents.
  bool documents_missing = false;           // kSearch: no tool result / <information> block.
  std::string answer = {};                  // kAnswer.
  std::size_t start = 0;                    // See the file comment.
  std::size_t end = 0;
};

struct Trajectory {
  std::vector<Step> steps = {};
  TrajectoryState state = TrajectoryState::kFail;
  // Why the state is not done (static): "no_answer", "no_steps", "malformed_tool_arguments",
  // "unclosed_tag", "empty_query", "missing_query", "too_many_steps"; empty when done.
  std::string_view problem = {};
  bool from_text = true;
  bool truncated = false;  // More than max_steps steps: the rest was not read.
};

struct TrajectoryOptions {
  std::size_t max_steps = 64;
};

// The trajectory of `sample.completion` (chat messages) or `sample.completion_text` (text).
Trajectory ParseTrajectory(const Sample& sample, const TrajectoryOptions& options = {});
Trajectory ParseTextTrajectory(std::string_view text, const TrajectoryOptions& options = {});
Trajectory ParseChatTrajectory(const Json& messages, const TrajectoryOptions& options = {});

}  // namespace merit::step

#endif  // MERIT_REWARDS_STEP_TRAJECTORY_H_
