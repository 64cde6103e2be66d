// ratelimit.cpp — fixed-window counters; a throttled request is not counted.
#include "ratelimit.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace sim {

static int64_t mono_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RateLimiter::RateLimiter(double time_scale) : scale_(time_scale), t0_us_(mono_us()) {}

void RateLimiter::reset() {
  std::lock_guard<std::mutex> g(mu_);
  states_.clear();
}

Decision RateLimiter::check(const std::string& bucket, const Tier& t) {
  const double lens[3] = {1.0, 60.0, 86400.0};
  const int limits[3] = {t.burst, t.steady, t.daily};
  int64_t now = mono_us() - t0_us_;
  std::lock_guard<std::mutex> g(mu_);
  State& s = states_[bucket];
  Decision d;
  int64_t idx[3];
  double until_end[3];
  for (int i = 0; i < 3; ++i) {
    double len_us = lens[i] * scale_ * 1e6;
    if (len_us < 1) len_us = 1;
    idx[i] = int64_t(double(now) / len_us);
    until_end[i] = (double(idx[i] + 1) * len_us - double(now)) / 1e6;
    if (s.w[i].idx != idx[i]) {
      s.w[i].idx = idx[i];
      s.w[i].count = 0;
    }
  }
  for (int i = 0; i < 3; ++i) {
    if (limits[i] > 0 && s.w[i].count >= limits[i]) {
      d.allowed = false;
      d.retry_after = std::max(d.retry_after, until_end[i]);
    }
  }
  if (d.allowed)
    for (int i = 0; i < 3; ++i) s.w[i].count++;
  d.limit = t.steady;
  d.remaining = std::max(0, t.steady - s.w[1].count);
  d.reset = until_end[1];
  return d;
}

std::string fmt_seconds(double s, double scale) {
  char buf[32];
  if (scale >= 1.0) {
    std::snprintf(buf, sizeof buf, "%lld", (long long)std::max(1.0, std::ceil(s)));
  } else {
    double v = std::ceil(s * 1000.0) / 1000.0;
    if (v <= 0) v = 0.001;
    std::snprintf(buf, sizeof buf, "%.3f", v);
  }
  return buf;
}

}  // namespace sim
