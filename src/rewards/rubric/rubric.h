// The rubric family: rewards that check a completion against a list of weighted rubric items
// (information nuggets), spec A §13 (Search-Gen-V, nugget-as-rubric verifier).
//
//   rubric.items     each item is checked by a deterministic checker (contains, regex, answer,
//                    numeric, math) or by an LLM judge (per answer block, one call per chunk of
//                    at most max_items_per_call judged items); the reward is the weighted mean of
//                    the items' values, sum w_i V_i / sum w_i, with V(support) = 1,
//                    V(partial_support) = 0.5 (0 when strict), V(not_support) = 0.
//   rubric.auto      Auto-Rubric (spec B §20c): a judge writes `items` prompt-conditioned rubric
//                    items per distinct prompt, then they are checked as rubric.items checks
//                    judged items (auto_rubric.cc).
//   rubric.pairwise  the generated rubric conditions a pairwise judge (sample vs a comparison
//                    response, both orders): +lambda preferred, -gamma not, `tie` otherwise.
//
// This header also exposes the pure parts (label and rubric-list parsing, paragraph blocks) for
// tests and fuzzing, and the item checking that rubric.auto shares with rubric.items.
//
// Thread safety: pure functions; rewards are immutable.
#ifndef MERIT_REWARDS_RUBRIC_RUBRIC_H_
#define MERIT_REWARDS_RUBRIC_RUBRIC_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/status.h"

#include "backends/model_reward.h"

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

// A generated rubric (rubric.auto's generation reply): after an optional ``` fence, a JSON list
// of strings or a numbered list ("1. text" or "1) text", numbered 1, 2, ... in order, one item
// per non-empty line), each item trimmed. Strict: anything else, an empty list, a blank item, or
// more than `max_items` items (parsing stops there, so a huge reply costs no more) is an error
// message; duplicates (compared case-insensitively, whitespace collapsed) are dropped, the first
// kept; an item that is a placeholder rather than a criterion ("...", "<item 1>", "[criterion]",
// "Item 3", "TODO", "N/A", only punctuation) is an error.
StatusOr<std::vector<std::string>> ParseRubricList(std::string_view text, std::size_t max_items);

// Appends `text` for a judge prompt of this family: cut to `max_bytes` at a UTF-8 boundary
// (saying how much was left out), the family's prompt tags (<question>, <nuggets>, <response>,
// <reasoning>, <label>, <rubric>, <response_a>, <response_b> and their closing forms)
// neutralised ('<' written "&lt;") and, when `one_line`, newlines as spaces.
void AppendShown(std::string_view text, std::size_t max_bytes, bool one_line, std::string& out);


inline constexpr std::string_view kCheckNames[] = {"auto",    "contains", "regex", "answer",
                                                   "numeric", "math",     "judge"};
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
  std::int64_t max_items_per_call = 32;
  Json numeric = {};
  Json math = {};
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
            "compares), numeric (the extracted answer's number equals the item's number as "
            "match.numeric compares, with the `numeric` options), math (the answer is "
            "mathematically equal to the item as math.verify decides, with the `math` options), "
            "judge.",
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
      Field{"max_items_per_call", &ItemsOptions::max_items_per_call,
            "Judged items are split into chunks of at most this many; each chunk is its own "
            "judge call (per block), all in flight together.",
            {.min = 1, .max = 1024}},
      Field{"numeric", &ItemsOptions::numeric,
            "Options of match.numeric (rel_tol, abs_tol, exact_integers, relaxed, ...) for "
            "numeric items, as a mapping; null: its defaults."},
      Field{"math", &ItemsOptions::math,
            "Options of math.verify (profile, leniencies, ...) for math items, as a mapping; "
            "null: its defaults."},
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

// The checking half of rubric.items, shared with rubric.auto (which checks the items a judge
// generated exactly as rubric.items checks judged items). Immutable; copies share the state.
class ItemChecker {
 public:
  // `options.items` is ignored: the rubric comes with each Plan.
  static StatusOr<ItemChecker> Make(const ItemsOptions& options, const BuildContext& build);

