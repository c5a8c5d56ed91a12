// `merit explain`: Shapley attributions of each line's reward to its players (segments, steps,
// rubric items, paragraphs), one output line per input line, in input order. See docs/explain.md.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "merit/engine.h"

#include "commands.h"
#include "explain/explain.h"
#include "io/jsonl_stream.h"
#include "io/line_scorer.h"

namespace merit::cli {

int RunExplain(const ExplainArgs& args) {
  const std::optional<explain::PlayerKind> kind = explain::PlayerKindFromName(args.players);
  if (!kind) {
    return ReportError(
        InvalidArgumentError(fmt::format("--players: unknown kind \"{}\"", args.players)));
  }
  explain::ExplainOptions options{
      .players = {.kind = *kind,
                  .rubric_absent = args.rubric_absent == "drop" ? explain::RubricAbsent::kDrop
                                                                : explain::RubricAbsent::kUnmet,
                  .min_words = args.min_words},
      .method = args.method == "exact"         ? explain::MethodChoice::kExact
                : args.method == "permutation" ? explain::MethodChoice::kPermutation
                                               : explain::MethodChoice::kAuto,
      .max_exact = args.max_exact,
      .permutations = args.permutations,
      .seed = args.seed,
      .max_players = args.max_players,
      .max_evaluations = args.max_evaluations,
  };

  StatusOr<Config> config = LoadConfigFile(args.config);
  if (!config.ok()) {
    return ReportError(config.status());
  }
  const Registry registry = BuiltinRegistry();
  StatusOr<Engine> engine = Engine::Create(*config, registry, {.threads = args.threads});
  if (!engine.ok()) {
    return ReportError(engine.status());
  }
  StatusOr<File> in = OpenFile(args.input, "rb", stdin);
  if (!in.ok()) {
    return ReportError(in.status());
  }
  StatusOr<File> out = OpenFile(args.output, "wb", stdout);
  if (!out.ok()) {
    return ReportError(out.status());
  }

  // The score command's parsing and field mapping, so a bad line gets the same reason here.
  const internal::LineScorer scorer(*engine, {.max_line_bytes = args.max_line_bytes,
                                              .echo_input = false});
  internal::LineReader reader(in->get(), args.max_line_bytes);
  internal::LineBatch batch;
  std::vector<Sample> samples;
  std::string output;
  std::size_t line_number = 0;
  std::size_t explained = 0;
  bool at_end = false;
  while (!at_end) {
    batch.Clear();
    // Lines per ExplainBatch: their coalitions are scored together, in parallel.
    StatusOr<bool> ended = ReadLines(reader, args.input, args.batch_lines, batch, line_number);
    if (!ended.ok()) {
      return ReportError(ended.status());
    }
    at_end = *ended;
    if (batch.size() == 0) {
      break;
    }
    scorer.Parse(batch);
    samples.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch.usable[i]) {
        samples.push_back(std::move(batch.samples[i]));
      }
    }
    const std::vector<explain::Explanation> explanations =
        explain::ExplainBatch(*engine, samples, options);
    output.clear();
    std::size_t next = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch.usable[i]) {
        explain::AppendExplanationJson(batch.line_no[i], samples[next].id, *kind,
                                       explanations[next], output);
        explained += explanations[next].error.empty() ? 1 : 0;
        ++next;
      } else {
        const merit::Score& error = batch.input_errors[i];
        explain::AppendLineErrorJson(batch.line_no[i], std::nullopt, error.reason,
                                     error.explanation, output);
      }
      output += '\n';
    }
    if (std::fwrite(output.data(), 1, output.size(), out->get()) != output.size()) {
      return ReportError(InternalError(fmt::format("{}: write failed", args.output)));
    }
  }
  if (std::fflush(out->get()) != 0) {
    return ReportError(InternalError(fmt::format("{}: write failed", args.output)));
  }
  if (!args.quiet) {
    std::fprintf(stderr, "merit explain: %zu lines, %zu explained, %zu error lines\n",
                 line_number, explained, line_number - explained);
  }
  return 0;
}

}  // namespace merit::cli
