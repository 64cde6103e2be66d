// Time, injected. Everything that reads "now" or waits goes through a Clock so tests can run rate
// limits, backoff and Retry-After without sleeping for real (FakeClock advances on sleep).
// SystemClock is thread-safe; FakeClock is thread-safe (a mutex guards its time).
#pragma once

#include <chrono>
#include <mutex>

namespace sk {

using SysTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time: used for record emitted_at, "now" bounds of sync windows.
  virtual SysTime now() = 0;
  // Monotonic time for measuring intervals (rate budgets, backoff).
  virtual std::chrono::steady_clock::time_point steady_now() = 0;
  virtual void sleep_for(Millis d) = 0;
};

class SystemClock final : public Clock {
 public:
  SysTime now() override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steady_now() override { return std::chrono::steady_clock::now(); }
  void sleep_for(Millis d) override;
};

// A clock for tests: time stands still until someone sleeps or calls advance().
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SysTime start = SysTime{std::chrono::seconds{1'700'000'000}}) : wall_(start) {}
  SysTime now() override;
  std::chrono::steady_clock::time_point steady_now() override;
  void sleep_for(Millis d) override { advance(d); }
  void advance(Millis d);
  Millis total_slept() const;

 private:
  mutable std::mutex mu_;
  SysTime wall_;
  Millis elapsed_{0};
};

// The process-wide default clock (a SystemClock).
Clock& system_clock();

}  // namespace sk
