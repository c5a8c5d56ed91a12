// The subcommands of `merit`. Each lives in its own file and returns the process exit code
// (style.md B4: 0 ok, 1 internal, 2 bad config or arguments, 3 limits).
#ifndef MERIT_TOOLS_CLI_COMMANDS_H_
#define MERIT_TOOLS_CLI_COMMANDS_H_

#include <cstddef>
#include <string>

#include "merit/status.h"

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

int RunScore(const ScoreArgs& args);
int RunList(bool markdown);
int RunDescribe(const std::string& name);
int RunValidate(const std::string& config);

// Prints "merit: <message>" to stderr and returns the exit code for `status`.
int ReportError(const Status& status);

}  // namespace merit::cli

#endif  // MERIT_TOOLS_CLI_COMMANDS_H_
