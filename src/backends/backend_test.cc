// The backend client against the test model server (real HTTP on 127.0.0.1): every protocol,
// batching, retries with Retry-After, deadlines, the circuit breaker, concurrency and rate limits,
// the response cache (memory and SQLite), API keys, and the model.* rewards through an Engine.
#include "backends/backend.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"
#include "model_server/model_server_fixture.h"
#include "testutil/testutil.h"

namespace merit::backends {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;

class BackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = merit::testing::ModelServer::Start({"--threads", "64"});
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(*started).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // A BackendSet with one backend "b" from YAML settings (a flow mapping body, without braces).
  static std::unique_ptr<BackendSet> Make(const std::string& settings) {
    const Json section = testutil::ParseYaml("{b: {" + settings + "}}");
    auto set = BackendSet::Create(section, ConfigLocation("<test>", "backends"));
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() ? std::move(*set) : nullptr;
  }

  static const Backend& B(const BackendSet& set) { return *set.Find("b").value(); }

  static Call ScoreCall(std::string text) {
    return Call{.kind = Call::Kind::kScore, .body = Json::Obj({{"text", Json::Str(std::move(text))}})};
  }

  static Call ChatCall(std::string user) {
    Json messages = Json::Arr({Json::Obj({{"role", Json::Str("user")},
                                          {"content", Json::Str(std::move(user))}})});
    return Call{.kind = Call::Kind::kChat, .body = Json::Obj({{"messages", std::move(messages)}})};
  }

  static merit::testing::ModelServer* server_;
};

merit::testing::ModelServer* BackendTest::server_ = nullptr;

TEST_F(BackendTest, EveryProtocolAnswers) {
  const std::string url = server_->url();
  auto openai = Make("protocol: openai, model: rule-judge, url: '" + url + "'");
  const Reply chat = B(*openai).CallNow(
      ChatCall("<question>2+2?</question><reference>4</reference><response>4</response>"));
  ASSERT_TRUE(chat.ok()) << chat.detail;
  const Json* content = chat.body.FindPath("choices.0.message.content");
  ASSERT_NE(content, nullptr);
  EXPECT_THAT(content->str(), HasSubstr("VERDICT: YES"));

  for (const std::string protocol : {"vllm_classify", "vllm_pooling", "openrlhf"}) {
    SCOPED_TRACE(protocol);
    auto set = Make("protocol: " + protocol + ", url: '" + url + "'");
    const Reply good = B(*set).CallNow(ScoreCall("The cat sat on the mat."));
    const Reply noise = B(*set).CallNow(ScoreCall("zq xj vvk qqq"));
    ASSERT_TRUE(good.ok()) << good.detail;
    ASSERT_TRUE(noise.ok()) << noise.detail;
    // The tiny LM prefers English to noise, whatever the protocol wraps it in.
    EXPECT_GT(good.body.Find("score")->number(), noise.body.Find("score")->number());
  }
  auto http = Make("protocol: http, url: '" + url + "/score', score_path: result.score");
  const Reply generic = B(*http).CallNow(ScoreCall("The cat sat on the mat."));
  ASSERT_TRUE(generic.ok()) << generic.detail;
  EXPECT_TRUE(std::isfinite(generic.body.Find("score")->number()));
}

TEST_F(BackendTest, ListEndpointsAreBatched) {
  auto set = Make("protocol: vllm_pooling, cache: off, max_batch: 32, url: '" +
                  server_->Url("tag=batch") + "'");
  std::vector<std::shared_ptr<const PendingReply>> pending;
  for (int i = 0; i < 100; ++i) {
    pending.push_back(B(*set).Submit(ScoreCall("text number " + std::to_string(i))));
  }
  for (const auto& p : pending) {
    EXPECT_TRUE(p->Wait().ok()) << p->Wait().detail;
  }
  // 100 inputs in lists of at most 32: at least 4 requests, far fewer than 100.
  EXPECT_GE(B(*set).stats().http_requests, 4u);
  EXPECT_LE(B(*set).stats().http_requests, 20u);
  // Batched replies go back to the right caller.
  const Reply alone = B(*set).CallNow(ScoreCall("text number 7"));
  EXPECT_EQ(alone.body.Find("score")->number(), pending[7]->Wait().body.Find("score")->number());
}

