#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/format/format.h"

namespace merit {

void RegisterFormatRewards(Registry& registry) {
  registry.AddReward<format::RegexOptions>(
      {.name = "format.regex",
       .summary = "1 if the completion matches an RE2 pattern (anywhere, or in full; optionally "
                  "between min_matches and max_matches times), else 0.",
       .min = 0.0,
       .max = 1.0,
       .example =
           R"({type: format.regex, pattern: '\\boxed\{[^}]+\}', min_matches: 1, max_matches: 1})",
       .source = "spec A §2.1 (ToolRL format regex); DeepSeek-R1-style format rewards"},
      &format::MakeRegex);
  registry.AddReward<format::TagsOptions>(
      {.name = "format.tags",
       .summary = "1 if the completion is exactly the listed <tag>...</tag> blocks, each once, "
                  "closed, not nested, in order, with only separators outside; else 0 with the "
                  "first violation as the reason.",
       .min = 0.0,
       .max = 1.0,
       .example = "{type: format.tags, tags: [think, answer]}",
       .source = "spec A §5 (Mixed-R1 format), §2.1 (ToolRL shapes, separator: newline)"},
      &format::MakeTags);
  registry.AddReward<format::JsonOptions>(
      {.name = "format.json",
       .summary = "1 if the completion (or its ```json block or <answer>) parses as JSON, has "
                  "the required keys and satisfies the JSON Schema if one is given, else 0.",
       .min = 0.0,
       .max = 1.0,
       .example = "{type: format.json, extract: auto, required_keys: [name, arguments]}",
       .source = "merit (structured-output format check); JSON Schema draft 2020-12 keywords"},
      &format::MakeJson);
}

}  // namespace merit
