// Tests of the likelihood family through the registry (config parsing included) and of its pure
// functions. Every worked example of spec B §1-§7 and spec A §16.5 that is a reward is here, to
// 1e-6 as the spec asks; the group-level parts (RLOO advantages) are in the golden file.
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "merit/engine.h"
#include "merit/json.h"
#include "merit/result.h"

#include "rewards/likelihood/likelihood.h"
#include "testutil/testutil.h"

namespace merit {
namespace {

constexpr double kTol = 1e-6;

std::string Numbers(const std::vector<double>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

std::vector<double> Rewards(const std::vector<Span>& spans) {
  std::vector<double> out;
  for (const Span& s : spans) {
    out.push_back(s.reward);
  }
  return out;
}

// Each span's [start, end) as a pair, for comparing step and token boundaries.
std::vector<std::pair<std::size_t, std::size_t>> Bounds(const std::vector<Span>& spans) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const Span& s : spans) {
    out.emplace_back(s.start, s.end);
  }
  return out;
}

using BoundList = std::vector<std::pair<std::size_t, std::size_t>>;

void ExpectNear(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], kTol) << "index " << i;
  }
}

void ExpectOk(const Result& r, double want) {
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << ": " << r.explanation;
  ASSERT_TRUE(r.reward.has_value());
  EXPECT_NEAR(*r.reward, want, kTol);
}

void ExpectError(const Result& r, std::string_view reason) {
  EXPECT_EQ(r.status, ScoreStatus::kError) << r.reason;
  EXPECT_EQ(r.reason, reason) << r.explanation;
  EXPECT_FALSE(r.reward.has_value());
  EXPECT_FALSE(r.explanation.empty());
}

// One bad-input case: the sample's metadata (JSON text) and the error reason it must get.
struct MetadataCase {
  std::string metadata;
  std::string_view reason;
};

void ExpectMetadataErrors(std::string_view reward, const std::vector<MetadataCase>& cases) {
  for (const MetadataCase& c : cases) {
    SCOPED_TRACE(c.metadata);
    ExpectError(testutil::Score(reward, R"({"completion": "x", "metadata": )" + c.metadata + "}"),
                c.reason);
  }
}

// ---- likelihood.reference (spec B §1) ----

TEST(Reference, SpecWorkedExamples) {
  struct Case {
    std::string variant;
    std::vector<double> logprobs;
    double want;
  };
  const std::vector<double> example1 = {-0.1, -0.5, -0.2};
  const std::vector<double> long_answer(200, -1.0);  // Example 3: the failure mode.
  const std::vector<Case> cases = {
      {"log_prob", example1, -0.8},
      {"avg_log_prob", example1, -0.266667},
      {"prob", example1, 0.449329},
      {"avg_prob", example1, 0.776700},
      {"log_prob", long_answer, -200.0},
      {"avg_log_prob", long_answer, -1.0},
      {"prob", long_answer, 1.3838965267367376e-87},
      {"avg_prob", long_answer, 0.367879},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.variant + " " + std::to_string(c.logprobs.size()));
    const Result r = testutil::Score(
        "{type: likelihood.reference, variant: " + c.variant + "}",
        R"({"completion": "x", "metadata": {"reference_logprobs": )" + Numbers(c.logprobs) + "}}");
    ExpectOk(r, c.want);
    // The reward depends on the policy: the trainer must add the reference's NLL term.
    EXPECT_EQ(r.reason, "reward_depends_on_policy");
  }
}

TEST(Reference, ProbabilityUnderflowsToZeroWithoutClamping) {
  const Result r = testutil::Score("{type: likelihood.reference, variant: prob}",
                                   R"({"completion": "x", "metadata": {"reference_logprobs": )" +
                                       Numbers(std::vector<double>(2000, -1.0)) + "}}");
  ExpectOk(r, 0.0);
  EXPECT_EQ(*r.reward, 0.0);
}

TEST(Reference, DefaultVariantIsLogProb) {
  ExpectOk(testutil::Score("{type: likelihood.reference}",
                           R"({"completion": "x", "metadata": {"reference_logprobs": [-1, -2]}})"),
           -3.0);
}

