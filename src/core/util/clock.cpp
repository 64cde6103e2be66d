#include "core/util/clock.h"

#include <algorithm>
#include <thread>

#include "core/util/stop.h"

namespace sk {

// Sleeps in slices so a stop request (util/stop.h) cuts a long wait short; the caller checks it.
void SystemClock::sleep_for(Millis d) {
  constexpr Millis kSlice{50};
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stop_requested()) {
    const auto left = std::chrono::duration_cast<Millis>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    std::this_thread::sleep_for(std::min(left, kSlice));
  }
}

SysTime FakeClock::now() {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_ + elapsed_;
}

std::chrono::steady_clock::time_point FakeClock::steady_now() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::steady_clock::time_point{} + elapsed_;
}

void FakeClock::advance(Millis d) {
  std::lock_guard<std::mutex> lock(mu_);
  if (d.count() > 0) elapsed_ += d;
}

Millis FakeClock::total_slept() const {
  std::lock_guard<std::mutex> lock(mu_);
  return elapsed_;
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace sk
