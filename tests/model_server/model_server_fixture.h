// merit::testing::ModelServer: starts the test model server (merit_test_model_server, see
// docs/test-model-server.md) as a child process on 127.0.0.1 and stops it when destroyed.
//
//   MERIT_ASSIGN_OR_RETURN(auto server, merit::testing::ModelServer::Start());
//   std::string base = server->url();                       // "http://127.0.0.1:<port>"
//   std::string slow = server->Url("latency_ms=50");        // ".../faults/latency_ms=50"
//
// Every test binary gets its own server on a free port, so tests running in parallel never share
// counters; within one binary, distinct fault specs (e.g. add `tag=<test name>`) isolate tests.
//
// Thread safety: const methods may be called from any thread.
#ifndef MERIT_TESTS_MODEL_SERVER_MODEL_SERVER_FIXTURE_H_
#define MERIT_TESTS_MODEL_SERVER_MODEL_SERVER_FIXTURE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/status.h"

namespace merit::testing {

class ModelServer {
 public:
  // Launches the server with `--host 127.0.0.1 --port 0` plus `extra_args` (e.g.
  // {"--api-key", "k"} or {"--threads", "64"}) and waits (5 s at most) for its port.
  static StatusOr<std::unique_ptr<ModelServer>> Start(std::vector<std::string> extra_args = {});

  ModelServer(const ModelServer&) = delete;
  ModelServer& operator=(const ModelServer&) = delete;
  // Sends SIGTERM and waits for the process (SIGKILL after 5 s).
  ~ModelServer();

  int port() const { return port_; }

  // "http://127.0.0.1:<port>": the base URL a backend is configured with.
  std::string url() const;

  // "http://127.0.0.1:<port>/faults/<faults>": a base URL whose requests get the comma-separated
  // fault spec (latency_ms, status, fail_first, fail_every, retry_after, malformed, drop, bias,
  // garble; any other key such as tag=x only makes the spec, hence its counters, distinct).
  std::string Url(std::string_view faults) const;

  // GET /stats: {"requests": N, "max_in_flight": M, "by_path": {"<path>": n, ...}}.
  StatusOr<Json> Stats() const;

  // POST /stats/reset: zeroes the counters of Stats() (the fault counters are kept).
  Status ResetStats() const;

 private:
  ModelServer(int pid, int port, int lifeline_fd)
      : pid_(pid), port_(port), lifeline_fd_(lifeline_fd) {}

  const int pid_;
  const int port_;
  // The write end of the server's stdin: the server exits when it closes, so a test binary that
  // crashes does not leave servers behind.
  const int lifeline_fd_;
};

}  // namespace merit::testing

#endif  // MERIT_TESTS_MODEL_SERVER_MODEL_SERVER_FIXTURE_H_
