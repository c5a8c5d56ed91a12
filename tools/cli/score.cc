// `merit score`: stream JSONL through the engine in bounded memory, one output line per input
// line, in input order, identical whatever -j.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <unordered_set>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "merit/engine.h"

#include "commands.h"
#include "io/jsonl_stream.h"
#include "io/line_scorer.h"

namespace merit::cli {
namespace {

// Progress on stderr (count, rate, ETA), only when a person is watching.
class Progress {
 public:
  // `total_bytes` is the input's size when known (a regular file), else 0 (no ETA).
  Progress(bool enabled, std::uint64_t total_bytes)
      : enabled_(enabled), total_bytes_(total_bytes), start_(std::chrono::steady_clock::now()) {}

  void Update(std::uint64_t done, std::uint64_t bytes) {
    if (!enabled_) {
      return;
    }
    const double seconds = Elapsed();
    if (seconds - last_ < 0.2) {
      return;
    }
    last_ = seconds;
    std::string eta;
    if (total_bytes_ > 0 && bytes > 0 && bytes <= total_bytes_) {
      const double remaining =
          seconds * static_cast<double>(total_bytes_ - bytes) / static_cast<double>(bytes);
      eta = fmt::format("  {:.0f}%  ETA {:.0f} s",
                        100.0 * static_cast<double>(bytes) / static_cast<double>(total_bytes_),
                        remaining);
    }
    std::fprintf(stderr, "\r%llu samples  %.0f samples/s%s\033[K",
                 static_cast<unsigned long long>(done),
                 static_cast<double>(done) / std::max(seconds, 1e-9), eta.c_str());
  }

  void Finish() {
    if (enabled_) {
      std::fprintf(stderr, "\r\033[K");
    }
  }

  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  bool enabled_;
  std::uint64_t total_bytes_;
  std::chrono::steady_clock::time_point start_;
  double last_ = 0;
};

// Writes one batch's output while the next batch is read and scored. At most one write is in
// flight, so memory stays at two batches of output.
class AsyncWriter {
 public:
  explicit AsyncWriter(std::FILE* file) : file_(file) {}

  ~AsyncWriter() { (void)Wait(); }

  // Takes `data` (leaving the caller an empty buffer to reuse); false if an earlier write failed.
  bool Write(std::string& data) {
    if (!Wait()) {
      return false;
    }
    std::swap(in_flight_, data);
    data.clear();
    pending_ = std::async(std::launch::async, [this] {
      return std::fwrite(in_flight_.data(), 1, in_flight_.size(), file_) == in_flight_.size();
    });
    return true;
  }

  // Waits for the write in flight; false if it failed.
  bool Wait() {
    if (!pending_.valid()) {
      return true;
    }
    return pending_.get();
  }

 private:
  std::FILE* file_;
  std::string in_flight_;
  std::future<bool> pending_;
};

// Remembers which groups were already closed, to warn when the input is not sorted by group.
// Hashes only, so memory stays small for millions of groups.
class GroupTracker {
 public:
  void Close(const std::string& group, internal::Summary& summary) {
    if (group.empty()) {
      return;
    }
    if (!closed_.insert(std::hash<std::string>{}(group)).second) {
      summary.AddSplitGroup();
    }
  }

 private:
  std::unordered_set<std::size_t> closed_;
};

}  // namespace

int RunScore(const ScoreArgs& args) {
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

  const internal::LineScorer scorer(*engine, {.max_line_bytes = args.max_line_bytes});
  internal::Summary summary(engine->ComponentNames());
  internal::LineReader reader(in->get(), args.max_line_bytes);

  struct stat info {};

  const std::uint64_t input_bytes = fstat(fileno(in->get()), &info) == 0 && S_ISREG(info.st_mode)
                                        ? static_cast<std::uint64_t>(info.st_size)
                                        : 0;
  Progress progress(isatty(STDERR_FILENO) && !args.quiet, input_bytes);
  GroupTracker groups;

  internal::LineBatch batch;
  internal::LineBatch carry;
  std::string output;
  AsyncWriter writer(out->get());
  std::size_t line_number = 0;
  bool at_end = false;
  while (!at_end || batch.size() > 0) {
    // Fill the batch up to batch_lines new lines (carried lines come first).
    if (!at_end) {
      StatusOr<bool> ended = ReadLines(reader, args.input, args.batch_lines, batch, line_number);
      if (!ended.ok()) {
        return ReportError(ended.status());
      }
      at_end = *ended;
    }
    if (batch.size() == 0) {
      break;
    }
    scorer.Parse(batch);
    std::size_t cut = at_end ? batch.size() : scorer.GroupSafeCut(batch);
    if (cut == 0) {
      // One group fills the whole batch: keep reading until it ends (bounded by the group).
      if (batch.size() < (args.batch_lines << 6)) {
        continue;
      }
      cut = batch.size();
    }
    output.clear();
    scorer.ScoreAndFormat(batch, cut, output, summary);
    if (scorer.needs_whole_groups()) {
      std::string previous;
      for (std::size_t i = 0; i < cut; ++i) {
        if (batch.usable[i] && batch.samples[i].group != previous) {
          previous = batch.samples[i].group;
          groups.Close(previous, summary);
        }
      }
    }
    if (!writer.Write(output)) {
      return ReportError(InternalError(fmt::format("{}: write failed", args.output)));
    }
    batch.MoveTailTo(cut, carry);
    std::swap(batch, carry);
    progress.Update(summary.total(), reader.bytes_consumed());
  }
  if (!writer.Wait() || std::fflush(out->get()) != 0) {
    return ReportError(InternalError(fmt::format("{}: write failed", args.output)));
  }
  progress.Finish();
  summary.SetElapsed(progress.Elapsed());
  if (!args.quiet) {
    std::fputs(summary.ToText(engine->config_hash()).c_str(), stderr);
  }
  if (!args.summary_json.empty()) {
    std::ofstream json(args.summary_json);
    json << summary.ToJson(engine->config_hash()).Dump() << "\n";
    if (!json) {
      return ReportError(NotFoundError(args.summary_json + ": cannot write summary"));
    }
  }
  if (args.strict && summary.count("error") > 0) {
    return 1;
  }
  return 0;
}

int RunValidate(const std::string& path) {
  StatusOr<Config> config = LoadConfigFile(path);
  if (!config.ok()) {
    return ReportError(config.status());
  }
  const Registry registry = BuiltinRegistry();
  StatusOr<Engine> engine = Engine::Create(*config, registry);
  if (!engine.ok()) {
    return ReportError(engine.status());
  }
  std::printf("%s: ok (config hash %s; components: %s)\n", path.c_str(),
              engine->config_hash().c_str(),
              fmt::format("{}", fmt::join(engine->ComponentNames(), ", ")).c_str());
  return 0;
}

}  // namespace merit::cli
