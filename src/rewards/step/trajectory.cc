#include "rewards/step/trajectory.h"

#include <array>
#include <utility>

#include "rewards/tool/tool_call.h"

namespace merit::step {
namespace {

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

void AppendLine(std::string_view text, std::string& out) {
  text = Trim(text);
  if (text.empty()) {
    return;
  }
  if (!out.empty()) {
    out.push_back('\n');
  }
  out.append(text);
}

// The tags that start a step or its reasoning, in a text trajectory.
enum class Tag : std::uint8_t { kThink, kSearch, kAnswer };
struct TagText {
  std::string_view open;
  std::string_view close;
};
constexpr std::array<TagText, 3> kTagTexts = {{{"<think>", "</think>"},
                                               {"<search>", "</search>"},
                                               {"<answer>", "</answer>"}}};

struct FoundTag {
  Tag tag = Tag::kThink;
  std::size_t pos = std::string_view::npos;
};

// The first opening tag at or after `pos`. One pass over the text: each '<' is checked against
// the three tags.
FoundTag NextTag(std::string_view text, std::size_t pos) {
  for (std::size_t at = text.find('<', pos); at != std::string_view::npos;
       at = text.find('<', at + 1)) {
    for (std::size_t t = 0; t < kTagTexts.size(); ++t) {
      if (text.substr(at, kTagTexts[t].open.size()) == kTagTexts[t].open) {
        return {.tag = static_cast<Tag>(t), .pos = at};
      }
    }
  }
  return {};
}

void SetFormatError(Trajectory& trajectory, std::string_view problem, Step invalid) {
  invalid.kind = StepKind::kInvalid;
  trajectory.steps.push_back(std::move(invalid));
  trajectory.state = TrajectoryState::kFormatError;
  trajectory.problem = problem;
}

// After the last step: done was set by the caller; otherwise fail, or a format error when no
// step at all was read (an empty or untagged completion is not a trajectory); that invalid step
// spans [0, end).
void Finish(Trajectory& trajectory, std::size_t end) {
  if (trajectory.state != TrajectoryState::kFail || !trajectory.problem.empty()) {
    return;
  }
  if (trajectory.steps.empty()) {
    SetFormatError(trajectory, "no_steps", {.start = 0, .end = end});
    return;
  }
  trajectory.problem = "no_answer";
}

bool Full(Trajectory& trajectory, const TrajectoryOptions& options) {
  if (trajectory.steps.size() < options.max_steps) {
    return false;
  }
  trajectory.truncated = true;
  trajectory.state = TrajectoryState::kFail;
  trajectory.problem = "too_many_steps";
  return true;
}

// The text of a message's content: a string, or the "text" parts of a content list.
std::string ContentText(const Json& message) {
  const Json* content = message.Find("content");
  if (content == nullptr) {
    return {};
  }
  if (content->is_string()) {
    return content->str();
  }
  std::string text;
  if (content->is_array()) {
    for (const Json& part : content->array()) {
      const Json* part_text = part.Find("text");
      if (part_text != nullptr && part_text->is_string()) {
        text += part_text->str();
      }
    }
  }
  return text;
}

std::string_view StringField(const Json& object, std::string_view key) {
  const Json* value = object.Find(key);
  return value != nullptr && value->is_string() ? std::string_view(value->str())
                                                : std::string_view();
}

// A search call's query: its "query" argument, else its first string argument.
std::string_view QueryOf(const tool::ToolCall& call) {
  if (const Json* query = call.arguments.Find("query"); query != nullptr && query->is_string()) {
    return query->str();
  }
  if (call.arguments.is_object()) {
    for (const auto& [key, value] : call.arguments.object()) {
      if (value.is_string()) {
        return value.str();
      }
    }
  }
  return {};
}

// The answer step of a final assistant message: its <answer> block (the last) when it has one,
// else all of it; reasoning from its <think> blocks.
Step AnswerStep(std::string_view content) {
  Step step{.kind = StepKind::kAnswer};
  const tool::TagBlocks answers = tool::FindTagBlocks(content, "<answer>", "</answer>");
  if (answers.blocks.empty()) {
    step.answer = std::string(Trim(content));
    return step;
  }
  step.answer = std::string(Trim(answers.blocks.back()));
  for (const std::string_view think : tool::FindTagBlocks(content, "<think>", "</think>").blocks) {
    AppendLine(think, step.thinking);
  }
  return step;
}

}  // namespace

std::string_view StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kSearch:
      return "search";
    case StepKind::kAnswer:
      return "answer";
    case StepKind::kInvalid:
      return "invalid";
  }
  return "invalid";
}

std::string_view TrajectoryStateName(TrajectoryState s) {
  switch (s) {
    case TrajectoryState::kDone:
      return "done";
    case TrajectoryState::kFail:
      return "fail";
    case TrajectoryState::kFormatError:
      return "format_error";
  }
  return "fail";
}

