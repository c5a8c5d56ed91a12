// sql.execution and sql.partial: the shared steps (gold queries from the reference, the sample's
// database, a leased connection, analysing and running a query within the limits, a cache of gold
// analyses) and the two rewards on top.
#include <algorithm>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "rewards/sql/database.h"
#include "rewards/sql/sql.h"

namespace merit::sql {
namespace {

// Cached gold rows stay small: a gold with a bigger result is re-run each time instead.
constexpr std::size_t kMaxCachedResultBytes = std::size_t{1} << 20;

Comparison ParseComparison(std::string_view name) {
  if (name == "set") {
    return Comparison::kSet;
  }
  if (name == "list") {
    return Comparison::kList;
  }
  return Comparison::kMultiset;  // "multiset"; "auto" is decided per gold query.
}

// Everything a reward needs from one query. For the prediction it is built per sample; for a
// gold query it is built once and shared through the cache (hence immutable once published).
struct Analysis {
  std::string_view sql;  // The sample's text, or `owned_sql` for a cached gold.
  std::string owned_sql;
  std::vector<Token> tokens;
  Statement statement;  // Only while the sample is being scored; never cached.
  QueryFailure failure = QueryFailure::kNone;
  std::string message;
  std::vector<std::string> read_items;  // When the reward asks for schema items.
  std::string lowered;                  // Backing store of `words`.
  std::vector<std::string_view> words;  // N-gram tokens, when asked for.
  bool ordered = false;                 // Top-level ORDER BY.
  bool executed = false;
  ResultSet rows;
};

// What a reward wants to know about each query.
struct Needs {
  bool read_items = false;
  bool words = false;
  bool rows = false;
};

// The gold queries of a sample: the reference as a string, or a list of strings (any of them is
// acceptable). nullopt with `reason` set when there is none usable.
std::optional<std::vector<std::string_view>> GoldQueries(const Json& reference,
                                                         std::string_view& reason) {
  std::vector<std::string_view> golds;
  if (reference.is_string()) {
    golds.push_back(reference.str());
  } else if (reference.is_array()) {
    for (const Json& item : reference.array()) {
      if (!item.is_string()) {
        reason = "reference_unparseable";
        return std::nullopt;
      }
      golds.push_back(item.str());
    }
  } else if (!reference.is_null()) {
    reason = "reference_unparseable";
    return std::nullopt;
  }
  std::erase_if(golds, [](std::string_view g) {
    return g.find_first_not_of(" \t\r\n;") == std::string_view::npos;
  });
  if (golds.empty()) {
    reason = "no_reference";
    return std::nullopt;
  }
  return golds;
}

// What both rewards share: the database options compiled, the in-memory image if any, the
// connection pool and the gold cache (the only mutable state, each internally synchronised).
class SqlRunner {
 public:
  static StatusOr<std::unique_ptr<SqlRunner>> Create(const DatabaseOptions& options, Needs needs) {
    std::string image;
    if (!options.database_sql.empty()) {
      MERIT_ASSIGN_OR_RETURN(image, BuildImage(options.database_sql));
    }
    return std::unique_ptr<SqlRunner>(new SqlRunner(options, needs, std::move(image)));
  }

  Extract extract() const { return extract_; }

  double tolerance() const { return tolerance_; }

  // A connection to the sample's database; `key` receives the database's pool key. Errors:
  // kNotFound when no database is named anywhere, else as Connection::OpenFile.
  StatusOr<ConnectionPool::Lease> Connect(const Sample& sample, std::string& key) const {
    key.clear();
    if (const Json* field = sample.metadata.FindPath(db_field_);
        field != nullptr && field->is_string() && !field->str().empty()) {
      const std::filesystem::path p(field->str());
      key = p.is_relative() && !db_dir_.empty() ? (std::filesystem::path(db_dir_) / p).string()
                                                : p.string();
    } else if (!db_path_.empty()) {
      key = db_path_;
    } else if (!image_.empty()) {
      key = kImageKey;
      return pool_.Acquire({.key = key, .image = image_});
    } else {
      return NotFoundError(
          "no database: set db_path or database_sql, or give the sample's metadata." + db_field_);
    }
    return pool_.Acquire({.key = key});
  }

  // Analyses the prediction `sql` (prepares it, and finds what `needs_` asks for except rows).
  void AnalysePrediction(Connection& connection, std::string_view sql, Analysis& out) const {
    out.sql = sql;
    Analyse(connection, out);
  }

