// The shared parity fixtures the text benchmarks time merit on (../shared/data: 10,000 WMT17
// en-de pairs, 9,942 English ROUGE pairs), read into Samples once before timing.
#ifndef MERIT_BENCH_TEXT_TEXT_FIXTURE_H_
#define MERIT_BENCH_TEXT_TEXT_FIXTURE_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/reward.h"

namespace merit::bench_text {

// The fixture directory: --data=DIR among the arguments, else $MERIT_DATA_DIR, else
// ../shared/data beside the repository (absent in a user's clone).
inline std::string DataDir(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--data=")) {
      return std::string(arg.substr(7));
    }
  }
  if (const char* dir = std::getenv("MERIT_DATA_DIR"); dir != nullptr) {
    return dir;
  }
  return (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "shared" / "data")
      .string();
}

struct Fixture {
  std::vector<Sample> samples;  // Completion and reference of each row, as production sees them.
  std::vector<Json> rows;       // The rows themselves, for the peers' recorded scores.
};

// The JSONL file at `path` (empty when absent), each row's completion at `hyp_key` and
// reference at `ref_key`.
inline Fixture Load(const std::string& path, std::string_view hyp_key, std::string_view ref_key) {
  Fixture fixture;
  std::ifstream in(path);
  std::string line;
  JsonParser parser;
  while (std::getline(in, line)) {
    Json row = parser.Parse(line).value();
    Sample sample;
    sample.completion_text = row.Find(hyp_key)->str();
    sample.reference = *row.Find(ref_key);
    fixture.samples.push_back(std::move(sample));
    fixture.rows.push_back(std::move(row));
  }
  return fixture;
}

}  // namespace merit::bench_text

#endif  // MERIT_BENCH_TEXT_TEXT_FIXTURE_H_
