#include "rewards/sql/database.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>

#include <fmt/format.h>


namespace merit::sql {
namespace {

std::string Lowered(const char* text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// A file: URI for `path`, every byte outside the unreserved set percent-encoded, so that '?', '#'
// and '%' in a file name are never read as URI syntax.
std::string FileUri(std::string_view path) {
  std::string uri = "file:";
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '/' ||
        c == '.' || c == '-' || c == '_' || c == '~') {
      uri += c;
    } else {
      uri += fmt::format("%{:02X}", u);
    }
  }
  uri += "?mode=ro&immutable=1";
  return uri;
}

// The budgets Execute() checks from SQLite's progress handler.
struct Budget {
  std::chrono::steady_clock::time_point deadline;
  std::int64_t max_calls = 0;  // 0: no instruction budget.
  std::int64_t calls = 0;
  std::int64_t memory_base = 0;
  std::int64_t max_memory = 0;
  QueryFailure stopped = QueryFailure::kNone;
};

int OnProgress(void* data) {
  auto& budget = *static_cast<Budget*>(data);
  ++budget.calls;
  if (budget.max_calls > 0 && budget.calls > budget.max_calls) {
    budget.stopped = QueryFailure::kTimeout;
  } else if (sqlite3_memory_used() - budget.memory_base > budget.max_memory) {
    budget.stopped = QueryFailure::kMemoryLimit;
  } else if (std::chrono::steady_clock::now() > budget.deadline) {
    budget.stopped = QueryFailure::kTimeout;
  }
  return budget.stopped == QueryFailure::kNone ? 0 : 1;
}

bool IsNumber(const Cell& c) {
  return c.type == Cell::Type::kInteger || c.type == Cell::Type::kReal;
}

double AsDouble(const Cell& c) {
  return c.type == Cell::Type::kInteger ? static_cast<double>(c.integer) : c.real;
}

// Rank of a cell's type class in the sort order: NULL < numbers < text < blob.
int TypeRank(const Cell& c) {
  switch (c.type) {
    case Cell::Type::kNull:
      return 0;
    case Cell::Type::kInteger:
    case Cell::Type::kReal:
      return 1;
    case Cell::Type::kText:
      return 2;
    case Cell::Type::kBlob:
      return 3;
  }
  return 0;
}

// A total order on cells (exact), for sorting rows before a multiset or set comparison.
int CompareCells(const Cell& a, std::string_view a_bytes, const Cell& b,
                 std::string_view b_bytes) {
  const int rank_a = TypeRank(a);
  const int rank_b = TypeRank(b);
  if (rank_a != rank_b) {
    return rank_a < rank_b ? -1 : 1;
  }
  if (rank_a == 0) {
    return 0;
  }
  if (rank_a == 1) {
    if (a.type == Cell::Type::kInteger && b.type == Cell::Type::kInteger) {
      return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
    }
    const double x = AsDouble(a);
    const double y = AsDouble(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const int c = a_bytes.substr(a.offset, a.size).compare(b_bytes.substr(b.offset, b.size));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool CellsMatch(const Cell& a, std::string_view a_bytes, const Cell& b, std::string_view b_bytes,
                double tolerance) {
  if (IsNumber(a) && IsNumber(b) &&
      !(a.type == Cell::Type::kInteger && b.type == Cell::Type::kInteger)) {
    const double x = AsDouble(a);
    const double y = AsDouble(b);
    return std::fabs(x - y) <= tolerance * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return CompareCells(a, a_bytes, b, b_bytes) == 0;
}

// Row indices of `r` in the order `comparison` compares them: as returned (list), sorted
// (multiset) or sorted without exact duplicates (set).
std::vector<std::size_t> RowOrder(const ResultSet& r, Comparison comparison) {
  std::vector<std::size_t> order(r.rows());
  std::iota(order.begin(), order.end(), 0);
  if (comparison == Comparison::kList) {
    return order;
  }
  const auto compare_rows = [&r](std::size_t x, std::size_t y) {
    for (std::size_t c = 0; c < r.columns; ++c) {
      const int cmp =
          CompareCells(r.cells[x * r.columns + c], r.bytes, r.cells[y * r.columns + c], r.bytes);
      if (cmp != 0) {
        return cmp;
      }
    }
    return 0;
  };
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return compare_rows(x, y) < 0; });
  if (comparison == Comparison::kSet) {
    order.erase(std::unique(order.begin(), order.end(),
                            [&](std::size_t x, std::size_t y) { return compare_rows(x, y) == 0; }),
                order.end());
  }
  return order;
}

}  // namespace

std::string_view Reason(QueryFailure failure) {
  switch (failure) {
    case QueryFailure::kNone:
      return "";
    case QueryFailure::kSyntaxError:
      return "syntax_error";
    case QueryFailure::kNotReadOnly:
      return "not_read_only";
    case QueryFailure::kMultipleStatements:
      return "multiple_statements";
    case QueryFailure::kEmpty:
      return "no_answer";
    case QueryFailure::kTooLong:
      return "sql_too_long";
    case QueryFailure::kTimeout:
      return "timeout";
    case QueryFailure::kTooManyRows:
      return "too_many_rows";
    case QueryFailure::kResultTooLarge:
      return "result_too_large";
    case QueryFailure::kMemoryLimit:
      return "memory_limit";
    case QueryFailure::kRuntimeError:
      return "execution_error";
  }
  return "";
}

bool SameResult(const ResultSet& a, const ResultSet& b, Comparison comparison, double tolerance) {
  if (a.rows() == 0 && b.rows() == 0) {
    return true;
  }
  if (a.columns != b.columns) {
    return false;
  }
  const std::vector<std::size_t> order_a = RowOrder(a, comparison);
  const std::vector<std::size_t> order_b = RowOrder(b, comparison);
  if (order_a.size() != order_b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < order_a.size(); ++i) {
    for (std::size_t c = 0; c < a.columns; ++c) {
      if (!CellsMatch(a.cells[order_a[i] * a.columns + c], a.bytes,
                      b.cells[order_b[i] * b.columns + c], b.bytes, tolerance)) {
        return false;
      }
    }
  }
  return true;
}

void StatementDeleter::operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }

Connection::Connection(sqlite3* db) : db_(db) {}

Connection::~Connection() { sqlite3_close_v2(db_); }

StatusOr<std::unique_ptr<Connection>> Connection::OpenFile(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(FileUri(path).c_str(), &db,
                                 SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX |
                                     SQLITE_OPEN_PRIVATECACHE,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return FailedPreconditionError(fmt::format("cannot open {}: {}", path, message));
  }
  return Configure(db);
}

StatusOr<std::unique_ptr<Connection>> Connection::OpenImage(std::string_view image) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(":memory:", &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE,
                           nullptr);
  if (rc == SQLITE_OK) {
    // SQLite owns (and frees) the copy; READONLY refuses every write to it.
    auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
    if (copy == nullptr) {
      rc = SQLITE_NOMEM;
    } else {
      std::memcpy(copy, image.data(), image.size());
      rc = sqlite3_deserialize(db, "main", copy, static_cast<sqlite3_int64>(image.size()),
                               static_cast<sqlite3_int64>(image.size()),
                               SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
    }
  }
  if (rc != SQLITE_OK) {
    std::string message = sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return FailedPreconditionError("cannot open the in-memory database: " + message);
  }
  return Configure(db);
}

StatusOr<std::unique_ptr<Connection>> Connection::Configure(sqlite3* db) {
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, kMaxValueBytes);
  sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, kMaxSqlBytes);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 0);
  // query_only refuses writes even to TEMP; temp_store=MEMORY keeps sorter and temp b-trees in
  // SQLite's heap, where the memory cap sees them, instead of in files on disk; a small page cache
  // bounds what a scan keeps. Reading sqlite_schema loads the schema now, so a file that is not a
  // database fails here rather than as the gold query's error.
  char* error = nullptr;
  const int rc = sqlite3_exec(db,
                              "PRAGMA query_only = 1; PRAGMA temp_store = MEMORY; "
                              "PRAGMA cache_size = -4096; SELECT count(*) FROM sqlite_schema;",
                              nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return FailedPreconditionError("not a usable SQLite database: " + message);
  }
  sqlite3_set_authorizer(db, &Connection::Authorize, connection.get());
  return connection;
}