  // Runs a prepared prediction to the end once, or only to its first row (a syntax probe that a
  // later full run repeats).
  void Execute(Connection& connection, Analysis& query, bool first_row_only) const {
    if (query.failure != QueryFailure::kNone || query.executed) {
      return;
    }
    query.executed = !first_row_only;
    query.failure = connection.Execute(query.statement.get(), limits_, first_row_only,
                                       query.rows, query.message);
  }

  // The analysis of gold `sql` on database `key` (rows included when needed), from the cache or
  // computed now.
  std::shared_ptr<const Analysis> Gold(Connection& connection, std::string_view key,
                                       std::string_view sql) const {
    std::string cache_key;
    if (cache_entries_ > 0) {
      cache_key.reserve(key.size() + 1 + sql.size());
      cache_key.append(key).append(1, '\0').append(sql);
      std::lock_guard<std::mutex> lock(cache_mu_);
      if (const auto it = cache_.find(cache_key); it != cache_.end()) {
        return it->second;
      }
    }
    auto gold = std::make_shared<Analysis>();
    gold->owned_sql = sql;
    gold->sql = gold->owned_sql;
    Analyse(connection, *gold);
    if (needs_.rows) {
      Execute(connection, *gold, false);
    }
    gold->statement.reset();
    gold->tokens = {};  // Not needed once analysed; the cache keeps only what is read later.
    // Timeouts and memory-limit stops depend on the machine and its load: never cached.
    const bool deterministic =
        gold->failure != QueryFailure::kTimeout && gold->failure != QueryFailure::kMemoryLimit;
    if (cache_entries_ > 0 && deterministic && gold->rows.bytes.size() <= kMaxCachedResultBytes &&
        gold->rows.cells.size() * sizeof(Cell) <= kMaxCachedResultBytes) {
      std::lock_guard<std::mutex> lock(cache_mu_);
      if (cache_.emplace(cache_key, gold).second) {
        order_.push_back(std::move(cache_key));
        if (order_.size() > cache_entries_) {
          cache_.erase(order_.front());
          order_.pop_front();
        }
      }
    }
    return gold;
  }

 private:
  static constexpr std::string_view kImageKey = "\x01memory";

  SqlRunner(const DatabaseOptions& options, Needs needs, std::string image)
      : extract_(ParseExtract(options.extract)),
        needs_(needs),
        db_path_(options.db_path),
        db_field_(options.db_field),
        db_dir_(options.db_dir),
        image_(std::move(image)),
        limits_{.timeout_ms = options.timeout_ms,
                .max_instructions = options.max_instructions,
                .max_rows = options.max_rows,
                .max_result_bytes = options.max_result_bytes,
                .max_memory_bytes = options.max_memory_mb << 20},
        max_sql_bytes_(static_cast<std::size_t>(options.max_sql_bytes)),
        cache_entries_(static_cast<std::size_t>(options.gold_cache_entries)),
        tolerance_(options.float_tolerance),
        pool_(static_cast<std::size_t>(options.max_connections)) {}

  // Lexes and prepares `query.sql`, and fills what `needs_` asks for (rows aside).
  void Analyse(Connection& connection, Analysis& query) const {
    Lex(query.sql, query.tokens);
    query.ordered = HasTopLevelOrderBy(query.tokens, query.sql);
    if (needs_.words) {
      NgramTokens(query.tokens, query.sql, query.lowered, query.words);
    }
    if (query.sql.size() > max_sql_bytes_) {
      query.failure = QueryFailure::kTooLong;
      query.message = fmt::format("longer than {} bytes", max_sql_bytes_);
      return;
    }
    query.failure =
        connection.Prepare(query.sql, query.tokens, query.statement,
                           needs_.read_items ? &query.read_items : nullptr, query.message);
  }