TEST(Reference, BadInputIsAnErrorWithAReason) {
  ExpectMetadataErrors("{type: likelihood.reference}", {
      {"{}", "missing_field"},
      {"null", "missing_field"},
      {R"({"reference_logprobs": null})", "missing_field"},
      {R"({"reference_logprobs": []})", "empty_reference"},
      {R"({"reference_logprobs": -0.5})", "invalid_logprobs"},
      {R"({"reference_logprobs": "-0.5"})", "invalid_logprobs"},
      {R"({"reference_logprobs": [-0.5, "x"]})", "invalid_logprobs"},
      {R"({"reference_logprobs": [[-0.5]]})", "invalid_logprobs"},
      {R"({"reference_logprobs": [[[[[[-0.5]]]]]]})", "invalid_logprobs"},
      {R"({"reference_logprobs": [-0.5, {"a": [1]}]})", "invalid_logprobs"},
      {R"({"reference_logprobs": [-0.5, null]})", "invalid_logprobs"},
      {R"({"reference_logprobs": [-0.5, true]})", "invalid_logprobs"},
      {R"({"reference_logprobs": [-0.5, 0.25]})", "positive_logprob"},
      {R"({"reference_logprobs": [-1e308, -1e308]})", "non_finite"},  // The sum overflows.
  });
}

// JSON input cannot carry them (the parser rejects 1e999), but C++ and Python callers can.
TEST(Reference, NanAndInfinityFromCppCallersAreErrors) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double bad : {nan, inf, -inf}) {
    EXPECT_EQ(likelihood::CheckNumbers(std::vector<double>{-1.0, bad}, {.field = "x"}).reason,
              "non_finite");
    const Json json = Json::Arr({Json::Num(-1.0), Json::Num(bad)});
    std::vector<double> out;
    EXPECT_EQ(likelihood::ReadNumbers(&json, {.field = "x"}, out).reason, "non_finite");
    // The same through a reward, as a C++ caller would build the sample.
    Sample sample;
    sample.metadata = Json::Obj({{"reference_logprobs", json}});
    const auto reward = likelihood::MakeReference({}, {});
    ASSERT_TRUE(reward.ok());
    ScoreContext context;
    EXPECT_EQ((*reward)->Evaluate(sample, context).reason, "non_finite");
    sample.logprobs = {-1.0, bad};
    sample.ref_logprobs = {-1.0, -1.0};
    const auto prm = likelihood::MakeImplicitPrm({});
    ASSERT_TRUE(prm.ok());
    EXPECT_EQ((*prm)->Evaluate(sample, context).reason, "non_finite");
  }
}

TEST(Reference, ArraysOverTheBudgetAreTooLarge) {
  const Json json = Json::Arr(Json::Array(11, Json::Num(-1.0)));
  std::vector<double> out;
  EXPECT_EQ(likelihood::ReadNumbers(&json, {.field = "x", .max_count = 10}, out).reason,
            "too_large");
  EXPECT_TRUE(likelihood::ReadNumbers(&json, {.field = "x", .max_count = 11}, out).ok());
}

TEST(Reference, UnknownVariantIsAConfigError) {
  EXPECT_NE(testutil::ConfigError("reward: {type: likelihood.reference, variant: geometric}"), "");
}

// ---- likelihood.followup (spec B §2) ----

TEST(Followup, SpecWorkedExamples) {
  // Example 1 with multi-token follow-ups whose means are the spec's s(f) values.
  ExpectOk(testutil::Score("{type: likelihood.followup}",
                           R"({"completion": "x", "metadata": {"followup_logprobs": {
                 "positive": [[-1.0, -1.4], [-0.9], [-1.5, -1.5, -1.5]],
                 "negative": [[-2.0], [-2.4, -2.4], [-1.8]]}}})"),
           0.866667);
  ExpectOk(testutil::Score("{type: likelihood.followup}",
                           R"({"completion": "x", "metadata": {"followup_logprobs": {
                 "positive": [[-1.0], [-1.1]], "negative": [[-0.8], [-0.9]]}}})"),
           -0.2);
}

TEST(Followup, BadInputIsAnErrorWithAReason) {
  std::vector<MetadataCase> cases = {
      {"null", "missing_field"},
      {"[[-1]]", "invalid_logprobs"},
      {R"({"positive": [[-1]]})", "missing_field"},
      {R"({"positive": [], "negative": [[-1]]})", "empty_followups"},
      {R"({"positive": [[-1]], "negative": [[]]})", "empty_followups"},
      {R"({"positive": [-1], "negative": [[-1]]})", "invalid_logprobs"},
      {R"({"positive": "abc", "negative": [[-1]]})", "invalid_logprobs"},
      {R"({"positive": [[-1, [-2]]], "negative": [[-1]]})", "invalid_logprobs"},
      {R"({"positive": [[-1]], "negative": [[0.5]]})", "positive_logprob"},
  };
  for (MetadataCase& c : cases) {
    c.metadata = R"({"followup_logprobs": )" + c.metadata + "}";
  }
  ExpectMetadataErrors("{type: likelihood.followup}", cases);
}