  // Reads `rubric` (a list of items, as rubric.items reads a reference rubric; a bad one is
  // decided Unscorable/Error), checks the deterministic items and lists the judge calls.
  backends::ModelPlan Plan(const Sample& sample, const Json& rubric) const;
  // The score from the plan's replies (one per request, in order).
  Score Interpret(const backends::ModelPlan& plan,
                  std::span<const backends::Reply* const> replies) const;

  struct Impl;

 private:
  // rubric.items keeps its `items:` option pre-read in the Impl's form.
  friend StatusOr<std::unique_ptr<const Reward>> MakeItems(const ItemsOptions& options,
                                                           const BuildContext& build);
  explicit ItemChecker(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

inline constexpr std::string_view kPairwiseReferenceNames[] = {"sample", "peer"};

// What rubric.auto and rubric.pairwise share: the generation call.
struct GenerateOptions {
  std::string backend = {};
  std::int64_t items = 5;
  double temperature = 0;
  std::int64_t max_tokens = 1024;
  std::int64_t max_field_bytes = 32768;
};

struct AutoOptions : GenerateOptions {
  bool strict = false;
  std::string blocks = "none";
  std::int64_t max_blocks = 8;
  std::int64_t max_items_per_call = 32;
  static constexpr auto kGenerateFields = std::tuple{
      Field{"backend", &GenerateOptions::backend,
            "The chat backend (an entry of the config's backends:) that writes and checks the "
            "rubric."},
      Field{"items", &GenerateOptions::items,
            "How many rubric items the judge is asked to write per prompt (ARR: 5); a reply "
            "with more is Error(judge_unparseable).",
            {.min = 1, .max = 256}},
      Field{"temperature", &GenerateOptions::temperature, "Judge sampling temperature.",
            {.min = 0, .max = 2}},
      Field{"max_tokens", &GenerateOptions::max_tokens, "Judge reply token limit.",
            {.min = 1, .max = 65536}},
      Field{"max_field_bytes", &GenerateOptions::max_field_bytes,
            "Each text shown to the judge is cut to this many bytes.", {.min = 64}},
  };
  static constexpr auto kFields = std::tuple_cat(
      kGenerateFields,
      std::tuple{
          Field{"strict", &AutoOptions::strict, "partial_support counts 0 instead of 0.5."},
          Field{"blocks", &AutoOptions::blocks, "As rubric.items: none or paragraph.",
                {.choices = kBlockNames}},
          Field{"max_blocks", &AutoOptions::max_blocks, "As rubric.items.",
                {.min = 1, .max = 64}},
          Field{"max_items_per_call", &AutoOptions::max_items_per_call, "As rubric.items.",
                {.min = 1, .max = 1024}},
      });
};

struct PairwiseOptions : GenerateOptions {
  std::string reference = "sample";
  double lambda = 1;
  double gamma = 1;
  double tie = 0;
  static constexpr auto kFields = std::tuple_cat(
      AutoOptions::kGenerateFields,
      std::tuple{
          Field{"reference", &PairwiseOptions::reference,
                "The comparison response: sample (the sample's reference, a string) or peer "
                "(the next member of the sample's group, cyclically in batch order: for RPO's "
                "two outputs per prompt, the other one).",
                {.choices = kPairwiseReferenceNames}},
          Field{"lambda", &PairwiseOptions::lambda,
                "Reward when the judge prefers the completion in both orders.", {.min = 0}},
          Field{"gamma", &PairwiseOptions::gamma,
                "The reward is -gamma when the judge prefers the comparison in both orders.",
                {.min = 0}},
          Field{"tie", &PairwiseOptions::tie,
                "Reward when the orders disagree or the judge answers TIE."},
      });
};

StatusOr<std::unique_ptr<const Reward>> MakeAuto(const AutoOptions& options,
                                                 const BuildContext& build);
StatusOr<std::unique_ptr<const Reward>> MakePairwise(const PairwiseOptions& options,
                                                     const BuildContext& build);

}  // namespace merit::rubric

#endif  // MERIT_REWARDS_RUBRIC_RUBRIC_H_