  const Extract extract_;
  const Needs needs_;
  const std::string db_path_;
  const std::string db_field_;
  const std::string db_dir_;
  const std::string image_;
  const QueryLimits limits_;
  const std::size_t max_sql_bytes_;
  const std::size_t cache_entries_;
  const double tolerance_;
  mutable ConnectionPool pool_;
  mutable std::mutex cache_mu_;
  // Guarded by cache_mu_. shared_ptr: a scoring thread keeps using an entry evicted meanwhile.
  mutable std::unordered_map<std::string, std::shared_ptr<const Analysis>> cache_;
  mutable std::deque<std::string> order_;  // Insertion order, for eviction.
};

Score DatabaseError(const Status& status) {
  return Score::Error(
      status.code() == StatusCode::kNotFound ? "no_database" : "database_unavailable",
      std::string(status.message()));
}

// Whether the prediction's rows match the gold's under `comparison` ("auto": a list when the
// gold has a top-level ORDER BY, else a multiset).
bool RowsMatch(const Analysis& gold, const Analysis& pred, std::string_view comparison,
               bool empty_results_match, double tolerance) {
  if (!empty_results_match && (gold.rows.rows() == 0 || pred.rows.rows() == 0)) {
    return false;
  }
  Comparison how = ParseComparison(comparison);
  if (comparison == "auto") {
    how = gold.ordered ? Comparison::kList : Comparison::kMultiset;
  }
  return SameResult(gold.rows, pred.rows, how, tolerance);
}

// An unscorable sample: every gold query failed; the first one's failure is reported.
Score GoldFailure(const Analysis& first) {
  return Score::Unscorable("gold_failed", fmt::format("gold query failed ({}): {}",
                                                      Reason(first.failure), first.message));
}

// A leased connection, the sample's gold analyses and the prediction's (prepared, not run), or
// the Score that ends the sample early. Members are destroyed in reverse order: the prediction's
// statement is finalized before the lease hands its connection back to the pool.
struct Prepared {
  std::optional<ConnectionPool::Lease> lease;
  std::vector<std::shared_ptr<const Analysis>> golds;
  Analysis pred;
  std::optional<Score> early;
};

Prepared PrepareSample(const SqlRunner& runner, const Sample& sample, std::string& key) {
  Prepared out;
  std::string_view reason;
  const std::optional<std::vector<std::string_view>> gold_sql =
      GoldQueries(sample.reference, reason);
  if (!gold_sql) {
    out.early = Score::Unscorable(reason);
    return out;
  }
  StatusOr<ConnectionPool::Lease> lease = runner.Connect(sample, key);
  if (!lease.ok()) {
    out.early = DatabaseError(lease.status());
    return out;
  }
  out.lease.emplace(std::move(lease).value());
  bool any_ok = false;
  for (std::string_view sql : *gold_sql) {
    out.golds.push_back(runner.Gold(**out.lease, key, sql));
    any_ok = any_ok || out.golds.back()->failure == QueryFailure::kNone;
  }
  if (!any_ok) {
    out.early = GoldFailure(*out.golds.front());
    return out;
  }
  runner.AnalysePrediction(**out.lease, ExtractSql(sample.completion_text, runner.extract()),
                           out.pred);
  return out;
}

class ExecutionReward final : public Reward {
 public:
  ExecutionReward(const ExecutionOptions& options, std::unique_ptr<SqlRunner> runner)
      : runner_(std::move(runner)),
        comparison_(options.comparison),
        empty_results_match_(options.empty_results_match) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    Prepared prepared = PrepareSample(*runner_, sample, context.scratch);
    if (prepared.early) {
      return std::move(*prepared.early);
    }
    Connection& connection = **prepared.lease;
    Analysis& pred = prepared.pred;
    runner_->Execute(connection, pred, false);
    if (pred.failure != QueryFailure::kNone) {
      Score score = Score::Ok(0.0, Reason(pred.failure));
      score.explanation = pred.message;
      return score;
    }
    for (const auto& gold : prepared.golds) {
      if (gold->failure == QueryFailure::kNone &&
          RowsMatch(*gold, pred, comparison_, empty_results_match_, runner_->tolerance())) {
        return Score::Ok(1.0);
      }
    }
    Score score = Score::Ok(0.0, "wrong_result");
    score.explanation =
        fmt::format("{} rows, gold {}", pred.rows.rows(), prepared.golds.front()->rows.rows());
    return score;
  }

