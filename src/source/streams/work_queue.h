// The engine's work queue (see engine.h): plan items and window items, taken by the workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "core/budget/rate_budget.h"

namespace sk::streams {

struct StreamRun;

// One unit of work: plan a stream (window == kPlan) or read one window of one partition.
struct Item {
  static constexpr std::size_t kPlan = static_cast<std::size_t>(-1);
  StreamRun* run;
  std::size_t partition = 0;
  std::size_t window = kPlan;
  budget::TierId tier = budget::TierId::L;  // of a window's requests (plans are not capped)
};

// Items not taken yet plus items being worked on; pop() waits while a running item may still add
// more, and returns nothing once all work is done.
// Windows of one tier run at most `cap(tier)` at once (the tier's rate x latency, see
// RateBudget::concurrency), so a tier never holds workers that would only wait in its budget; and
// a free slot goes to the stream with the fewest items running, so one stream's single window
// does not wait behind another stream's whole fan-out on the same tier.
// Idle workers are woken last come, first served: the workers the caps keep busy are the same few
// all along, and the others stay cold (no connection, TLS session, receive buffer or heap of their
// own is built up by workers that only take turns).
class WorkQueue {
 public:
  explicit WorkQueue(std::function<int(budget::TierId)> cap) : cap_(std::move(cap)) {}
  void push(Item item);
  // The next item to run, waiting while none may start; nothing once all work is done.
  std::optional<Item> pop();
  // The item taken by pop() is finished (after it pushed what it made).
  void done(const Item& item);

 private:
  struct Idle {
    std::condition_variable wake;
  };
  void wake_one();
  std::optional<Item> take();

  static constexpr std::size_t kTiers = 7;  // budget::TierId values
  std::function<int(budget::TierId)> cap_;
  std::mutex mu_;
  std::vector<Idle*> idle_;  // waiting workers, the most recent last
  std::deque<Item> items_;
  std::size_t open_ = 0;
  int tier_running_[kTiers] = {};
  std::map<const StreamRun*, std::size_t> run_running_;
};

}  // namespace sk::streams
