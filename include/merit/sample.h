// Sample: one rollout to score. Built from an input object by the config's `fields:` mapping
// (see config.h), or directly by C++ callers.
//
// A Sample owns its data; rewards receive it by const reference and may keep nothing past the
// call.
#ifndef MERIT_SAMPLE_H_
#define MERIT_SAMPLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "merit/json.h"

namespace merit {

struct Sample {
  std::string id;
  Json prompt;                  // A string, or chat messages [{"role": ..., "content": ...}, ...].
  Json completion;              // A string, or chat messages (tool calls included).
  std::string prompt_text;      // The prompt as text: the string, or the last user message.
  std::string completion_text;  // The completion as text: the string, or the content of the
                                // last assistant message (tool calls excluded).
  Json reference;               // Any JSON: a gold answer, a list of answers, test cases, a rubric.
  std::string group;            // Rollouts of one prompt share a group (advantages, group norms).
  std::string data_source;      // verl's data_source, when mapped.
  Json metadata;                // Any JSON.
  std::optional<std::int64_t> num_tokens;  // Completion length in tokens, when the input has it.
  std::vector<double> logprobs;      // Per-token log-probs of the completion under the policy.
  std::vector<double> ref_logprobs;  // ... and under the reference model.
};

}  // namespace merit

#endif  // MERIT_SAMPLE_H_