 private:
  const std::unique_ptr<SqlRunner> runner_;
  const std::string comparison_;
  const bool empty_results_match_;
};

// |G ∩ P| over |G ∪ P| (jaccard) or |G| (recall); both sorted and unique.
double SchemaOverlap(const std::vector<std::string>& gold, const std::vector<std::string>& pred,
                     bool recall) {
  if (gold.empty()) {
    return 0.0;
  }
  std::size_t common = 0;
  for (auto g = gold.begin(), p = pred.begin(); g != gold.end() && p != pred.end();) {
    if (*g < *p) {
      ++g;
    } else if (*p < *g) {
      ++p;
    } else {
      ++common;
      ++g;
      ++p;
    }
  }
  const std::size_t denominator = recall ? gold.size() : gold.size() + pred.size() - common;
  return static_cast<double>(common) / static_cast<double>(denominator);
}

class PartialReward final : public Reward {
 public:
  PartialReward(const PartialOptions& options, std::unique_ptr<SqlRunner> runner)
      : runner_(std::move(runner)),
        execution_weight_(options.execution_weight),
        syntax_weight_(options.syntax_weight),
        schema_weight_(options.schema_weight),
        ngram_weight_(options.ngram_weight),
        format_weight_(options.format_weight),
        schema_recall_(options.schema_mode == "recall"),
        syntax_first_row_(options.syntax_check == "first_row"),
        comparison_(options.comparison),
        empty_results_match_(options.empty_results_match) {}

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    Prepared prepared = PrepareSample(*runner_, sample, context.scratch);
    if (prepared.early) {
      return std::move(*prepared.early);
    }
    Connection& connection = **prepared.lease;
    Analysis& pred = prepared.pred;
    if (syntax_first_row_) {
      runner_->Execute(connection, pred, true);
    }
    // Reasoning-SQL gives R_ex and R_sl only to text containing "SELECT" (case-sensitive).
    const bool has_select = pred.sql.find("SELECT") != std::string_view::npos;
    const bool syntax_ok = pred.failure == QueryFailure::kNone;
    const double format = FormatScore(sample.completion_text);
    std::optional<Components> best;
    for (const auto& gold : prepared.golds) {
      if (gold->failure != QueryFailure::kNone) {
        continue;
      }
      Components c{.syntax = syntax_ok ? 1.0 : 0.0, .format = format};
      if (has_select && syntax_ok) {
        c.schema = SchemaOverlap(gold->read_items, pred.read_items, schema_recall_);
      }
      c.ngram = BigramJaccard(gold->words, pred.words);
      if (execution_weight_ > 0 && has_select && syntax_ok) {
        runner_->Execute(connection, pred, false);
        c.executed = true;
        c.correct = pred.failure == QueryFailure::kNone &&
                    RowsMatch(*gold, pred, comparison_, empty_results_match_,
                              runner_->tolerance());
      }
      if (!best || Total(c) > Total(*best)) {
        best = c;
      }
    }
    if (!best) {  // Every gold prepared but failed when run (a timeout, say).
      return GoldFailure(*prepared.golds.front());
    }
    std::string_view why = pred.sql.empty() ? "no_answer" : Reason(pred.failure);
    if (why.empty() && best->executed && !best->correct) {
      why = "wrong_result";
    }
    Score score = Score::Ok(Total(*best), why);
    score.explanation =
        fmt::format("execution={} syntax={} schema={:.6g} ngram={:.6g} format={:.6g}",
                    best->executed ? (best->correct ? "1" : "0") : "skipped", best->syntax,
                    best->schema, best->ngram, best->format);
    if (!pred.message.empty()) {
      score.explanation += "; " + pred.message;
    }
    return score;
  }

 private:
  struct Components {
    bool executed = false;
    bool correct = false;
    double syntax = 0;
    double schema = 0;
    double ngram = 0;
    double format = 0;
  };

  double Total(const Components& c) const {
    return (c.correct ? execution_weight_ : 0.0) + syntax_weight_ * c.syntax +
           schema_weight_ * c.schema + ngram_weight_ * c.ngram + format_weight_ * c.format;
  }

  const std::unique_ptr<SqlRunner> runner_;
  const double execution_weight_;
  const double syntax_weight_;
  const double schema_weight_;
  const double ngram_weight_;
  const double format_weight_;
  const bool schema_recall_;
  const bool syntax_first_row_;
  const std::string comparison_;
  const bool empty_results_match_;
};

}  // namespace

RewardOr MakeExecution(const ExecutionOptions& options) {
  MERIT_ASSIGN_OR_RETURN(std::unique_ptr<SqlRunner> runner,
                         SqlRunner::Create(options, {.rows = true}));
  return std::unique_ptr<const Reward>(
      std::make_unique<ExecutionReward>(options, std::move(runner)));
}

RewardOr MakePartial(const PartialOptions& options) {
  MERIT_ASSIGN_OR_RETURN(
      std::unique_ptr<SqlRunner> runner,
      SqlRunner::Create(options, {.read_items = true,
                                  .words = true,
                                  .rows = options.execution_weight > 0}));
  return std::unique_ptr<const Reward>(std::make_unique<PartialReward>(options, std::move(runner)));
}

}  // namespace merit::sql
