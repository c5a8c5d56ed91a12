#include "backends/http_loop.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include <curl/curl.h>

namespace merit::backends {
namespace {

// Idle connections kept for reuse: enough for the largest concurrency limits people set.
constexpr long kMaxCachedConnections = 512;
// The longest the loop sleeps, so tickers (deadline sweeps) run often enough.
constexpr int kMaxPollMilliseconds = 20;

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpRequest request;
  HttpResponse response;
  std::function<void(HttpResponse)> done;
  char error[CURL_ERROR_SIZE] = {};
};

std::size_t AppendBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  transfer->response.body.append(data, size * count);
  return size * count;
}

}  // namespace

struct HttpLoop::State {
  CURLM* multi = nullptr;
  std::thread thread;
  std::atomic<bool> stopping{false};

  std::mutex mutex;  // Guards the three queues below.
  std::vector<std::unique_ptr<Transfer>> incoming;
  std::multimap<Clock::time_point, std::function<void()>> timers;
  std::vector<std::function<void()>> tickers;

  std::map<CURL*, std::unique_ptr<Transfer>> running;  // Loop thread only.
  // Finished easy handles, reset and reused: a fresh handle allocates its buffers every time.
  std::vector<CURL*> idle;  // Loop thread only.

  void Run();
  void Begin(std::unique_ptr<Transfer> transfer);
  void Finish(CURL* easy, CURLcode code);
};

HttpLoop::HttpLoop() : state_(std::make_unique<State>()) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // Thread-safe and reference-counted since 7.84.
  state_->multi = curl_multi_init();
  curl_multi_setopt(state_->multi, CURLMOPT_MAXCONNECTS, kMaxCachedConnections);
  state_->thread = std::thread([state = state_.get()] { state->Run(); });
}

HttpLoop::~HttpLoop() {
  state_->stopping = true;
  curl_multi_wakeup(state_->multi);
  state_->thread.join();
  curl_multi_cleanup(state_->multi);
  curl_global_cleanup();
}

void HttpLoop::Start(HttpRequest request, std::function<void(HttpResponse)> done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  {
    std::lock_guard lock(state_->mutex);
    state_->incoming.push_back(std::move(transfer));
  }
  curl_multi_wakeup(state_->multi);
}

void HttpLoop::At(Clock::time_point when, std::function<void()> task) {
  {
    std::lock_guard lock(state_->mutex);
    state_->timers.emplace(when, std::move(task));
  }
  curl_multi_wakeup(state_->multi);
}

void HttpLoop::AddTicker(std::function<void()> tick) {
  std::lock_guard lock(state_->mutex);
  state_->tickers.push_back(std::move(tick));
}

void HttpLoop::State::Begin(std::unique_ptr<Transfer> transfer) {
  CURL* easy = nullptr;
  if (idle.empty()) {
    easy = curl_easy_init();
  } else {
    easy = idle.back();
    idle.pop_back();
    curl_easy_reset(easy);
  }
  transfer->easy = easy;
  const HttpRequest& request = transfer->request;
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  if (!request.get) {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    transfer->headers = curl_slist_append(transfer->headers, "Content-Type: application/json");
  }
  // No "Expect: 100-continue" round trip on large bodies.
  transfer->headers = curl_slist_append(transfer->headers, "Expect:");
  for (const std::string& header : request.headers) {
    transfer->headers = curl_slist_append(transfer->headers, header.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min(10000L, static_cast<long>(request.timeout.count())));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  // Only http(s): a config cannot make merit read local files or talk other protocols.
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_multi_add_handle(multi, easy);
  running.emplace(easy, std::move(transfer));
}

void HttpLoop::State::Finish(CURL* easy, CURLcode code) {
  auto it = running.find(easy);
  if (it == running.end()) {
    return;
  }
  std::unique_ptr<Transfer> transfer = std::move(it->second);
  running.erase(it);
  curl_multi_remove_handle(multi, easy);
  HttpResponse& response = transfer->response;
  if (code == CURLE_OK) {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
    curl_off_t retry_after = -1;
    if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
        retry_after >= 0 && response.status >= 400) {
      response.retry_after_seconds = static_cast<double>(retry_after);
    }
  } else {
    response.status = 0;
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    response.transport_error = transfer->error[0] != '\0' ? transfer->error
                                                          : curl_easy_strerror(code);
    response.body.clear();
  }
  if (idle.size() < static_cast<std::size_t>(kMaxCachedConnections)) {
    idle.push_back(easy);
  } else {
    curl_easy_cleanup(easy);
  }
  curl_slist_free_all(transfer->headers);
  transfer->done(std::move(response));
}

void HttpLoop::State::Run() {
  while (true) {
    std::vector<std::unique_ptr<Transfer>> to_start;
    std::vector<std::function<void()>> due;
    std::vector<std::function<void()>> ticks;
    int wait_ms = kMaxPollMilliseconds;
    {
      std::lock_guard lock(mutex);
      to_start.swap(incoming);
      const Clock::time_point now = Clock::now();
      while (!timers.empty() && timers.begin()->first <= now) {
        due.push_back(std::move(timers.begin()->second));
        timers.erase(timers.begin());
      }
      if (!timers.empty()) {
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
            timers.begin()->first - now);
        wait_ms = static_cast<int>(std::clamp<long long>(until.count(), 0, wait_ms));
      }
      ticks = tickers;
    }
    if (stopping) {
      break;
    }
    for (auto& transfer : to_start) {
      Begin(std::move(transfer));
    }
    for (auto& task : due) {
      task();
    }
    for (auto& tick : ticks) {
      tick();
    }
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE) {
        Finish(message->easy_handle, message->data.result);
      }
    }
    bool more_work = false;
    {
      std::lock_guard lock(mutex);
      more_work = !incoming.empty() ||
                  (!timers.empty() && timers.begin()->first <= Clock::now());
    }
    if (!more_work) {
      curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
  }
  // Shutting down: whatever is still open fails, so no waiter hangs.
  while (!running.empty()) {
    CURL* easy = running.begin()->first;
    running.begin()->second->response.shutting_down = true;
    Finish(easy, CURLE_ABORTED_BY_CALLBACK);
  }
  for (CURL* easy : idle) {
    curl_easy_cleanup(easy);
  }
  idle.clear();
  std::vector<std::unique_ptr<Transfer>> never_started;
  {
    std::lock_guard lock(mutex);
    never_started.swap(incoming);
  }
  for (auto& transfer : never_started) {
    HttpResponse response;
    response.transport_error = "the backend client is shutting down";
    response.shutting_down = true;
    transfer->done(std::move(response));
  }
}

}  // namespace merit::backends
