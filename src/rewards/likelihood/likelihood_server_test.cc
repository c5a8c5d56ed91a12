// likelihood.reference and likelihood.echo with `backend:`, end to end: config -> Engine ->
// completions backend -> the test model server's character LM (tests/model_server) -> the scored
// tokens' log-probs. Expected values come from the same LM, computed here without HTTP.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "merit/engine.h"
#include "merit/json.h"
#include "model_server/char_lm.h"
#include "model_server/server_suite.h"
#include "testutil/testutil.h"

namespace merit {
namespace {

constexpr double kTol = 1e-9;

class LikelihoodServerTest : public testing::ModelServerSuite {
 protected:
  // A config with one backend "lm" serving char-lm (at `url`, default: the plain server) and `reward`.
  static std::vector<Result> ScoreAll(std::string_view reward, const std::vector<Json>& samples,
                                      std::string url = {}) {
    return ModelServerSuite::ScoreAll(Backend("lm", "char-lm", std::move(url)), reward, samples);
  }

  static Result ScoreOne(std::string_view reward, const Json& sample, std::string url = {}) {
    return ScoreAll(reward, {sample}, std::move(url)).front();
  }
};

// The char LM's log-probs of the tokens of context + scored that start inside `scored`.
std::vector<double> Expected(std::string_view context, std::string_view scored) {
  const std::string full = std::string(context) + std::string(scored);
  std::vector<double> out;
  for (const model_server::Token& token : model_server::Tokenize(full)) {
    if (token.offset >= context.size()) {
      out.push_back(model_server::CharLm::Default().SpanLogProb(full, token.offset,
                                                                token.offset + token.size));
    }
  }
  return out;
}

double Sum(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) {
    sum += v;
  }
  return sum;
}

Json Sample(std::string_view prompt, std::string_view completion, Json reference) {
  return Json::Obj({{"prompt", Json::Str(std::string(prompt))},
                    {"completion", Json::Str(std::string(completion))},
                    {"reference", std::move(reference)}});
}

void ExpectOk(const Result& r, double want) {
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << ": " << r.explanation;
  ASSERT_TRUE(r.reward.has_value());
  EXPECT_NEAR(*r.reward, want, kTol);
}

TEST_F(LikelihoodServerTest, ReferenceLogProbAfterTheTruncatedReasoning) {
  const std::string prompt = "Question: what is six times seven?\n";
  const std::string completion = "<think>six sevens are forty two</think>\n<answer>42</answer>";
  // Spec B §1: the completion is cut right before `<answer`, the reference appended.
  const std::vector<double> want =
      Expected(prompt + "<think>six sevens are forty two</think>\n", "forty two");
  ASSERT_EQ(want.size(), 2u);  // "forty", " two"
  const Json sample = Sample(prompt, completion, Json::Str("forty two"));
  const Result r = ScoreOne("{type: likelihood.reference, backend: lm}", sample);
  ExpectOk(r, Sum(want));
  EXPECT_EQ(r.reason, "reward_depends_on_policy");
  ExpectOk(ScoreOne("{type: likelihood.reference, backend: lm, variant: avg_log_prob}", sample),
           Sum(want) / 2);
  ExpectOk(ScoreOne("{type: likelihood.reference, backend: lm, variant: prob}", sample),
           std::exp(Sum(want)));
  ExpectOk(ScoreOne("{type: likelihood.reference, backend: lm, variant: avg_prob}", sample),
           (std::exp(want[0]) + std::exp(want[1])) / 2);
}

TEST_F(LikelihoodServerTest, ReferenceListNumberAndMarkerOptions) {
  const std::string prompt = "Q: 6*7?\n";
  // A number reference as written; no marker in the completion: all of it is the reasoning.
  ExpectOk(ScoreOne("{type: likelihood.reference, backend: lm}",
                    Sample(prompt, "it is\n", testutil::ParseYaml("42"))),
           Sum(Expected(prompt + "it is\n", "42")));
  // A list: the first acceptable answer.
  ExpectOk(ScoreOne("{type: likelihood.reference, backend: lm}",
                    Sample(prompt, "so\n<answer>x</answer>", testutil::ParseYaml("[six, seven]"))),
           Sum(Expected(prompt + "so\n", "six")));
  // Another marker.
  ExpectOk(ScoreOne("{type: likelihood.reference, backend: lm, answer_marker: 'Answer:'}",
                    Sample(prompt, "so\nAnswer: 42", Json::Str("42"))),
           Sum(Expected(prompt + "so\n", "42")));
}

TEST_F(LikelihoodServerTest, EchoScoresThePromptAfterCompletionAndQuery) {
  const std::string caption = "a red cube on a wooden table";
  const std::string completion = "A photo: a red cube sits on a table.";
  const std::vector<double> want =
      Expected(completion + "\n\nDescribe this image in detail.\n\n", caption);
  const Json sample = Sample(caption, completion, Json());
  ExpectOk(ScoreOne("{type: likelihood.echo, backend: lm}", sample),
           Sum(want) / static_cast<double>(want.size()));
  ExpectOk(ScoreOne("{type: likelihood.echo, backend: lm, variant: log_prob, query: 'Caption:'}",
                    sample),
           Sum(Expected(completion + "\n\nCaption:\n\n", caption)));
}

TEST_F(LikelihoodServerTest, NonAsciiContextUsesTheServersOffsetUnit) {
  // The test server counts text_offset in bytes; "é" and "—" make bytes and characters differ.
  const std::string prompt = "Qu'est-ce que c'est — café?\n";
  ExpectOk(ScoreOne("{type: likelihood.reference, backend: lm}",
                    Sample(prompt, "réponse\n<answer>", Json::Str("un café"))),
           Sum(Expected(prompt + "réponse\n", "un café")));
}

TEST_F(LikelihoodServerTest, NothingToScoreNeverCallsTheModel) {
  ASSERT_TRUE(server_->ResetStats().ok());
  const std::vector<Result> results =
      ScoreAll("{type: likelihood.reference, backend: lm}",
               {Sample("q", "a", Json()), Sample("q", "a", Json::Str("")),
                Sample("q", "a", Json::Arr()), Sample("q", "a", testutil::ParseYaml("{a: 1}"))});
  EXPECT_EQ(results[0].reason, "no_reference");
  EXPECT_EQ(results[1].reason, "no_reference");
  EXPECT_EQ(results[2].reason, "no_reference");
  EXPECT_EQ(results[3].reason, "reference_unparseable");
  for (const Result& r : results) {
    EXPECT_EQ(r.status, ScoreStatus::kUnscorable);
  }
  const Result echo = ScoreOne("{type: likelihood.echo, backend: lm}", Sample("", "a", Json()));
  EXPECT_EQ(echo.status, ScoreStatus::kError);
  EXPECT_EQ(echo.reason, "empty_caption");
  const StatusOr<Json> stats = server_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->Find("requests")->number(), 0);
}

