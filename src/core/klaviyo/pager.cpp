// links.next paging with loop detection and re-fetch of malformed bodies (see pager.h).
#include "core/klaviyo/pager.h"

#include "core/util/buffers.h"

namespace sk::klaviyo {

Pager::Pager(Api& api, Call call, Shape shape)
    : api_(api), call_(std::move(call)), shape_(shape), next_url_(api.first_url(call_)) {}

Pager::~Pager() { release(); }

void Pager::release() {
  page_ = Page{};
  parser_.reset();
  give_back(std::move(body_));
  body_ = std::string();
}

const Page* Pager::next() {
  release();
  if (done_) return nullptr;
  if (!fetched_.insert(next_url_).second)
    throw system_error("Klaviyo returned the same page link twice; stopping to avoid an endless loop.",
                       "repeated links.next after " + std::to_string(pages_) + " pages");
  std::string error;
  for (int attempt = 1;; ++attempt) {
    give_back(std::move(body_));
    body_ = api_.fetch(call_, next_url_);
    if (!parser_) parser_ = pooled_parser();
    if (auto page = parser_->parse(body_, shape_, error)) {
      page_ = std::move(*page);
      break;
    }
    if (attempt >= kBodyAttempts)
      throw transient_error("Klaviyo returned a malformed page for " + call_.method + " " + call_.path + " " +
                                std::to_string(kBodyAttempts) +
                                " times in a row (" + error + "); no record of it was emitted. Try the sync again "
                                "later; if it persists, report it to Klaviyo support.",
                            error);
  }
  ++pages_;
  if (page_.next) {
    next_url_ = *page_.next;
  } else {
    done_ = true;
  }
  return &page_;
}

}  // namespace sk::klaviyo
