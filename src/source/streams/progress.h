// Progress of a read, for a person watching it: every config.progress_seconds (never less than one
// second) one LOG line per running stream, e.g.
//   progress: stream=events records=412000 pages=412 records_per_s=52100 requests=415 429s=0
//             done=37.5% (windows 12/40 done)
// and, when the read ends, the figures of its summary line (cli/read.cpp): requests, 429s and the
// share of its rate tier's steady limit the stream used.
// "done" is the share of the stream's time range already read (windows finished, plus the part of
// running windows before their newest record) or, for streams without time windows, of their
// partitions. Report streams (reports.h) count report requests instead, e.g.
//   progress: stream=flow_series_reports records=7980 pages=3 records_per_s=66 requests=3 429s=0
//             done=50.0% (report requests 3/6 done)
// (done / planned for this run; a metric found unsupported drops its later requests from the plan),
// and their requests and 429s are those of their endpoint's rate budget until the stream ends.
// Thread-safety: Progress runs its own thread; it reads runs under their mutexes.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "source/streams/run.h"

namespace sk::streams {

// Percent of `run` read so far (0 before its plan). Call with run.mu held.
double percent_done(const StreamRun& run);

// The progress LOG line of `run` (the format above), `elapsed_s` seconds after it started. Takes
// run.mu.
std::string progress_line(ReadContext& ctx, StreamRun& run, double elapsed_s);

// The steady limit (requests per minute) of the tier the stream's requests use.
double tier_limit_per_minute(ReadContext& ctx, const StreamRun& run);

class Progress {
 public:
  // Starts logging; stops (without a last line) when destroyed.
  Progress(ReadContext& ctx, const std::vector<std::unique_ptr<StreamRun>>& runs);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

 private:
  void loop();
  void report(StreamRun& run, double elapsed_s);

  ReadContext& ctx_;
  const std::vector<std::unique_ptr<StreamRun>>& runs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sk::streams
