// tool.calls: ToolRL's format and correctness rewards (spec A §2; qiancheng0/ToolRL
// verl/utils/reward_score/rlla.py).
//
// The reference is ToolRL's ground-truth text (with <tool_call> and/or <response> blocks), or a
// list of calls ({"name", "arguments" | "parameters"}), which counts as a <tool_call> ground
// truth.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>

#include "rewards/tool/tool.h"
#include "rewards/tool/tool_call.h"
#include "text/normalize.h"

namespace merit::tool {
namespace {

enum class Component : std::uint8_t { kTotal, kFormat, kCorrectness, kLength };
enum class Granularity : std::uint8_t { kFine, kRefined, kIntermediate, kCoarse };
enum class Schedule : std::uint8_t { kNone, kTwoStage, kSmooth };

std::size_t CountOf(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

// Multiset Jaccard of spec A §2.2 (order-sensitive equality short-circuit first). `strict`:
// REFINEDREWARD, where unequal lists score 0.
double Jaccard(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
               bool strict) {
  if (a == b) {
    return 1.0;
  }
  if (strict || a.empty() || b.empty()) {
    return 0.0;
  }
  std::vector<std::string_view> sa = a;
  std::vector<std::string_view> sb = b;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  std::size_t common = 0;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < sa.size() && j < sb.size()) {
    if (sa[i] == sb[j]) {
      ++common;
      ++i;
      ++j;
    } else if (sa[i] < sb[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

std::vector<std::string_view> Keys(const ToolCall& call) {
  std::vector<std::string_view> keys;
  for (const auto& [key, value] : call.arguments.object()) {
    keys.push_back(key);
  }
  return keys;
}

bool SameCall(const ToolCall& a, const ToolCall& b) {
  return a.name == b.name && PyEquals(a.arguments, b.arguments);
}

bool SameCalls(const std::vector<ToolCall>& a, const std::vector<ToolCall>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!SameCall(a[i], b[i])) {
      return false;
    }
  }
  return true;
}

// S / S_max of spec A §2.2 (fine and refined), or the INTERMEDIATEREWARD count.
double Similarity(const std::vector<ToolCall>& gt, const std::vector<ToolCall>& pred,
                  Granularity granularity) {
  const bool strict = granularity == Granularity::kRefined;
  std::vector<std::string_view> gt_names;
  std::vector<std::string_view> pred_names;
  for (const ToolCall& c : gt) {
    gt_names.push_back(c.name);
  }
  for (const ToolCall& c : pred) {
    pred_names.push_back(c.name);
  }
  double score = Jaccard(gt_names, pred_names, strict);
  double score_max = 1.0;
  std::vector<bool> used(pred.size(), false);
  for (const ToolCall& g : gt) {
    if (granularity == Granularity::kIntermediate) {
      score_max += 1.0;
      for (std::size_t j = 0; j < pred.size(); ++j) {
        if (!used[j] && SameCall(g, pred[j])) {
          used[j] = true;
          score += 1.0;
          break;
        }
      }
      continue;
    }
    const std::vector<std::string_view> g_keys = Keys(g);
    score_max += 1.0 + static_cast<double>(g_keys.size());
    double best = 0.0;
    std::optional<std::size_t> best_index;
    for (std::size_t j = 0; j < pred.size(); ++j) {
      if (used[j] || pred[j].name != g.name) {
        continue;
      }
      double s = Jaccard(g_keys, Keys(pred[j]), strict);
      for (const auto& [key, value] : g.arguments.object()) {
        const Json* predicted = pred[j].arguments.Find(key);
        if (predicted != nullptr && PyEquals(*predicted, value)) {
          s += 1.0;
        }
      }
      if (s > best) {  // Strictly larger: ties keep the earliest.
        best = s;
        best_index = j;
      }
    }
    if (best_index.has_value()) {
      used[*best_index] = true;
      score += best;
    }
  }
  return score / score_max;
}

// ToolRL's strict reading: the first <tool_call> block, one JSON object per line.
StatusOr<std::vector<ToolCall>> StrictBlockCalls(std::string_view text) {
  const std::size_t open = text.find("<tool_call>");
  const std::size_t close = open == std::string_view::npos
                                ? std::string_view::npos
                                : text.find("</tool_call>", open + 11);
  if (open == std::string_view::npos || close == std::string_view::npos) {
    return InvalidArgumentError("no <tool_call> block");
  }
  std::string_view block = text.substr(open + 11, close - open - 11);
  const std::size_t first = block.find_first_not_of(" \t\n\r");
  block = first == std::string_view::npos
              ? std::string_view()
              : block.substr(first, block.find_last_not_of(" \t\n\r") - first + 1);
  std::vector<ToolCall> calls;
  std::size_t pos = 0;
  while (pos <= block.size()) {
    std::size_t end = block.find('\n', pos);
    if (end == std::string_view::npos) {
      end = block.size();
    }
    MERIT_ASSIGN_OR_RETURN(Json parsed, ParseLiteral(block.substr(pos, end - pos)));
    if (!parsed.is_object() || parsed.Find("parameters") == nullptr) {
      return InvalidArgumentError("a tool call line needs \"name\" and \"parameters\"");
    }
    MERIT_ASSIGN_OR_RETURN(ToolCall call, ReadCallObject(std::move(parsed)));
    calls.push_back(std::move(call));
    pos = end + 1;
  }
  return calls;
}

struct Ranges {
  double format_max = 1, format_min = 0, correct_max = 3, correct_min = -3;
};

class CallsReward final : public Reward {
 public:
  explicit CallsReward(const CallsOptions& o)
      : options_(o),
        component_(o.component == "format"        ? Component::kFormat
                   : o.component == "correctness" ? Component::kCorrectness
                   : o.component == "length"      ? Component::kLength
                                                  : Component::kTotal),
        granularity_(o.granularity == "refined"        ? Granularity::kRefined
                     : o.granularity == "intermediate" ? Granularity::kIntermediate
                     : o.granularity == "coarse"       ? Granularity::kCoarse
                                                       : Granularity::kFine),
        schedule_(o.schedule == "two_stage" ? Schedule::kTwoStage
                  : o.schedule == "smooth"  ? Schedule::kSmooth
                                            : Schedule::kNone),
        response_only_(R"((?s)<think>.*</think>\n<response>.*</response>\n?)"),
        call_only_(R"((?s)<think>.*</think>\n<tool_call>\n.*\n</tool_call>\n?)"),
        both_(R"((?s)<think>.*</think>\n<tool_call>\n.*\n</tool_call>\n)"
              R"(<response>.*</response>\n?)"),
        neither_(R"((?s)<think>.*</think>\n?)") {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    // The reference: ToolRL text, or a list of calls.
    bool gt_has_call = false;
    bool gt_has_response = false;
    std::vector<ToolCall> gt;
    if (sample.reference.is_string()) {
      const std::string& text = sample.reference.str();
      gt_has_call = text.find("<tool_call>") != std::string::npos;
      gt_has_response = text.find("<response>") != std::string::npos;
      if (gt_has_call) {
        StatusOr<std::vector<ToolCall>> parsed = StrictBlockCalls(text);
        if (!parsed.ok()) {
          return Score::Unscorable("reference_unparseable", parsed.status().message());
        }
        gt = std::move(*parsed);
      }
    } else if (sample.reference.is_array() || sample.reference.is_object()) {
      Json::Array items = sample.reference.is_array() ? sample.reference.array()
                                                      : Json::Array{sample.reference};
      for (const Json& item : items) {
        StatusOr<ToolCall> call = ReadCallObject(item);
        if (!call.ok()) {
          return Score::Unscorable("reference_unparseable", call.status().message());
        }
        gt.push_back(std::move(*call));
      }
      gt_has_call = !gt.empty();
    } else {
      return Score::Unscorable("no_reference");
    }

    std::optional<double> step;
    if (schedule_ != Schedule::kNone || (options_.length && options_.schedule_length)) {
      const Json* value = sample.metadata.FindPath(options_.step_field);
      if (value == nullptr || !value->is_number()) {
        return Score::Error("missing_field",
                            fmt::format("metadata.{}: the training step (a number) is needed by "
                                        "the schedule",
                                        options_.step_field));
      }
      step = value->number();
    }
    const Ranges ranges = ScaledRanges(step);

    std::string_view reason;
    const double format =
        FormatReward(sample.completion_text, gt_has_call, gt_has_response, ranges);
    if (format == ranges.format_min) {
      reason = "bad_format";
    }
    std::string_view correct_reason;
    const double correct = Correctness(sample, gt_has_call, gt, ranges, correct_reason);
    double length = 0.0;
    if (options_.length || component_ == Component::kLength) {
      length = LengthReward(sample.completion_text, step);
    }
    switch (component_) {
      case Component::kFormat:
        return Score::Ok(format, reason);
      case Component::kCorrectness:
        return Score::Ok(correct, correct_reason);
      case Component::kLength:
        return Score::Ok(length);
      case Component::kTotal:
        break;
    }
    return Score::Ok(format + correct + (options_.length ? length : 0.0),
                     correct_reason.empty() ? reason : correct_reason);
  }

 private:
  Ranges ScaledRanges(std::optional<double> step) const {
    Ranges r{options_.max_format, options_.min_format, options_.max_correct, options_.min_correct};
    if (schedule_ == Schedule::kTwoStage) {
      if (*step < 30) {
        r.correct_max /= 3;
        r.correct_min /= 3;
      } else {
        r.format_max /= 2;
        r.format_min /= 2;
      }
    } else if (schedule_ == Schedule::kSmooth) {
      const double t = *step / 150.0;
      r.correct_max = std::min((options_.max_correct - 2) * t + 2, 3.0);
      r.correct_min = std::max((options_.min_correct + 2) * t - 2, -3.0);
      r.format_max = std::max(2 - (2 - options_.max_format) * t, 1.0);
      r.format_min = std::min(-2 + (2 + options_.min_format) * t, -1.0);
    }
    return r;
  }

  double FormatReward(std::string_view text, bool has_call, bool has_response,
                      const Ranges& r) const {
    bool ok = false;
    if (has_response && !has_call) {
      ok = RE2::FullMatch(text, response_only_) && CountOf(text, "<response>") == 1 &&
           CountOf(text, "</response>") == 1;
    } else if (has_call && !has_response) {
      ok = RE2::FullMatch(text, call_only_) && CountOf(text, "<tool_call>") == 1 &&
           CountOf(text, "</tool_call>") == 1;
    } else if (has_call && has_response) {
      ok = RE2::FullMatch(text, both_) && CountOf(text, "<tool_call>") == 1 &&
           CountOf(text, "</tool_call>") == 1 && CountOf(text, "<response>") == 1 &&
           CountOf(text, "</response>") == 1;
    } else {
      ok = RE2::FullMatch(text, neither_);
    }
    return ok ? r.format_max : r.format_min;
  }

  double Correctness(const Sample& sample, bool gt_has_call, const std::vector<ToolCall>& gt,
                     const Ranges& r, std::string_view& reason) const {
    if (!gt_has_call) {
      return 0.0;  // Neither reward nor penalty when no call was expected.
    }
    std::vector<ToolCall> pred;
    if (options_.source == "tags") {
      StatusOr<std::vector<ToolCall>> parsed = StrictBlockCalls(sample.completion_text);
      if (!parsed.ok()) {
        reason = "unparseable_tool_call";
        return r.correct_min;
      }
      pred = std::move(*parsed);
    } else {
      StatusOr<ExtractedCalls> extracted = ExtractToolCalls(sample, {});
      if (!extracted.ok()) {
        reason = "unparseable_tool_call";
        return r.correct_min;
      }
      if (extracted->source == CallSource::kNone) {
        reason = "no_tool_call";
        return r.correct_min;
      }
      pred = std::move(extracted->calls);
    }
    if (SameCalls(gt, pred)) {
      return r.correct_max;
    }
    if (granularity_ == Granularity::kCoarse) {
      reason = "wrong_calls";
      return r.correct_min;
    }
    const double s = Similarity(gt, pred, granularity_);
    if (s < 1.0) {
      reason = "wrong_calls";
    }
    return (r.correct_max - r.correct_min) * s + r.correct_min;
  }

  double LengthReward(std::string_view text, std::optional<double> step) const {
    const std::size_t open = text.find("<think>");
    const std::size_t close = open == std::string_view::npos ? std::string_view::npos
                                                              : text.find("</think>", open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      return options_.min_length;
    }
    std::size_t words = 0;
    text::WhitespaceTokenizer tokens(text.substr(open + 7, close - open - 7));
    while (tokens.Next().has_value()) {
      ++words;
    }
    double target = static_cast<double>(options_.length_target);
    if (options_.schedule_length && step.has_value()) {
      target = 384.0 + (640.0 - 384.0) * *step / 105.0;
    }
    const double ratio =
        std::min(std::round(static_cast<double>(words) / target * 100.0) / 100.0, 1.0);
    return (options_.max_length - options_.min_length) * ratio + options_.min_length;
  }

  const CallsOptions options_;
  const Component component_;
  const Granularity granularity_;
  const Schedule schedule_;
  const RE2 response_only_;
  const RE2 call_only_;
  const RE2 both_;
  const RE2 neither_;
};

}  // namespace

Status CallsOptions::Validate() const {
  if (max_format < min_format || max_correct < min_correct || max_length < min_length) {
    return InvalidArgumentError("each max_* must be >= its min_*");
  }
  if (step_field.empty()) {
    return InvalidArgumentError("step_field: empty path");
  }
  return OkStatus();
}

RewardOr MakeCalls(const CallsOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<CallsReward>(options));
}

}  // namespace merit::tool
