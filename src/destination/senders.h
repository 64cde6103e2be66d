// The threads that talk to Klaviyo: kEventSenders threads take event batches, one thread takes
// profile batches (one at a time, so two imports in flight never hold the same person, and a
// later identify is never overtaken by an earlier one). Each thread has its own http::Client and
// Api; the rate budgets are shared. The reading thread hands batches over and blocks while
// kQueuedBatches are already waiting (memory stays bounded whatever the input's size).
// The first failure (SourceError) stops every thread from taking more work and is kept for the
// reading thread; batches not yet sent are dropped unsettled, so no STATE passes them.
// Thread-safe: submit/drain/failure from the reading thread; the rest is internal.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "core/http/transport.h"
#include "core/protocol/emitter.h"
#include "core/util/error.h"
#include "destination/batches.h"
#include "destination/config.h"
#include "destination/writers.h"

namespace sk::destination {

inline constexpr int kEventSenders = 4;
inline constexpr std::size_t kQueuedBatches = 4;

class Senders {
 public:
  Senders(const Config& cfg, Ledger& ledger, protocol::Emitter& out, Clock& clock, http::TransportFactory transports);
  ~Senders();
  Senders(const Senders&) = delete;
  Senders& operator=(const Senders&) = delete;
  // Queues a batch (not empty); blocks while the queue is full. Dropped after a failure.
  void submit(EventBatch batch);
  void submit(ProfileBatch batch);
  // Waits until every queued batch was sent (or a failure stopped the threads).
  void drain();
  std::optional<Failure> failure() const;
  // HTTP attempts so far and the 429s among them, over every write endpoint.
  std::uint64_t requests() const;
  std::uint64_t throttled() const;

 private:
  template <class Batch>
  struct Queue {
    std::deque<Batch> items;
    std::size_t busy = 0;
  };
  void event_loop(klaviyo::Api& api);
  void profile_loop(klaviyo::Api& api);
  template <class Batch, class Send>
  void serve(Queue<Batch>& q, Send send);
  template <class Batch>
  void enqueue(Queue<Batch>& q, Batch batch);
  void failed(const Failure& f);

  const Config& cfg_;
  Ledger& ledger_;
  protocol::Emitter& out_;
  Clock& clock_;
  WriteBudgets budgets_;
  budget::BudgetSet tiers_;  // what klaviyo::Api is built with; writes use budgets_
  mutable std::mutex mu_;
  std::condition_variable changed_;
  Queue<EventBatch> events_;
  Queue<ProfileBatch> profiles_;
  bool closing_ = false;
  std::optional<Failure> failure_;
  std::vector<std::unique_ptr<http::Client>> clients_;
  std::vector<std::unique_ptr<klaviyo::Api>> apis_;
  std::vector<std::thread> threads_;
};

}  // namespace sk::destination
