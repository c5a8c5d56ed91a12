// Accuracy of match.numeric against human/automatic labels on real model answers from
// ../shared/data (see its README for sources and label noise). Skips when the data is absent, as
// in a user's clone.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

namespace merit {
namespace {

namespace fs = std::filesystem;

struct Agreement {
  std::size_t rows = 0;
  std::size_t agree = 0;
  std::size_t false_positives = 0;        // merit says correct, the label says wrong.
  std::size_t noisy_false_positives = 0;  // ... where the extracted pred equals gold verbatim.
  std::size_t false_negatives = 0;
};

// Scores `response` against `gold` with match.numeric and compares with `label`.
Agreement Measure(const fs::path& file) {
  const Registry registry = BuiltinRegistry();
  const Config config = ParseConfig(R"(
fields: {completion: response, reference: gold}
reward: {type: match.numeric}
)",
                                    "<accuracy>")
                            .value();
  const Engine engine = Engine::Create(config, registry, {.threads = 2}).value();
  std::ifstream in(file);
  std::string line;
  JsonParser parser;
  std::vector<Sample> samples;
  std::vector<Json> rows;
  while (std::getline(in, line)) {
    Json row = parser.Parse(line).value();
    Sample sample;
    EXPECT_TRUE(engine.MapSample(row, &sample).ok());
    samples.push_back(std::move(sample));
    rows.push_back(std::move(row));
  }
  const std::vector<Result> results = engine.ScoreBatch(samples);
  Agreement a;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool label = rows[i].Find("label")->boolean();
    const bool correct = results[i].reward == 1.0;
    ++a.rows;
    if (label == correct) {
      ++a.agree;
    } else if (correct) {
      ++a.false_positives;
      if (rows[i].Find("pred")->str() == rows[i].Find("gold")->str())
        ++a.noisy_false_positives;
    } else {
      ++a.false_negatives;
    }
  }
  std::printf(
      "%s: %zu rows, agreement %.4f, false positives %zu (%zu with pred == gold "
      "verbatim: label noise), false negatives %zu\n",
      file.filename().c_str(), a.rows, static_cast<double>(a.agree) / static_cast<double>(a.rows),
      a.false_positives, a.noisy_false_positives, a.false_negatives);
  return a;
}

fs::path DataDir() {
  return fs::path(MERIT_SOURCE_DIR) / ".." / "shared" / "data" / "math_equiv";
}

TEST(Gsm8kAccuracy, OpenAiModelSolutions) {
  const fs::path file = DataDir() / "gsm8k_model_answers.jsonl";
  if (!fs::exists(file))
    GTEST_SKIP() << "no " << file << " (../shared/data is not in a user's clone)";
  const Agreement a = Measure(file);
  EXPECT_EQ(a.rows, 5276u);
  EXPECT_EQ(a.agree, a.rows);  // OpenAI's labels are an automatic final-number check.
}

TEST(Gsm8kAccuracy, ProcessBenchGsm8k) {
  const fs::path file = DataDir() / "processbench_gsm8k.jsonl";
  if (!fs::exists(file))
    GTEST_SKIP() << "no " << file << " (../shared/data is not in a user's clone)";
  const Agreement a = Measure(file);
  EXPECT_EQ(a.rows, 400u);
  EXPECT_GE(static_cast<double>(a.agree) / static_cast<double>(a.rows), 0.99);
  // Every false positive is a row whose boxed answer is the gold answer verbatim.
  EXPECT_EQ(a.false_positives, a.noisy_false_positives);
}

}  // namespace
}  // namespace merit