int Connection::Authorize(void* self, int action, const char* arg1, const char* arg2,
                          const char* /*arg3*/, const char* /*arg4*/) {
  auto& connection = *static_cast<Connection*>(self);
  if (!connection.authorizing_) {
    return SQLITE_OK;
  }
  switch (action) {
    case SQLITE_READ:
      if (connection.read_items_ != nullptr) {
        if (arg1 != nullptr) {
          connection.read_items_->push_back(Lowered(arg1));
        }
        // An empty column name is a table read for count(*) and the like.
        if (arg2 != nullptr && arg2[0] != '\0') {
          connection.read_items_->push_back(Lowered(arg2));
        }
      }
      return SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    default:
      if (connection.denied_action_ == 0) {
        connection.denied_action_ = action;
      }
      return SQLITE_DENY;
  }
}

QueryFailure Connection::Prepare(std::string_view sql, std::span<const Token> tokens,
                                 Statement& statement, std::vector<std::string>* read_items,
                                 std::string& message) {
  statement.reset();
  message.clear();
  const bool only_comments = std::all_of(tokens.begin(), tokens.end(), [](const Token& t) {
    return t.kind == TokenKind::kComment || t.kind == TokenKind::kSemicolon;
  });
  if (only_comments) {
    message = "no SQL statement";
    return QueryFailure::kEmpty;
  }
  if (!StartsWithSelect(tokens, sql)) {
    message = "only SELECT and WITH statements are run";
    return QueryFailure::kNotReadOnly;
  }
  if (read_items != nullptr) {
    read_items->clear();
  }
  authorizing_ = true;
  denied_action_ = 0;
  read_items_ = read_items;
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  authorizing_ = false;
  read_items_ = nullptr;
  statement.reset(raw);
  if (rc != SQLITE_OK || raw == nullptr) {
    message = rc != SQLITE_OK ? sqlite3_errmsg(db_) : "no SQL statement";
    statement.reset();
    return denied_action_ != 0 ? QueryFailure::kNotReadOnly
           : rc == SQLITE_OK   ? QueryFailure::kEmpty
                               : QueryFailure::kSyntaxError;
  }
  if (!sqlite3_stmt_readonly(raw) || sqlite3_stmt_isexplain(raw) != 0) {
    message = "not a read-only query";
    statement.reset();
    return QueryFailure::kNotReadOnly;
  }
  if (HasMoreStatements(sql, static_cast<std::size_t>(tail - sql.data()))) {
    message = "more than one statement";
    statement.reset();
    return QueryFailure::kMultipleStatements;
  }
  if (read_items != nullptr) {
    std::sort(read_items->begin(), read_items->end());
    read_items->erase(std::unique(read_items->begin(), read_items->end()), read_items->end());
  }
  return QueryFailure::kNone;
}