Trajectory ParseTextTrajectory(std::string_view text, const TrajectoryOptions& options) {
  Trajectory trajectory{.from_text = true};
  std::size_t pos = 0;         // Where scanning resumes.
  std::size_t step_start = 0;  // Where the current step began (end of the previous one).
  std::string thinking;
  bool has_think = false;
  while (true) {
    const FoundTag found = NextTag(text, pos);
    if (found.pos == std::string_view::npos) {
      break;
    }
    const TagText& tag = kTagTexts[static_cast<std::size_t>(found.tag)];
    const std::size_t content_begin = found.pos + tag.open.size();
    const std::size_t close = text.find(tag.close, content_begin);
    if (close == std::string_view::npos) {
      SetFormatError(trajectory, "unclosed_tag",
                     {.thinking = std::move(thinking), .start = step_start, .end = text.size()});
      return trajectory;
    }
    const std::string_view content = text.substr(content_begin, close - content_begin);
    std::size_t end = close + tag.close.size();
    if (found.tag == Tag::kThink) {
      AppendLine(content, thinking);
      has_think = true;
      pos = end;
      continue;
    }
    if (Full(trajectory, options)) {
      return trajectory;
    }
    Step step{.kind = found.tag == Tag::kSearch ? StepKind::kSearch : StepKind::kAnswer,
              .thinking = std::move(thinking),
              .start = step_start};
    if (!has_think) {
      AppendLine(text.substr(step_start, found.pos - step_start), step.thinking);
    }
    thinking.clear();
    has_think = false;
    if (found.tag == Tag::kAnswer) {
      step.answer = std::string(Trim(content));
      step.end = end;
      trajectory.steps.push_back(std::move(step));
      trajectory.state = TrajectoryState::kDone;
      return trajectory;
    }
    step.query = std::string(Trim(content));
    if (step.query.empty()) {
      step.end = end;
      SetFormatError(trajectory, "empty_query", std::move(step));
      return trajectory;
    }
    // The documents: an <information> block right after the query (whitespace between).
    constexpr std::string_view kInfoOpen = "<information>";
    constexpr std::string_view kInfoClose = "</information>";
    std::size_t next = end;
    while (next < text.size() &&
           (text[next] == ' ' || text[next] == '\n' || text[next] == '\r' || text[next] == '\t')) {
      ++next;
    }
    step.documents_missing = true;
    if (text.substr(next, kInfoOpen.size()) == kInfoOpen) {
      const std::size_t info_close = text.find(kInfoClose, next + kInfoOpen.size());
      if (info_close == std::string_view::npos) {
        step.end = text.size();
        SetFormatError(trajectory, "unclosed_tag", std::move(step));
        return trajectory;
      }
      const std::size_t info_begin = next + kInfoOpen.size();
      step.documents.emplace_back(Trim(text.substr(info_begin, info_close - info_begin)));
      step.documents_missing = false;
      end = info_close + kInfoClose.size();
    }
    step.end = end;
    trajectory.steps.push_back(std::move(step));
    step_start = end;
    pos = end;
  }
  Finish(trajectory, text.size());
  return trajectory;
}

Trajectory ParseChatTrajectory(const Json& messages, const TrajectoryOptions& options) {
  Trajectory trajectory{.from_text = false};
  if (!messages.is_array()) {
    Finish(trajectory, 1);  // A chat step's position is its index: [0, 1).
    return trajectory;
  }
  // Search steps still waiting for their tool result: (step index, tool_call id).
  std::vector<std::pair<std::size_t, std::string_view>> pending;
  for (const Json& message : messages.array()) {
    const std::string_view role = StringField(message, "role");
    if (role == "tool") {
      if (pending.empty()) {
        continue;  // A result nobody asked for says nothing about a step.
      }
      const std::string_view id = StringField(message, "tool_call_id");
      std::size_t which = 0;
      for (std::size_t i = 0; i < pending.size(); ++i) {
        if (!id.empty() && pending[i].second == id) {
          which = i;
          break;
        }
      }
      Step& step = trajectory.steps[pending[which].first];
      step.documents.push_back(ContentText(message));
      step.documents_missing = false;
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(which));
      continue;
    }
    if (role != "assistant") {
      continue;
    }
    const std::string content = ContentText(message);
    const Json* calls = message.Find("tool_calls");
    if (calls == nullptr || !calls->is_array() || calls->array().empty()) {
      if (Full(trajectory, options)) {
        return trajectory;
      }
      Step step = AnswerStep(content);
      step.start = trajectory.steps.size();
      step.end = step.start + 1;
      trajectory.steps.push_back(std::move(step));
      trajectory.state = TrajectoryState::kDone;
      return trajectory;
    }
    // Several calls in one message are several steps; the message's reasoning is the first's.
    std::string thinking(Trim(content));
    for (const Json& call_object : calls->array()) {
      if (Full(trajectory, options)) {
        return trajectory;
      }
      Step step{.thinking = std::move(thinking)};
      thinking.clear();
      step.start = trajectory.steps.size();
      step.end = step.start + 1;
      const StatusOr<tool::ToolCall> call = tool::ReadCallObject(call_object);
      if (!call.ok()) {
        SetFormatError(trajectory, "malformed_tool_arguments", std::move(step));
        return trajectory;
      }
      step.query = std::string(Trim(QueryOf(*call)));
      if (step.query.empty()) {
        SetFormatError(trajectory, "missing_query", std::move(step));
        return trajectory;
      }
      step.documents_missing = true;
      pending.emplace_back(trajectory.steps.size(), StringField(call_object, "id"));
      trajectory.steps.push_back(std::move(step));
    }
  }
  Finish(trajectory, 1);  // A chat step's position is its index: [0, 1).
  return trajectory;
}

Trajectory ParseTrajectory(const Sample& sample, const TrajectoryOptions& options) {
  if (sample.completion.is_array()) {
    return ParseChatTrajectory(sample.completion, options);
  }
  return ParseTextTrajectory(sample.completion_text, options);
}

}  // namespace merit::step
