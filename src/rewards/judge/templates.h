// Prompt templates of the judge rewards (docs/judges.md shows the defaults).
//
// A template is text with placeholders: {question}, {reference}, {response}, {response_a},
// {response_b}, {principles}, {dimensions}, {min}, {max}; "{{" and "}}" are literal braces. Each
// judge accepts its own subset, and its templates must insert the inputs it cannot do without
// (verify: {reference} and {response}); anything else is a config error naming the placeholder.
//
// Inserted text cannot forge the prompt's structure: an opening or closing tag of the judge
// prompts (<response>, </response_a>, <question ...>, any letter case) has its '<' written as
// "&lt;", and a line that starts with a reply or prompt keyword (VERDICT:, SCORE:, WINNER:,
// SCALE:, DIMENSIONS:) is quoted with "> ". Each inserted text is also bounded: past
// `max_field_bytes`, its middle is replaced by "[... N bytes omitted ...]".
//
// Thread safety: a Template is immutable after Compile and may be rendered concurrently.
#ifndef MERIT_REWARDS_JUDGE_TEMPLATES_H_
#define MERIT_REWARDS_JUDGE_TEMPLATES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/status.h"

namespace merit::judge {

enum class Slot : std::uint8_t {
  kQuestion,
  kReference,
  kResponse,
  kResponseA,
  kResponseB,
  kPrinciples,
  kDimensions,
  kMin,
  kMax,
};
inline constexpr std::size_t kSlotCount = 9;
// Placeholder names, indexed by Slot.
inline constexpr std::string_view kSlotNames[kSlotCount] = {
    "question", "reference", "response", "response_a", "response_b",
    "principles", "dimensions", "min", "max"};

enum class JudgeKind : std::uint8_t { kVerify, kScore, kPairwise, kCritique, kGap };

// The text each slot is filled with (views: they must outlive the Render call).
struct SlotValues {
  std::array<std::string_view, kSlotCount> text = {};
  void Set(Slot slot, std::string_view value) { text[static_cast<std::size_t>(slot)] = value; }
  std::string_view Get(Slot slot) const { return text[static_cast<std::size_t>(slot)]; }
};

class Template {
 public:
  // Errors (kInvalidArgument): a placeholder not in `allowed` ("unknown placeholder {answer} ...,
  // this judge accepts {question}, ..."), or a '{' that starts neither "{{" nor a placeholder.
  static StatusOr<Template> Compile(std::string_view text, std::span<const Slot> allowed);

  // The same for prompts with their own placeholders (rubric.carr, step.slate, ...): a placeholder
  // is one of `names`, and RenderNamed fills names[i] with values[i]. No Slot is involved. Inserted
  // text can forge neither the judge tags above nor any tag the template's own text uses.
  static StatusOr<Template> CompileNamed(std::string_view text,
                                         std::span<const std::string_view> names);

  bool Uses(Slot slot) const;
  // Appends the template with `values` inserted (neutralised and bounded, see above).
  void RenderTo(const SlotValues& values, std::size_t max_field_bytes, std::string& out) const;
  void RenderNamed(std::span<const std::string_view> values, std::size_t max_field_bytes,
                   std::string& out) const;

 private:
  static StatusOr<Template> CompileWith(std::string_view text,
                                        std::span<const std::string_view> names,
                                        std::span<const int> ids);

  struct Piece {
    std::string literal = {};
    int slot = -1;  // >= 0: insert this slot's value instead of `literal`.
  };
  std::vector<Piece> pieces_;
  std::vector<std::string> own_tags_;  // CompileNamed only: tags of the template's own text.
};

// The two messages of one judge's prompt.
struct Prompt {
  Template system;
  Template user;
  // Used instead of `user` when the principles slot is non-empty (the default judge.score prompt
  // adds a principles block; an overridden template is the same either way).
  Template user_with_principles;
};

// The prompt of `kind`: the defaults, or the given non-empty overrides. Errors name the option
// (system_prompt / prompt_template) and the placeholder.
StatusOr<Prompt> MakePrompt(JudgeKind kind, std::string_view system_prompt,
                            std::string_view prompt_template);

// The default texts, for docs and tests.
std::string_view DefaultSystemPrompt(JudgeKind kind);
std::string_view DefaultUserTemplate(JudgeKind kind, bool with_principles);

// Appends `text` with structural tags and keyword lines neutralised (see the file comment).
void AppendNeutralized(std::string_view text, std::string& out);

}  // namespace merit::judge

#endif  // MERIT_REWARDS_JUDGE_TEMPLATES_H_
