// LineScorer: JSONL lines in, JSONL lines out. The hot path of `merit score` and of the Python
// module: parsing, field mapping, scoring and formatting all run on the engine's pool.
//
// Output contract: exactly one output line per input line, in input order. A scored line is the
// input object plus "reward", "status", "components" and, when present, "reason",
// "explanation" and "advantage". A line that cannot be used (malformed JSON, invalid UTF-8, too
// long, too deep, missing fields) becomes {"line": N, "reward": null, "status": "error",
// "reason": ..., "explanation": ...}, echoing the input object when it parsed.
#ifndef MERIT_IO_LINE_SCORER_H_
#define MERIT_IO_LINE_SCORER_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/engine.h"

#include "engine/engine_state.h"
#include "io/summary.h"

namespace merit::internal {

struct LineScorerOptions {
  std::size_t max_line_bytes = 16u << 20;  // Longer lines are errors (reason line_too_long).
  std::size_t max_json_depth = 64;
  // Echo the input object in each output line (merit score's format). Off: results carry only
  // merit's keys, and an error line only "line" (its 1-based position) and the error keys (the
  // HTTP server, whose callers already hold their samples).
  bool echo_input = true;
};

// One batch of lines and everything derived from them. Reused across batches so that buffers
// keep their capacity.
struct LineBatch {
  std::vector<std::string> raw;         // The input lines, without the newline.
  std::vector<std::size_t> line_no;     // 1-based input line numbers.
  std::vector<std::uint8_t> oversized;  // The reader truncated this line.
  std::vector<Json> objects;            // Parsed objects (null for unparsable lines); emptied
                                        // by mapping unless `reserialize` is set.
  std::vector<std::uint8_t>
      reserialize;  // The object has keys merit writes: echo it re-serialised.
  std::vector<Sample> samples;
  std::vector<std::uint8_t> usable;        // 1 when the line parsed and mapped.
  std::vector<merit::Score> input_errors;  // Why a line is not usable.
  std::vector<NodeScores> states;
  std::vector<JsonParser> parsers;        // Per pool slot; reused across batches (and scorers).

  std::size_t size() const { return raw.size(); }

  void Clear();
  void Add(std::string_view line, std::size_t number, bool truncated);
  // Moves lines [from, size()) to the front of `next` (which is cleared first).
  void MoveTailTo(std::size_t from, LineBatch& next);
};

class LineScorer {
 public:
  LineScorer(const Engine& engine, LineScorerOptions options = {});

  // Parses and maps every line of `batch` (in parallel).
  void Parse(LineBatch& batch) const;

  // Where to cut `batch` so that no group straddles two calls of ScoreAndFormat: the start of
  // the trailing run of lines whose group equals the last usable line's group. Returns
  // batch.size() when grouping does not matter (no advantages, no group-level aggregator).
  std::size_t GroupSafeCut(const LineBatch& batch) const;
  bool needs_whole_groups() const;

  // Scores lines [0, count) of a parsed batch and appends one output line ('\n'-terminated) per
  // input line to `out`, updating `summary`.
  void ScoreAndFormat(LineBatch& batch, std::size_t count, std::string& out,
                      Summary& summary) const;

  std::vector<std::string> ComponentNames() const { return engine_.ComponentNames(); }

 private:
  const Engine& engine_;
  const EngineState& state_;
  const LineScorerOptions options_;
  std::vector<std::string> component_keys_;  // "\"name\":" per node, escaped once.
  std::vector<std::size_t> corpus_nodes_;     // Leaves whose rewards have corpus statistics.
};

}  // namespace merit::internal

#endif  // MERIT_IO_LINE_SCORER_H_
