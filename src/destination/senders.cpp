// The sending threads (see senders.h).
#include "destination/senders.h"

#include "core/http/client.h"
#include "core/util/stop.h"

namespace sk::destination {

Senders::Senders(const Config& cfg, Ledger& ledger, protocol::Emitter& out, Clock& clock,
                 http::TransportFactory transports)
    : cfg_(cfg), ledger_(ledger), out_(out), clock_(clock), budgets_(clock, cfg.rate_window_scale), tiers_(clock, cfg.rate_window_scale) {
  for (int i = 0; i <= kEventSenders; ++i) {
    clients_.push_back(std::make_unique<http::Client>(transports(), clock, http::RetryPolicy{}, protocol::log_to(out)));
    apis_.push_back(std::make_unique<klaviyo::Api>(*clients_.back(), tiers_, cfg.api_key, cfg.base_url));
  }
  for (int i = 0; i < kEventSenders; ++i) threads_.emplace_back([this, i] { event_loop(*apis_[i]); });
  threads_.emplace_back([this] { profile_loop(*apis_[kEventSenders]); });
}

Senders::~Senders() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

void Senders::failed(const Failure& f) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure_) failure_ = f;
  events_.items.clear();
  profiles_.items.clear();
  changed_.notify_all();
}

template <class Batch, class Send>
void Senders::serve(Queue<Batch>& q, Send send) {
  for (;;) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return closing_ || failure_ || !q.items.empty(); });
    if (q.items.empty() || failure_) return;
    Batch batch = std::move(q.items.front());
    q.items.pop_front();
    q.busy++;
    changed_.notify_all();
    lock.unlock();
    try {
      send(batch);
    } catch (const SourceError& e) {
      failed(e.failure());
    } catch (const Cancelled&) {
      failed(Failure{FailureType::Transient, "The write was cancelled.", "stop requested"});
    } catch (const std::exception& e) {
      failed(Failure{FailureType::System, std::string("Internal error while writing to Klaviyo: ") + e.what(), e.what()});
    }
    lock.lock();
    q.busy--;
    changed_.notify_all();
  }
}

void Senders::event_loop(klaviyo::Api& api) {
  EventWriter writer(api, budgets_, ledger_);
  serve(events_, [&](EventBatch& b) { writer.send(b); });
}

void Senders::profile_loop(klaviyo::Api& api) {
  ProfileWriter writer(api, budgets_, ledger_, clock_, out_);
  serve(profiles_, [&](ProfileBatch& b) { writer.send(b); });
}

template <class Batch>
void Senders::enqueue(Queue<Batch>& q, Batch batch) {
  ledger_.batch_opened(batch.interval());
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return failure_ || q.items.size() < kQueuedBatches; });
  if (failure_) return;
  q.items.push_back(std::move(batch));
  changed_.notify_all();
}

void Senders::submit(EventBatch batch) { enqueue(events_, std::move(batch)); }
void Senders::submit(ProfileBatch batch) { enqueue(profiles_, std::move(batch)); }

void Senders::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] {
    return events_.items.empty() && profiles_.items.empty() && events_.busy == 0 && profiles_.busy == 0;
  });
}

std::optional<Failure> Senders::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

std::uint64_t Senders::requests() const {
  return budgets_.events.requests() + budgets_.import.requests() + budgets_.bulk.requests() + budgets_.jobs.requests();
}

std::uint64_t Senders::throttled() const {
  return budgets_.events.throttles() + budgets_.import.throttles() + budgets_.bulk.throttles() +
         budgets_.jobs.throttles();
}

}  // namespace sk::destination
