// merit serve's contract, tested against a real HTTP server on a free loopback port (started and
// stopped by each test) with cpp-httplib's client: endpoints, OpenRLHF shapes, limits (413),
// deadlines (504), overload (429, and every accepted request answered in full), auth, reload
// under load and graceful stop with requests in flight.
//
// Slow work comes from a test-only reward, test.sleep, registered next to the builtin ones
// (Service takes the registry from its caller), so timing tests do not depend on machine speed.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "merit/registry.h"

#include "server/http_server.h"
#include "server/service.h"

namespace merit::server {
namespace {

using ::testing::HasSubstr;

struct SleepOptions {
  std::int64_t ms = 10;
  static constexpr auto kFields = std::tuple{
      Field{"ms", &SleepOptions::ms, "Milliseconds to sleep per sample.", {.min = 0, .max = 5000}},
  };
};

class Sleep final : public Reward {
 public:
  explicit Sleep(SleepOptions options) : options_(options) {}

  Score Evaluate(const Sample&, ScoreContext&) const override {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.ms));
    return Score::Ok(1.0);
  }

 private:
  const SleepOptions options_;
};

StatusOr<std::unique_ptr<const Reward>> MakeSleep(const SleepOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<Sleep>(options));
}

std::unique_ptr<const Registry> TestRegistry() {
  auto registry = std::make_unique<Registry>(BuiltinRegistry());
  registry->AddReward<SleepOptions>(
      {.name = "test.sleep", .summary = "Sleeps, then 1.", .example = "{type: test.sleep}"},
      &MakeSleep);
  return registry;
}

std::string WriteConfig(const std::string& name, const std::string& text) {
  const std::filesystem::path path = std::filesystem::path(testing::TempDir()) / name;
  std::ofstream(path) << text;
  return path.string();
}

const std::string kFieldsConfig = "reward: {type: field.value, path: r, missing: error}\n";

Json Parse(const std::string& text) {
  JsonParser parser;
  StatusOr<Json> json = parser.Parse(text);
  EXPECT_TRUE(json.ok()) << text;
  return json.ok() ? *json : Json();
}

// A Service and HttpServer on 127.0.0.1:<free port>, serving on a background thread.
class TestServer {
 public:
  explicit TestServer(ServiceOptions options, HttpOptions http = {}) {
    StatusOr<std::unique_ptr<Service>> service =
        Service::Create(std::move(options), TestRegistry());
    EXPECT_TRUE(service.ok()) << service.status().message();
    service_ = *std::move(service);
    http.port = 0;
    http.access_log = false;
    http_ = std::make_unique<HttpServer>(*service_, http);
    StatusOr<int> port = http_->Bind();
    EXPECT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
    thread_ = std::thread([this] { http_->Run(); });
  }

  ~TestServer() { Stop(); }

  void Stop() {
    if (thread_.joinable()) {
      http_->Stop();
      thread_.join();
    }
  }

  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30);
    return client;
  }

  Service& service() { return *service_; }

 private:
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> http_;
  int port_ = 0;
  std::thread thread_;
};

ServiceOptions Options(std::vector<ConfigSpec> configs) {
  return ServiceOptions{.configs = std::move(configs), .threads = 2};
}

std::string Samples(std::size_t n, std::string_view sample) {
  std::string body = R"({"samples":[)";
  for (std::size_t i = 0; i < n; ++i) {
    body += (i > 0 ? "," : "");
    body += sample;
  }
  return body + "]}";
}

TEST(Server, ScoreReturnsTheCliResultObjectsInOrder) {
  TestServer server(Options({{"fields", WriteConfig("fields.yaml", kFieldsConfig)}}));
  auto client = server.Client();
  const auto res = client.Post("/v1/score",
                               R"({"config": "fields", "samples": [
                                   {"completion": "a", "metadata": {"r": 0.5}},
                                   {"completion": "b"},
                                   7,
                                   {"completion": "c", "metadata": {"r": 2}}]})",
                               "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json body = Parse(res->body);
  const Json::Array& results = body.Find("results")->array();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].Dump(),
            R"({"reward":0.5,"status":"ok","components":{"field.value":0.5}})");
  EXPECT_EQ(results[1].Find("status")->str(), "error");
  EXPECT_EQ(results[1].Find("reason")->str(), "missing_value");
  // A sample that is not an object is that sample's error, with its position.
  EXPECT_EQ(results[2].Find("reason")->str(), "not_an_object");
  EXPECT_EQ(results[2].Find("line")->number(), 3);
  EXPECT_EQ(results[3].Find("reward")->number(), 2);
  EXPECT_EQ(body.Find("config")->str(), "fields");
  EXPECT_EQ(body.Find("config_hash")->str(),
            server.service().catalog()->configs[0]->engine().config_hash());
  EXPECT_EQ(res->get_header_value("X-Merit-Samples"), "4");
}

