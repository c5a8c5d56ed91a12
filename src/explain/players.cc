#include "explain/players.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "engine/field_mapping.h"
#include "text/segmentation.h"

namespace merit::explain {
namespace {

// An RE2 character class that excludes every code point: an absent rubric item's check, met by
// no completion, not even an empty one (which "^$" would meet).
constexpr std::string_view kNeverMatches = R"([^\x00-\x{10FFFF}])";

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

bool Has(Coalition coalition, std::size_t player) {
  return player < kMaxPlayers && (coalition >> player & 1) != 0;
}

const Json* Role(const Json& message) {
  const Json* role = message.Find("role");
  return role != nullptr && role->is_string() ? role : nullptr;
}

bool IsAssistant(const Json& message) {
  const Json* role = Role(message);
  return role != nullptr && role->str() == "assistant";
}

// The message whose content the field mapping made completion_text: the last assistant message,
// else the last message (internal::ExtractText's choice).
std::optional<std::size_t> TextMessage(const Json::Array& messages) {
  for (std::size_t i = messages.size(); i > 0; --i) {
    if (IsAssistant(messages[i - 1])) {
      return i - 1;
    }
  }
  if (messages.empty()) {
    return std::nullopt;
  }
  return messages.size() - 1;
}

// What a reader sees of a step: its assistant text, else its tool calls.
std::string StepText(const Json& message) {
  std::string text;
  if (internal::ExtractText(Json::Arr({message}), "assistant", text) && !text.empty()) {
    return text;
  }
  if (const Json* calls = message.Find("tool_calls"); calls != nullptr) {
    return calls->Dump();
  }
  return text;
}

std::string ItemText(const Json& item) {
  if (item.is_string()) {
    return item.str();
  }
  if (const Json* text = item.Find("text"); text != nullptr && text->is_string()) {
    return text->str();
  }
  return item.Dump();
}

// The item as a rubric reward sees it when it is absent but its weight still counts.
Json UnmetItem(const Json& item) {
  Json check = Json::Obj({{"regex", Json::Str(std::string(kNeverMatches))}});
  if (item.is_string()) {
    return Json::Obj({{"text", item}, {"check", std::move(check)}});
  }
  if (!item.is_object()) {
    return item;  // Not an item; the full rubric already fails on it.
  }
  Json unmet = item;
  unmet.Set("check", std::move(check));
  return unmet;
}

// Where the rubric is in a reference: the key holding it, or "" for the reference itself.
std::optional<std::string> RubricKey(const Json& reference) {
  if (reference.is_array()) {
    return "";
  }
  for (const std::string_view key : {"rubric", "rubrics"}) {
    if (const Json* rubric = reference.Find(key);
        rubric != nullptr && (rubric->is_array() || rubric->is_string())) {
      return std::string(key);
    }
  }
  return std::nullopt;
}

const Json& RubricList(const Json& reference, const std::string& key) {
  return key.empty() ? reference : *reference.Find(key);
}

}  // namespace

std::string_view PlayerKindName(PlayerKind kind) {
  return kPlayerKindNames[static_cast<std::size_t>(kind)];
}

std::optional<PlayerKind> PlayerKindFromName(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kPlayerKindNames); ++i) {
    if (kPlayerKindNames[i] == name) {
      return static_cast<PlayerKind>(i);
    }
  }
  return std::nullopt;
}

std::vector<TextRange> SplitParagraphs(std::string_view text) {
  std::vector<TextRange> paragraphs;
  std::optional<TextRange> open;
  std::size_t line_start = 0;
  while (line_start < text.size() || (line_start == text.size() && open)) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = text.size();
    }
    const std::string_view line = text.substr(line_start, line_end - line_start);
    if (IsBlank(line)) {
      if (open) {
        paragraphs.push_back(*open);
        open.reset();
      }
    } else {
      const std::size_t first = line_start + line.find_first_not_of(" \t\r\f\v");
      const std::size_t last = line_start + line.find_last_not_of(" \t\r\f\v") + 1;
      if (!open) {
        open = TextRange{.start = first, .end = last};
      }
      open->end = last;
    }
    if (line_end == text.size()) {
      break;
    }
    line_start = line_end + 1;
  }
  if (open) {
    paragraphs.push_back(*open);
  }
  return paragraphs;
}

void RebuildText(std::string_view text, const std::vector<std::size_t>& piece_starts,
                 Coalition coalition, std::string& out) {
  out.clear();
  if (piece_starts.empty()) {
    out = text;
    return;
  }
  out.append(text.substr(0, piece_starts.front()));
  for (std::size_t i = 0; i < piece_starts.size(); ++i) {
    if (Has(coalition, i)) {
      const std::size_t end = i + 1 < piece_starts.size() ? piece_starts[i + 1] : text.size();
      out.append(text.substr(piece_starts[i], end - piece_starts[i]));
    }
  }
}

