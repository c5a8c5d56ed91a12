// The players of a Shapley explanation (spec B §21) taken from one sample, and the sample that a
// coalition of them leaves:
//
//   segments        the completion's sentences           v(S): the completion rebuilt from the
//   sub_sentences   ... or its clauses                    pieces in S, in their original order,
//   paragraphs      blank-line-separated paragraphs       each keeping its own trailing separator
//   steps           the trajectory's steps: an assistant message and the messages after it up to
//                   the next assistant message (its tool results); the final answer is a step too.
//                   Messages before the first assistant message (system, user) are always kept.
//                   v(S): the trajectory with only the steps in S.
//   rubric          the items of the reference's rubric (reference.rubric, reference.rubrics, or
//                   the reference itself when it is a list). v(S): absent items are either dropped
//                   (RubricAbsent::kDrop) or kept with their weight but never met (kUnmet).
//
// Duplicate components are distinct players (spec). Text pieces of a string completion, or of
// the last assistant message of a chat completion (the message whose content is
// completion_text), are the ones split.
//
// Thread safety: a PlayerSet is immutable after Create; Build may be called concurrently.
#ifndef MERIT_EXPLAIN_PLAYERS_H_
#define MERIT_EXPLAIN_PLAYERS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/sample.h"
#include "merit/status.h"

#include "explain/shapley.h"

namespace merit::explain {

enum class PlayerKind : std::uint8_t { kSegments, kSubSentences, kParagraphs, kSteps, kRubric };

inline constexpr std::string_view kPlayerKindNames[] = {"segments", "sub_sentences", "paragraphs",
                                                        "steps", "rubric"};

std::string_view PlayerKindName(PlayerKind kind);
std::optional<PlayerKind> PlayerKindFromName(std::string_view name);

// How a rubric item that is not in the coalition is removed. kUnmet keeps the rubric's total
// weight, so for a weighted-mean rubric v is additive and φ_i is item i's weighted contribution
// w_i·V_i / Σw; kDrop is the spec's literal "only those items" (then v(∅) is a rubric with no
// items, which rubric.items does not score).
enum class RubricAbsent : std::uint8_t { kUnmet, kDrop };

struct PlayerOptions {
  PlayerKind kind = PlayerKind::kSegments;
  RubricAbsent rubric_absent = RubricAbsent::kUnmet;
  std::size_t min_words = 5;  // sub_sentences: SplitSubSentences' minimum clause length.
};

struct Player {
  std::string text = {};  // The component as the reader sees it (a sentence, an item's text).
  // Byte offsets into completion_text, for text pieces; nullopt for steps and rubric items.
  std::optional<std::size_t> start = {};
  std::optional<std::size_t> end = {};
};

class PlayerSet {
 public:
  // The players of `sample` (which must outlive the set). Errors: kInvalidArgument when the
  // sample has no such components to split: steps of a completion that is not chat messages,
  // a rubric when the reference holds none, a chat completion whose last assistant message
  // content is not text.
  static StatusOr<PlayerSet> Create(const Sample& sample, const PlayerOptions& options);

  std::size_t size() const { return players_.size(); }

  const std::vector<Player>& players() const { return players_; }

  // The sample with only the players in `coalition` present; *out is caller scratch. For the
  // text and step kinds it has no num_tokens, logprobs or ref_logprobs (they described the
  // whole completion), so the full sample is scored as given, not rebuilt.
  void Build(Coalition coalition, Sample* out) const;

 private:
  PlayerSet(const Sample& sample, const PlayerOptions& options)
      : sample_(&sample), options_(options) {}

  void BuildText(Coalition coalition, Sample* out) const;
  void BuildSteps(Coalition coalition, Sample* out) const;
  void BuildRubric(Coalition coalition, Sample* out) const;

  const Sample* sample_;
  PlayerOptions options_;
  std::vector<Player> players_;
  // Text kinds: where each piece starts in completion_text, and which chat message carries the
  // text (nullopt when the completion is a string).
  std::vector<std::size_t> piece_starts_;
  std::optional<std::size_t> text_message_;
  // Steps: the first message of each step; messages before the first are always kept.
  std::vector<std::size_t> step_starts_;
  // Rubric: the key holding the list in an object reference ("" when the reference is the list).
  std::string rubric_key_;
};

// Paragraphs of `text`: maximal runs of lines that are not blank, as [start, end) byte offsets
// with surrounding whitespace trimmed.
struct TextRange {
  std::size_t start = 0;
  std::size_t end = 0;
};
std::vector<TextRange> SplitParagraphs(std::string_view text);

// The text left by the pieces in `coalition`: text before the first piece, then each kept piece
// from its start up to the next piece's start (so a kept piece keeps its own separator).
// REQUIRES: piece_starts ascending, each <= text.size().
void RebuildText(std::string_view text, const std::vector<std::size_t>& piece_starts,
                 Coalition coalition, std::string& out);

}  // namespace merit::explain

#endif  // MERIT_EXPLAIN_PLAYERS_H_