// ---- likelihood.echo (spec B §5) ----

TEST(Echo, SpecWorkedExample) {
  const std::string sample =
      R"({"completion": "x", "metadata": {"echo_logprobs": [-0.5, -1.0, -0.3, -2.2]}})";
  ExpectOk(testutil::Score("{type: likelihood.echo}", sample), -1.0);
  ExpectOk(testutil::Score("{type: likelihood.echo, variant: log_prob}", sample), -4.0);
  const Result r = testutil::Score("{type: likelihood.echo}", sample);
  EXPECT_EQ(r.reason, "");  // A frozen VLM: the reward does not depend on the policy.
}

TEST(Echo, EmptyCaptionIsAnError) {
  ExpectError(testutil::Score("{type: likelihood.echo}",
                              R"({"completion": "x", "metadata": {"echo_logprobs": []}})"),
              "empty_caption");
  ExpectError(testutil::Score("{type: likelihood.echo}", R"({"completion": "x"})"),
              "missing_field");
}

// ---- likelihood.implicit_prm (spec B §3) ----

// Spec B §3 example 1: q per step [0.2, -0.1, 0.3], [-0.4, -0.2], [0.1, 0.5, 0.2, -0.1], written
// as logprobs = q - 1 against ref_logprobs = -1.
const std::vector<double> kPrmQ = {0.2, -0.1, 0.3, -0.4, -0.2, 0.1, 0.5, 0.2, -0.1};

std::string PrmSample(std::string_view completion, std::string_view metadata) {
  std::vector<double> logprobs;
  for (double q : kPrmQ) {
    logprobs.push_back(q - 1.0);
  }
  const std::vector<double> reference(kPrmQ.size(), -1.0);
  return fmt::format(
      R"({{"completion": "{}", "logprobs": {}, "ref_logprobs": {}, "metadata": {}}})", completion,
      Numbers(logprobs), Numbers(reference), metadata);
}

TEST(ImplicitPrm, SpecExampleWithStepEnds) {
  const std::string sample = PrmSample("x", R"({"step_ends": [2, 4, 8]})");
  struct Case {
    std::string aggregation;
    double want;
  };
  const std::vector<Case> cases = {{"min", -0.03},           {"sum", 0.025},
                                   {"last", 0.035},          {"min_cumulative", -0.01},
                                   {"sum_cumulative", 0.035}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.aggregation);
    const Result r = testutil::Score(
        "{type: likelihood.implicit_prm, beta: 0.05, aggregation: " + c.aggregation + "}", sample);
    ExpectOk(r, c.want);
    ExpectNear(Rewards(r.steps), {0.02, -0.03, 0.035});
    EXPECT_EQ(Bounds(r.steps), (BoundList{{0, 3}, {3, 5}, {5, 9}}));
  }
}

TEST(ImplicitPrm, DefaultIsMinWithBeta005) {
  ExpectOk(testutil::Score("{type: likelihood.implicit_prm}",
                           PrmSample("x", R"({"step_ends": [2, 4, 8]})")),
           -0.03);
}

TEST(ImplicitPrm, StepsFromStepMarkersAndTokenOffsets) {
  // Three steps of 3, 2 and 4 tokens; each token's byte offset in the completion.
  const std::string completion = "Step 1: a b\\n\\nStep 2: c\\n\\nStep 3: d e f";
  // "Step 1: a b\n\n" is bytes [0, 13), "Step 2: c\n\n" [13, 24), "Step 3: d e f" [24, 37).
  const std::string metadata = R"({"token_offsets": [0, 7, 9, 13, 20, 24, 31, 33, 35]})";
  const Result r = testutil::Score("{type: likelihood.implicit_prm, aggregation: min}",
                                   PrmSample(completion, metadata));
  ExpectOk(r, -0.03);
  ExpectNear(Rewards(r.steps), {0.02, -0.03, 0.035});
  EXPECT_EQ(Bounds(r.steps), (BoundList{{0, 3}, {3, 5}, {5, 9}}));
}

