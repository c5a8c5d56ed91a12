// Score (what one reward node says about one sample) and Result (what merit returns for it).
#ifndef MERIT_RESULT_H_
#define MERIT_RESULT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace merit {

// ok: the sample was scored (a wrong answer, or no answer at all, is ok with a low reward; the
//     policy must not escape a penalty by not answering).
// unscorable: the sample cannot be judged through no fault of the completion (no reference, a
//     reference that does not parse); reward is null and the sample is masked from advantages.
// error: an infrastructure or input failure (malformed input line, missing field, backend
//     down). Never a silent 0: reward is null and advantages mask it.
enum class ScoreStatus : std::uint8_t { kOk, kUnscorable, kError };

std::string_view ScoreStatusName(ScoreStatus status);  // "ok", "unscorable", "error"

// One checked item of a rubric (a nugget, a CaRR rubric): the per-item breakdown of a score.
struct ItemVerdict {
  std::string item = {};     // The item as it was checked (CaRR: its entities filled in).
  double value = 0.0;        // What it earned before weighting: 1 met, 0 not, 0.5 partial.
  double weight = 1.0;       // Its weight in the reward.
  std::string verdict = {};  // How it was decided, e.g. "partial_support (judge)".
  std::string component = {};  // The node that checked it; the engine fills it in.
};

// One node's verdict on one sample.
struct Score {
  double value = 0.0;  // Meaningful only when status is kOk.
  ScoreStatus status = ScoreStatus::kOk;
  std::string_view reason = {};  // Static machine-readable code ("no_answer"); may be empty.
  std::string explanation = {};  // Optional short human-readable text.
  // Per-item verdicts, from rewards that check a list of items; the engine gathers every node's
  // into Result::items.
  std::vector<ItemVerdict> items = {};

  static Score Ok(double value, std::string_view reason = {}) {
    return {.value = value, .status = ScoreStatus::kOk, .reason = reason};
  }

  static Score Unscorable(std::string_view reason, std::string explanation = {}) {
    return {.value = 0,
            .status = ScoreStatus::kUnscorable,
            .reason = reason,
            .explanation = std::move(explanation)};
  }

  static Score Error(std::string_view reason, std::string explanation = {}) {
    return {.value = 0,
            .status = ScoreStatus::kError,
            .reason = reason,
            .explanation = std::move(explanation)};
  }

  bool ok() const { return status == ScoreStatus::kOk; }
};

// A dense reward on a span of the completion (byte offsets), or on a step of a trajectory.
struct Span {
  std::size_t start = 0;
  std::size_t end = 0;
  double reward = 0.0;
  std::string component = {};
};

// The full result for one sample.
struct Result {
  std::optional<double> reward;  // nullopt unless status is kOk.
  ScoreStatus status = ScoreStatus::kOk;
  std::string reason;  // Machine-readable code; empty when there is nothing to say.
  std::string explanation;
  // One entry per node of the reward tree, in pre-order (root first); nullopt when not ok.
  std::vector<std::pair<std::string, std::optional<double>>> components;
  std::vector<Span> segments;
  std::vector<Span> steps;
  std::vector<Span> tokens;  // Token-level rewards: start = token index, end = start + 1.
  std::vector<ItemVerdict> items;  // Every node's Score::items, in pre-order, component set.
  std::optional<double> advantage;  // Present when the config asks for advantages.
};

}  // namespace merit

#endif  // MERIT_RESULT_H_
