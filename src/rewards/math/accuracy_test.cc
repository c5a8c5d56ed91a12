// math.verify against the labelled answer-equivalence sets in ../shared/data/math_equiv
// (see its README for sources and known label noise). Floors are what merit reaches today, so a
// regression fails; bench/math_accuracy.py prints every disagreement.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "merit/engine.h"
#include "merit/json.h"
#include "merit/sample.h"

#include "testutil/testutil.h"

namespace merit {
namespace {

namespace fs = std::filesystem;

struct Set {
  std::string_view file;
  std::string_view field;  // Where the completion is: "pred" or "response".
  double floor;            // Accuracy floor.
  double math_verify;      // Math-Verify 0.8.0's accuracy on the same rows (issue 3).
};

constexpr Set kSets[] = {
    {"prm800k_answers", "pred", 0.91, 0.909},
    {"qwen_math_cot100_answers", "pred", 0.998, 0.9988},
    {"gsm8k_model_answers", "pred", 0.9999, 1.0},
    {"processbench_math", "response", 0.99, 0.985},
    {"processbench_olympiadbench", "response", 0.964, 0.9625},
    {"processbench_omnimath", "response", 0.984, 0.9846},
    {"processbench_gsm8k", "response", 0.98, 0.9825},
};

TEST(MathAccuracy, LabelledSets) {
  const fs::path dir = fs::path(MERIT_SOURCE_DIR) / ".." / "shared" / "data" / "math_equiv";
  if (!fs::exists(dir)) GTEST_SKIP() << "no data at " << dir << " (../shared/data/math_equiv)";
  const Engine engine = testutil::MakeEngine("reward: {type: math.verify}");
  JsonParser parser;
  for (const Set& set : kSets) {
    SCOPED_TRACE(set.file);
    std::ifstream in(dir / (std::string(set.file) + ".jsonl"));
    if (!in) {
      ADD_FAILURE() << "missing " << set.file;
      continue;
    }
    std::vector<Sample> samples;
    std::vector<bool> labels;
    std::string line;
    while (std::getline(in, line)) {
      StatusOr<Json> row = parser.Parse(line);
      ASSERT_TRUE(row.ok()) << row.status().ToString();
      const Json* completion = row->Find(set.field);
      const Json* gold = row->Find("gold");
      const Json* label = row->Find("label");
      ASSERT_TRUE(completion && gold && label);
      Sample s;
      s.completion_text = completion->str();
      s.reference = *gold;
      samples.push_back(std::move(s));
      labels.push_back(label->boolean());
    }
    const std::vector<Result> results = engine.ScoreBatch(samples);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const bool said = results[i].reward.has_value() && *results[i].reward == 1.0;
      agree += said == labels[i];
    }
    const double accuracy = static_cast<double>(agree) / static_cast<double>(results.size());
    std::printf("%-28s n=%5zu accuracy %.4f (floor %.4f, Math-Verify %.4f)\n",
                std::string(set.file).c_str(), results.size(), accuracy, set.floor,
                set.math_verify);
    EXPECT_GE(accuracy, set.floor);
  }
}

}  // namespace
}  // namespace merit