TEST(Server, GetRewardSpeaksOpenRlhf) {
  TestServer server(Options(
      {{"fields", WriteConfig("fields.yaml", kFieldsConfig)},
       {"exact", WriteConfig("exact.yaml",
                             "reward: {type: weighted_sum, children: ["
                             "{type: match.exact, name: correct, extract: none}, "
                             "{type: field.value, name: rm, weight: 0, missing: zero}]}\n")}}));
  auto client = server.Client();
  // OpenRLHF sends prompt+response as the query; the openrlhf preset strips the prompt.
  const auto res = client.Post("/get_reward?config=exact",
                               R"({"query": ["Say 7. 7", "Say 7. 8", "Q? 3"],
                                   "prompts": ["Say 7. ", "Say 7. ", "Q? "],
                                   "labels": ["7", "7", null]})",
                               "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr(R"("rewards":[1,0,0],"scores":[1,0,0])"));
  EXPECT_THAT(res->body, HasSubstr(R"("merit/unscorable":[0,0,1],"merit/error":[0,0,0])"));
  EXPECT_THAT(res->body, HasSubstr(R"("merit/correct":[1,0,NaN],"merit/rm":[0,0,0])"));
  // Lists of different lengths are the caller's mistake.
  const auto bad = client.Post("/get_reward", R"({"query": ["a"], "prompts": []})",
                               "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST(Server, ConfigsHealthAndMetrics) {
  TestServer server(Options({{"a", WriteConfig("a.yaml", kFieldsConfig)},
                             {"b", WriteConfig("b.yaml", "reward: {type: match.exact}\n")}}));
  auto client = server.Client();
  const auto configs = client.Get("/v1/configs");
  ASSERT_TRUE(configs);
  const Json list = Parse(configs->body);
  EXPECT_EQ(list.Find("default")->str(), "a");
  ASSERT_EQ(list.Find("configs")->array().size(), 2u);
  EXPECT_EQ(list.Find("configs")->array()[1].Find("components")->array()[0].str(), "match.exact");
  const auto trl = client.Get("/v1/configs/b?fields=trl");
  ASSERT_TRUE(trl);
  EXPECT_THAT(trl->body, HasSubstr(R"("input_keys":["answer","completion","data_source")"));
  const auto conflict = client.Get("/v1/configs/b?fields=nope");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 400);

  const auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  ASSERT_TRUE(client.Post("/v1/score", Samples(3, R"({"completion": "x", "metadata": {"r": 1}})"),
                          "application/json"));
  const auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body,
              HasSubstr(R"(merit_http_requests_total{route="/v1/score",code="200"} 1)"));
  EXPECT_THAT(metrics->body, HasSubstr(R"(merit_samples_total{config="a",status="ok"} 3)"));
  EXPECT_THAT(metrics->body,
              HasSubstr(R"(merit_http_request_duration_seconds_count{route="/v1/score"} 1)"));
  EXPECT_THAT(metrics->body, HasSubstr("merit_queue_depth 0"));
  server.service().BeginDrain();
  const auto draining = client.Get("/health");
  ASSERT_TRUE(draining);
  EXPECT_EQ(draining->status, 503);
  EXPECT_EQ(client.Get("/health/live")->status, 200);
}

TEST(Server, BadRequestsGetTheirStatusCodes) {
  ServiceOptions options = Options({{"a", WriteConfig("a.yaml", kFieldsConfig)}});
  options.limits.max_batch = 10;
  TestServer server(std::move(options), {.max_body_bytes = 4096});
  auto client = server.Client();
  struct Case {
    std::string body;
    int want;
    std::string_view message;
  };
  const Case cases[] = {
      {"{", 400, "invalid json"},
      {"[]", 400, "expected an object"},
      {R"({"samples": {}})", 400, "samples: expected a list"},
      {R"({"samples": [], "extra": 1})", 400, "unknown key"},
      {R"({"config": "nope", "samples": []})", 404, "(served: a)"},
      {R"({"fields": "verl", "samples": [], "timeout_ms": -1})", 400, "timeout_ms"},
      {Samples(11, "{}"), 413, "more than 10 samples"},
      {Samples(1, R"({"completion": ")" + std::string(5000, 'x') + "\"}"), 413, "max-body"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 80));
    const auto res = client.Post("/v1/score", c.body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.want);
    EXPECT_THAT(res->body, HasSubstr(c.message));
  }
  EXPECT_EQ(client.Get("/nowhere")->status, 404);
  EXPECT_EQ(client.Post("/v1/score", Samples(10, "{}"), "application/json")->status, 200);
}

