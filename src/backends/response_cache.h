// ResponseCache: content-addressed replies of model calls, so a rerun of the same config on the
// same data is reproducible and makes no requests. Keys are SHA-256 digests of everything that
// determines a reply (protocol, endpoint, model, call kind and body). Entries live in memory and,
// when a file is given, in an SQLite table that later runs read.
//
// Thread safety: all methods are thread-safe.
#ifndef MERIT_BACKENDS_RESPONSE_CACHE_H_
#define MERIT_BACKENDS_RESPONSE_CACHE_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "merit/json.h"
#include "merit/status.h"

struct sqlite3;

namespace merit::backends {

// Lowercase hex SHA-256 of `text`.
std::string Sha256Hex(std::string_view text);

class ResponseCache {
 public:
  // `path` empty: memory only. Otherwise the SQLite file is created if missing.
  static StatusOr<std::unique_ptr<ResponseCache>> Open(const std::string& path);
  ~ResponseCache();

  std::optional<Json> Get(const std::string& key);
  void Put(const std::string& key, const Json& reply);

 private:
  ResponseCache() = default;
  std::mutex mutex_;
  std::unordered_map<std::string, Json> memory_;
  sqlite3* db_ = nullptr;
};

}  // namespace merit::backends

#endif  // MERIT_BACKENDS_RESPONSE_CACHE_H_
