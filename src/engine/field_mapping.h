// FieldMapping: where each Sample field comes from in an input object (the config's `fields:`).
//
//   fields: verl                     # a preset: default, verl, openrlhf, trl
//   fields: {preset: trl, reference: answer_column, group: [uid, extra_info.index]}
//
// Each field is a dotted path, or a list of paths of which the first present one wins.
#ifndef MERIT_ENGINE_FIELD_MAPPING_H_
#define MERIT_ENGINE_FIELD_MAPPING_H_

#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/result.h"
#include "merit/sample.h"

namespace merit::internal {

class FieldMapping {
 public:
  using Paths = std::vector<std::string>;

  // `fields` is the config's `fields:` node (null for the default preset).
  static StatusOr<FieldMapping> Create(const Json& fields, const ConfigLocation& location);

  // Fills *sample from `object`. Returns Score::Ok, or an error Score with reason
  // "not_an_object", "missing_field" or "wrong_type". *sample is caller scratch.
  Score Map(const Json& object, Sample* sample) const;
  // As Map, but on success the mapped values are moved out of `object` (it is left unspecified);
  // on failure `object` is untouched.
  Score MapMoving(Json& object, Sample* sample) const;

  static std::vector<std::string_view> PresetNames();

  Paths id, prompt, completion, reference, group, data_source, metadata, num_tokens, logprobs,
      ref_logprobs;
  bool strip_prompt_prefix = false;  // OpenRLHF passes prompt+response as one `query` string.

 private:
  template <bool kMove, typename JsonRef>
  Score MapImpl(JsonRef& object, Sample* sample) const;
};

// The text of a prompt or completion: a string as is; for chat messages, the content of the last
// message with role `role` (or the last message when none has it). Content given as a list of
// parts ([{type: text, text: ...}]) is concatenated. Returns false when `value` is neither.
bool ExtractText(const Json& value, std::string_view role, std::string& out);

}  // namespace merit::internal

#endif  // MERIT_ENGINE_FIELD_MAPPING_H_
