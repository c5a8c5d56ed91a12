// Runs every golden case under tests/golden/. One self-describing case per line:
//
//   {"name": "...", "source": "spec A §9 example 1",
//    "reward": {<reward node>}            or  "config": {<whole config>},
//    "sample": {<input object>}           or  "samples": [<input objects>],
//    "want": {"reward": 1.0, "status": "ok", "reason": "...", "advantage": 0.5,
//             "components": {"name": value}}    (a list of these with "samples")}
//
// Rewards are compared to 1e-9 absolute unless the case sets "tolerance".
#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

namespace merit {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
  std::string file;
  std::size_t line = 0;
  Json value;
};

std::vector<GoldenCase> LoadCases() {
  std::vector<GoldenCase> cases;
  const fs::path root = fs::path(MERIT_SOURCE_DIR) / "tests" / "golden";
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".jsonl")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  JsonParser parser;
  for (const fs::path& path : files) {
    std::ifstream in(path);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos)
        continue;
      StatusOr<Json> value = parser.Parse(line);
      const std::string where = fs::relative(path, root).string();
      if (!value.ok()) {
        ADD_FAILURE() << where << ":" << number << ": " << value.status().ToString();
        continue;
      }
      cases.push_back({where, number, std::move(value).value()});
    }
  }
  return cases;
}

void Check(const Result& got, const Json& want, double tolerance, const std::string& label) {
  SCOPED_TRACE(label);
  if (const Json* status = want.Find("status")) {
    EXPECT_EQ(ScoreStatusName(got.status), status->str());
  }
  if (const Json* reason = want.Find("reason")) {
    EXPECT_EQ(got.reason, reason->str());
  }
  if (const Json* reward = want.Find("reward")) {
    if (reward->is_null()) {
      EXPECT_FALSE(got.reward.has_value());
    } else {
      ASSERT_TRUE(got.reward.has_value()) << got.reason << " " << got.explanation;
      EXPECT_NEAR(*got.reward, reward->number(), tolerance);
    }
  }
  if (const Json* advantage = want.Find("advantage")) {
    if (advantage->is_null()) {
      EXPECT_FALSE(got.advantage.has_value());
    } else {
      ASSERT_TRUE(got.advantage.has_value());
      EXPECT_NEAR(*got.advantage, advantage->number(), tolerance);
    }
  }
  if (const Json* components = want.Find("components")) {
    for (const auto& [name, value] : components->object()) {
      const auto it = std::find_if(got.components.begin(), got.components.end(),
                                   [&](const auto& c) { return c.first == name; });
      ASSERT_NE(it, got.components.end()) << "no component " << name;
      if (value.is_null()) {
        EXPECT_FALSE(it->second.has_value()) << name;
      } else {
        ASSERT_TRUE(it->second.has_value()) << name;
        EXPECT_NEAR(*it->second, value.number(), tolerance) << name;
      }
    }
  }
}

TEST(Golden, AllCasesPass) {
  const std::vector<GoldenCase> cases = LoadCases();
  ASSERT_FALSE(cases.empty());
  const Registry registry = BuiltinRegistry();
  for (const GoldenCase& c : cases) {
    const Json& v = c.value;
    const Json* name = v.Find("name");
    const std::string label = c.file + ":" + std::to_string(c.line) + " " +
                              (name && name->is_string() ? name->str() : "");
    SCOPED_TRACE(label);
    Json config_root = v.Find("config") ? *v.Find("config") : Json::Obj();
    if (const Json* reward = v.Find("reward"))
      config_root.Set("reward", *reward);
    StatusOr<Config> config = ConfigFromJson(config_root, label);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    StatusOr<Engine> engine = Engine::Create(*config, registry);
    if (const Json* error = v.Find("config_error")) {
      ASSERT_FALSE(engine.ok());
      EXPECT_NE(engine.status().message().find(error->str()), std::string::npos)
          << engine.status().message();
      continue;
    }
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    std::vector<Json> objects;
    if (const Json* sample = v.Find("sample"))
      objects.push_back(*sample);
    if (const Json* samples = v.Find("samples"))
      objects = samples->array();
    std::vector<Sample> batch(objects.size());
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const merit::Score mapped = engine->MapSample(objects[i], &batch[i]);
      ASSERT_TRUE(mapped.ok()) << mapped.explanation;
    }
    const std::vector<Result> results = engine->ScoreBatch(batch);
    const double tolerance = v.Find("tolerance") ? v.Find("tolerance")->number() : 1e-9;
    const Json& want = *v.Find("want");
    if (want.is_array()) {
      ASSERT_EQ(want.array().size(), results.size());
      for (std::size_t i = 0; i < results.size(); ++i) {
        Check(results[i], want.array()[i], tolerance, "sample " + std::to_string(i));
      }
    } else {
      ASSERT_EQ(results.size(), 1u);
      Check(results[0], want, tolerance, "sample");
    }
  }
}

}  // namespace
}  // namespace merit
