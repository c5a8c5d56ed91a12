// sql.execution on the real GeoQuery database and its 902 gold queries from ../shared/data/sql
// (877 text2sql-data questions + 25 Defog questions; see that folder's README). Every gold query
// that runs must score 1 against itself; perturbed queries (a changed literal, the WHERE clause
// dropped, another column, writes, several statements, an endless CTE, a huge cross join) must
// not; and the database file must be byte for byte the same afterwards. Skips when the data is
// absent, as in a user's clone.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"
#include "rewards/sql/sql_text.h"

namespace merit {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(MERIT_SOURCE_DIR) / ".." / "shared" / "data" / "sql";

struct Row {
  std::string id = {};
  std::string gold = {};
  std::vector<std::string> variants = {};
  bool executes = false;
  std::int64_t row_count = 0;
};

std::vector<Row> LoadRows() {
  std::vector<Row> rows;
  JsonParser parser;
  for (const char* name : {"geography_questions.jsonl", "geography_defog_questions.jsonl"}) {
    std::ifstream in(kDir / name);
    std::string line;
    while (std::getline(in, line)) {
      const Json j = parser.Parse(line).value();
      Row row{.id = j.Find("id")->str(),
              .gold = j.Find("gold_sql")->str(),
              .executes = j.Find("gold_executes")->boolean()};
      if (const Json* count = j.Find("gold_row_count"); count != nullptr && count->is_number()) {
        row.row_count = static_cast<std::int64_t>(count->number());
      }
      for (const Json& v : j.Find("gold_sql_variants")->array()) {
        row.variants.push_back(v.str());
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string FileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class Geography : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kDir / "geography.sqlite") ||
        !fs::exists(kDir / "geography_questions.jsonl")) {
      GTEST_SKIP() << "no GeoQuery data in " << kDir << " (see ../shared/data/README.md)";
    }
    db_ = fs::canonical(kDir / "geography.sqlite").string();
    before_ = FileBytes(db_);
    rows_ = LoadRows();
    const std::string config =
        "reward: {type: sql.execution, timeout_ms: 2000, max_rows: 5000, db_path: '" + db_ + "'}";
    engine_ = std::make_unique<Engine>(
        Engine::Create(ParseConfig(config, "<geography>").value(), registry_, {.threads = 2})
            .value());
  }

  // Scores each (completion, gold) pair.
  std::vector<Result> ScorePairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<Sample> samples(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      samples[i].completion_text = pairs[i].first;
      samples[i].completion = Json::Str(pairs[i].first);
      samples[i].reference = Json::Str(pairs[i].second);
    }
    return engine_->ScoreBatch(samples);
  }

  const Registry registry_ = BuiltinRegistry();
  std::unique_ptr<Engine> engine_;
  std::string db_;
  std::string before_;
  std::vector<Row> rows_;
};

TEST_F(Geography, EveryGoldThatRunsScoresOneAgainstItself) {
  ASSERT_EQ(rows_.size(), 902u);
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<bool> expect_runs;
  for (const Row& row : rows_) {
    pairs.emplace_back(row.gold, row.gold);
    expect_runs.push_back(row.executes);
    for (const std::string& variant : row.variants) {
      pairs.emplace_back(variant, variant);
      expect_runs.push_back(true);
    }
  }
  const std::vector<Result> results = ScorePairs(pairs);
  std::size_t gold_failed = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(pairs[i].first);
    if (expect_runs[i]) {
      EXPECT_EQ(results[i].reward, 1.0) << results[i].reason << " " << results[i].explanation;
    } else {
      EXPECT_EQ(results[i].status, ScoreStatus::kUnscorable);
      EXPECT_EQ(results[i].reason, "gold_failed");
      ++gold_failed;
    }
  }
  std::size_t gold_agree = 0;
  std::size_t gold_runs = 0;
  std::size_t k = 0;
  for (const Row& row : rows_) {
    gold_runs += row.executes ? 1 : 0;
    gold_agree += results[k].reward == 1.0 ? 1 : 0;
    k += 1 + row.variants.size();
  }
  std::printf("gold self-agreement: %zu of %zu rows (%zu golds run, %zu unscorable as "
              "gold_failed); %zu queries with variants\n",
              gold_agree, rows_.size(), gold_runs, gold_failed, pairs.size());
  EXPECT_EQ(gold_agree, gold_runs);
  EXPECT_EQ(FileBytes(db_), before_);
}

TEST_F(Geography, PartialGivesEveryGoldFullMarksAgainstItself) {
  const std::string config = "reward: {type: sql.partial, db_path: '" + db_ + "'}";
  const Engine engine =
      Engine::Create(ParseConfig(config, "<geography>").value(), registry_, {.threads = 2}).value();
  std::vector<Sample> samples(rows_.size());
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    samples[i].completion_text = rows_[i].gold;
    samples[i].reference = Json::Str(rows_[i].gold);
  }
  const std::vector<Result> results = engine.ScoreBatch(samples);
  std::size_t full = 0;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    SCOPED_TRACE(rows_[i].gold);
    if (!rows_[i].executes) {
      EXPECT_EQ(results[i].status, ScoreStatus::kUnscorable);
      continue;
    }
    // 3 (execution; an empty gold result never counts, as in the author code) + syntax 1 +
    // schema 1 + n-gram 1; no format tags: 0.
    const double want = rows_[i].row_count > 0 ? 6.0 : 3.0;
    EXPECT_EQ(results[i].reward, want) << results[i].explanation;
    full += results[i].reward == want ? 1 : 0;
  }
  std::printf("sql.partial: %zu golds at full marks against themselves\n", full);
}

