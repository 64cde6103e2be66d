// Line reading with a timeout (see input.h).
#include "destination/input.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace sk::destination {

namespace {
constexpr std::size_t kChunk = 1 << 20;
}

bool LineReader::fill(std::chrono::milliseconds wait) {
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {  // drop what was consumed before growing
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready <= 0) return false;  // quiet, or interrupted by a signal
  const std::size_t old = buf_.size();
  buf_.resize(old + kChunk);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.data() + old, kChunk);
  } while (n < 0 && errno == EINTR);
  buf_.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
  buf_.reserve(buf_.size() + kPadding);  // see next(): every line is followed by readable bytes
  if (n <= 0) closed_ = true;
  return n > 0;
}

LineReader::Got LineReader::next(std::string_view& line, std::chrono::milliseconds wait) {
  for (;;) {
    const std::size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      line = std::string_view(buf_).substr(pos_, nl - pos_);
      pos_ = nl + 1;
      ++lines_;
      return Got::Line;
    }
    if (closed_) {
      if (pos_ >= buf_.size()) return Got::End;
      line = std::string_view(buf_).substr(pos_);
      pos_ = buf_.size();
      ++lines_;
      return Got::Line;
    }
    if (!fill(wait) && !closed_) return Got::Quiet;
  }
}

}  // namespace sk::destination
