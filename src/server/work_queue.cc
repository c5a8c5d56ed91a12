#include "server/work_queue.h"

#include <algorithm>

namespace merit::server {

WorkQueue::WorkQueue(std::size_t workers, std::size_t capacity) : capacity_(capacity) {
  for (std::size_t i = 0; i < std::max<std::size_t>(workers, 1); ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

WorkQueue::~WorkQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  available_.notify_all();
  workers_.clear();  // Joins once the queue is drained.
}

bool WorkQueue::full() const {
  std::lock_guard lock(mu_);
  return FullLocked();
}

bool WorkQueue::FullLocked() const {
  // A task waits only when every worker is busy; the capacity bounds those waiting tasks.
  return stopping_ || queue_.size() + running_ >= capacity_ + workers_.size();
}

bool WorkQueue::TrySubmit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (FullLocked()) {
      return false;
    }
    queue_.push_back(std::move(task));
  }
  available_.notify_one();
  return true;
}

std::size_t WorkQueue::waiting() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t WorkQueue::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void WorkQueue::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      return;  // Stopping and drained.
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // Whatever the task holds is released before the slot is.
    lock.lock();
    --running_;
  }
}

}  // namespace merit::server
