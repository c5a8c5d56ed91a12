// Table-driven tests of the match rewards through the builtin registry (so option parsing and
// the sample mapping are tested too).
#ifndef MERIT_REWARDS_MATCH_TEST_CASES_H_
#define MERIT_REWARDS_MATCH_TEST_CASES_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "merit/result.h"

#include "testutil/testutil.h"

namespace merit::match::testing {

struct RewardCase {
  std::string_view name;
  std::string_view reward;  // The reward node, as YAML.
  std::string_view completion;
  std::string_view reference_json;  // JSON text; empty: the sample has no reference.
  double want = 0;                  // Checked when status is ok.
  std::string_view reason = {};
  ScoreStatus status = ScoreStatus::kOk;
};

inline std::string SampleJson(std::string_view completion, std::string_view reference_json) {
  std::string json = "{\"completion\": ";
  AppendJsonString(completion, json);
  if (!reference_json.empty()) {
    json += ", \"reference\": ";
    json += reference_json;
  }
  json += "}";
  return json;
}

inline void ExpectCases(std::span<const RewardCase> cases) {
  for (const RewardCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Result got = testutil::Score(c.reward, SampleJson(c.completion, c.reference_json));
    EXPECT_EQ(ScoreStatusName(got.status), ScoreStatusName(c.status))
        << got.reason << ": " << got.explanation;
    EXPECT_EQ(got.reason, c.reason);
    if (c.status == ScoreStatus::kOk) {
      ASSERT_TRUE(got.reward.has_value());
      EXPECT_NEAR(*got.reward, c.want, 1e-12);
    }
  }
}

// A reward built straight from the registry, for samples JSON cannot carry (invalid UTF-8).
inline std::unique_ptr<const Reward> MakeReward(std::string_view reward_yaml) {
  const Registry registry = BuiltinRegistry();
  const Json node = testutil::ParseYaml(reward_yaml);
  const Registry::Entry* entry = registry.Find(node.Find("type")->str());
  EXPECT_NE(entry, nullptr);
  const std::string_view ignored[] = {"type", "name", "weight"};
  auto built = entry->reward(node, ConfigLocation("<test>", "reward"), ignored, {});
  EXPECT_TRUE(built.ok()) << built.status().ToString();
  return std::move(built).value();
}

inline Score EvaluateDirect(const Reward& reward, std::string completion, Json reference) {
  Sample sample;
  sample.completion_text = std::move(completion);
  sample.reference = std::move(reference);
  ScoreContext context;
  return reward.Evaluate(sample, context);
}

}  // namespace merit::match::testing

#endif  // MERIT_REWARDS_MATCH_TEST_CASES_H_
