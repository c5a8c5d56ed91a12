// Running model-written SQL on a real SQLite database, safely.
//
// A Connection opens a database read-only: a file through the URI file:PATH?mode=ro&immutable=1
// with SQLITE_OPEN_READONLY (SQLite takes no locks, never writes and never creates a journal), or
// a serialized in-memory image deserialized with SQLITE_DESERIALIZE_READONLY. On top of that every
// connection runs with PRAGMA query_only, SQLITE_DBCONFIG_DEFENSIVE, no extension loading, no
// ATTACH (SQLITE_LIMIT_ATTACHED 0), and an authorizer that allows only SQLITE_SELECT, SQLITE_READ,
// SQLITE_FUNCTION and SQLITE_RECURSIVE while model SQL is prepared.
//
// Prepare() accepts exactly one statement that starts with SELECT or WITH, is reported read-only
// by sqlite3_stmt_readonly, is not EXPLAIN and passes the authorizer; anything after it other than
// comments and semicolons is a second statement and is refused. While preparing, the authorizer's
// SQLITE_READ callbacks give the tables and columns the statement reads: SQLite's own name
// resolution, so aliases, qualifiers and `*` are resolved exactly as SQLite runs the query.
//
// Execute() enforces the QueryLimits: a wall-clock budget and an optional instruction budget,
// checked by sqlite3_progress_handler every kProgressInstructions VM instructions; a row cap and a
// result-byte cap, checked as rows are copied out; and a memory cap on the growth of SQLite's heap
// during the query (sqlite3_memory_used(), which SQLite keeps for the whole process, so concurrent
// queries count against each other: the cap bounds the total, never lets one query exceed it).
// Strings and blobs are capped at kMaxValueBytes by SQLITE_LIMIT_LENGTH, so no single value (a
// recursive CTE doubling a string, randomblob(1e9)) can outgrow the caps between two checks.
//
// A ConnectionPool keeps idle connections per database for reuse, so each pool thread works on
// its own connection and a database's schema is parsed once per connection, not per sample.
//
// Thread safety: a Connection is used by one thread at a time (the pool hands each out to one
// lease holder). ConnectionPool is thread-safe.
#ifndef MERIT_REWARDS_SQL_DATABASE_H_
#define MERIT_REWARDS_SQL_DATABASE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "merit/status.h"
#include "rewards/sql/sql_text.h"

struct sqlite3;
struct sqlite3_stmt;

namespace merit::sql {

inline constexpr int kProgressInstructions = 1000;
inline constexpr int kMaxValueBytes = 1 << 20;
inline constexpr int kMaxSqlBytes = 100'000;

struct QueryLimits {
  std::int64_t timeout_ms = 1000;
  std::int64_t max_instructions = 0;  // 0: no instruction budget.
  std::int64_t max_rows = 5000;
  std::int64_t max_result_bytes = std::int64_t{16} << 20;
  std::int64_t max_memory_bytes = std::int64_t{256} << 20;
};

// Why a query was not run, or did not finish. Reason() gives the static reason code.
enum class QueryFailure : std::uint8_t {
  kNone,
  kSyntaxError,         // sqlite3_prepare_v2 failed (syntax, unknown table or column, ...).
  kNotReadOnly,         // Not a SELECT/WITH, or a statement the authorizer refused.
  kMultipleStatements,  // Something follows the first statement.
  kEmpty,               // No statement at all (only comments or whitespace).
  kTooLong,             // Longer than the configured limit; not given to SQLite.
  kTimeout,             // The time or instruction budget ran out.
  kTooManyRows,         // More than max_rows rows.
  kResultTooLarge,      // More than max_result_bytes of row data.
  kMemoryLimit,         // SQLite's heap grew by more than max_memory_bytes.
  kRuntimeError,        // sqlite3_step failed (e.g. a string past kMaxValueBytes).
};

std::string_view Reason(QueryFailure failure);

// One value of a result. Text and blobs live in ResultSet::bytes.
struct Cell {
  enum class Type : std::uint8_t { kNull, kInteger, kReal, kText, kBlob };
  Type type = Type::kNull;
  std::int64_t integer = 0;
  double real = 0;
  std::uint32_t offset = 0;  // Text and blob bytes: ResultSet::bytes[offset, offset + size).
  std::uint32_t size = 0;
};

// Rows of `columns` cells each, row-major.
struct ResultSet {
  std::size_t columns = 0;
  std::vector<Cell> cells;
  std::string bytes;

