#include "concurrency/thread_pool.h"

#include <atomic>
#include <memory>

namespace merit::internal {

ThreadPool::ThreadPool(std::size_t threads) {
  for (std::size_t i = 1; i < threads; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_available_.notify_all();
  workers_.clear();  // Joins.
}

void ThreadPool::WorkerLoop() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // Stopping and drained.
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void ThreadPool::ParallelFor(
    std::size_t n, std::size_t chunk,
    const std::function<void(std::size_t, std::size_t, std::size_t)>& body) {
  if (n == 0) {
    return;
  }
  chunk = std::max<std::size_t>(chunk, 1);
  const std::size_t chunks = (n + chunk - 1) / chunk;
  const std::size_t helpers = std::min(workers_.size(), chunks - 1);
  if (helpers == 0) {
    body(0, n, 0);
    return;
  }

  // Shared by the caller and the helper tasks; the caller waits until every helper has left.
  struct Shared {
    std::atomic<std::size_t> next_chunk{0};
    std::mutex mu;
    std::condition_variable done;
    std::size_t active_helpers = 0;
  };

  auto shared = std::make_shared<Shared>();
  shared->active_helpers = helpers;
  const auto run = [shared, n, chunk, chunks, &body](std::size_t slot) {
    while (true) {
      const std::size_t c = shared->next_chunk.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks) {
        return;
      }
      const std::size_t begin = c * chunk;
      body(begin, std::min(n, begin + chunk), slot);
    }
  };
  {
    std::lock_guard lock(mu_);
    for (std::size_t h = 0; h < helpers; ++h) {
      queue_.emplace_back([shared, run, slot = h + 1] {
        run(slot);
        std::lock_guard inner(shared->mu);
        if (--shared->active_helpers == 0) {
          shared->done.notify_one();
        }
      });
    }
  }
  work_available_.notify_all();
  run(0);
  std::unique_lock lock(shared->mu);
  shared->done.wait(lock, [&] { return shared->active_helpers == 0; });
}

}  // namespace merit::internal
