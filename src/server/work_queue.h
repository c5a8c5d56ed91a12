// WorkQueue: a fixed set of worker threads fed by a bounded FIFO. TrySubmit never blocks and
// never grows the queue past its capacity: a full queue is the caller's signal to refuse work
// (HTTP 429), which is what keeps the server's memory bounded under overload.
//
// Thread safety: every method may be called from any thread.
#ifndef MERIT_SERVER_WORK_QUEUE_H_
#define MERIT_SERVER_WORK_QUEUE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace merit::server {

class WorkQueue {
 public:
  // `workers` threads run tasks; at most `capacity` tasks wait beyond those running.
  WorkQueue(std::size_t workers, std::size_t capacity);
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;
  // Runs every task already queued, then joins the workers.
  ~WorkQueue();

  // Queues `task`; false (and `task` is dropped) when `capacity` tasks are already waiting.
  bool TrySubmit(std::function<void()> task);

  bool full() const;            // TrySubmit would refuse now.
  std::size_t waiting() const;  // Queued, not yet started.
  std::size_t running() const;
  std::size_t capacity() const { return capacity_; }
  std::size_t workers() const { return workers_.size(); }

 private:
  void WorkerLoop();
  bool FullLocked() const;  // REQUIRES: mu_ held.

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::deque<std::function<void()>> queue_;  // Guarded by mu_.
  std::size_t running_ = 0;                  // Guarded by mu_.
  bool stopping_ = false;                    // Guarded by mu_.
  std::vector<std::jthread> workers_;        // Last member: threads join before the queue dies.
};

}  // namespace merit::server

#endif  // MERIT_SERVER_WORK_QUEUE_H_