TEST(ImplicitPrm, BlankPreambleIsNotAStepButTextIs) {
  // Leading whitespace before "Step 1:" joins step 1 ...
  const std::string blank = "  Step 1: a b\\n\\nStep 2: c";
  const Result r1 = testutil::Score(
      "{type: likelihood.implicit_prm, aggregation: sum}",
      PrmSample(blank, R"({"token_offsets": [0, 2, 9, 11, 15, 17, 22, 24, 25]})"));
  ExpectOk(r1, 0.025);
  EXPECT_EQ(Bounds(r1.steps), (BoundList{{0, 4}, {4, 9}}));
  // ... while a real preamble is a step of its own.
  const std::string preamble = "Let me think. Step 1: a Step 2: b";
  const Result r2 = testutil::Score(
      "{type: likelihood.implicit_prm, aggregation: sum}",
      PrmSample(preamble, R"({"token_offsets": [0, 4, 7, 14, 20, 22, 24, 30, 32]})"));
  ExpectOk(r2, 0.025);
  EXPECT_EQ(Bounds(r2.steps), (BoundList{{0, 3}, {3, 6}, {6, 9}}));
}

TEST(ImplicitPrm, NoMarkerIsOneStep) {
  const Result r = testutil::Score("{type: likelihood.implicit_prm, aggregation: min}",
                                   PrmSample("just an answer", "{}"));
  ExpectOk(r, 0.025);
  EXPECT_EQ(Bounds(r.steps), (BoundList{{0, 9}}));
}

TEST(ImplicitPrm, StepEndsPastTheSequenceAreClamped) {
  // 8 and 100 both clamp to the last token: one final step, not an empty extra one.
  const Result r = testutil::Score("{type: likelihood.implicit_prm, aggregation: min}",
                                   PrmSample("x", R"({"step_ends": [2, 4, 8, 100]})"));
  ExpectOk(r, -0.03);
  EXPECT_EQ(Bounds(r.steps), (BoundList{{0, 3}, {3, 5}, {5, 9}}));
  // Tokens after the last given boundary close one more step.
  const Result trailing = testutil::Score("{type: likelihood.implicit_prm, aggregation: sum}",
                                          PrmSample("x", R"({"step_ends": [2, 4]})"));
  ExpectOk(trailing, 0.025);
  EXPECT_EQ(Bounds(trailing.steps), (BoundList{{0, 3}, {3, 5}, {5, 9}}));
}

TEST(ImplicitPrm, WithoutReferenceUsesPolicyLogprobs) {
  // Σ (q - 1) over 9 tokens = 0.5 - 9 = -8.5; β = 1.
  ExpectOk(testutil::Score(
               "{type: likelihood.implicit_prm, beta: 1, aggregation: sum, use_reference: false}",
               R"({"completion": "x",
                   "logprobs": [-0.8, -1.1, -0.7, -1.4, -1.2, -0.9, -0.5, -0.8, -1.1]})"),
           -8.5);
}

TEST(ImplicitPrm, BadInputIsAnErrorWithAReason) {
  const std::string prm = "{type: likelihood.implicit_prm}";
  ExpectError(testutil::Score(prm, R"({"completion": "x"})"), "missing_field");
  ExpectError(testutil::Score(prm, R"({"completion": "x", "logprobs": [-1, -2]})"),
              "missing_field");
  ExpectError(
      testutil::Score(prm, R"({"completion": "x", "logprobs": [-1, -2], "ref_logprobs": [-1]})"),
      "logprobs_mismatch");
  ExpectError(
      testutil::Score(prm, R"({"completion": "x", "logprobs": [-1, 2], "ref_logprobs": [-1, -1]})"),
      "positive_logprob");
  ExpectError(testutil::Score(prm, PrmSample("x", R"({"step_ends": [4, 2]})")),
              "invalid_step_ends");
  ExpectError(testutil::Score(prm, PrmSample("x", R"({"step_ends": [1.5]})")),
              "invalid_step_ends");
  ExpectError(testutil::Score(prm, PrmSample("x", R"({"step_ends": [-1]})")),
              "invalid_step_ends");
  ExpectError(testutil::Score(prm, PrmSample("x", R"({"step_ends": "2,4"})")),
              "invalid_step_ends");
  ExpectError(testutil::Score(prm, PrmSample("x", R"({"step_ends": [[2]]})")),
              "invalid_step_ends");
  const std::string steps = "Step 1: a Step 2: b";
  ExpectError(testutil::Score(prm, PrmSample(steps, "{}")), "missing_field");
  ExpectError(testutil::Score(prm, PrmSample(steps, R"({"token_offsets": [0, 1]})")),
              "token_offsets_mismatch");
  for (std::string_view offsets : {R"({"token_offsets": [0, 5, 3, 4, 5, 6, 7, 8, 9]})",
                                    R"({"token_offsets": [0, 1, 2, 3, 4, 5, 6, 7, "8"]})"}) {
    ExpectError(testutil::Score(prm, PrmSample(steps, offsets)), "invalid_token_offsets");
  }
}