// The byte range [start, end) of the first top-level WHERE clause, or {0, 0}.
std::pair<std::size_t, std::size_t> TopLevelWhere(std::string_view sql) {
  std::vector<sql::Token> tokens;
  sql::Lex(sql, tokens);
  int depth = 0;
  std::size_t start = 0;
  for (const sql::Token& t : tokens) {
    const std::string_view text = sql.substr(t.start, t.end - t.start);
    std::string lower(text);
    for (char& c : lower) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (t.kind == sql::TokenKind::kOpenParen) {
      ++depth;
    } else if (t.kind == sql::TokenKind::kCloseParen) {
      --depth;
    } else if (depth == 0 && start == 0 && lower == "where") {
      start = t.start;
    } else if (depth == 0 && start != 0 &&
               (lower == "group" || lower == "order" || lower == "limit" || lower == "having" ||
                lower == "union" || lower == "except" || lower == "intersect" ||
                t.kind == sql::TokenKind::kSemicolon)) {
      return {start, t.start};
    }
  }
  return start == 0 ? std::pair<std::size_t, std::size_t>{0, 0}
                    : std::pair<std::size_t, std::size_t>{start, sql.size()};
}

// The gold with its first string literal changed ("texas" -> "texas_x"), or "" if it has none.
std::string ChangeLiteral(const std::string& sql) {
  std::vector<sql::Token> tokens;
  sql::Lex(sql, tokens);
  for (const sql::Token& t : tokens) {
    if (t.kind == sql::TokenKind::kString ||
        (t.kind == sql::TokenKind::kQuoted && sql[t.start] == '"')) {
      return sql.substr(0, t.end - 1) + "_x" + sql.substr(t.end - 1);
    }
  }
  return "";
}

// The gold with the column of its first `TABLEaliasN.COLUMN` replaced by another column of that
// table, or "" when it has no such reference.
std::string ChangeColumn(const std::string& sql,
                         const std::map<std::string, std::vector<std::string>>& columns) {
  const std::size_t alias = sql.find("alias");
  const std::size_t dot = sql.find('.', alias);
  if (alias == std::string::npos || dot == std::string::npos) {
    return "";
  }
  std::size_t table_start = alias;
  while (table_start > 0 && (std::isalnum(static_cast<unsigned char>(sql[table_start - 1])) ||
                             sql[table_start - 1] == '_')) {
    --table_start;
  }
  std::string table = sql.substr(table_start, alias - table_start);
  for (char& c : table) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::size_t column_end = dot + 1;
  while (column_end < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[column_end])) ||
                                     sql[column_end] == '_')) {
    ++column_end;
  }
  std::string column = sql.substr(dot + 1, column_end - dot - 1);
  for (char& c : column) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const auto it = columns.find(table);
  if (it == columns.end()) {
    return "";
  }
  for (const std::string& other : it->second) {
    if (other != column) {
      return sql.substr(0, dot + 1) + other + sql.substr(column_end);
    }
  }
  return "";
}

std::map<std::string, std::vector<std::string>> Columns(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  sqlite3* db = nullptr;
  sqlite3_open_v2(("file:" + path + "?mode=ro&immutable=1").c_str(), &db,
                  SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p "
                     "WHERE m.type = 'table' ORDER BY m.name, p.cid",
                     -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string table = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    for (char& c : table) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    out[table].push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// An independent oracle for "same result": runs both queries with plain sqlite3 calls, prints each
// row as text (numbers through %.12g, so 1 and 1.0 agree) and compares the sorted lists (the
// lists as returned when the gold has a top-level ORDER BY). nullopt when a query fails or
// returns more than 5000 rows.
std::optional<std::vector<std::string>> OracleRows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return std::nullopt;
  }
  std::vector<std::string> rows;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows.size() <= 5000) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      switch (sqlite3_column_type(st, c)) {
        case SQLITE_NULL:
          row += "null";
          break;
        case SQLITE_INTEGER:
        case SQLITE_FLOAT: {
          char buf[64];
          std::snprintf(buf, sizeof buf, "%.12g", sqlite3_column_double(st, c));
          row += buf;
          break;
        }
        default:
          row += "'" + std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, c))) + "'";
      }
      row += '|';
    }
    rows.push_back(row);
  }
  sqlite3_finalize(st);
  if (rows.size() > 5000 || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
    return std::nullopt;
  }
  return rows;
}