TEST_F(LikelihoodServerTest, BackendFailuresAreErrorsNeverRewards) {
  const Json sample = Sample("q\n", "a\n", Json::Str("b"));
  struct Case {
    std::string faults;
    std::string_view reason;
  };
  for (const Case& c : {Case{"status=500,tag=lk1", "backend_unavailable"},
                        Case{"malformed=1,tag=lk2", "backend_bad_response"},
                        Case{"drop=1,tag=lk3", "backend_unavailable"},
                        Case{"status=400,tag=lk4", "backend_bad_response"}}) {
    SCOPED_TRACE(c.faults);
    const Result r =
        ScoreOne("{type: likelihood.reference, backend: lm}", sample, server_->Url(c.faults));
    EXPECT_EQ(r.status, ScoreStatus::kError);
    EXPECT_EQ(r.reason, c.reason) << r.explanation;
    EXPECT_FALSE(r.reward.has_value());
  }
}

TEST_F(LikelihoodServerTest, ABatchAndItsGroupScoreLikeSingleSamples) {
  std::vector<Json> samples;
  std::vector<double> want;
  for (const std::string_view cot : {"one\n", "two two\n", "three\n", "one\n"}) {
    samples.push_back(Sample("q\n", std::string(cot) + "<answer>", Json::Str("yes")));
    want.push_back(Sum(Expected("q\n" + std::string(cot), "yes")));
  }
  const std::vector<Result> results =
      ScoreAll("{type: likelihood.reference, backend: lm}", samples);
  ASSERT_EQ(results.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    ExpectOk(results[i], want[i]);
  }
}

TEST(LikelihoodBackendConfig, BadBackendsAreConfigErrors) {
  EXPECT_NE(testutil::ConfigError("reward: {type: likelihood.reference, backend: nope}"), "");
  EXPECT_NE(testutil::ConfigError("backends: {rm: {protocol: vllm_classify, url: "
                                  "'http://127.0.0.1:9'}}\n"
                                  "reward: {type: likelihood.echo, backend: rm}"),
            "");
  EXPECT_EQ(testutil::ConfigError("backends: {lm: {protocol: openai, url: 'http://127.0.0.1:9'}}\n"
                                  "reward: {type: likelihood.echo, backend: lm}"),
            "");
}

}  // namespace
}  // namespace merit
