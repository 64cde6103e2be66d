// stdin as lines, with a timeout: the write loop must notice a quiet input (to flush a waiting
// batch) without a thread of its own. Reads in 1 MiB chunks; a line may be any length; the last
// line needs no newline. Thread-safety: one reader, one thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sk::destination {

class LineReader {
 public:
  static constexpr std::size_t kPadding = 64;  // SIMDJSON_PADDING
  explicit LineReader(int fd) : fd_(fd) {}
  enum class Got { Line, Quiet, End };
  // Line: `line` holds the next line (no '\n'; valid until the next call), followed in memory by at
  // least kPadding readable bytes, so simdjson may parse it in place (it reads ahead in blocks). Quiet: nothing complete
  // arrived within `wait` (or a signal interrupted the wait). End: input closed, nothing left.
  Got next(std::string_view& line, std::chrono::milliseconds wait);
  long line_number() const { return lines_; }  // of the last line returned, from 1

 private:
  bool fill(std::chrono::milliseconds wait);  // false: nothing read (quiet or closed)
  int fd_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool closed_ = false;
  long lines_ = 0;
};

}  // namespace sk::destination
