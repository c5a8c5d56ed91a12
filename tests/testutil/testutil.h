// Helpers for tests: build a reward or engine from inline YAML and score one sample.
#ifndef MERIT_TESTS_TESTUTIL_TESTUTIL_H_
#define MERIT_TESTS_TESTUTIL_TESTUTIL_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/engine.h"
#include "merit/json.h"
#include "merit/result.h"

namespace merit::testutil {

// Parses YAML or JSON text; aborts the test binary on a syntax error (tests own their inputs).
Json ParseYaml(std::string_view text);

// An engine over the builtin registry for a full config. Aborts with the error on failure.
Engine MakeEngine(std::string_view config_yaml, std::size_t threads = 1);

// The error an invalid config gives (empty if it is valid).
std::string ConfigError(std::string_view config_yaml);

// Scores one input object (JSON text, mapped with the default fields) with a reward node given
// as YAML, e.g. Score("{type: match.exact}", R"({"completion": "a", "reference": "a"})").
Result Score(std::string_view reward_yaml, std::string_view sample_json);

// Scores raw completion text (which JSON input could not carry when it is invalid UTF-8) with a
// reward node given as YAML.
Result ScoreText(std::string_view reward_yaml, std::string completion);

// One table row for ExpectTextScores: the completion, the reward and the reason it must get.
struct TextCase {
  std::string completion;
  double want = 0;
  std::string_view reason = {};
};

// Scores every case's completion with `reward_yaml` and expects status ok, `want` and `reason`.
void ExpectTextScores(std::string_view reward_yaml, std::span<const TextCase> cases);

// Scores a whole batch of input objects with a full config.
std::vector<Result> ScoreAll(const Engine& engine, const std::vector<std::string>& samples_json);

// Advantages from the estimator `estimator_yaml` (e.g. "{type: grpo, epsilon: 1e-6}") built from
// the builtin registry; groups[i] numbers rewards[i]'s group.
std::vector<std::optional<double>> Estimate(std::string_view estimator_yaml,
                                            std::vector<std::optional<double>> rewards,
                                            std::vector<std::size_t> groups);

}  // namespace merit::testutil

#endif  // MERIT_TESTS_TESTUTIL_TESTUTIL_H_
