#include "engine/field_mapping.h"

#include <optional>

#include <fmt/format.h>

namespace merit::internal {
namespace {

constexpr std::string_view kPresets[] = {"default", "verl", "openrlhf", "trl"};
constexpr std::string_view kFieldKeys[] = {
    "preset",      "id",       "prompt",     "completion", "reference",    "group",
    "data_source", "metadata", "num_tokens", "logprobs",   "ref_logprobs", "strip_prompt_prefix"};

FieldMapping Preset(std::string_view name) {
  FieldMapping m;
  m.id = {"id"};
  m.group = {"group"};
  m.data_source = {"data_source"};
  m.metadata = {"metadata"};
  m.num_tokens = {"num_tokens"};
  m.logprobs = {"logprobs"};
  m.ref_logprobs = {"ref_logprobs"};
  if (name == "verl") {
    // verl's compute_score(data_source, solution_str, ground_truth, extra_info); its datasets keep
    // the prompt index in extra_info.index, which groups rollouts of one prompt.
    m.prompt = {"prompt", "extra_info.question"};
    m.completion = {"solution_str"};
    m.reference = {"ground_truth", "reward_model.ground_truth"};
    m.metadata = {"extra_info"};
    m.group = {"uid", "group", "extra_info.index"};
  } else if (name == "openrlhf") {
    // OpenRLHF's reward_func(queries, prompts, labels): a query is prompt + response.
    m.prompt = {"prompt", "prompts"};
    m.completion = {"query", "queries"};
    m.reference = {"label", "labels"};
    m.strip_prompt_prefix = true;
  } else if (name == "trl") {
    // TRL calls reward_funcs(prompts, completions, **columns); the reference column's name is
    // the dataset's.
    m.prompt = {"prompt"};
    m.completion = {"completion"};
    m.reference = {"solution", "answer", "ground_truth", "reference", "label"};
  } else {
    m.prompt = {"prompt"};
    m.completion = {"completion", "response"};
    m.reference = {"reference", "answer", "ground_truth", "label"};
  }
  return m;
}

StatusOr<FieldMapping::Paths> ReadPaths(const Json& value, const ConfigLocation& location) {
  FieldMapping::Paths paths;
  if (value.is_string()) {
    paths.push_back(value.str());
  } else if (value.is_array() && !value.array().empty()) {
    for (std::size_t i = 0; i < value.array().size(); ++i) {
      if (!value.array()[i].is_string()) {
        return location.Index(i).Error("expected a dotted path (string)");
      }
      paths.push_back(value.array()[i].str());
    }
  } else {
    return location.Error("expected a dotted path or a non-empty list of paths");
  }
  return paths;
}

const Json* Lookup(const Json& object, const FieldMapping::Paths& paths, std::string_view* used) {
  for (const std::string& path : paths) {
    const Json* found = object.FindPath(path);
    if (found != nullptr && !found->is_null()) {
      if (used != nullptr) {
        *used = path;
      }
      return found;
    }
  }
  return nullptr;
}

std::string PathsText(const FieldMapping::Paths& paths) {
  return fmt::format("\"{}\"", fmt::join(paths, "\" or \""));
}

Score WrongType(std::string_view field, std::string_view path, std::string_view expected,
                const Json& got) {
  return Score::Error("wrong_type", fmt::format("{} (\"{}\"): expected {}, got {}", field, path,
                                                expected, Json::TypeName(got.type())));
}

// Ids and group keys may be strings or numbers in the wild; anything else is its JSON text.
void ScalarText(const Json& value, std::string& out) {
  if (value.is_string()) {
    out = value.str();
  } else if (value.is_number()) {
    out = value.number_text();
  } else {
    out.clear();
    value.DumpTo(out);
  }
}

Score ReadNumbers(const Json* value, std::string_view field, std::string_view path,
                  std::vector<double>& out) {
  out.clear();
  if (value == nullptr) {
    return Score::Ok(0);
  }
  if (!value->is_array()) {
    return WrongType(field, path, "a list of numbers", *value);
  }
  out.reserve(value->array().size());
  for (const Json& item : value->array()) {
    if (!item.is_number()) {
      return WrongType(field, path, "a list of numbers", item);
    }
    out.push_back(item.number());
  }
  return Score::Ok(0);
}

}  // namespace

std::vector<std::string_view> FieldMapping::PresetNames() {
  return {std::begin(kPresets), std::end(kPresets)};
}

StatusOr<FieldMapping> FieldMapping::Create(const Json& fields, const ConfigLocation& location) {
  const auto preset_named = [&](const Json& name,
                                const ConfigLocation& where) -> StatusOr<FieldMapping> {
    if (!name.is_string()) {
      return where.Error("expected a preset name (string)");
    }
    for (std::string_view preset : kPresets) {
      if (preset == name.str()) {
        return Preset(preset);
      }
    }
    return where.Error(
        fmt::format("unknown preset \"{}\"{}", name.str(), SuggestionText(name.str(), kPresets)));
  };
  if (fields.is_null()) {
    return Preset("default");
  }
  if (fields.is_string()) {
    return preset_named(fields, location);
  }
  if (!fields.is_object()) {
    return location.Error("expected a preset name or a mapping");
  }
  FieldMapping mapping = Preset("default");
  if (const Json* preset = fields.Find("preset")) {
    MERIT_ASSIGN_OR_RETURN(mapping, preset_named(*preset, location.Key("preset")));
  }
  const std::pair<std::string_view, Paths*> slots[] = {{"id", &mapping.id},
                                                       {"prompt", &mapping.prompt},
                                                       {"completion", &mapping.completion},
                                                       {"reference", &mapping.reference},
                                                       {"group", &mapping.group},
                                                       {"data_source", &mapping.data_source},
                                                       {"metadata", &mapping.metadata},
                                                       {"num_tokens", &mapping.num_tokens},
                                                       {"logprobs", &mapping.logprobs},
                                                       {"ref_logprobs", &mapping.ref_logprobs}};
  for (const auto& [key, value] : fields.object()) {
    if (key == "preset") {
      continue;
    }
    if (key == "strip_prompt_prefix") {
      if (!value.is_bool()) {
        return location.Key(key).Error("expected true or false");
      }
      mapping.strip_prompt_prefix = value.boolean();
      continue;
    }
    Paths* target = nullptr;
    for (const auto& [name, paths] : slots) {
      if (name == key) {
        target = paths;
      }
    }
    if (target == nullptr) {
      return location.Key(key).Error("unknown field" + SuggestionText(key, kFieldKeys));
    }
    MERIT_ASSIGN_OR_RETURN(*target, ReadPaths(value, location.Key(key)));
  }
  return mapping;
}

bool ExtractText(const Json& value, std::string_view role, std::string& out) {
  out.clear();
  if (value.is_string()) {
    out = value.str();
    return true;
  }
  if (!value.is_array()) {
    return false;
  }
  const Json* chosen = nullptr;
  for (const Json& message : value.array()) {
    if (!message.is_object()) {
      return false;
    }
    const Json* message_role = message.Find("role");
    if (message_role != nullptr && message_role->is_string() && message_role->str() == role) {
      chosen = &message;
    }
  }
  if (chosen == nullptr && !value.array().empty()) {
    chosen = &value.array().back();
  }
  if (chosen == nullptr) {
    return true;  // An empty conversation is empty text.
  }
  const Json* content = chosen->Find("content");
  if (content == nullptr || content->is_null()) {
    return true;  // A pure tool call has no text.
  }
  if (content->is_string()) {
    out = content->str();
    return true;
  }
  if (!content->is_array()) {
    return false;
  }
  for (const Json& part : content->array()) {
    const Json* text = part.Find("text");
    if (part.is_string()) {
      out += part.str();
    } else if (text != nullptr && text->is_string()) {
      out += text->str();
    }
  }
  return true;
}

// Validates every field first and only then fills the sample, so that a failed mapping leaves
// `object` intact (the error line echoes it). With kMove, mapped values are moved out of `object`
// instead of copied: the JSONL hot path does this when it no longer needs the object.
template <bool kMove, typename JsonRef>
Score FieldMapping::MapImpl(JsonRef& object, Sample* sample) const {
  if (!object.is_object()) {
    return Score::Error("not_an_object", fmt::format("expected a JSON object per line, got {}",
                                                     Json::TypeName(object.type())));
  }
  const auto take = [](const Json* value, Json& into) {
    if (value == nullptr) {
      into = Json();
    } else if constexpr (kMove) {
      into = std::move(*const_cast<Json*>(value));  // `object` is mutable when kMove.
    } else {
      into = *value;
    }
  };
  std::string_view used;
  const Json* completion_value = Lookup(object, completion, &used);
  if (completion_value == nullptr) {
    return Score::Error("missing_field",
                        fmt::format("completion: no value at {}", PathsText(completion)));
  }
  if (!ExtractText(*completion_value, "assistant", sample->completion_text)) {
    return WrongType("completion", used, "a string or chat messages", *completion_value);
  }
  const Json* prompt_value = Lookup(object, prompt, &used);
  sample->prompt_text.clear();
  if (prompt_value != nullptr && !ExtractText(*prompt_value, "user", sample->prompt_text)) {
    return WrongType("prompt", used, "a string or chat messages", *prompt_value);
  }
  std::optional<std::int64_t> tokens;
  if (const Json* v = Lookup(object, num_tokens, &used)) {
    if (!v->is_number() || v->number() < 0 || v->number() > 9.0e15 ||
        v->number() != static_cast<double>(static_cast<std::int64_t>(v->number()))) {
      return WrongType("num_tokens", used, "a non-negative integer", *v);
    }
    tokens = static_cast<std::int64_t>(v->number());
  }
  const Json* lp = Lookup(object, logprobs, &used);
  if (Score s = ReadNumbers(lp, "logprobs", used, sample->logprobs); !s.ok()) {
    return s;
  }
  const Json* ref_lp = Lookup(object, ref_logprobs, &used);
  if (Score s = ReadNumbers(ref_lp, "ref_logprobs", used, sample->ref_logprobs); !s.ok()) {
    return s;
  }

  // Everything is valid: fill the sample.
  sample->num_tokens = tokens;
  sample->id.clear();
  if (const Json* v = Lookup(object, id, nullptr)) {
    ScalarText(*v, sample->id);
  }
  sample->data_source.clear();
  if (const Json* v = Lookup(object, data_source, nullptr)) {
    ScalarText(*v, sample->data_source);
  }
  // Without an explicit group, rollouts of the same prompt form a group (GRPO's definition).
  sample->group.clear();
  if (const Json* v = Lookup(object, group, nullptr)) {
    ScalarText(*v, sample->group);
  } else if (prompt_value != nullptr) {
    if (prompt_value->is_string()) {
      sample->group = prompt_value->str();
    } else {
      prompt_value->DumpTo(sample->group);
    }
  }
  take(Lookup(object, reference, nullptr), sample->reference);
  take(Lookup(object, metadata, nullptr), sample->metadata);
  take(prompt_value, sample->prompt);
  take(completion_value, sample->completion);
  if (strip_prompt_prefix && !sample->prompt_text.empty() &&
      sample->completion_text.starts_with(sample->prompt_text)) {
    sample->completion_text.erase(0, sample->prompt_text.size());
    sample->completion = Json::Str(sample->completion_text);
  }
  return Score::Ok(0);
}

Score FieldMapping::Map(const Json& object, Sample* sample) const {
  return MapImpl<false>(object, sample);
}

Score FieldMapping::MapMoving(Json& object, Sample* sample) const {
  return MapImpl<true>(object, sample);
}

}  // namespace merit::internal
