// A fixed-size pool for data-parallel loops. Rewards never create threads; the engine owns one
// pool and runs every batch on it.
//
// Thread safety: ParallelFor may be called from several threads at once; tasks must not call
// ParallelFor on the same pool (the caller would wait on itself).
#ifndef MERIT_CONCURRENCY_THREAD_POOL_H_
#define MERIT_CONCURRENCY_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace merit::internal {

class ThreadPool {
 public:
  // `threads` is the total parallelism including the calling thread: threads - 1 workers start.
  explicit ThreadPool(std::size_t threads);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  std::size_t threads() const { return workers_.size() + 1; }

  // Calls body(begin, end, slot) over [0, n) in chunks of `chunk`; slot in [0, threads()) is
  // unique among concurrent calls of body within this ParallelFor, so callers can index
  // per-slot scratch. Returns when every chunk is done. The calling thread works too.
  void ParallelFor(std::size_t n, std::size_t chunk,
                   const std::function<void(std::size_t, std::size_t, std::size_t)>& body);

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable work_available_;
  std::deque<std::function<void()>> queue_;  // Guarded by mu_.
  bool stopping_ = false;                    // Guarded by mu_.
  std::vector<std::jthread> workers_;        // Last member: threads join before the queue dies.
};

}  // namespace merit::internal

#endif  // MERIT_CONCURRENCY_THREAD_POOL_H_
