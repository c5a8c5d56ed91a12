// Config: the parsed form of a merit config file (YAML or JSON), before it is compiled into an
// Engine. design.md §3 gives the format:
//
//   fields: verl                    # or a mapping {completion: solution_str, reference: ...}
//   reward: {type: weighted_sum, children: [...]}
//   advantages: {type: grpo, epsilon: 1.0e-6}
#ifndef MERIT_CONFIG_H_
#define MERIT_CONFIG_H_

#include <string>
#include <string_view>

#include "merit/json.h"
#include "merit/status.h"

namespace merit {

struct Config {
  std::string source;  // The file path, or a label such as "<dict>"; prefixes every error.
  Json root;           // The whole document.
  std::string hash;    // Stable hash of the canonical config and merit's version (16 hex digits).
};

// Errors: kNotFound (no such file), kInvalidArgument (syntax, or not a mapping at the top, with
// file and line).
StatusOr<Config> LoadConfigFile(const std::string& path);
// Parses YAML or JSON text. `source` labels errors.
StatusOr<Config> ParseConfig(std::string_view text, std::string source);
// Wraps an already-parsed document (the Python module's from_dict).
StatusOr<Config> ConfigFromJson(Json root, std::string source);

// merit's version string, part of every config hash.
std::string_view MeritVersion();

}  // namespace merit

#endif  // MERIT_CONFIG_H_