StatusOr<PlayerSet> PlayerSet::Create(const Sample& sample, const PlayerOptions& options) {
  PlayerSet set(sample, options);
  switch (options.kind) {
    case PlayerKind::kSegments:
    case PlayerKind::kSubSentences:
    case PlayerKind::kParagraphs: {
      if (sample.completion.is_array()) {
        set.text_message_ = TextMessage(sample.completion.array());
      }
      const std::string_view text = sample.completion_text;
      std::vector<TextRange> ranges;
      if (options.kind == PlayerKind::kParagraphs) {
        ranges = SplitParagraphs(text);
      } else {
        const std::vector<text::TextSpan> spans =
            options.kind == PlayerKind::kSegments
                ? text::SplitSentences(text)
                : text::SplitSubSentences(text, options.min_words);
        for (const text::TextSpan& span : spans) {
          ranges.push_back({.start = span.start, .end = span.end});
        }
      }
      for (const TextRange& range : ranges) {
        set.piece_starts_.push_back(range.start);
        const std::string_view piece = text.substr(range.start, range.end - range.start);
        set.players_.push_back({.text = std::string(piece),
                                .start = range.start,
                                .end = range.end});
      }
      break;
    }
    case PlayerKind::kSteps: {
      if (!sample.completion.is_array()) {
        return InvalidArgumentError(
            "steps need a completion of chat messages; this completion is text");
      }
      const Json::Array& messages = sample.completion.array();
      for (std::size_t i = 0; i < messages.size(); ++i) {
        if (IsAssistant(messages[i])) {
          set.step_starts_.push_back(i);
          set.players_.push_back({.text = StepText(messages[i])});
        }
      }
      break;
    }
    case PlayerKind::kRubric: {
      std::optional<std::string> key = RubricKey(sample.reference);
      if (!key) {
        return InvalidArgumentError(
            "the reference holds no rubric (reference.rubric, reference.rubrics, or a list)");
      }
      set.rubric_key_ = std::move(*key);
      const Json& list = RubricList(sample.reference, set.rubric_key_);
      if (list.is_string()) {
        set.players_.push_back({.text = list.str()});
      } else {
        for (const Json& item : list.array()) {
          set.players_.push_back({.text = ItemText(item)});
        }
      }
      break;
    }
  }
  return set;
}

void PlayerSet::Build(Coalition coalition, Sample* out) const {
  *out = *sample_;
  if (options_.kind != PlayerKind::kRubric) {
    // Token counts and log-probs describe the whole completion, not what a coalition leaves of
    // it: a reward that needs them says so (missing field) instead of scoring stale numbers.
    out->num_tokens.reset();
    out->logprobs.clear();
    out->ref_logprobs.clear();
  }
  switch (options_.kind) {
    case PlayerKind::kSegments:
    case PlayerKind::kSubSentences:
    case PlayerKind::kParagraphs:
      BuildText(coalition, out);
      return;
    case PlayerKind::kSteps:
      BuildSteps(coalition, out);
      return;
    case PlayerKind::kRubric:
      BuildRubric(coalition, out);
      return;
  }
}

void PlayerSet::BuildText(Coalition coalition, Sample* out) const {
  RebuildText(sample_->completion_text, piece_starts_, coalition, out->completion_text);
  Json text = Json::Str(out->completion_text);
  if (!text_message_) {
    out->completion = std::move(text);
    return;
  }
  Json& message = out->completion.array()[*text_message_];
  if (message.is_object()) {
    message.Set("content", std::move(text));
  }
}

void PlayerSet::BuildSteps(Coalition coalition, Sample* out) const {
  const Json::Array& messages = sample_->completion.array();
  Json::Array kept;
  const std::size_t first_step = step_starts_.empty() ? messages.size() : step_starts_.front();
  kept.insert(kept.end(), messages.begin(),
              messages.begin() + static_cast<std::ptrdiff_t>(first_step));
  for (std::size_t step = 0; step < step_starts_.size(); ++step) {
    if (!Has(coalition, step)) {
      continue;
    }
    const std::size_t end =
        step + 1 < step_starts_.size() ? step_starts_[step + 1] : messages.size();
    kept.insert(kept.end(), messages.begin() + static_cast<std::ptrdiff_t>(step_starts_[step]),
                messages.begin() + static_cast<std::ptrdiff_t>(end));
  }
  out->completion = Json::Arr(std::move(kept));
  // The same text the field mapping would take from this trajectory: the last kept assistant
  // message. The messages already passed the mapping, so extraction cannot fail here.
  (void)internal::ExtractText(out->completion, "assistant", out->completion_text);
}

void PlayerSet::BuildRubric(Coalition coalition, Sample* out) const {
  const Json& list = RubricList(sample_->reference, rubric_key_);
  const Json::Array items = list.is_string() ? Json::Array{list} : list.array();
  Json::Array kept;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (Has(coalition, i)) {
      kept.push_back(items[i]);
    } else if (options_.rubric_absent == RubricAbsent::kUnmet) {
      kept.push_back(UnmetItem(items[i]));
    }
  }
  if (rubric_key_.empty()) {
    out->reference = Json::Arr(std::move(kept));
  } else {
    out->reference.Set(rubric_key_, Json::Arr(std::move(kept)));
  }
}

}  // namespace merit::explain