QueryFailure Connection::Execute(sqlite3_stmt* statement, const QueryLimits& limits,
                                 bool first_row_only, ResultSet& out, std::string& message) {
  out.Clear();
  message.clear();
  out.columns = static_cast<std::size_t>(sqlite3_column_count(statement));
  Budget budget{
      .deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.timeout_ms),
      .max_calls = limits.max_instructions > 0
                       ? std::max<std::int64_t>(1, limits.max_instructions / kProgressInstructions)
                       : 0,
      .memory_base = sqlite3_memory_used(),
      .max_memory = limits.max_memory_bytes};
  sqlite3_progress_handler(db_, kProgressInstructions, &OnProgress, &budget);
  QueryFailure failure = QueryFailure::kNone;
  while (true) {
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) {
      break;
    }
    if (rc != SQLITE_ROW) {
      failure = budget.stopped != QueryFailure::kNone ? budget.stopped : QueryFailure::kRuntimeError;
      message = failure == QueryFailure::kRuntimeError ? sqlite3_errmsg(db_) : "query stopped";
      break;
    }
    if (static_cast<std::int64_t>(out.rows()) >= limits.max_rows) {
      failure = QueryFailure::kTooManyRows;
      message = fmt::format("more than {} rows", limits.max_rows);
      break;
    }
    for (int c = 0; c < static_cast<int>(out.columns); ++c) {
      Cell cell;
      switch (sqlite3_column_type(statement, c)) {
        case SQLITE_INTEGER:
          cell.type = Cell::Type::kInteger;
          cell.integer = sqlite3_column_int64(statement, c);
          break;
        case SQLITE_FLOAT:
          cell.type = Cell::Type::kReal;
          cell.real = sqlite3_column_double(statement, c);
          break;
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
          const bool text = sqlite3_column_type(statement, c) == SQLITE_TEXT;
          const void* data =
              text ? static_cast<const void*>(sqlite3_column_text(statement, c))
                   : sqlite3_column_blob(statement, c);
          const int size = sqlite3_column_bytes(statement, c);
          cell.type = text ? Cell::Type::kText : Cell::Type::kBlob;
          cell.offset = static_cast<std::uint32_t>(out.bytes.size());
          cell.size = static_cast<std::uint32_t>(size);
          if (size > 0) {
            out.bytes.append(static_cast<const char*>(data), static_cast<std::size_t>(size));
          }
          break;
        }
        default:
          break;
      }
      out.cells.push_back(cell);
    }
    const std::size_t bytes = out.bytes.size() + out.cells.size() * sizeof(Cell);
    if (static_cast<std::int64_t>(bytes) > limits.max_result_bytes) {
      failure = QueryFailure::kResultTooLarge;
      message = fmt::format("more than {} bytes of rows", limits.max_result_bytes);
      break;
    }
    if (first_row_only) {
      break;
    }
  }
  sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  sqlite3_reset(statement);
  return failure;
}

