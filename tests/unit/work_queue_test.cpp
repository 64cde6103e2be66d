// The engine's work queue: caps per tier, all-done release, and which idle worker is woken.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "source/streams/work_queue.h"

using sk::budget::TierId;
using sk::streams::Item;
using sk::streams::WorkQueue;
using namespace std::chrono_literals;

namespace {

// Waits (up to 5 s) until pred() holds; the test fails if it never does.
template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 5000 && !pred(); ++i) std::this_thread::sleep_for(1ms);
  return pred();
}

}  // namespace

TEST_CASE("work queue: idle workers are woken most recent first, so the same one keeps the work", "[queue]") {
  WorkQueue queue([](TierId) { return 100; });
  queue.push(Item{nullptr});  // a running plan item holds the queue open while workers go idle
  auto plan = queue.pop();
  REQUIRE(plan);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> takers;  // which worker took each window, in order
  std::atomic<int> idle{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w)
    workers.emplace_back([&, w] {
      for (;;) {
        ++idle;
        auto item = queue.pop();
        --idle;
        if (!item) return;
        {
          std::lock_guard<std::mutex> lock(mu);
          takers.push_back(w);
        }
        cv.notify_all();
        queue.done(*item);
      }
    });
  REQUIRE(eventually([&] { return idle.load() == 8; }));
  std::this_thread::sleep_for(20ms);  // every worker is waiting in pop()
  for (std::size_t i = 0; i < 20; ++i) {
    queue.push(Item{nullptr, 0, i, TierId::L});
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, 5s, [&] { return takers.size() == i + 1; }));
    lock.unlock();
    REQUIRE(eventually([&] { return idle.load() == 8; }));  // it finished and waits again
    std::this_thread::sleep_for(2ms);
  }
  queue.done(*plan);  // all work done: every worker returns
  for (auto& t : workers) t.join();
  const std::set<int> distinct(takers.begin(), takers.end());
  INFO("distinct workers: " << distinct.size());
  CHECK(distinct.size() == 1);
}

TEST_CASE("work queue: a tier's cap bounds its running windows; plans are not capped", "[queue]") {
  WorkQueue queue([](TierId t) { return t == TierId::L ? 2 : 100; });
  for (std::size_t i = 0; i < 3; ++i) queue.push(Item{nullptr, 0, i, TierId::L});
  queue.push(Item{nullptr, 0, 0, TierId::XL});
  queue.push(Item{nullptr});  // a plan
  std::vector<Item> taken;
  for (int i = 0; i < 4; ++i) taken.push_back(*queue.pop());
  int l = 0, xl = 0, plans = 0;
  for (const auto& it : taken) {
    if (it.window == Item::kPlan) ++plans;
    else if (it.tier == TierId::L) ++l;
    else ++xl;
  }
  CHECK(l == 2);
  CHECK(xl == 1);
  CHECK(plans == 1);
  // The third L window waits until one of the two running is done.
  std::atomic<bool> got{false};
  std::thread t([&] {
    auto it = queue.pop();
    got = it.has_value() && it->tier == TierId::L;
    if (it) queue.done(*it);
  });
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(got.load());
  for (const auto& it : taken)
    if (it.tier == TierId::L && it.window != Item::kPlan) {
      queue.done(it);
      break;
    }
  t.join();
  CHECK(got.load());
}
