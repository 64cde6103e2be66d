// ratelimit.h — fixed-window rate limiter (burst 1 s, steady 60 s, optional daily) per
// (key, endpoint bucket), with windows scaled by --time-scale.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sim {

struct Tier {
  const char* name;
  int burst;   // per 1 s
  int steady;  // per 60 s
  int daily;   // per 86400 s; 0 = none
};
namespace tiers {
constexpr Tier XS{"XS", 1, 15, 0};
constexpr Tier S{"S", 3, 60, 0};
constexpr Tier M{"M", 10, 150, 0};
constexpr Tier L{"L", 75, 750, 0};
constexpr Tier XL{"XL", 350, 3500, 0};
constexpr Tier REPORT{"reporting", 1, 2, 225};
}  // namespace tiers

struct Decision {
  bool allowed = true;
  double retry_after = 0;  // seconds (scaled) until the exceeded window resets
  int limit = 0, remaining = 0;  // steady window
  double reset = 0;              // seconds (scaled) until the steady window resets
};

class RateLimiter {
 public:
  explicit RateLimiter(double time_scale);
  Decision check(const std::string& bucket, const Tier& t);
  void reset();

 private:
  struct Win {
    int64_t idx = -1;
    int count = 0;
  };
  struct State {
    Win w[3];
  };
  double scale_;
  int64_t t0_us_;
  std::mutex mu_;
  std::unordered_map<std::string, State> states_;
};

// Header value for seconds: integer (rounded up) when scale >= 1, else decimals.
std::string fmt_seconds(double s, double scale);

}  // namespace sim
