// The shared pool of reusable buffers (see buffers.h).
#include "core/util/buffers.h"

#include <mutex>
#include <vector>

namespace sk {

namespace {

struct Pool {
  std::mutex mu;
  std::vector<std::string> kept;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

std::string take_buffer() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  if (p.kept.empty()) return {};
  std::string b = std::move(p.kept.back());
  p.kept.pop_back();
  return b;
}

void give_back(std::string&& buffer) {
  if (buffer.capacity() < 4096) return;  // not worth keeping
  buffer.clear();
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  if (p.kept.size() < kKeptBuffers) p.kept.push_back(std::move(buffer));
}

}  // namespace sk
