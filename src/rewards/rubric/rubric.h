// The rubric family: rewards that check a completion against a list of weighted rubric items
// (information nuggets), spec A §13 (Search-Gen-V, nugget-as-rubric verifier).
//
//   rubric.items   each item is checked by a deterministic checker (contains, regex, answer) or
//                  by an LLM judge (one call per answer block listing every judged item); the
//                  reward is the weighted mean of the items' values, sum w_i V_i / sum w_i, with
//                  V(support) = 1, V(partial_support) = 0.5 (0 when strict), V(not_support) = 0.
//
// This header also exposes the pure parts (label parsing, paragraph blocks) for tests.
//
// Thread safety: pure functions; rewards are immutable.
#ifndef MERIT_REWARDS_RUBRIC_RUBRIC_H_
#define MERIT_REWARDS_RUBRIC_RUBRIC_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::rubric {

// Ordered by support level, so that the label of an item over several blocks is the maximum.
enum class Label : std::uint8_t { kNotSupport = 0, kPartialSupport = 1, kSupport = 2 };

// "support", "partial_support", "not_support".
std::string_view LabelName(Label label);
// 1, 0.5 (0 when strict), 0.
double LabelValue(Label label, bool strict);

// The labels of a verifier reply: exactly one <reasoning>...</reasoning> block, then the labels
// and nothing else. nullopt when the reply has no such block or the rest is not a label list.
std::optional<std::vector<Label>> ParseLabelReply(std::string_view reply);

// A label list in one of the formats of spec A §13: a JSON list ["support", ...], a JSON object
// {"labels": [...]}, <label>x</label> elements, one label per line (optionally as "- x", "* x",
// "1. x" or "1) x", numbered 1, 2, ... in order), or one line separated by ',', '|' or tabs. An
// optional ``` code fence around the list is ignored. Labels are compared ignoring ASCII case and
// surrounding quotes. nullopt for anything else (an unknown label, an empty list, mixed text).
std::optional<std::vector<Label>> ParseLabelList(std::string_view text);

// The blocks of a long answer: paragraphs separated by blank lines, trimmed, empty ones dropped.
// When there are more than `max_blocks`, the last block runs from the max_blocks-th paragraph to
// the end, so no text is lost.
std::vector<std::string_view> SplitParagraphs(std::string_view text, std::size_t max_blocks);

inline constexpr std::string_view kCheckNames[] = {"auto", "contains", "regex", "answer", "judge"};
inline constexpr std::string_view kBlockNames[] = {"none", "paragraph"};

struct ItemsOptions {
  Json items = {};
  std::string backend = {};
  std::string check = "auto";
  double vital_weight = 1;
  double okay_weight = 0.5;
  bool strict = false;
  std::string blocks = "none";
  std::int64_t max_blocks = 8;
  std::int64_t max_items = 256;
  double temperature = 0;
  std::int64_t max_tokens = 1024;
  std::int64_t max_field_bytes = 32768;
  static constexpr auto kFields = std::tuple{
      Field{"items", &ItemsOptions::items,
            "The rubric for every sample (a list of items); null: each sample's reference holds "
            "it (reference.rubric, a list, or a string as one item). An item is a string or "
            "{text, weight | importance: vital|okay, check}."},
      Field{"backend", &ItemsOptions::backend,
            "A chat backend (an entry of the config's backends:) that labels the judged items; "
            "empty: every item is checked deterministically."},
      Field{"check",
            &ItemsOptions::check,
            "The checker of items that name none: auto (judge with a backend, else contains), "
            "contains (case-insensitive substring after whitespace normalisation), regex (RE2 "
            "search), answer (the extracted answer equals the item text as match.exact "
            "compares), judge.",
            {.choices = kCheckNames}},
      Field{"vital_weight", &ItemsOptions::vital_weight,
            "Weight of an item with importance: vital.", {.min = 0}},
      Field{"okay_weight", &ItemsOptions::okay_weight, "Weight of an item with importance: okay.",
            {.min = 0}},
      Field{"strict", &ItemsOptions::strict, "partial_support counts 0 instead of 0.5."},
      Field{"blocks",
            &ItemsOptions::blocks,
            "none: the answer is one block; paragraph: each blank-line-separated paragraph is "
            "labelled and an item's label is its best over the blocks.",
            {.choices = kBlockNames}},
      Field{"max_blocks", &ItemsOptions::max_blocks,
            "At most this many blocks (judge calls) per sample; later paragraphs join the last.",
            {.min = 1, .max = 64}},
      Field{"max_items", &ItemsOptions::max_items,
            "A rubric with more items is Error(too_many_items).", {.min = 1, .max = 100000}},
      Field{"temperature", &ItemsOptions::temperature, "Judge sampling temperature.",
            {.min = 0, .max = 2}},
      Field{"max_tokens", &ItemsOptions::max_tokens, "Judge reply token limit.",
            {.min = 1, .max = 65536}},
      Field{"max_field_bytes", &ItemsOptions::max_field_bytes,
            "Each text shown to the judge (question, block) is cut to this many bytes.",
            {.min = 64}},
  };
};

StatusOr<std::unique_ptr<const Reward>> MakeItems(const ItemsOptions& options,
                                                  const BuildContext& build);

}  // namespace merit::rubric

#endif  // MERIT_REWARDS_RUBRIC_RUBRIC_H_