TEST_F(BackendTest, RetriesTransientFailuresThenSucceeds) {
  auto set = Make("protocol: vllm_pooling, cache: off, retries: 3, backoff_initial: 0.01, "
                  "url: '" + server_->Url("status=503,fail_first=2,tag=retry") + "'");
  const Reply reply = B(*set).CallNow(ScoreCall("hello"));
  EXPECT_TRUE(reply.ok()) << reply.detail;
  EXPECT_EQ(B(*set).stats().retries, 2u);
}

TEST_F(BackendTest, HonoursRetryAfter) {
  auto set = Make("protocol: vllm_pooling, cache: off, retries: 2, backoff_initial: 0.001, "
                  "url: '" + server_->Url("status=429,fail_first=1,retry_after=1,tag=ra") + "'");
  const Clock::time_point start = Clock::now();
  const Reply reply = B(*set).CallNow(ScoreCall("hello"));
  EXPECT_TRUE(reply.ok()) << reply.detail;
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(950));
}

TEST_F(BackendTest, FailuresAreReasonsNeverScores) {
  struct Case {
    std::string faults;
    std::string_view reason;
  };
  for (const Case& c : std::vector<Case>{{"status=500,fail_every=1", "backend_unavailable"},
                                         {"drop=1", "backend_unavailable"},
                                         {"malformed=1", "backend_bad_response"},
                                         {"status=400,fail_every=1", "backend_bad_response"}}) {
    SCOPED_TRACE(c.faults);
    auto set = Make("protocol: openrlhf, cache: off, retries: 2, backoff_initial: 0.01, url: '" +
                    server_->Url(c.faults + ",tag=fail") + "'");
    const Reply reply = B(*set).CallNow(ScoreCall("hello"));
    EXPECT_EQ(reply.error, c.reason) << reply.detail;
    EXPECT_FALSE(reply.detail.empty());
  }
  // Nothing listens on port 9: a connection failure, retried, then unavailable.
  auto closed = Make("protocol: openrlhf, retries: 1, backoff_initial: 0.01, "
                     "url: 'http://127.0.0.1:9'");
  EXPECT_EQ(B(*closed).CallNow(ScoreCall("x")).error, "backend_unavailable");
}

TEST_F(BackendTest, DeadlineBoundsTheCallRetriesIncluded) {
  auto set = Make("protocol: vllm_pooling, cache: off, deadline: 0.3, timeout: 10, url: '" +
                  server_->Url("latency_ms=10000,tag=deadline") + "'");
  const Clock::time_point start = Clock::now();
  const Reply reply = B(*set).CallNow(ScoreCall("slow"));
  EXPECT_EQ(reply.error, "timeout") << reply.detail;
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(5000));
}

TEST_F(BackendTest, CircuitBreakerFailsFastWhileOpen) {
  auto set = Make("protocol: vllm_pooling, cache: off, retries: 0, max_concurrency: 1, "
                  "breaker_failures: 3, breaker_cooldown: 30, url: '" +
                  server_->Url("status=503,fail_every=1,tag=breaker") + "'");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(B(*set).CallNow(ScoreCall("x" + std::to_string(i))).error, "backend_unavailable");
  }
  const Reply fast = B(*set).CallNow(ScoreCall("after"));
  EXPECT_EQ(fast.error, "backend_unavailable");
  EXPECT_THAT(fast.detail, HasSubstr("circuit breaker open"));
  EXPECT_EQ(B(*set).stats().http_requests, 3u);
  EXPECT_EQ(B(*set).stats().breaker_trips, 1u);
}

