// HttpServer: the HTTP/1.1 face of a Service (cpp-httplib, keep-alive, a fixed pool of
// connection threads). JSON <-> Service calls only; see docs/serve.md for the endpoints.
//
//   POST /v1/score       {"config", "fields", "timeout_ms", "samples"} -> {"results", ...}
//   POST /get_reward     OpenRLHF: {"query", "prompts", "labels"} -> {"rewards", "scores",
//                        "extra_logs"}
//   GET  /v1/configs     the served configs; GET /v1/configs/NAME[?fields=PRESET] one of them
//   GET  /health         200 while ready, 503 while draining (also /health/live, /health/ready)
//   GET  /metrics        Prometheus text
//   POST /admin/reload   rebuild every engine from its file and swap them in
//
// Memory is bounded: at most http_threads request bodies of max_body_bytes are held at once,
// accepted connections beyond the threads wait in a queue of max_pending_connections (then the
// kernel's listen backlog), and batches wait in the Service's bounded queue.
//
// Thread safety: Stop() may be called from any thread (the signal thread); the rest from one.
#ifndef MERIT_SERVER_HTTP_SERVER_H_
#define MERIT_SERVER_HTTP_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "merit/status.h"

#include "server/service.h"

namespace merit::server {

struct HttpOptions {
  std::string host = "127.0.0.1";  // Loopback unless asked: scoring is not for the open network.
  int port = 8000;                 // 0: any free port (Bind returns it).
  std::size_t http_threads = 128;  // Connections served at once (keep-alive holds one each).
  std::size_t max_pending_connections = 1024;
  std::size_t max_body_bytes = 32u << 20;  // Larger bodies get 413 before they are read.
  int keep_alive_seconds = 5;              // An idle connection closes after this.
  std::string token = {};  // Bearer token for every route but /health; empty: none.
  bool access_log = true;                  // One JSON line per request on stderr.
};

class HttpServer {
 public:
  HttpServer(Service& service, HttpOptions options);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds and listens. Returns the port. Errors: kFailedPrecondition when the address cannot be
  // bound (in use, no permission, bad host).
  StatusOr<int> Bind();

  // Serves until Stop(); returns once every request already being read or handled has been
  // answered. REQUIRES: Bind() succeeded.
  void Run();

  // Stops accepting connections; Run() returns after the in-flight requests finish.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace merit::server

#endif  // MERIT_SERVER_HTTP_SERVER_H_