// ---- likelihood.endogenous (spec B §4) ----

TEST(Endogenous, SpecWorkedExamples) {
  struct Case {
    std::string alpha;
    std::string logits;
    std::string ids;
    std::vector<double> tokens;
    double want;
  };
  const std::vector<Case> cases = {
      {"1", "[[2, 1, 0], [0.5, 1.5, -1], [0, 0, 3]]", "[0, 1, 2]", {0.128461, -1.594923, 3.0},
       1.533538},
      {"2", "[[2, 0], [1, 3]]", "[0, 1]", {-1.626523, 3.0}, 1.373477},
      {"1", "[[3, 1]]", "[0]", {3.0}, 3.0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.logits);
    const Result r = testutil::Score(
        "{type: likelihood.endogenous, alpha: " + c.alpha + "}",
        R"({"completion": "x", "metadata": {"logits": )" + c.logits + R"(, "token_ids": )" +
            c.ids + "}}");
    ExpectOk(r, c.want);
    ExpectNear(Rewards(r.tokens), c.tokens);
    for (std::size_t h = 0; h < r.tokens.size(); ++h) {
      EXPECT_EQ(Bounds(r.tokens)[h], std::make_pair(h, h + 1));
    }
  }
}

TEST(Endogenous, SoftValuesAndTheTelescopingIdentity) {
  // Spec B §4 example 1: V = [2.407606, 1.871539, 3.094923], and R = α Σ log π + V(s_1).
  const std::vector<std::vector<double>> logits = {{2, 1, 0}, {0.5, 1.5, -1}, {0, 0, 3}};
  const std::vector<std::size_t> ids = {0, 1, 2};
  std::vector<double> scratch;
  std::vector<double> values;
  double log_pi = 0.0;
  for (std::size_t h = 0; h < logits.size(); ++h) {
    values.push_back(likelihood::SoftValue(logits[h], 1.0, scratch));
    log_pi += logits[h][ids[h]] - values.back();
  }
  ExpectNear(values, {2.407606, 1.871539, 3.094923});
  EXPECT_NEAR(log_pi + values[0], 1.533538, kTol);
  // Single-step "verifier" case: log π = −0.126928, V = 3.126928.
  EXPECT_NEAR(likelihood::SoftValue(std::vector<double>{3, 1}, 1.0, scratch), 3.126928, kTol);
}

TEST(Endogenous, LogSumExpIsStableForHugeLogits) {
  ExpectOk(testutil::Score("{type: likelihood.endogenous}", R"({"completion": "x",
               "metadata": {"logits": [[1000, 1000]], "token_ids": [0]}})"),
           1000.0);
  ExpectOk(testutil::Score("{type: likelihood.endogenous}", R"({"completion": "x",
               "metadata": {"logits": [[-1000, -1000], [0, 0]], "token_ids": [0, 1]}})"),
           -1000.0 - std::log(2.0));
}

TEST(Endogenous, BadInputIsAnErrorWithAReason) {
  ExpectMetadataErrors("{type: likelihood.endogenous}", {
      {R"({"token_ids": [0]})", "missing_field"},
      {R"({"logits": [[1, 2]]})", "missing_field"},
      {R"({"logits": [], "token_ids": []})", "empty_logits"},
      {R"({"logits": [[1, 2]], "token_ids": [0, 1]})", "logits_mismatch"},
      {R"({"logits": [[1, 2]], "token_ids": [2]})", "invalid_token_ids"},
      {R"({"logits": [[1, 2]], "token_ids": [-1]})", "invalid_token_ids"},
      {R"({"logits": [[1, 2]], "token_ids": [0.5]})", "invalid_token_ids"},
      {R"({"logits": [[1, 2]], "token_ids": ["0"]})", "invalid_token_ids"},
      {R"({"logits": [[1, 2], [1]], "token_ids": [0, 0]})", "invalid_logits"},
      {R"({"logits": [[]], "token_ids": [0]})", "invalid_logits"},
      {R"({"logits": [1, 2], "token_ids": [0, 0]})", "invalid_logits"},
      {R"({"logits": {"a": 1}, "token_ids": [0]})", "invalid_logits"},
      {R"({"logits": [[1, [2]]], "token_ids": [0]})", "invalid_logits"},
  });
}

