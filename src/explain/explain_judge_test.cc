// Explanations of a judge-backed reward against the test model server: every coalition's judge
// call is in flight at once, and the rule judge's labels come back as Shapley values.
#include <chrono>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "explain/explain.h"
#include "model_server/model_server_fixture.h"
#include "testutil/testutil.h"

namespace merit::explain {
namespace {

class ExplainJudgeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = testing::ModelServer::Start();
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(*started);
  }

  static void TearDownTestSuite() { server_.reset(); }

  static inline std::unique_ptr<testing::ModelServer> server_;
};

// Spec A §13 worked example 1 (labels support, partial, not, support; weights 2, 1, 1, 1; reward
// 0.7), explained: each item's φ is its weighted label w_i·V_i / Σw.
TEST_F(ExplainJudgeTest, JudgedRubricItemsInOneBatch) {
  // Each reply waits 1 s: 15 coalitions judged one after another would take 16 s, two rounds 2 s;
  // the bound sits between them with room for a loaded sanitizer build.
  const Engine engine = testutil::MakeEngine(
      fmt::format("backends:\n  j: {{protocol: openai, url: \"{}\", model: rule-judge, "
                  "retries: 0}}\nreward: {{type: rubric.items, backend: j}}\n",
                  server_->Url("latency_ms=1000,tag=explain")),
      2);
  const Json line = testutil::ParseYaml(R"({"prompt": "Tell me about Paris.",
    "completion": "Paris is the capital of France. The tower opened in 1889 and the tower is 330 metres tall.",
    "reference": {"rubric": [{"text": "Paris is the capital of France", "weight": 2},
                             {"text": "the tower opened in 1889 for a fair", "weight": 1},
                             {"text": "Gustave Eiffel designed it", "weight": 1},
                             {"text": "the tower is 330 metres tall", "weight": 1}]}})");
  Sample sample;
  ASSERT_TRUE(engine.MapSample(line, &sample).ok());
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Explanation> explanations =
      ExplainBatch(engine, std::span(&sample, 1), {.players = {.kind = PlayerKind::kRubric}});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Explanation& e = explanations.front();
  ASSERT_TRUE(e.error.empty()) << e.detail;
  EXPECT_NEAR(e.shapley.v_full, 0.7, 1e-12);
  EXPECT_NEAR(e.shapley.v_empty, 0.0, 1e-12);
  const double want[] = {2.0 / 5, 0.5 / 5, 0.0, 1.0 / 5};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(e.shapley.phi[i], want[i], 1e-12) << i;
  }
  EXPECT_NEAR(e.shapley.efficiency_gap, 0.0, 1e-9);
  // Two rounds (the full sample, then the other 15 coalitions together), not sixteen.
  EXPECT_LT(seconds, 8.0);
}

}  // namespace
}  // namespace merit::explain
