// The sql family: text-to-SQL rewards that execute the model's query and the gold query on a real
// SQLite database (Reasoning-SQL, spec A §3). Registered in register.cc; user documentation in
// docs/sql.md.
//
//   sql.execution  1 if the predicted query returns the same rows as a gold query, else 0.
//   sql.partial    Reasoning-SQL's dense sum: execution + syntax + schema linking + n-gram + format.
//
// Rewards are immutable; each holds a thread-safe pool of read-only connections (database.h).
#ifndef MERIT_REWARDS_SQL_SQL_H_
#define MERIT_REWARDS_SQL_SQL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "merit/options.h"
#include "merit/reward.h"
#include "merit/status.h"
#include "rewards/sql/sql_text.h"

namespace merit::sql {

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;

inline constexpr std::string_view kComparisons[] = {"auto", "multiset", "set", "list"};

// Where the database is and how a query may run: the options both rewards share.
struct DatabaseOptions {
  std::string db_path = {};
  std::string db_field = "db_path";
  std::string db_dir = {};
  std::string database_sql = {};
  std::string extract = "auto";
  std::int64_t timeout_ms = 1000;
  std::int64_t max_instructions = 0;
  std::int64_t max_rows = 5000;
  std::int64_t max_result_bytes = std::int64_t{16} << 20;
  std::int64_t max_memory_mb = 256;
  std::int64_t max_sql_bytes = 65536;
  std::int64_t max_connections = 64;
  std::int64_t gold_cache_entries = 4096;
  double float_tolerance = 1e-9;

  static constexpr auto kDatabaseFields = std::tuple{
      Field{"db_path", &DatabaseOptions::db_path,
            "Database file used when the sample names none (opened read-only and immutable)."},
      Field{"db_field", &DatabaseOptions::db_field,
            "Dotted path in the sample's metadata to its database file (a string); relative paths "
            "are taken from db_dir."},
      Field{"db_dir", &DatabaseOptions::db_dir, "Directory for relative sample database paths."},
      Field{"database_sql", &DatabaseOptions::database_sql,
            "SQL script (CREATE TABLE, INSERT) that builds an in-memory database once, at load "
            "time; used when neither the sample nor db_path names a file."},
      Field{"extract",
            &DatabaseOptions::extract,
            "Where the SQL is: auto (last ```sql block, else last <answer>...</answer>, else "
            "the whole completion), fenced (last ```sql block, else the whole completion: the "
            "Reasoning-SQL code), answer_tag, none.",
            {.choices = kExtractModes}},
      Field{"timeout_ms",
            &DatabaseOptions::timeout_ms,
            "Wall-clock budget of each query (SQLite's progress handler).",
            {.min = 1, .max = 600000}},
      Field{"max_instructions",
            &DatabaseOptions::max_instructions,
            "Deterministic budget of SQLite VM instructions per query (counted in steps of "
            "1000); 0: none.",
            {.min = 0}},
      Field{"max_rows",
            &DatabaseOptions::max_rows,
            "A query returning more rows fails (too_many_rows); it is never compared truncated.",
            {.min = 1, .max = 10000000}},
      Field{"max_result_bytes",
            &DatabaseOptions::max_result_bytes,
            "A query whose rows take more bytes fails (result_too_large).",
            {.min = 1024}},
      Field{"max_memory_mb",
            &DatabaseOptions::max_memory_mb,
            "A query fails (memory_limit) when SQLite's heap grows by more than this while it "
            "runs (SQLite counts its heap per process, so concurrent queries share the cap).",
            {.min = 1}},
      Field{"max_sql_bytes",
            &DatabaseOptions::max_sql_bytes,
            "Longer extracted SQL is not run (sql_too_long).",
            {.min = 1, .max = 100000}},
      Field{"max_connections",
            &DatabaseOptions::max_connections,
            "Idle connections kept for reuse, over all databases.",
            {.min = 1, .max = 4096}},
      Field{"gold_cache_entries",
            &DatabaseOptions::gold_cache_entries,
            "Gold queries whose analysis (parse, schema items, n-grams, rows up to 1 MiB) is kept "
            "per database, first in first out; a GRPO group scores one gold many times. "
            "Timeouts and memory-limit failures are never cached. 0: no cache.",
            {.min = 0, .max = 1000000}},
      Field{"float_tolerance",
            &DatabaseOptions::float_tolerance,
            "Two numbers (not both integers) match when |a - b| <= tolerance * max(1, |a|, |b|).",
            {.min = 0, .max = 1}},
  };
};

struct ExecutionOptions : DatabaseOptions {
  std::string comparison = "auto";
  bool empty_results_match = true;

