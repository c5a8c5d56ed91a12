#include "backends/response_cache.h"

#include <array>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <sqlite3.h>

namespace merit::backends {
namespace {

// A cached reply is re-read with the same limits as a fresh one.
constexpr JsonParseLimits kCachedReplyLimits{.max_depth = 64};

}  // namespace

std::string Sha256Hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  }
  return hex;
}

StatusOr<std::unique_ptr<ResponseCache>> ResponseCache::Open(const std::string& path) {
  std::unique_ptr<ResponseCache> cache(new ResponseCache());
  if (path.empty()) {
    return cache;
  }
  if (sqlite3_open_v2(path.c_str(), &cache->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = cache->db_ != nullptr ? sqlite3_errmsg(cache->db_) : "out of memory";
    return InvalidArgumentError(fmt::format("cannot open the cache file \"{}\": {}", path, message));
  }
  char* error = nullptr;
  if (sqlite3_exec(cache->db_,
                   "PRAGMA journal_mode=WAL;"
                   "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT NOT NULL)",
                   nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    return InvalidArgumentError(
        fmt::format("the cache file \"{}\" is not usable: {}", path, message));
  }
  return cache;
}

ResponseCache::~ResponseCache() {
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);
  }
}

std::optional<Json> ResponseCache::Get(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = memory_.find(key); it != memory_.end()) {
    return it->second;
  }
  if (db_ == nullptr) {
    return std::nullopt;
  }
  sqlite3_stmt* statement = nullptr;
  std::optional<Json> found;
  if (sqlite3_prepare_v2(db_, "SELECT reply FROM replies WHERE key = ?1", -1, &statement,
                         nullptr) == SQLITE_OK &&
      sqlite3_bind_text(statement, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC) ==
          SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    const int size = sqlite3_column_bytes(statement, 0);
    JsonParser parser(kCachedReplyLimits);
    // A damaged row is a miss, not an error: the call is simply made again.
    if (StatusOr<Json> reply = parser.Parse(std::string_view(text, size)); reply.ok()) {
      found = *reply;
      memory_.emplace(key, *reply);
    }
  }
  sqlite3_finalize(statement);
  return found;
}

void ResponseCache::Put(const std::string& key, const Json& reply) {
  std::lock_guard lock(mutex_);
  memory_.insert_or_assign(key, reply);
  if (db_ == nullptr) {
    return;
  }
  const std::string text = reply.Dump();
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO replies (key, reply) VALUES (?1, ?2)", -1,
                         &statement, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(statement, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(statement, 2, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    sqlite3_step(statement);  // A failed write only costs a future miss.
  }
  sqlite3_finalize(statement);
}

}  // namespace merit::backends
