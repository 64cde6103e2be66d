// links.next paging with loop detection and re-fetch of broken bodies (see pager.h).
#include "klaviyo/pager.h"

namespace sk::klaviyo {

Pager::Pager(Api& api, std::string first_url, CallInfo info)
    : api_(api), info_(info), next_url_(std::move(first_url)) {}

const Page* Pager::next() {
  if (done_) return nullptr;
  if (!fetched_.insert(next_url_).second)
    throw system_error("Klaviyo returned the same page link twice; stopping to avoid an endless loop.",
                       "repeated links.next after " + std::to_string(pages_) + " pages");
  std::string error;
  for (int attempt = 1;; ++attempt) {
    std::string body = api_.get_body(next_url_, info_);
    if (auto page = parser_.parse(body, error)) {
      page_ = std::move(*page);
      break;
    }
    if (attempt >= kBodyAttempts)
      throw transient_error("Klaviyo returned a page that is not a valid JSON:API document " +
                                std::to_string(kBodyAttempts) + " times in a row; try the sync again later.",
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