  static constexpr auto kFields = std::tuple_cat(
      kDatabaseFields,
      std::tuple{
          Field{"comparison",
                &ExecutionOptions::comparison,
                "auto: as a list (row order counts) when the gold query has ORDER BY at the top "
                "level, else as a multiset; multiset, set (duplicates ignored) or list always.",
                {.choices = kComparisons}},
          Field{"empty_results_match", &ExecutionOptions::empty_results_match,
                "Two empty results match (false: an empty result is never correct, as in "
                "Reasoning-SQL)."},
      });
};

inline constexpr std::string_view kSchemaModes[] = {"jaccard", "recall"};
inline constexpr std::string_view kSyntaxChecks[] = {"prepare", "first_row"};

struct PartialOptions : DatabaseOptions {
  double execution_weight = 3.0;
  double syntax_weight = 1.0;
  double schema_weight = 1.0;
  double ngram_weight = 1.0;
  double format_weight = 1.0;
  std::string schema_mode = "jaccard";
  std::string syntax_check = "prepare";
  std::string comparison = "set";
  bool empty_results_match = false;

  static constexpr auto kFields = std::tuple_cat(
      kDatabaseFields,
      std::tuple{
          Field{"execution_weight",
                &PartialOptions::execution_weight,
                "Reward when the prediction's rows match the gold's (R_ex = 3 in the paper's "
                "code); 0 skips execution altogether.",
                {.min = 0}},
          Field{"syntax_weight",
                &PartialOptions::syntax_weight,
                "Weight of R_syn: the prediction is one read-only SELECT that SQLite accepts.",
                {.min = 0}},
          Field{"schema_weight",
                &PartialOptions::schema_weight,
                "Weight of R_sl: overlap of the tables and columns read (SQLite's authorizer).",
                {.min = 0}},
          Field{"ngram_weight",
                &PartialOptions::ngram_weight,
                "Weight of R_ng: Jaccard of the token bigrams, aliases removed.",
                {.min = 0}},
          Field{"format_weight",
                &PartialOptions::format_weight,
                "Weight of R_fmt (at most 0.5): the <reasoning>/<answer> layout score.",
                {.min = 0}},
          Field{"schema_mode",
                &PartialOptions::schema_mode,
                "jaccard |G∩P|/|G∪P| (the paper) or recall |G∩P|/|G| (the author code).",
                {.choices = kSchemaModes}},
          Field{"syntax_check",
                &PartialOptions::syntax_check,
                "prepare: sqlite3_prepare_v2 accepts it; first_row: and fetching the first row "
                "succeeds within the budget (the author code).",
                {.choices = kSyntaxChecks}},
          Field{"comparison",
                &PartialOptions::comparison,
                "How rows are compared for R_ex: set (the author code), or auto, multiset, list "
                "as in sql.execution.",
                {.choices = kComparisons}},
          Field{"empty_results_match", &PartialOptions::empty_results_match,
                "Two empty results match (the author code requires both to be non-empty)."},
      });
};

RewardOr MakeExecution(const ExecutionOptions& options);
RewardOr MakePartial(const PartialOptions& options);

}  // namespace merit::sql

#endif  // MERIT_REWARDS_SQL_SQL_H_
