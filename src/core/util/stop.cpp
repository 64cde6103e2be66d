// The stop flag and its signal handlers (see stop.h).
#include "core/util/stop.h"

#include <atomic>
#include <csignal>

namespace sk {

namespace {
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the flag is set from a signal handler");

extern "C" void on_stop_signal(int) { g_stop.store(true); }
}  // namespace

bool stop_requested() noexcept { return g_stop.load(std::memory_order_relaxed); }
void request_stop() noexcept { g_stop.store(true); }
void clear_stop() noexcept { g_stop.store(false); }

void throw_if_stopped() {
  if (stop_requested()) throw Cancelled{};
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls return early
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace sk
