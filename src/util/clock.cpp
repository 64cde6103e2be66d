#include "util/clock.h"

#include <thread>

namespace sk {

void SystemClock::sleep_for(Millis d) {
  if (d.count() > 0) std::this_thread::sleep_for(d);
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
