// sql.partial without execution (samples/s) and sql.execution (queries/s), on one thread, through
// the reward itself (no engine, no JSON). Two databases: a Spider-style one the benchmark builds
// (database_sql: singer/concert, 1000 singers) with short Spider-like queries, and the real
// GeoQuery database from ../shared/data/sql with its gold queries (skipped when absent).
//
// Completions are perturbed gold queries (a changed literal), so every sample is a near miss
// that goes through every component; each gold recurs 8 times, as in a GRPO group of 8.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "merit/registry.h"
#include "merit/reward.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSpiderSchema =
    "CREATE TABLE singer(id INTEGER PRIMARY KEY, name TEXT, age INTEGER, country TEXT); "
    "CREATE TABLE concert(id INTEGER PRIMARY KEY, singer_id INTEGER, year INTEGER, venue TEXT); "
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
    "INSERT INTO singer SELECT i, 'singer' || i, 18 + i % 50, 'country' || (i % 20) FROM n; "
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
    "INSERT INTO concert SELECT i, 1 + i % 1000, 2000 + i % 25, 'venue' || (i % 40) FROM n;";

constexpr const char* kSpiderGolds[] = {
    "SELECT name FROM singer WHERE age > 30",
    "SELECT count(*) FROM singer WHERE country = 'country3'",
    "SELECT T1.name FROM singer AS T1 JOIN concert AS T2 ON T1.id = T2.singer_id WHERE T2.year = "
    "2010",
    "SELECT country, count(*) FROM singer GROUP BY country ORDER BY count(*) DESC LIMIT 3",
    "SELECT avg(age) FROM singer WHERE country = 'country7'",
    "SELECT venue FROM concert WHERE year = 2020 AND singer_id = 17",
    "SELECT name, age FROM singer ORDER BY age DESC LIMIT 5",
    "SELECT count(DISTINCT venue) FROM concert WHERE year > 2015",
};

const fs::path kGeography = fs::path(MERIT_SOURCE_DIR) / ".." / "shared" / "data" / "sql";

// The gold SQL of every GeoQuery question that runs.
std::vector<std::string> GeographyGolds() {
  std::vector<std::string> golds;
  merit::JsonParser parser;
  std::ifstream in(kGeography / "geography_questions.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const merit::Json row = parser.Parse(line).value();
    if (row.Find("gold_executes")->boolean()) {
      golds.push_back(row.Find("gold_sql")->str());
    }
  }
  return golds;
}

// The gold with a literal changed: the first digit bumped, or failing that, the first quote's
// content extended.
std::string Perturb(std::string sql) {
  for (char& c : sql) {
    if (c >= '0' && c <= '8') {
      ++c;
      return sql;
    }
  }
  const std::size_t quote = sql.find_first_of("'\"");
  if (quote != std::string::npos) {
    sql.insert(quote + 1, "x");
  }
  return sql;
}

std::vector<merit::Sample> Samples(const std::vector<std::string>& golds) {
  std::vector<merit::Sample> samples;
  for (const std::string& gold : golds) {
    for (int k = 0; k < 8; ++k) {
      merit::Sample s;
      s.completion_text = "<reasoning>\nthink\n</reasoning>\n<answer>\n```sql\n" +
                          (k == 0 ? gold : Perturb(gold)) + "\n```\n</answer>\n";
      s.reference = merit::Json::Str(gold);
      samples.push_back(std::move(s));
    }
  }
  return samples;
}

std::unique_ptr<const merit::Reward> Build(const merit::Registry& registry,
                                           merit::Json node) {
  const std::string_view ignored[] = {"type"};
  const auto* entry = registry.Lookup(node.Find("type")->str()).value();
  auto reward = entry->reward(node, merit::ConfigLocation("bench", "reward"), ignored, {});
  if (!reward.ok()) {
    std::fprintf(stderr, "%s\n", reward.status().ToString().c_str());
    std::abort();
  }
  return std::move(reward).value();
}

// Scores `samples` round-robin; items are samples (or, for sql.execution, queries run: two per
// sample, the gold's and the prediction's).
void Run(benchmark::State& state, const merit::Reward& reward,
         const std::vector<merit::Sample>& samples, std::int64_t items_per_sample) {
  merit::ScoreContext context;
  // Check the answer once before timing: every sample is scored ok.
  for (const merit::Sample& s : samples) {
    const merit::Score score = reward.Evaluate(s, context);
    if (!score.ok()) {
      state.SkipWithError(("not ok: " + std::string(score.reason) + " " + score.explanation).c_str());
      return;
    }
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(reward.Evaluate(samples[i], context).value);
    i = i + 1 == samples.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations() * items_per_sample);
}

merit::Json Node(std::string_view type, bool geography, bool execute) {
  merit::Json node = merit::Json::Obj({{"type", merit::Json::Str(std::string(type))}});
  if (geography) {
    node.Set("db_path", merit::Json::Str((kGeography / "geography.sqlite").string()));
  } else {
    node.Set("database_sql", merit::Json::Str(std::string(kSpiderSchema)));
  }
  if (type == "sql.partial" && !execute) {
    node.Set("execution_weight", merit::Json::Num(0));
  }
  return node;
}

std::vector<std::string> Golds(bool geography) {
  if (geography) {
    return GeographyGolds();
  }
  return {std::begin(kSpiderGolds), std::end(kSpiderGolds)};
}

// state.range(0): 0 = the built Spider-style database, 1 = GeoQuery.
void BM_PartialNoExecution(benchmark::State& state) {
  const bool geography = state.range(0) == 1;
  if (geography && !fs::exists(kGeography / "geography.sqlite")) {
    state.SkipWithError("no ../shared/data/sql");
    return;
  }
  const merit::Registry registry = merit::BuiltinRegistry();
  const auto reward = Build(registry, Node("sql.partial", geography, false));
  Run(state, *reward, Samples(Golds(geography)), 1);
}
BENCHMARK(BM_PartialNoExecution)->Arg(0)->Arg(1);

void BM_PartialWithExecution(benchmark::State& state) {
  const bool geography = state.range(0) == 1;
  if (geography && !fs::exists(kGeography / "geography.sqlite")) {
    state.SkipWithError("no ../shared/data/sql");
    return;
  }
  const merit::Registry registry = merit::BuiltinRegistry();
  const auto reward = Build(registry, Node("sql.partial", geography, true));
  Run(state, *reward, Samples(Golds(geography)), 1);
}
BENCHMARK(BM_PartialWithExecution)->Arg(0)->Arg(1);

void BM_Execution(benchmark::State& state) {
  const bool geography = state.range(0) == 1;
  if (geography && !fs::exists(kGeography / "geography.sqlite")) {
    state.SkipWithError("no ../shared/data/sql");
    return;
  }
  const merit::Registry registry = merit::BuiltinRegistry();
  const auto reward = Build(registry, Node("sql.execution", geography, true));
  Run(state, *reward, Samples(Golds(geography)), 2);
}
BENCHMARK(BM_Execution)->Arg(0)->Arg(1);

}  // namespace