TEST_F(BackendTest, ConcurrencyLimitHolds) {
  auto set = Make("protocol: openai, model: rule-judge, cache: off, max_concurrency: 4, url: '" +
                  server_->Url("latency_ms=100,tag=conc") + "'");
  std::vector<std::shared_ptr<const PendingReply>> pending;
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < 16; ++i) {
    pending.push_back(B(*set).Submit(ChatCall("<response>answer " + std::to_string(i) +
                                              "</response> SCALE: 0-10")));
  }
  for (const auto& p : pending) {
    EXPECT_TRUE(p->Wait().ok()) << p->Wait().detail;
  }
  EXPECT_EQ(B(*set).stats().max_in_flight, 4u);
  // 16 calls of 100 ms, 4 at a time: about 400 ms, never 1.6 s (serial) nor 100 ms (unlimited).
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(390));
}

TEST_F(BackendTest, RequestRateLimit) {
  // 1,200 requests per minute = 20 per second with a one-second bucket: 30 calls need >= 0.5 s.
  auto set = Make("protocol: openrlhf, cache: off, max_batch: 1, requests_per_minute: 1200, "
                  "url: '" + server_->Url("tag=rate") + "'");
  std::vector<std::shared_ptr<const PendingReply>> pending;
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < 30; ++i) {
    pending.push_back(B(*set).Submit(ScoreCall("r" + std::to_string(i))));
  }
  for (const auto& p : pending) {
    EXPECT_TRUE(p->Wait().ok());
  }
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(450));
}

TEST_F(BackendTest, CacheMakesRerunsFreeAcrossRuns) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("merit_cache_test_" + std::to_string(::getpid()));
  std::filesystem::remove(file);
  const std::string settings = "protocol: openai, model: rule-judge, cache_file: '" +
                               file.string() + "', url: '" + server_->Url("tag=cache") + "'";
  const Call call = ChatCall("<response>cached answer</response> SCALE: 0-10");
  Json first;
  {
    auto set = Make(settings);
    first = B(*set).CallNow(call).body;
    const Reply again = B(*set).CallNow(call);
    EXPECT_TRUE(again.cached);
    EXPECT_EQ(B(*set).stats().http_requests, 1u);
  }
  auto rerun = Make(settings);  // A new process would see the same file.
  const Reply replay = B(*rerun).CallNow(call);
  EXPECT_TRUE(replay.cached);
  EXPECT_EQ(replay.body, first);
  EXPECT_EQ(B(*rerun).stats().http_requests, 0u);
  std::filesystem::remove(file);
}

TEST(BackendAuth, ApiKeyFromEnvironmentNeverInErrors) {
  auto server = merit::testing::ModelServer::Start({"--api-key", "s3cret-key"});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string url = (*server)->url();
  auto make = [&](const std::string& extra) {
    return BackendSet::Create(
        testutil::ParseYaml("{b: {protocol: openrlhf, retries: 0, url: '" + url + "'" + extra + "}}"),
        ConfigLocation("<test>", "backends"));
  };
  auto without = make("");
  ASSERT_TRUE(without.ok());
  const Reply denied = (*without)->Find("b").value()->CallNow(
      Call{.kind = Call::Kind::kScore, .body = Json::Obj({{"text", Json::Str("x")}})});
  EXPECT_EQ(denied.error, "backend_bad_response");  // 401: asking again will not help.

  auto unset = make(", api_key_env: MERIT_TEST_UNSET_KEY_VARIABLE");
  ASSERT_FALSE(unset.ok());
  EXPECT_THAT(unset.status().message(), HasSubstr("MERIT_TEST_UNSET_KEY_VARIABLE is not set"));

  ::setenv("MERIT_TEST_API_KEY", "s3cret-key", 1);
  auto with = make(", api_key_env: MERIT_TEST_API_KEY");
  ASSERT_TRUE(with.ok());
  const Reply allowed = (*with)->Find("b").value()->CallNow(
      Call{.kind = Call::Kind::kScore, .body = Json::Obj({{"text", Json::Str("x")}})});
  EXPECT_TRUE(allowed.ok()) << allowed.detail;
  EXPECT_THAT(denied.detail, Not(HasSubstr("s3cret")));
}

