// JSON:API cursor paging: fetch a first URL, then follow links.next exactly as Klaviyo gives it
// (it carries every original parameter plus page[cursor]) until it is absent. Detects loops (a
// next link already fetched) and refuses links to another host. A body that is not a valid
// JSON:API document (truncated, malformed) is fetched again, a few times, before giving up.
// One page in memory at a time.
// Thread-safety: one Pager per partition being read, used by one thread.
#pragma once

#include <set>
#include <string>

#include "klaviyo/api.h"
#include "klaviyo/page.h"

namespace sk::klaviyo {

class Pager {
 public:
  Pager(Api& api, std::string first_url, CallInfo info);

  // Fetches and parses the next page. Returns nullptr when there are no more pages. The page is
  // valid until the next call.
  const Page* next();
  int pages() const { return pages_; }

 private:
  Api& api_;
  CallInfo info_;
  std::string next_url_;
  bool done_ = false;
  int pages_ = 0;
  std::set<std::string> fetched_;
  PageParser parser_;
  Page page_;
};

}  // namespace sk::klaviyo
