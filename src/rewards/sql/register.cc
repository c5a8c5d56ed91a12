#include <limits>

#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/sql/sql.h"

namespace merit {

void RegisterSqlRewards(Registry& registry) {
  registry.AddReward<sql::ExecutionOptions>(
      {.name = "sql.execution",
       .summary = "1 if the extracted SQL, run read-only on the sample's SQLite database within "
                  "time, row and memory budgets, returns the same rows as a gold query, else 0.",
       .min = 0.0,
       .max = 1.0,
       .example = "{type: sql.execution, database_sql: 'CREATE TABLE t(x); INSERT INTO t "
                  "VALUES (1), (2);', timeout_ms: 500}",
       .source = "spec A §3 (Reasoning-SQL R_ex); Spider/BIRD execution accuracy"},
      &sql::MakeExecution);
  registry.AddReward<sql::PartialOptions>(
      {.name = "sql.partial",
       .summary = "Reasoning-SQL's partial rewards, summed with weights: execution (3), syntax, "
                  "schema linking over SQLite's parse, token-bigram similarity, format (0.5); in "
                  "at most 6.5 with the default weights (the format term, as in the author code, goes "
                  "below 0 by 0.001 per character of trailing text).",
       .min = -std::numeric_limits<double>::infinity(),
       .max = 6.5,
       .example = "{type: sql.partial, database_sql: 'CREATE TABLE t(x); INSERT INTO t VALUES "
                  "(1);', schema_mode: recall}",
       .source = "spec A §3 (Reasoning-SQL, arXiv 2503.23157; RLForSQL author code)"},
      &sql::MakePartial);
}

}  // namespace merit