TEST(BackendConfig, ErrorsNameThePathAndTheChoices) {
  auto bad_protocol = BackendSet::Create(
      testutil::ParseYaml("{b: {protocol: vlm_pooling, url: 'http://x'}}"),
      ConfigLocation("c.yaml", "backends"));
  ASSERT_FALSE(bad_protocol.ok());
  EXPECT_THAT(bad_protocol.status().message(), HasSubstr("backends.b.protocol"));
  EXPECT_THAT(bad_protocol.status().message(), HasSubstr("vllm_pooling"));
  auto bad_url = BackendSet::Create(testutil::ParseYaml("{b: {url: 'file:///etc/passwd'}}"),
                                    ConfigLocation("c.yaml", "backends"));
  ASSERT_FALSE(bad_url.ok());
  EXPECT_THAT(bad_url.status().message(), HasSubstr("http://"));

  // A reward naming a backend that does not exist, through the Engine.
  const Registry registry = BuiltinRegistry();
  auto config = ParseConfig(
      "backends: {judge_rm: {protocol: vllm_pooling, url: 'http://127.0.0.1:9'}}\n"
      "reward: {type: model.rm, backend: judge_r}\n",
      "c.yaml");
  ASSERT_TRUE(config.ok());
  auto engine = Engine::Create(*config, registry);
  ASSERT_FALSE(engine.ok());
  EXPECT_THAT(engine.status().message(), HasSubstr("did you mean \"judge_rm\""));
}

TEST_F(BackendTest, ModelRewardsThroughTheEngine) {
  const Registry registry = BuiltinRegistry();
  auto config = ParseConfig(
      "backends:\n"
      "  rm: {protocol: vllm_classify, url: '" + server_->url() + "'}\n"
      "  detector: {protocol: http, url: '" + server_->url() + "/score', score_path: result.score}\n"
      "  down: {protocol: openrlhf, retries: 0, url: 'http://127.0.0.1:9'}\n"
      "reward:\n"
      "  type: weighted_sum\n"
      "  children:\n"
      "    - {name: rm, type: model.rm, backend: rm}\n"
      "    - {name: api, type: model.api, backend: detector, transform: negate, weight: 0}\n",
      "c.yaml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto engine = Engine::Create(*config, registry, {.threads = 2});
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const std::vector<Result> results = testutil::ScoreAll(
      *engine, {R"({"prompt": "Say hi.", "completion": " The cat sat on the mat."})",
                R"({"prompt": "Say hi.", "completion": " zq xj vvk"})"});
  ASSERT_EQ(results.size(), 2u);
  for (const Result& r : results) {
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
    EXPECT_GT(*r.reward, 0.0);
    EXPECT_LT(*r.reward, 1.0);
  }
  EXPECT_GT(*results[0].reward, *results[1].reward);

  // An outage is an error with a reason, never a 0 reward.
  auto down = ParseConfig(
      "backends: {down: {protocol: openrlhf, retries: 0, url: 'http://127.0.0.1:9'}}\n"
      "reward: {type: model.rm, backend: down}\n",
      "c.yaml");
  auto down_engine = Engine::Create(*down, registry);
  ASSERT_TRUE(down_engine.ok());
  const Result outage = testutil::ScoreAll(*down_engine, {R"({"completion": "x"})"}).front();
  EXPECT_EQ(outage.status, ScoreStatus::kError);
  EXPECT_EQ(outage.reason, "backend_unavailable");
  EXPECT_FALSE(outage.reward.has_value());
}

}  // namespace
}  // namespace merit::backends