TEST(Endogenous, TooManyLogitsIsTooLarge) {
  const std::string sample =
      R"({"completion": "x", "metadata": {"logits": [[1, 2, 3], [1, 2, 3]], "token_ids": [0, 1]}})";
  ExpectError(testutil::Score("{type: likelihood.endogenous, max_logits: 5}", sample), "too_large");
  ExpectOk(testutil::Score("{type: likelihood.endogenous, max_logits: 6}", sample),
           1.0 - likelihood::LogSumExp(std::vector<double>{1, 2, 3}) + 2.0);
  EXPECT_NE(testutil::ConfigError("reward: {type: likelihood.endogenous, max_logits: 1e9}"), "");
}

// ---- likelihood.token_contrast (spec B §6) ----

TEST(TokenContrast, SpecWorkedExamples) {
  const std::string sample = R"({"completion": "x", "metadata": {
      "better_logprobs": [-0.2, -1.0, -0.5], "worse_logprobs": [-0.9, -0.4, -0.5]}})";
  const Result sum = testutil::Score("{type: likelihood.token_contrast}", sample);
  ExpectOk(sum, 0.168188 - 0.145656);
  ExpectNear(Rewards(sum.tokens), {0.168188, -0.145656, 0.0});
  EXPECT_EQ(sum.tokens[2].reward, 0.0);  // Exactly 0 when both prompts agree.
  ExpectOk(testutil::Score("{type: likelihood.token_contrast, reduction: mean}", sample),
           (0.168188 - 0.145656) / 3);
  // The extra token checks, and the regulariser L_REG = −β Σ r̂_t · logπ_t = −0.012433.
  EXPECT_NEAR(likelihood::ContrastTokenReward(-0.1, -2.0), 0.369892, kTol);
  EXPECT_NEAR(likelihood::ContrastTokenReward(-3.0, -0.5), -0.424142, kTol);
  const std::vector<double> policy = {-0.3, -1.2, -0.7};
  double l_reg = 0.0;
  for (std::size_t t = 0; t < policy.size(); ++t) {
    l_reg -= 0.1 * sum.tokens[t].reward * policy[t];
  }
  EXPECT_NEAR(l_reg, -0.012433, kTol);
}

TEST(TokenContrast, ExtremeDifferencesStayInsideTheOpenInterval) {
  EXPECT_NEAR(likelihood::ContrastTokenReward(0.0, -1e6), 0.5, 1e-12);
  EXPECT_NEAR(likelihood::ContrastTokenReward(-1e6, 0.0), -0.5, 1e-12);
  EXPECT_NEAR(likelihood::ContrastTokenReward(-1e-10, -2e-10), 0.25e-10, 1e-20);
}

TEST(TokenContrast, BadInputIsAnErrorWithAReason) {
  ExpectMetadataErrors(
      "{type: likelihood.token_contrast}",
      {
          {R"({"better_logprobs": [-1]})", "missing_field"},
          {R"({"better_logprobs": [-1], "worse_logprobs": [-1, -2]})", "logprobs_mismatch"},
          {R"({"better_logprobs": [], "worse_logprobs": []})", "empty_logprobs"},
          {R"({"better_logprobs": [3], "worse_logprobs": [-1]})", "positive_logprob"},
          {R"({"better_logprobs": [-1], "worse_logprobs": [[-1]]})", "invalid_logprobs"},
      });
}

// ---- likelihood.log_ratio and kl_penalty (spec A §16.5, spec B §7) ----

