// The format family: 1/0 checks that a completion has the shape a task asks for (a regex, a tag
// layout, a JSON document). Registered in register.cc.
//
// A malformed completion is never an error: it scores 0 with a reason. Rewards are immutable and
// thread-safe; every check is linear in the completion (format.regex: RE2, linear by design).
#ifndef MERIT_REWARDS_FORMAT_FORMAT_H_
#define MERIT_REWARDS_FORMAT_FORMAT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::format {

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;

// ---- format.regex ----

// Both limits bound the work: counting k matches costs up to k searches of the text.
inline constexpr std::int64_t kMaxMatchCount = 100;
// RE2's memory budget for the compiled program and its DFA caches (RE2's own default). A pattern
// whose program does not fit is a config error; a DFA that overflows at match time makes RE2 fall
// back to its slower NFA, still linear.
inline constexpr std::int64_t kRegexMaxMemBytes = std::int64_t{8} << 20;

struct RegexOptions {
  std::string pattern;
  bool full_match = false;
  bool dot_all = false;
  bool case_sensitive = true;
  std::int64_t min_matches = 1;
  std::int64_t max_matches = -1;
  static constexpr auto kFields = std::tuple{
      Field{"pattern", &RegexOptions::pattern,
            "RE2 syntax (required). `.` and character classes match whole UTF-8 characters, "
            "never a byte of invalid UTF-8."},
      Field{"full_match", &RegexOptions::full_match,
            "The whole completion must match (otherwise: a match anywhere)."},
      Field{"dot_all", &RegexOptions::dot_all, "`.` also matches \\n (RE2's s flag)."},
      Field{"case_sensitive", &RegexOptions::case_sensitive, "false: match case-insensitively."},
      Field{"min_matches",
            &RegexOptions::min_matches,
            "1 needs at least this many non-overlapping matches, found left to right (after an "
            "empty match the search resumes one character on); with full_match the count is 0 "
            "or 1.",
            {.min = 0, .max = static_cast<double>(kMaxMatchCount)}},
      Field{"max_matches",
            &RegexOptions::max_matches,
            "...and at most this many; -1: no limit. min_matches 0, max_matches 0 forbids the "
            "pattern.",
            {.min = -1, .max = static_cast<double>(kMaxMatchCount)}},
  };
  Status Validate() const;
};

RewardOr MakeRegex(const RegexOptions& options);

// ---- format.tags ----

inline constexpr std::int64_t kMaxTags = 16;
inline constexpr std::string_view kSeparators[] = {"whitespace", "newline"};

struct TagsOptions {
  std::vector<std::string> tags = {"think", "answer"};
  bool ordered = true;
  bool allow_outside_text = false;
  std::string separator = "whitespace";
  bool allow_empty = true;
  static constexpr auto kFields = std::tuple{
      Field{"tags", &TagsOptions::tags,
            "Tag names; each must occur exactly once as <tag>...</tag>, not inside another "
            "listed tag. Names are case-sensitive and take no attributes."},
      Field{"ordered", &TagsOptions::ordered, "The tags must appear in the listed order."},
      Field{"allow_outside_text", &TagsOptions::allow_outside_text,
            "Allow text other than the separator before, between and after the tags."},
      Field{"separator",
            &TagsOptions::separator,
            "What may surround the tags when allow_outside_text is false. whitespace "
            "(Mixed-R1): any whitespace, or none. newline (ToolRL): nothing before the first tag, "
            "exactly \"\\n\" between tags, at most one \"\\n\" after the last.",
            {.choices = kSeparators}},
      Field{"allow_empty", &TagsOptions::allow_empty,
            "false: a tag whose content is empty or whitespace fails (\"empty_tag\")."},
  };
  Status Validate() const;
};

RewardOr MakeTags(const TagsOptions& options);

// ---- format.json ----

inline constexpr std::string_view kJsonExtractors[] = {"none", "fenced", "answer_tag", "auto"};
inline constexpr std::int64_t kMaxJsonDepth = 512;

struct JsonOptions {
  std::string extract = "none";
  std::vector<std::string> required_keys;
  bool require_object = true;
  std::int64_t max_depth = 64;
  Json schema;
  std::string schema_field;
  static constexpr auto kFields = std::tuple{
      Field{"extract",
            &JsonOptions::extract,
            "Where the JSON is. none: the whole completion. fenced: the last ```json block. "
            "answer_tag: the last <answer>...</answer>. auto: fenced, else answer_tag, else the "
            "whole completion, and if that does not parse, its first { to its last }.",
            {.choices = kJsonExtractors}},
      Field{"required_keys", &JsonOptions::required_keys,
            "Keys that must be present; dotted paths reach into nested objects (a.b) and arrays "
            "(items.0)."},
      Field{"require_object", &JsonOptions::require_object, "The document must be a JSON object."},
      Field{"max_depth",
            &JsonOptions::max_depth,
            "Most levels of nested arrays and objects; deeper documents are invalid "
            "(\"invalid_json\"), never recursed into.",
            {.min = 1, .max = static_cast<double>(kMaxJsonDepth)}},
      Field{"schema", &JsonOptions::schema,
            "A JSON Schema (draft 2020-12 common keywords, see docs/tools.md) the document must "
            "satisfy; a violation scores 0 with reason schema_violation and the failing JSON "
            "pointer in the explanation."},
      Field{"schema_field", &JsonOptions::schema_field,
            "Dotted path in the sample's metadata to a per-sample schema (used instead of "
            "schema; a sample without one is unscorable)."},
  };
  Status Validate() const;
};

RewardOr MakeJson(const JsonOptions& options);

}  // namespace merit::format

#endif  // MERIT_REWARDS_FORMAT_FORMAT_H_