TEST(Server, DeadlineGives504) {
  TestServer server(
      Options({{"slow", WriteConfig("slow.yaml", "reward: {type: test.sleep, ms: 3000}\n")}}));
  auto client = server.Client();
  const auto start = std::chrono::steady_clock::now();
  const auto res = client.Post(
      "/v1/score", R"({"timeout_ms": 100, "samples": [{"completion": "x"}]})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 504);
  EXPECT_THAT(res->body, HasSubstr("not scored within 100 ms"));
  // The answer comes at the deadline, not when the batch finally finishes.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
}

TEST(Server, OverloadIsRefusedFastAndEveryAcceptedRequestIsAnsweredInFull) {
  ServiceOptions options =
      Options({{"slow", WriteConfig("slow.yaml", "reward: {type: test.sleep, ms: 20}\n")}});
  options.workers = 1;
  options.queue_capacity = 2;
  TestServer server(std::move(options));
  constexpr int kClients = 24;
  constexpr std::size_t kSamples = 8;  // 8 x 20 ms / 2 threads: ~80 ms per batch.
  std::vector<std::future<std::pair<int, std::string>>> calls;
  for (int i = 0; i < kClients; ++i) {
    calls.push_back(std::async(std::launch::async, [&server] {
      auto client = server.Client();
      const auto res = client.Post("/v1/score", Samples(kSamples, R"({"completion": "x"})"),
                                   "application/json");
      if (!res) {
        return std::pair<int, std::string>(0, "");
      }
      return std::pair<int, std::string>(
          res->status, res->status == 429 ? res->get_header_value("Retry-After") : res->body);
    }));
  }
  int ok = 0;
  int refused = 0;
  for (auto& call : calls) {
    const auto [status, body] = call.get();
    if (status == 200) {
      ++ok;
      EXPECT_EQ(Parse(body).Find("results")->array().size(), kSamples);
    } else {
      EXPECT_EQ(status, 429);
      EXPECT_EQ(body, "1");  // Retry-After.
      ++refused;
    }
  }
  EXPECT_GE(ok, 3);       // One running and two queued at least.
  EXPECT_GE(refused, 1);  // 24 at once cannot all fit.
  EXPECT_EQ(ok + refused, kClients);
  EXPECT_THAT(server.Client().Get("/metrics")->body,
              HasSubstr(fmt::format("merit_rejected_batches_total{{reason=\"queue_full\"}} {}",
                                    refused)));
}

TEST(Server, BearerToken) {
  TestServer server(Options({{"a", WriteConfig("a.yaml", kFieldsConfig)}}), {.token = "s3cret"});
  auto client = server.Client();
  EXPECT_EQ(client.Get("/v1/configs")->status, 401);
  EXPECT_EQ(client.Get("/health")->status, 200);
  client.set_bearer_token_auth("wrong");
  EXPECT_EQ(client.Get("/v1/configs")->status, 401);
  client.set_bearer_token_auth("s3cret");
  EXPECT_EQ(client.Get("/v1/configs")->status, 200);
}

TEST(Server, ReloadUnderLoadSwapsEnginesWithoutFailingARequest) {
  const std::string path = WriteConfig("reload.yaml", kFieldsConfig);
  TestServer server(Options({{"r", path}}));
  const std::string before = server.service().catalog()->configs[0]->engine().config_hash();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> done{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&] {
      auto client = server.Client();
      while (!stop.load()) {
        const auto res = client.Post(
            "/v1/score", Samples(64, R"({"completion": "x", "metadata": {"r": 1}})"),
            "application/json");
        if (!res || res->status != 200 ||
            Parse(res->body).Find("results")->array().size() != 64) {
          ++failures;
        }
        ++done;
      }
    });
  }
  auto client = server.Client();
  for (int i = 0; i < 5; ++i) {
    std::ofstream(path) << "reward: {type: field.value, path: r, missing: " <<
        (i % 2 ? "error" : "zero") << "}\n";
    const auto res = client.Post("/admin/reload", "", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
  // A broken file keeps the previous engines.
  std::ofstream(path) << "reward: {type: no.such.reward}\n";
  const auto broken = client.Post("/admin/reload", "", "application/json");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 500);
  EXPECT_THAT(broken->body, HasSubstr("still serving the previous configs"));
  while (done.load() < 20) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (auto& t : load) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  const std::string after = server.service().catalog()->configs[0]->engine().config_hash();
  EXPECT_NE(before, after);
  EXPECT_THAT(client.Get("/metrics")->body, HasSubstr(R"(merit_reloads_total{result="failed"} 1)"));
}

TEST(Server, StopFinishesRequestsInFlight) {
  ServiceOptions options =
      Options({{"slow", WriteConfig("slow.yaml", "reward: {type: test.sleep, ms: 100}\n")}});
  TestServer server(std::move(options));
  std::vector<std::future<int>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&server] {
      auto client = server.Client();
      const auto res = client.Post("/v1/score", Samples(4, R"({"completion": "x"})"),
                                   "application/json");
      return res && Parse(res->body).Find("results")->array().size() == 4 ? res->status : 0;
    }));
  }
  // Stop once the service holds all four (scoring or queued): a request not yet read when the
  // listener closes is not in flight, and would rightly be refused.
  const auto held = [&server] {
    const Gauges gauges = server.service().SampleGauges();
    return gauges.queue_running + gauges.queue_waiting;
  };
  for (int i = 0; i < 2000 && held() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(held(), 4u);
  server.Stop();
  for (auto& call : calls) {
    EXPECT_EQ(call.get(), 200);
  }
  // Nothing listens any more.
  EXPECT_FALSE(server.Client().Get("/health"));
}

}  // namespace
}  // namespace merit::server
