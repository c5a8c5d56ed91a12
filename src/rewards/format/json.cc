// format.json: the completion (or a part of it) is a JSON document with the required keys.
#include "merit/json.h"

#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "rewards/format/format.h"
#include "rewards/format/json_schema.h"

namespace merit::format {
namespace {

enum class Extract : std::uint8_t { kNone, kFenced, kAnswerTag, kAuto };

Extract ParseExtract(std::string_view name) {
  if (name == "fenced") {
    return Extract::kFenced;
  }
  if (name == "answer_tag") {
    return Extract::kAnswerTag;
  }
  if (name == "auto") {
    return Extract::kAuto;
  }
  return Extract::kNone;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool IsJsonInfo(std::string_view info) {
  info = Trim(info);
  return info.size() == 4 && (info[0] | 0x20) == 'j' && (info[1] | 0x20) == 's' &&
         (info[2] | 0x20) == 'o' && (info[3] | 0x20) == 'n';
}

std::size_t LeadingBackticks(std::string_view line) {
  const std::size_t n = line.find_first_not_of('`');
  return n == std::string_view::npos ? line.size() : n;
}

// The content of the last ```json fenced block (info string "json", any case). Fences are lines,
// as in CommonMark: an opening line starts with three or more backticks (after optional
// indentation) and a closing line is only backticks, at least as many. Pairing them line by line
// keeps a ```python block whose body mentions ```json from being read as JSON.
std::optional<std::string_view> LastFencedJson(std::string_view text) {
  std::optional<std::string_view> last;
  bool in_block = false;
  bool json_block = false;
  std::size_t fence_length = 0;
  std::size_t content_start = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t line_end = text.find('\n', pos);
    if (line_end == std::string_view::npos) {
      line_end = text.size();
    }
    const std::string_view line = Trim(text.substr(pos, line_end - pos));
    const std::size_t backticks = LeadingBackticks(line);
    if (!in_block) {
      if (backticks >= 3) {
        in_block = true;
        fence_length = backticks;
        json_block = IsJsonInfo(line.substr(backticks));
        content_start = line_end + 1;
      }
    } else if (backticks >= fence_length && backticks == line.size()) {
      in_block = false;
      if (json_block) {
        last = text.substr(content_start, pos - content_start);
      }
    }
    pos = line_end + 1;
  }
  return last;
}

// The content of the last <answer>...</answer>.
std::optional<std::string_view> LastAnswerTag(std::string_view text) {
  constexpr std::string_view kOpen = "<answer>";
  const std::size_t close = text.rfind("</answer>");
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t open = text.rfind(kOpen, close);
  if (open == std::string_view::npos || open + kOpen.size() > close) {
    return std::nullopt;
  }
  return text.substr(open + kOpen.size(), close - open - kOpen.size());
}

class JsonReward final : public Reward {
 public:
  JsonReward(const JsonOptions& options, std::optional<JsonSchema> schema)
      : extract_(ParseExtract(options.extract)),
        required_keys_(options.required_keys),
        require_object_(options.require_object),
        max_depth_(static_cast<std::size_t>(options.max_depth)),
        schema_(std::move(schema)),
        schema_field_(options.schema_field) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    const std::string_view text = sample.completion_text;
    std::optional<std::string_view> candidate;
    switch (extract_) {
      case Extract::kNone:
        candidate = text;
        break;
      case Extract::kFenced:
        candidate = LastFencedJson(text);
        break;
      case Extract::kAnswerTag:
        candidate = LastAnswerTag(text);
        break;
      case Extract::kAuto:
        candidate = LastFencedJson(text);
        if (!candidate.has_value()) {
          candidate = LastAnswerTag(text);
        }
        break;
    }
    // Only auto falls back to the whole text, and then to its outermost {...}.
    const bool whole_text = !candidate.has_value();
    if (whole_text) {
      if (extract_ != Extract::kAuto) {
        return Score::Ok(0.0, "no_json");
      }
      candidate = text;
    }
    const std::string_view document = Trim(*candidate);
    if (document.empty()) {
      return Score::Ok(0.0, "no_json");
    }

    // JsonParser counts the document itself as one level (simdjson's convention), so a limit of
    // max_depth nested arrays and objects is max_depth + 1 there.
    JsonParser parser({.max_depth = max_depth_ + 1});
    StatusOr<Json> parsed = parser.Parse(document);
    if (!parsed.ok() && whole_text) {
      const std::size_t first = document.find('{');
      const std::size_t last = document.rfind('}');
      if (first != std::string_view::npos && last != std::string_view::npos && first < last &&
          last - first + 1 < document.size()) {
        StatusOr<Json> span = parser.Parse(document.substr(first, last - first + 1));
        if (span.ok()) {
          parsed = std::move(span);
        }
      }
    }
    if (!parsed.ok()) {
      return Score{.reason = "invalid_json", .explanation = parsed.status().message()};
    }
    if (require_object_ && !parsed->is_object()) {
      return Score::Ok(0.0, "not_an_object");
    }
    for (const std::string& key : required_keys_) {
      if (parsed->FindPath(key) == nullptr) {
        return Score{.reason = "missing_key", .explanation = fmt::format("no key \"{}\"", key)};
      }
    }
    return CheckSchema(sample, *parsed);
  }

 private:
  Score CheckSchema(const Sample& sample, const Json& document) const {
    std::optional<SchemaViolation> violation;
    if (!schema_field_.empty()) {
      // A per-sample schema: compiled for this sample only (schemas are small next to a
      // completion, and compiling is linear in the schema).
      const Json* schema = sample.metadata.FindPath(schema_field_);
      if (schema == nullptr || schema->is_null()) {
        return Score::Unscorable("no_reference",
                                 fmt::format("no schema at metadata.{}", schema_field_));
      }
      StatusOr<JsonSchema> compiled = JsonSchema::Compile(*schema);
      if (!compiled.ok()) {
        return Score::Unscorable("reference_unparseable", compiled.status().message());
      }
      violation = compiled->Validate(document);
    } else if (schema_.has_value()) {
      violation = schema_->Validate(document);
    }
    if (violation.has_value()) {
      return Score{.reason = "schema_violation",
                   .explanation = fmt::format("at \"{}\": {} (schema \"{}\")",
                                              violation->instance_pointer, violation->message,
                                              violation->schema_pointer)};
    }
    return Score::Ok(1.0);
  }

  const Extract extract_;
  const std::vector<std::string> required_keys_;
  const bool require_object_;
  const std::size_t max_depth_;
  const std::optional<JsonSchema> schema_;
  const std::string schema_field_;
};

}  // namespace

Status JsonOptions::Validate() const {
  for (std::size_t i = 0; i < required_keys.size(); ++i) {
    if (required_keys[i].empty()) {
      return InvalidArgumentError(fmt::format("required_keys[{}]: empty key", i));
    }
  }
  if (!schema.is_null() && !schema_field.empty()) {
    return InvalidArgumentError("give schema or schema_field, not both");
  }
  return OkStatus();
}

RewardOr MakeJson(const JsonOptions& options) {
  std::optional<JsonSchema> schema;
  if (!options.schema.is_null()) {
    StatusOr<JsonSchema> compiled = JsonSchema::Compile(options.schema);
    if (!compiled.ok()) {
      return InvalidArgumentError("schema: " + compiled.status().message());
    }
    schema = std::move(*compiled);
  }
  return std::unique_ptr<const Reward>(std::make_unique<JsonReward>(options, std::move(schema)));
}

}  // namespace merit::format
