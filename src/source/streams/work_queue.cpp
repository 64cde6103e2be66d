// The engine's work queue (see work_queue.h).
#include "source/streams/work_queue.h"

#include <algorithm>
#include <chrono>

namespace sk::streams {

void WorkQueue::push(Item item) {
  std::lock_guard<std::mutex> lock(mu_);
  items_.push_back(item);
  ++open_;
  wake_one();
}

std::optional<Item> WorkQueue::pop() {
  std::unique_lock<std::mutex> lock(mu_);
  Idle self;
  for (;;) {
    if (items_.empty() && open_ == 0) return std::nullopt;  // all done (done() woke every waiter)
    if (std::optional<Item> item = take()) {
      if (!items_.empty()) wake_one();  // more may be takeable: the next idle worker looks
      return item;
    }
    // Nothing to take (none queued, or every queued item's tier is full): wait on top of the idle
    // stack. The top waiter re-checks every 50 ms while items wait (the caps grow with latency).
    idle_.push_back(&self);
    if (!items_.empty() && idle_.back() == &self)
      self.wake.wait_for(lock, std::chrono::milliseconds(50));
    else
      self.wake.wait(lock);
    idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
  }
}

void WorkQueue::done(const Item& item) {
  std::lock_guard<std::mutex> lock(mu_);
  if (item.window != Item::kPlan) --tier_running_[static_cast<std::size_t>(item.tier)];
  if (--run_running_[item.run] == 0) run_running_.erase(item.run);
  --open_;
  if (open_ == 0)
    for (Idle* w : idle_) w->wake.notify_one();
  else if (!items_.empty())
    wake_one();  // a slot of its tier is free for a waiting item
}

// The most recently idle worker (it may still be warm) looks at the queue.
void WorkQueue::wake_one() {
  if (!idle_.empty()) idle_.back()->wake.notify_one();
}

// The item to run next, if any may start now (mu_ held).
std::optional<Item> WorkQueue::take() {
  auto best = items_.end();
  std::size_t best_running = 0;
  int caps[kTiers] = {};  // looked up once per tier per pop
  for (auto it = items_.begin(); it != items_.end(); ++it) {
    const auto t = static_cast<std::size_t>(it->tier);
    if (it->window != Item::kPlan) {
      if (caps[t] == 0) caps[t] = std::max(1, cap_(it->tier));
      if (tier_running_[t] >= caps[t]) continue;
    }
    const std::size_t running = run_running_[it->run];
    if (best == items_.end() || running < best_running) {
      best = it;
      best_running = running;
      if (running == 0) break;
    }
  }
  if (best == items_.end()) return std::nullopt;
  Item item = *best;
  items_.erase(best);
  if (item.window != Item::kPlan) ++tier_running_[static_cast<std::size_t>(item.tier)];
  ++run_running_[item.run];
  return item;
}

}  // namespace sk::streams
