// ModelServerSuite: a GoogleTest fixture for rewards that call the test model server. The suite
// shares one server; Score* build an Engine from a config with one OpenAI-protocol backend.
//
//   class JudgeServerTest : public merit::testing::ModelServerSuite {};
//   TEST_F(JudgeServerTest, X) {
//     Result r = ScoreOne(Backend("judge", "rule-judge"), "{type: judge.verify, backend: judge}",
//                         sample);
//   }
#ifndef MERIT_TESTS_MODEL_SERVER_SERVER_SUITE_H_
#define MERIT_TESTS_MODEL_SERVER_SERVER_SUITE_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "merit/engine.h"
#include "merit/json.h"
#include "merit/result.h"
#include "model_server/model_server_fixture.h"
#include "testutil/testutil.h"

namespace merit::testing {

class ModelServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ModelServer::Start();
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(*started);
  }

  static void TearDownTestSuite() { server_.reset(); }

  // The `backends:` entry `name` (OpenAI protocol, no retries) serving `model` at `url` (default:
  // the plain server, without faults).
  static std::string Backend(std::string_view name, std::string_view model, std::string url = {}) {
    if (url.empty()) {
      url = server_->url();
    }
    return fmt::format("  {}: {{protocol: openai, url: \"{}\", model: {}, retries: 0}}\n", name,
                       url, model);
  }

  // A whole config: the `backends:` entries and the `reward:` node.
  static std::string Config(const std::string& backends, std::string_view reward) {
    return fmt::format("backends:\n{}reward: {}\n", backends, reward);
  }

  static std::vector<Result> ScoreAll(const std::string& backends, std::string_view reward,
                                      const std::vector<Json>& samples) {
    const Engine engine = testutil::MakeEngine(Config(backends, reward), 2);
    std::vector<std::string> lines;
    for (const Json& sample : samples) {
      lines.push_back(sample.Dump());
    }
    return testutil::ScoreAll(engine, lines);
  }

  static Result ScoreOne(const std::string& backends, std::string_view reward, const Json& sample) {
    return ScoreAll(backends, reward, {sample}).front();
  }

  // Scores examples/<dir>/<inputs> with examples/<dir>/config.yaml, its backend URL
  // (http://127.0.0.1:8000 in the file, what a user's local server listens on) pointed at this
  // server. Returns the input lines too, for checks on them. Fails the test if the files are not
  // there or the config names no such URL.
  struct ExampleRun {
    std::vector<std::string> lines = {};
    std::vector<Result> results = {};
  };
  static ExampleRun ScoreExample(std::string_view dir, std::string_view inputs) {
    const std::string root = fmt::format("{}/examples/{}/", MERIT_SOURCE_DIR, dir);
    std::ifstream config_file(root + "config.yaml");
    std::ifstream input_file(root + std::string(inputs));
    EXPECT_TRUE(config_file && input_file) << root;
    std::stringstream config;
    config << config_file.rdbuf();
    std::string text = config.str();
    constexpr std::string_view kPlaceholder = "http://127.0.0.1:8000";
    const std::size_t at = text.find(kPlaceholder);
    EXPECT_NE(at, std::string::npos) << root << "config.yaml names no " << kPlaceholder;
    if (at == std::string::npos)
      return {};
    text.replace(at, kPlaceholder.size(), server_->url());
    ExampleRun run;
    for (std::string line; std::getline(input_file, line);) {
      run.lines.push_back(line);
    }
    run.results = testutil::ScoreAll(testutil::MakeEngine(text, 2), run.lines);
    return run;
  }

  // Requests the server has answered since it started (or since ResetStats).
  static std::uint64_t Requests() {
    const StatusOr<Json> stats = server_->Stats();
    EXPECT_TRUE(stats.ok());
    const Json* requests = stats.ok() ? stats->Find("requests") : nullptr;
    return requests == nullptr ? 0 : static_cast<std::uint64_t>(requests->number());
  }

  static inline std::unique_ptr<ModelServer> server_;
};

}  // namespace merit::testing

#endif  // MERIT_TESTS_MODEL_SERVER_SERVER_SUITE_H_
