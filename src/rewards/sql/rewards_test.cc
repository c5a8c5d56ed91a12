// sql.execution and sql.partial through the registry, on databases the tests build themselves: an
// in-memory one from `database_sql`, and a writable file in a temporary directory (which must come
// out of every attack byte for byte unchanged).
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "merit/json.h"
#include "testutil/testutil.h"

namespace merit {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSchema =
    "CREATE TABLE singer(id INTEGER PRIMARY KEY, name TEXT, age INTEGER, country TEXT);"
    "INSERT INTO singer VALUES (1, 'Ann', 25, 'FR'), (2, 'Bob', 35, 'US'), (3, 'Cid', 45, 'US'),"
    "  (4, 'Dee', 35, NULL);"
    "CREATE TABLE concert(id INTEGER PRIMARY KEY, singer_id INTEGER, year INTEGER, price REAL);"
    "INSERT INTO concert VALUES (1, 1, 2019, 10.5), (2, 2, 2020, 20.0), (3, 2, 2021, NULL),"
    "  (4, 3, 2021, 7.25);";

// A reward node: `type` with database_sql = kSchema unless `options` names a database itself.
std::string Node(std::string_view type, std::string_view options = "") {
  Json node = Json::Obj({{"type", Json::Str(std::string(type))}});
  if (options.find("db_") == std::string_view::npos) {
    node.Set("database_sql", Json::Str(std::string(kSchema)));
  }
  std::string text = node.Dump();
  if (!options.empty()) {
    text.pop_back();
    text += ", " + std::string(options) + "}";
  }
  return text;
}

std::string SampleJson(std::string_view completion, const Json& reference,
                       const Json& metadata = Json()) {
  Json sample = Json::Obj({{"completion", Json::Str(std::string(completion))},
                           {"reference", reference}});
  if (!metadata.is_null()) {
    sample.Set("metadata", metadata);
  }
  return sample.Dump();
}

Result Score(std::string_view node, std::string_view completion, std::string_view gold) {
  return testutil::Score(node, SampleJson(completion, Json::Str(std::string(gold))));
}

struct ExecCase {
  std::string_view completion;
  std::string_view gold;
  double want = 0;
  std::string_view reason = {};
  std::string_view options = {};
};

void ExpectExecution(std::span<const ExecCase> cases) {
  for (const ExecCase& c : cases) {
    SCOPED_TRACE(std::string(c.completion) + " vs " + std::string(c.gold));
    const Result r = Score(Node("sql.execution", c.options), c.completion, c.gold);
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
    EXPECT_EQ(*r.reward, c.want) << r.explanation;
    EXPECT_EQ(r.reason, c.reason) << r.explanation;
  }
}

TEST(SqlExecution, ComparesResults) {
  const ExecCase cases[] = {
      {"SELECT name FROM singer WHERE age > 30", "SELECT name FROM singer WHERE age > 30", 1},
      {"```sql\nSELECT name FROM singer WHERE age >= 31\n```",
       "SELECT name FROM singer WHERE age > 30", 1},
      {"SELECT name FROM singer WHERE age > 20", "SELECT name FROM singer WHERE age > 30", 0,
       "wrong_result"},
      // Row order counts only when the gold orders its rows at the top level.
      {"SELECT name FROM singer ORDER BY name DESC", "SELECT name FROM singer", 1},
      {"SELECT name FROM singer ORDER BY name DESC", "SELECT name FROM singer ORDER BY name", 0,
       "wrong_result"},
      {"SELECT s.name FROM singer s ORDER BY s.id", "SELECT name FROM singer ORDER BY id", 1},
      {"SELECT name FROM singer ORDER BY id DESC",
       "SELECT name FROM (SELECT name FROM singer ORDER BY id)", 1},
      // Multiset by default: duplicates count; comparison: set ignores them.
      {"SELECT DISTINCT age FROM singer", "SELECT age FROM singer", 0, "wrong_result"},
      {"SELECT DISTINCT age FROM singer", "SELECT age FROM singer", 1, "", "comparison: set"},
      {"SELECT age FROM singer ORDER BY age DESC", "SELECT age FROM singer ORDER BY age", 1, "",
       "comparison: multiset"},
      // Column order and count matter.
      {"SELECT age, name FROM singer", "SELECT name, age FROM singer", 0, "wrong_result"},
      {"SELECT name, name FROM singer", "SELECT name FROM singer", 0, "wrong_result"},
      // Types: 1 equals 1.0, '1' is not 1, NULL equals NULL, floats within the tolerance.
      {"SELECT 1", "SELECT 1.0", 1},
      {"SELECT '1'", "SELECT 1", 0, "wrong_result"},
      {"SELECT country FROM singer WHERE id = 4", "SELECT NULL", 1},
      {"SELECT 0.1 + 0.2", "SELECT 0.3", 1},
      {"SELECT 0.1 + 0.2", "SELECT 0.3", 0, "wrong_result", "float_tolerance: 0"},
      {"SELECT 9007199254740993", "SELECT 9007199254740992", 0, "wrong_result"},
      {"SELECT x'00'", "SELECT ''", 0, "wrong_result"},
      // Empty results match by default, not with empty_results_match: false.
      {"SELECT name FROM singer WHERE age > 100", "SELECT name FROM singer WHERE 0", 1},
      {"SELECT name FROM singer WHERE age > 100", "SELECT name FROM singer WHERE 0", 0,
       "wrong_result", "empty_results_match: false"},
      // Double-quoted strings fall back to literals, as SQLite does by default (GeoQuery's gold
      // SQL relies on it).
      {"SELECT name FROM singer WHERE country = \"US\"",
       "SELECT name FROM singer WHERE country = 'US'", 1},
  };
  ExpectExecution(cases);
}

TEST(SqlExecution, ExtractsTheAnswer) {
  const ExecCase cases[] = {
      {"<reasoning>\nhm\n</reasoning>\n<answer>\nSELECT 1\n</answer>", "SELECT 1", 1},
      {"<answer>SELECT 1</answer>", "SELECT 1", 0, "not_read_only", "extract: fenced"},
      {"", "SELECT 1", 0, "no_answer"},
      {"```sql\n\n```", "SELECT 1", 0, "no_answer"},
      {"-- nothing", "SELECT 1", 0, "no_answer"},
      {"SELECT 1;", "SELECT 1", 1},
      {"SELECT 1; -- done", "SELECT 1", 1},
  };
  ExpectExecution(cases);
}

TEST(SqlExecution, RefusesAnythingButOneSelect) {
  const ExecCase cases[] = {
      {"DELETE FROM singer", "SELECT 1", 0, "not_read_only"},
      {"UPDATE singer SET age = 0", "SELECT 1", 0, "not_read_only"},
      {"INSERT INTO singer(name) VALUES ('x')", "SELECT 1", 0, "not_read_only"},
      {"DROP TABLE singer", "SELECT 1", 0, "not_read_only"},
      {"CREATE TABLE x(a)", "SELECT 1", 0, "not_read_only"},
      {"ATTACH DATABASE '/tmp/merit_sql_attack.db' AS a", "SELECT 1", 0, "not_read_only"},
      {"PRAGMA writable_schema = ON", "SELECT 1", 0, "not_read_only"},
      {"VACUUM INTO '/tmp/merit_sql_attack.db'", "SELECT 1", 0, "not_read_only"},
      {"EXPLAIN SELECT 1", "SELECT 1", 0, "not_read_only"},
      {"BEGIN", "SELECT 1", 0, "not_read_only"},
      // A WITH clause in front of a write passes the first-keyword check; SQLite's authorizer and
      // sqlite3_stmt_readonly still refuse it.
      {"WITH x AS (SELECT 1) DELETE FROM singer", "SELECT 1", 0, "not_read_only"},
      {"WITH x AS (SELECT 1) INSERT INTO singer(name) SELECT 'x'", "SELECT 1", 0,
       "not_read_only"},
      {"SELECT * FROM pragma_table_info('singer')", "SELECT 1", 0, "not_read_only"},
      {"SELECT load_extension('/tmp/x.so')", "SELECT 1", 0, "execution_error"},
      {"SELECT 1; DELETE FROM singer", "SELECT 1", 0, "multiple_statements"},
      {"SELECT 1; SELECT 2", "SELECT 1", 0, "multiple_statements"},
      {"SELECT 1 /* ; */; /* x */ junk", "SELECT 1", 0, "multiple_statements"},
      {"SELEC 1", "SELECT 1", 0, "not_read_only"},
      {"SELECT FROM", "SELECT 1", 0, "syntax_error"},
      {"SELECT nope FROM singer", "SELECT 1", 0, "syntax_error"},
      {"SELECT * FROM no_such_table", "SELECT 1", 0, "syntax_error"},
  };
  ExpectExecution(cases);
}

TEST(SqlExecution, EnforcesBudgets) {
  const ExecCase cases[] = {
      // An endless recursive CTE: stopped by the wall-clock budget...
      {"WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
       "SELECT 1", 0, "timeout", "timeout_ms: 50"},
      // ... or, deterministically, by the instruction budget.
      {"WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
       "SELECT 1", 0, "timeout", "max_instructions: 100000"},
      // A cross join past the row cap is refused, not compared truncated.
      {"SELECT * FROM singer a, singer b, singer c", "SELECT 1", 0, "too_many_rows",
       "max_rows: 10"},
      {"SELECT * FROM singer a, singer b", "SELECT * FROM singer a, singer b", 1, "",
       "max_rows: 16"},
      {"SELECT zeroblob(100000)", "SELECT 1", 0, "result_too_large", "max_result_bytes: 65536"},
      // One value past SQLITE_LIMIT_LENGTH (1 MiB) is an execution error.
      {"SELECT randomblob(2000000)", "SELECT 1", 0, "execution_error"},
      {"WITH RECURSIVE r(s) AS (SELECT 'ab' UNION ALL SELECT s || s FROM r) SELECT count(*) "
       "FROM r",
       "SELECT 1", 0, "execution_error"},
      // A growing DISTINCT set in SQLite's heap: stopped by the memory cap.
      {"WITH RECURSIVE r(x) AS (SELECT 1 UNION SELECT x + 1 FROM r) SELECT count(*) FROM r",
       "SELECT 1", 0, "memory_limit", "max_memory_mb: 2, timeout_ms: 60000"},
  };
  ExpectExecution(cases);
  const std::string long_sql = "SELECT 1 /*" + std::string(70000, 'x') + "*/";
  const Result r = Score(Node("sql.execution"), long_sql, "SELECT 1");
  EXPECT_EQ(r.reason, "sql_too_long");
}

TEST(SqlExecution, ReferencesAndDatabases) {
  const std::string node = Node("sql.execution");
  // Any of several gold queries.
  const Json golds = Json::Arr({Json::Str("SELECT 2"), Json::Str("SELECT 1")});
  EXPECT_EQ(testutil::Score(node, SampleJson("SELECT 1", golds)).reward, 1.0);
  // One broken gold among good ones is skipped; all broken is unscorable.
  const Json broken = Json::Arr({Json::Str("SELECT nope"), Json::Str("SELECT 1")});
  EXPECT_EQ(testutil::Score(node, SampleJson("SELECT 1", broken)).reward, 1.0);
  const Result gold_failed = Score(node, "SELECT 1", "SELECT * FROM nope");
  EXPECT_EQ(gold_failed.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(gold_failed.reason, "gold_failed");
  EXPECT_EQ(Score(node, "SELECT 1", "DELETE FROM singer").reason, "gold_failed");
  const Result no_reference = testutil::Score(node, SampleJson("SELECT 1", Json()));
  EXPECT_EQ(no_reference.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(no_reference.reason, "no_reference");
  EXPECT_EQ(testutil::Score(node, SampleJson("SELECT 1", Json::Num(3))).reason,
            "reference_unparseable");
  // No database anywhere, or one that cannot be opened: an input error, not a wrong answer.
  const Result no_db = testutil::Score("{type: sql.execution}", SampleJson("SELECT 1", Json::Str("SELECT 1")));
  EXPECT_EQ(no_db.status, ScoreStatus::kError);
  EXPECT_EQ(no_db.reason, "no_database");
  const Result missing = testutil::Score(
      "{type: sql.execution, db_path: /nonexistent/merit.sqlite}",
      SampleJson("SELECT 1", Json::Str("SELECT 1")));
  EXPECT_EQ(missing.status, ScoreStatus::kError);
  EXPECT_EQ(missing.reason, "database_unavailable");
  // A bad database_sql is a config error.
  EXPECT_NE(testutil::ConfigError("reward: {type: sql.execution, database_sql: 'CREATE nonsense'}"),
            "");
}

// A writable database file in a fresh temporary directory, removed afterwards.
class FileDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("merit_sql_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "music db?#%.sqlite").string();  // URI-special characters on purpose.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, std::string(kSchema).c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    before_ = Contents();
  }

  void TearDown() override { fs::remove_all(dir_); }

  std::string Contents() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  fs::path dir_;
  std::string path_;
  std::string before_;
};

TEST_F(FileDatabase, AttacksLeaveTheFileUnchanged) {
  const std::string node =
      "{type: sql.execution, max_rows: 10, timeout_ms: 100, db_dir: '" + dir_.string() + "'}";
  const Json metadata = Json::Obj({{"db_path", Json::Str("music db?#%.sqlite")}});
  const auto score = [&](std::string_view completion) {
    return testutil::Score(node,
                           SampleJson(completion, Json::Str("SELECT name FROM singer"), metadata));
  };
  EXPECT_EQ(score("SELECT name FROM singer ORDER BY age").reward, 1.0);
  for (const std::string_view attack : {
           "DELETE FROM singer",
           "UPDATE singer SET age = 0",
           "DROP TABLE concert",
           "INSERT INTO singer(name) VALUES ('x')",
           "CREATE INDEX i ON singer(age)",
           "PRAGMA journal_mode = WAL",
           "PRAGMA user_version = 7",
           "VACUUM",
           "REINDEX",
           "ANALYZE",
           "ATTACH DATABASE 'x.db' AS x",
           "SELECT 1; DELETE FROM singer",
           "WITH x AS (SELECT 1) UPDATE singer SET name = 'x'",
           "SELECT * FROM singer a, singer b, singer c",
           "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x FROM r) SELECT count(*) FROM r",
       }) {
    SCOPED_TRACE(attack);
    const Result r = score(attack);
    EXPECT_EQ(r.status, ScoreStatus::kOk);
    EXPECT_EQ(r.reward, 0.0) << r.reason;
  }
  EXPECT_EQ(Contents(), before_);
  // No journal, WAL or attached file appeared next to it.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) {
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(FileDatabase, PathFromConfigOrSample) {
  const Json gold = Json::Str("SELECT count(*) FROM singer");
  const std::string by_config = "{type: sql.execution, db_path: '" + path_ + "'}";
  EXPECT_EQ(testutil::Score(by_config, SampleJson("SELECT 4", gold)).reward, 1.0);
  // The sample's own path wins over the config's, through a custom dotted field.
  const std::string by_field = "{type: sql.execution, db_path: /nonexistent, db_field: db.file}";
  const Json metadata = Json::Obj({{"db", Json::Obj({{"file", Json::Str(path_)}})}});
  EXPECT_EQ(testutil::Score(by_field, SampleJson("SELECT 4", gold, metadata)).reward, 1.0);
}

TEST_F(FileDatabase, ThreadCountDoesNotChangeResults) {
  const std::string config = "reward: {type: sql.execution, db_path: '" + path_ + "'}";
  const char* preds[] = {"SELECT name FROM singer", "SELECT name FROM singer WHERE age > 30",
                         "SELECT id FROM concert", "DELETE FROM singer", "SELECT nope"};
  std::vector<std::string> samples;
  for (int i = 0; i < 200; ++i) {
    samples.push_back(SampleJson(preds[i % 5], Json::Str("SELECT name FROM singer")));
  }
  const std::vector<Result> one = testutil::ScoreAll(testutil::MakeEngine(config, 1), samples);
  const std::vector<Result> four = testutil::ScoreAll(testutil::MakeEngine(config, 4), samples);
  ASSERT_EQ(one.size(), four.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].reward, four[i].reward) << i;
    EXPECT_EQ(one[i].reason, four[i].reason) << i;
  }
  EXPECT_EQ(one[0].reward, 1.0);
  EXPECT_EQ(one[1].reward, 0.0);
  EXPECT_EQ(Contents(), before_);
}

// Spec A §3 worked examples, without the LLM judge (merit has none: a wrong execution scores 0).
TEST(SqlPartial, SpecWorkedExamples) {
  const std::string node = Node("sql.partial");
  const std::string formatted_pred =
      "<reasoning>\nx\n</reasoning>\n<answer>\n```sql\nSELECT name FROM singer WHERE age > "
      "20\n```\n</answer>\n";
  // Example 1: execution 0 (different rows), syntax 1, schema 1, format 0.5, n-gram 5/7.
  Result r = Score(node, formatted_pred, "SELECT name FROM singer WHERE age > 30");
  ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
  EXPECT_NEAR(*r.reward, 1 + 1 + 0.5 + 5.0 / 7.0, 1e-9) << r.explanation;
  EXPECT_EQ(r.reason, "wrong_result");
  EXPECT_EQ(r.explanation, "execution=0 syntax=1 schema=1 ngram=0.714286 format=0.5");
  // The same with the gold's own query: 3 + 1 + 1 + 1 + 0.5 = 6.5.
  r = Score(node, formatted_pred, "SELECT name FROM singer WHERE age > 20");
  EXPECT_NEAR(*r.reward, 6.5, 1e-9) << r.explanation;
  // Example 2: G = {name, id, singer_id, singer, concert} from SQLite's own resolution;
  // P = {name, country, singer}: recall 2/5, Jaccard 2/6; n-gram 3/8 for SELECT name FROM singer.
  const std::string gold2 =
      "SELECT T1.name FROM singer AS T1 JOIN concert AS T2 ON T1.id = T2.singer_id";
  r = Score(Node("sql.partial", "execution_weight: 0, format_weight: 0, ngram_weight: 0"),
            "SELECT name, country FROM singer", gold2);
  EXPECT_NEAR(*r.reward, 1 + 2.0 / 6.0, 1e-9) << r.explanation;
  r = Score(Node("sql.partial",
                 "execution_weight: 0, format_weight: 0, ngram_weight: 0, schema_mode: recall"),
            "SELECT name, country FROM singer", gold2);
  EXPECT_NEAR(*r.reward, 1 + 2.0 / 5.0, 1e-9) << r.explanation;
  r = Score(Node("sql.partial", "execution_weight: 0, format_weight: 0, schema_weight: 0"),
            "SELECT name FROM singer", gold2);
  EXPECT_NEAR(*r.reward, 1 + 3.0 / 8.0, 1e-9) << r.explanation;
  EXPECT_EQ(r.explanation, "execution=skipped syntax=1 schema=0.4 ngram=0.375 format=0");
}

TEST(SqlPartial, Components) {
  struct Case {
    std::string_view completion;
    std::string_view gold;
    double want;
    std::string_view reason;
    std::string_view options = {};
  };
  const Case cases[] = {
      // Writes are a failed syntax check; schema and execution need a prepared SELECT.
      {"DELETE FROM singer WHERE age > 30", "SELECT name FROM singer WHERE age > 30",
       4.0 / 7.0, "not_read_only"},
      // "select" in lower case: no R_ex and no R_sl (the author code's case-sensitive test).
      {"select name from singer", "SELECT name FROM singer", 1 + 1, ""},
      {"SELECT name FROM singer", "SELECT name FROM singer", 3 + 1 + 1 + 1, ""},
      // Both results empty: not correct in the author code, correct with empty_results_match.
      {"SELECT name FROM singer WHERE 0", "SELECT name FROM singer WHERE 0", 0 + 1 + 1 + 1,
       "wrong_result"},
      {"SELECT name FROM singer WHERE 0", "SELECT name FROM singer WHERE 0", 3 + 1 + 1 + 1, "",
       "empty_results_match: true"},
      // Set comparison ignores duplicates and order.
      {"SELECT DISTINCT age FROM singer ORDER BY 1 DESC", "SELECT age FROM singer",
       3 + 1 + 1 + 2.0 / 9.0, ""},
      {"", "SELECT 1", 0, "no_answer"},
      // first_row: a runtime failure fails the syntax check too.
      {"SELECT randomblob(2000000)", "SELECT 1", 1 + 0.0, "",
       "execution_weight: 0, ngram_weight: 0"},
      {"SELECT randomblob(2000000)", "SELECT 1", 0, "execution_error",
       "execution_weight: 0, ngram_weight: 0, syntax_check: first_row"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.completion);
    const Result r = Score(Node("sql.partial", c.options), c.completion, c.gold);
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
    EXPECT_NEAR(*r.reward, c.want, 1e-9) << r.explanation;
    EXPECT_EQ(r.reason, c.reason) << r.explanation;
  }
  const Result gold_failed = Score(Node("sql.partial"), "SELECT 1", "SELECT nope FROM singer");
  EXPECT_EQ(gold_failed.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(gold_failed.reason, "gold_failed");
}

}  // namespace
}  // namespace merit
