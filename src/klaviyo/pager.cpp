// links.next paging with loop detection (see pager.h).
#include "klaviyo/pager.h"

namespace sk::klaviyo {

Pager::Pager(Api& api, std::string first_url, CallInfo info)
    : api_(api), info_(info), next_url_(std::move(first_url)) {}

bool Pager::next(json& doc) {
  if (done_) return false;
  if (!fetched_.insert(next_url_).second)
    throw system_error("Klaviyo returned the same page link twice; stopping to avoid an endless loop.",
                       "repeated links.next after " + std::to_string(pages_) + " pages");
  doc = api_.get(next_url_, info_);
  ++pages_;
  if (!doc.is_object())
    throw transient_error("Klaviyo returned a page that is not a JSON:API document; try the sync again later.");
  const json* next = nullptr;
  if (auto links = doc.find("links"); links != doc.end() && links->is_object()) {
    if (auto n = links->find("next"); n != links->end() && n->is_string() && !n->get<std::string>().empty())
      next = &*n;
  }
  if (next) {
    next_url_ = next->get<std::string>();
  } else {
    done_ = true;
  }
  return true;
}

}  // namespace sk::klaviyo
