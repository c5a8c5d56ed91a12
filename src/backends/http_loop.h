// HttpLoop: one I/O thread running a curl multi handle. Transfers started from any thread run
// concurrently on it, reusing keep-alive connections; completion callbacks and timers run on it.
//
// Thread safety: Start, After and Post may be called from any thread, including from callbacks.
#ifndef MERIT_BACKENDS_HTTP_LOOP_H_
#define MERIT_BACKENDS_HTTP_LOOP_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace merit::backends {

struct HttpRequest {
  std::string url;
  std::string body;                  // POSTed as application/json; empty with get = true.
  std::vector<std::string> headers;  // "Name: value".
  std::chrono::milliseconds timeout{30000};
  bool get = false;
};

struct HttpResponse {
  long status = 0;            // HTTP status; 0 when no response arrived.
  std::string body;
  std::string transport_error;  // curl's message when the transfer failed; empty otherwise.
  bool timed_out = false;       // The request's own timeout fired.
  double retry_after_seconds = -1.0;  // The Retry-After header (seconds form); -1: absent.
  bool shutting_down = false;  // The loop is stopping: the request was abandoned, do not retry.
};

class HttpLoop {
 public:
  using Clock = std::chrono::steady_clock;

  HttpLoop();
  ~HttpLoop();  // Stops the thread; transfers still open complete with a transport error.
  HttpLoop(const HttpLoop&) = delete;
  HttpLoop& operator=(const HttpLoop&) = delete;

  // Runs `request`; `done` is called once, on the loop thread.
  void Start(HttpRequest request, std::function<void(HttpResponse)> done);
  // Runs `task` on the loop thread at `when` (or soon after).
  void At(Clock::time_point when, std::function<void()> task);
  // Runs `task` on the loop thread as soon as possible.
  void Post(std::function<void()> task) { At(Clock::time_point::min(), std::move(task)); }
  // Runs `tick` on every loop iteration (at least every 20 ms): deadline sweeps.
  void AddTicker(std::function<void()> tick);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace merit::backends

#endif  // MERIT_BACKENDS_HTTP_LOOP_H_
