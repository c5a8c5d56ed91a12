// The subcommands of `merit`. Each lives in its own file and returns the process exit code
// (style.md B4: 0 ok, 1 internal, 2 bad config or arguments, 3 limits).
#ifndef MERIT_TOOLS_CLI_COMMANDS_H_
#define MERIT_TOOLS_CLI_COMMANDS_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "merit/status.h"

namespace merit::internal {
class LineReader;
struct LineBatch;
}  // namespace merit::internal

namespace merit::cli {

struct ScoreArgs {
  std::string config;
  std::string input = "-";
  std::string output = "-";
  std::size_t threads = 1;
  std::size_t batch_lines = 8192;
  std::size_t max_line_bytes = 16u << 20;
  bool strict = false;
  bool quiet = false;
  std::string summary_json;  // Also write the summary as JSON here.
};

struct ServeArgs {
  std::vector<std::string> configs;  // "PATH" or "NAME=PATH"; the first is the default.
  std::string host = "127.0.0.1";
  int port = 8000;
  std::size_t threads = 0;  // Scoring threads per engine (0: all cores).
  std::size_t workers = 0;  // Batches scored at once (0: as many as threads).
  std::size_t queue = 64;   // Batches waiting beyond the workers; more get 429.
  std::size_t http_threads = 128;
  std::size_t max_batch = 8192;
  std::size_t max_body_mb = 32;
  std::size_t max_sample_bytes = 16u << 20;
  std::int64_t timeout_ms = 30000;
  std::int64_t max_timeout_ms = 300000;
  std::string token_env;
  bool quiet = false;
};

struct ExplainArgs {
  std::string config;
  std::string input = "-";
  std::string output = "-";
  std::string players = "segments";  // segments | sub_sentences | steps | rubric | paragraphs
  std::string method = "auto";       // auto | exact | permutation
  std::string rubric_absent = "unmet";
  std::size_t min_words = 5;
  std::size_t max_exact = 12;
  std::size_t permutations = 64;
  std::uint64_t seed = 1;
  std::size_t max_players = 64;
  std::size_t max_evaluations = 8192;
  std::size_t threads = 1;
  std::size_t batch_lines = 16;
  std::size_t max_line_bytes = 16u << 20;
  bool quiet = false;
};

int RunScore(const ScoreArgs& args);
int RunExplain(const ExplainArgs& args);
int RunServe(const ServeArgs& args);
int RunList(bool markdown);
int RunDescribe(const std::string& name);
int RunValidate(const std::string& config);

// Prints "merit: <message>" to stderr and returns the exit code for `status`.
int ReportError(const Status& status);

// A file the commands read or write; stdin/stdout are never closed.
struct FileCloser {
  void operator()(std::FILE* f) const;
};
using File = std::unique_ptr<std::FILE, FileCloser>;
// `path`, or `dash` when path is "-". kNotFound "<path>: cannot open".
StatusOr<File> OpenFile(const std::string& path, const char* mode, std::FILE* dash);

// Reads up to `max_lines` more lines into `batch`, numbering them after `line_number` (which it
// advances). Returns true when the input has ended. Errors: a read error, prefixed by `input`.
StatusOr<bool> ReadLines(internal::LineReader& reader, const std::string& input,
                         std::size_t max_lines, internal::LineBatch& batch,
                         std::size_t& line_number);

}  // namespace merit::cli

#endif  // MERIT_TOOLS_CLI_COMMANDS_H_