bool OracleSame(sqlite3* db, const std::string& pred, const std::string& gold) {
  std::optional<std::vector<std::string>> p = OracleRows(db, pred);
  std::optional<std::vector<std::string>> g = OracleRows(db, gold);
  if (!p || !g) {
    return false;
  }
  std::vector<sql::Token> tokens;
  sql::Lex(gold, tokens);
  if (!sql::HasTopLevelOrderBy(tokens, gold)) {
    std::sort(p->begin(), p->end());
    std::sort(g->begin(), g->end());
  }
  return *p == *g;
}

TEST_F(Geography, PerturbedQueriesDoNotScoreOne) {
  const auto columns = Columns(db_);
  struct Perturbed {
    std::string kind;
    std::string pred;
    std::string gold;
  };
  std::vector<Perturbed> cases;
  std::map<std::string, std::size_t> total;
  for (const Row& row : rows_) {
    if (!row.executes || row.row_count == 0) {
      continue;  // An empty gold result is matched by many wrong queries.
    }
    if (std::string p = ChangeLiteral(row.gold); !p.empty()) {
      cases.push_back({"changed_literal", p, row.gold});
    }
    if (const auto [start, end] = TopLevelWhere(row.gold); end > start) {
      cases.push_back(
          {"dropped_where", row.gold.substr(0, start) + " " + row.gold.substr(end), row.gold});
    }
    if (std::string p = ChangeColumn(row.gold, columns); !p.empty()) {
      cases.push_back({"different_column", p, row.gold});
    }
  }
  const std::string gold = rows_.front().gold;
  for (const char* attack : {
           "DELETE FROM state", "UPDATE state SET population = 0", "DROP TABLE city",
           "INSERT INTO state(state_name) VALUES ('x')", "ATTACH DATABASE '/tmp/x.db' AS x",
           "PRAGMA writable_schema = ON", "PRAGMA journal_mode = WAL", "VACUUM",
           "CREATE TABLE t(x)", "WITH x AS (SELECT 1) DELETE FROM state"}) {
    cases.push_back({"write", attack, gold});
  }
  cases.push_back({"multiple_statements", gold + "; DELETE FROM state", gold});
  cases.push_back({"multiple_statements", "SELECT 1; SELECT 2", gold});
  cases.push_back(
      {"endless_cte",
       "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
       gold});
  cases.push_back({"cross_join", "SELECT * FROM city a, city b, city c", gold});
  cases.push_back({"cross_join_count", "SELECT count(*) FROM city a, city b, city c, city d",
                   gold});

  std::vector<std::pair<std::string, std::string>> pairs;
  for (const Perturbed& c : cases) {
    pairs.emplace_back(c.pred, c.gold);
  }
  const std::vector<Result> results = ScorePairs(pairs);
  std::map<std::string, std::size_t> scored_one;
  std::map<std::string, std::map<std::string, std::size_t>> reasons;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ++total[cases[i].kind];
    reasons[cases[i].kind][results[i].reason]++;
    if (results[i].reward == 1.0) {
      ++scored_one[cases[i].kind];
    }
  }
  for (const auto& [kind, n] : total) {
    std::printf("%-20s %4zu perturbed, %zu scored 1; reasons:", kind.c_str(), n,
                scored_one[kind]);
    for (const auto& [reason, count] : reasons[kind]) {
      std::printf(" %s=%zu", reason.c_str(), count);
    }
    std::printf("\n");
  }
  // A semantic perturbation may still return the gold's rows (COUNT(city_name) for
  // COUNT(population) on a column without NULLs, the Colorado river for the state of Colorado):
  // then 1 is right. Each verdict must agree with the independent oracle.
  sqlite3* oracle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(("file:" + db_ + "?mode=ro&immutable=1").c_str(), &oracle,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr),
            SQLITE_OK);
  std::size_t disagreements = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string& kind = cases[i].kind;
    if (kind != "changed_literal" && kind != "dropped_where" && kind != "different_column") {
      continue;
    }
    if ((results[i].reward == 1.0) != OracleSame(oracle, cases[i].pred, cases[i].gold)) {
      ++disagreements;
      ADD_FAILURE() << "merit and the oracle disagree: " << cases[i].pred;
    }
  }
  sqlite3_close(oracle);
  std::printf("semantic perturbations: verdicts agree with the oracle except %zu\n",
              disagreements);
  for (const char* kind : {"write", "multiple_statements", "endless_cte", "cross_join",
                           "cross_join_count"}) {
    EXPECT_EQ(scored_one[kind], 0u) << kind;
  }
  EXPECT_EQ(reasons["write"]["not_read_only"], 10u);
  EXPECT_EQ(reasons["multiple_statements"]["multiple_statements"], 2u);
  EXPECT_EQ(reasons["endless_cte"]["timeout"], 1u);
  EXPECT_EQ(reasons["cross_join"]["too_many_rows"], 1u);
  EXPECT_EQ(reasons["cross_join_count"]["timeout"], 1u);
  EXPECT_EQ(FileBytes(db_), before_);
}

}  // namespace
}  // namespace merit