  std::size_t rows() const { return columns == 0 ? 0 : cells.size() / columns; }

  void Clear() {
    columns = 0;
    cells.clear();
    bytes.clear();
  }
};

// How two results are compared (see SameResult).
enum class Comparison : std::uint8_t { kMultiset, kSet, kList };

// Whether `a` and `b` hold the same rows. kList: same rows in the same order; kMultiset: same rows
// with the same multiplicities in any order; kSet: the same distinct rows. Two results without
// rows are equal whatever their columns. Cells: NULL equals NULL; INTEGER and REAL compare by
// value (1 equals 1.0), two INTEGERs exactly, otherwise within
// tolerance * max(1, |a|, |b|); TEXT and BLOB compare bytes, and never equal a number or each
// other (the text '1' is not the number 1).
bool SameResult(const ResultSet& a, const ResultSet& b, Comparison comparison, double tolerance);

// A finalizing holder for a prepared statement.
struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const;
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

class Connection {
 public:
  // Opens a database file read-only and immutable. Errors: kFailedPrecondition when the file
  // cannot be opened or is not an SQLite database (the message has SQLite's reason).
  static StatusOr<std::unique_ptr<Connection>> OpenFile(const std::string& path);
  // Deserializes a copy of `image` (sqlite3_serialize output) read-only. Errors as OpenFile.
  static StatusOr<std::unique_ptr<Connection>> OpenImage(std::string_view image);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Prepares `sql` as one read-only SELECT/WITH statement (see the file comment); `tokens` is
  // Lex(sql). On success returns kNone and sets `statement`; `read_items`, when not null,
  // receives the lower-cased names of the tables and columns it reads, sorted and unique. On
  // failure `message` says why.
  QueryFailure Prepare(std::string_view sql, std::span<const Token> tokens, Statement& statement,
                       std::vector<std::string>* read_items, std::string& message);

  // Steps `statement` to the end (or to the first row when `first_row_only`), copying rows into
  // `out` (cleared first) within `limits`. kNone on success; otherwise `message` says why.
  QueryFailure Execute(sqlite3_stmt* statement, const QueryLimits& limits, bool first_row_only,
                       ResultSet& out, std::string& message);

 private:
  explicit Connection(sqlite3* db);
  static int Authorize(void* self, int action, const char* arg1, const char* arg2,
                       const char* arg3, const char* arg4);
  static StatusOr<std::unique_ptr<Connection>> Configure(sqlite3* db);

  sqlite3* db_;
  // Set only while Prepare() runs.
  bool authorizing_ = false;
  int denied_action_ = 0;
  std::vector<std::string>* read_items_ = nullptr;
};

// Where a database comes from: a file path, or a serialized image owned by the caller (which must
// outlive the pool). `key` identifies it in the pool.
struct DatabaseSource {
  std::string_view key = {};
  std::string_view image = {};  // Empty: `key` is a file path.
};

// Idle connections per database, most recently used first, at most `max_idle` in all (the least
// recently used is closed past that).
class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t max_idle) : max_idle_(max_idle) {}

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Exclusive use of one connection; returns it to the pool when destroyed.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::string key, std::unique_ptr<Connection> connection)
        : pool_(pool), key_(std::move(key)), connection_(std::move(connection)) {}

    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    Connection& operator*() const { return *connection_; }

    Connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::string key_;
    std::unique_ptr<Connection> connection_;
  };

  // An idle connection to `source`, or a new one. Errors: as Connection::OpenFile.
  StatusOr<Lease> Acquire(const DatabaseSource& source);

 private:
  void Release(std::string key, std::unique_ptr<Connection> connection);

  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::unique_ptr<Connection>>> idle_;  // Guarded by mu_.
};

// Runs `script` (trusted SQL from a config) on a fresh in-memory database and returns the
// database's serialized image. Errors: kInvalidArgument with SQLite's message.
StatusOr<std::string> BuildImage(std::string_view script);

}  // namespace merit::sql

#endif  // MERIT_REWARDS_SQL_DATABASE_H_