TEST(KlPenalty, SpecA16_5WorkedExample) {
  const std::string sample = R"({"completion": "x", "metadata": {"rm": 1.7},
      "logprobs": [-1.2, -0.3, -2.0], "ref_logprobs": [-1.0, -0.5, -2.5]})";
  const Result r = testutil::Score(
      "{type: kl_penalty, beta: 0.05, child: {type: field.value, path: rm}, "
      "log_ratio: {type: likelihood.log_ratio, tokens: true}}",
      sample);
  ExpectOk(r, 1.675);
  // Per-token log-ratios; −β·q_t plus r on the last token is the spec's [0.01, −0.01, 1.675].
  ExpectNear(Rewards(r.tokens), {-0.2, 0.2, 0.5});
  std::vector<double> per_token;
  for (const Span& s : r.tokens) {
    per_token.push_back(-0.05 * s.reward);
  }
  per_token.back() += 1.7;
  ExpectNear(per_token, {0.01, -0.01, 1.675});
  // The log_ratio child is a component: the sequence KL estimate 0.5.
  ExpectOk(testutil::Score("{type: likelihood.log_ratio}", sample), 0.5);
}

TEST(KlPenalty, SpecB7WorkedExamples) {
  // Example 1: raw RM 2.0, summed log-ratio 3.0, β = 0.05 -> 1.85.
  ExpectOk(testutil::Score("{type: kl_penalty, beta: 0.05, child: {type: field.value, path: rm}, "
                           "log_ratio: likelihood.log_ratio}",
                           R"({"completion": "x", "metadata": {"rm": 2.0},
                               "logprobs": [-0.5, -0.5, -0.5],
                               "ref_logprobs": [-1.5, -1.5, -1.5]})"),
           1.85);
  // Example 2: references average b = 1.0, raw 1.7 -> r̃ = 0.7; log-ratios [0.5, 0.3, −0.1, 0.4].
  ExpectOk(testutil::Score("{type: kl_penalty, beta: 0.05, log_ratio: likelihood.log_ratio, "
                           "child: {type: affine, offset: -1.0, "
                           "child: {type: field.value, path: rm}}}",
                           R"({"completion": "x", "metadata": {"rm": 1.7},
                               "logprobs": [-0.5, -0.7, -1.1, -0.6],
                               "ref_logprobs": [-1, -1, -1, -1]})"),
           0.645);
}

TEST(KlPenalty, EstimatorsAndDefaults) {
  const std::string sample =
      R"({"completion": "x", "logprobs": [-1.2, -0.3], "ref_logprobs": [-1.0, -0.5]})";
  ExpectOk(testutil::Score("{type: likelihood.log_ratio, estimator: k2}", sample), 0.5 * 0.04 * 2);
  ExpectOk(testutil::Score("{type: likelihood.log_ratio, estimator: k3}", sample),
           (std::exp(0.2) - 1 - 0.2) + (std::exp(-0.2) - 1 + 0.2));
  // Equal log-probs: 0 exactly, and +0 (JSON must not print -0).
  const Result zero = testutil::Score(
      "{type: likelihood.log_ratio}",
      R"({"completion": "x", "logprobs": [-1], "ref_logprobs": [-1]})");
  ExpectOk(zero, 0.0);
  EXPECT_FALSE(std::signbit(*zero.reward));
}

TEST(KlPenalty, FailuresPropagate) {
  const std::string node =
      "{type: kl_penalty, child: {type: field.value, path: rm, missing: error}, "
      "log_ratio: likelihood.log_ratio}";
  ExpectError(
      testutil::Score(node, R"({"completion": "x", "metadata": {"rm": 1.0}, "logprobs": [-1]})"),
      "missing_field");
  const Result r =
      testutil::Score(node, R"({"completion": "x", "logprobs": [-1], "ref_logprobs": [-1]})");
  EXPECT_EQ(r.status, ScoreStatus::kError);
  EXPECT_FALSE(r.reward.has_value());
}

TEST(KlPenalty, NeedsBothChildren) {
  EXPECT_NE(testutil::ConfigError("reward: {type: kl_penalty, child: likelihood.log_ratio}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: kl_penalty, log_ratio: likelihood.log_ratio}"),
            "");
  EXPECT_NE(testutil::ConfigError("reward: {type: kl_penalty, beta: -1, "
                                  "child: likelihood.log_ratio, log_ratio: likelihood.log_ratio}"),
            "");
}

// ---- JEPO advantages (spec B §1) ----

TEST(Jepo, SpecExample2) {
  std::vector<double> advantages;
  likelihood::JepoAdvantages(std::vector<double>{-0.8, -2.0, -1.2, -3.0}, advantages);
  ExpectNear(advantages, {0.366695, -0.131445, 0.100794, -0.233003});
  // R_group = −1.452813: the advantage plus the others' log-mean-exp, for the first rollout.
  const double others =
      likelihood::LogSumExp(std::vector<double>{-2.0, -1.2, -3.0}) - std::log(3.0);
  EXPECT_NEAR(advantages[0] + others, -1.452813, kTol);
}