ConnectionPool::Lease::~Lease() {
  if (connection_ != nullptr) {
    pool_->Release(std::move(key_), std::move(connection_));
  }
}

StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire(const DatabaseSource& source) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::size_t i = idle_.size(); i-- > 0;) {
      if (idle_[i].first == source.key) {
        std::unique_ptr<Connection> connection = std::move(idle_[i].second);
        idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
        return Lease(this, std::string(source.key), std::move(connection));
      }
    }
  }
  // Opening reads the schema: done outside the lock so that other threads are not held up.
  StatusOr<std::unique_ptr<Connection>> opened = source.image.empty()
                                                     ? Connection::OpenFile(std::string(source.key))
                                                     : Connection::OpenImage(source.image);
  if (!opened.ok()) {
    return opened.status();
  }
  return Lease(this, std::string(source.key), std::move(opened).value());
}

void ConnectionPool::Release(std::string key, std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> evicted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.emplace_back(std::move(key), std::move(connection));
    if (idle_.size() > max_idle_) {
      evicted = std::move(idle_.front().second);
      idle_.erase(idle_.begin());
    }
  }
}

StatusOr<std::string> BuildImage(std::string_view script) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close_v2(db);
    return InternalError("cannot open an in-memory database");
  }
  char* error = nullptr;
  const std::string script_text(script);
  if (sqlite3_exec(db, script_text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    sqlite3_close_v2(db);
    return InvalidArgumentError("database_sql: " + message);
  }
  sqlite3_int64 size = 0;
  unsigned char* data = sqlite3_serialize(db, "main", &size, 0);
  if (data == nullptr) {
    sqlite3_close_v2(db);
    return InternalError("cannot serialize the in-memory database");
  }
  std::string image(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
  sqlite3_free(data);
  sqlite3_close_v2(db);
  return image;
}

}  // namespace merit::sql