TEST(Jepo, StableWhenOneRolloutDominates) {
  std::vector<double> advantages;
  likelihood::JepoAdvantages(std::vector<double>{0.0, -1000.0, -1000.0}, advantages);
  EXPECT_NEAR(advantages[0], -std::log(3.0) + 1000.0, 1e-9);
  EXPECT_NEAR(advantages[1], -std::log(3.0) - std::log(0.5), 1e-9);
  likelihood::JepoAdvantages(std::vector<double>{-5.0}, advantages);
  ExpectNear(advantages, {0.0});
}

// ---- Scratch reuse ----

// Every reward reuses per-worker buffers: a short sample scored right after a long one (on the same
// worker, with all the rewards in one tree sharing the buffers) must score as it does alone.
TEST(Buffers, ALongSampleLeavesNothingBehind) {
  const Engine engine = testutil::MakeEngine(R"(
reward:
  type: weighted_sum
  children:
    - likelihood.reference
    - likelihood.echo
    - likelihood.followup
    - {type: likelihood.implicit_prm, aggregation: sum_cumulative}
    - likelihood.endogenous
    - likelihood.token_contrast
    - {type: likelihood.log_ratio, tokens: true}
)",
                                             1);
  const auto sample = [](int n) {
    Json::Array lp(static_cast<std::size_t>(n), Json::Num(-0.5));
    Json::Array ref(static_cast<std::size_t>(n), Json::Num(-0.25));
    Json::Array rows(static_cast<std::size_t>(n), Json::Arr({Json::Num(1.0), Json::Num(2.0)}));
    Json::Array ids(static_cast<std::size_t>(n), Json::Num(1.0));
    Json::Array ends;
    for (int i = 0; i < n; i += 2) {
      ends.push_back(Json::Num(i));
    }
    return Json::Obj({{"completion", Json::Str("x")},
                      {"logprobs", Json::Arr(lp)},
                      {"ref_logprobs", Json::Arr(ref)},
                      {"metadata",
                       Json::Obj({{"reference_logprobs", Json::Arr(lp)},
                                  {"echo_logprobs", Json::Arr(ref)},
                                  {"followup_logprobs",
                                   Json::Obj({{"positive", Json::Arr({Json::Arr(lp)})},
                                              {"negative", Json::Arr({Json::Arr(ref)})}})},
                                  {"step_ends", Json::Arr(ends)},
                                  {"logits", Json::Arr(rows)},
                                  {"token_ids", Json::Arr(ids)},
                                  {"better_logprobs", Json::Arr(lp)},
                                  {"worse_logprobs", Json::Arr(ref)}})}})
        .Dump();
  };
  const Result alone = testutil::ScoreAll(engine, {sample(3)}).front();
  const std::vector<Result> after = testutil::ScoreAll(engine, {sample(50), sample(3)});
  ASSERT_EQ(alone.status, ScoreStatus::kOk) << alone.reason << alone.explanation;
  ASSERT_EQ(after[1].status, ScoreStatus::kOk);
  EXPECT_EQ(*after[1].reward, *alone.reward);
  EXPECT_EQ(after[1].components, alone.components);
  EXPECT_EQ(Rewards(after[1].tokens), Rewards(alone.tokens));
  EXPECT_EQ(Bounds(after[1].steps), Bounds(alone.steps));
  EXPECT_EQ(Rewards(after[1].steps), Rewards(alone.steps));
}

// ---- Pure numerics ----

TEST(Numerics, LogSumExp) {
  EXPECT_NEAR(likelihood::LogSumExp(std::vector<double>{0, 0}), std::log(2.0), 1e-15);
  EXPECT_NEAR(likelihood::LogSumExp(std::vector<double>{1e300, 0}), 1e300, 1e285);
  EXPECT_NEAR(likelihood::LogSumExp(std::vector<double>{-1e300, -1e300}), -1e300, 1e285);
}

TEST(Numerics, StepAggregationOfTheSpecExample) {
  std::vector<double> steps;
  likelihood::StepRewards(kPrmQ, std::vector<std::size_t>{3, 5, 9}, 0.05, steps);
  ExpectNear(steps, {0.02, -0.03, 0.035});
  EXPECT_NEAR(likelihood::AggregateSteps(steps, likelihood::StepAggregation::kMinCumulative), -0.01,
              kTol);
}

}  // namespace
}  // namespace merit
