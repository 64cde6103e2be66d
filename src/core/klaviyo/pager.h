// JSON:API cursor paging: send a Call, then follow links.next exactly as Klaviyo gives it (it
// carries every original parameter plus the page cursor), repeating the call's method and body,
// until it is absent. Detects loops (a next link already fetched) and refuses links to another
// host. A body that is not valid JSON or not of the expected shape (page.h) is fetched again, a few
// times, then the stream fails with an error naming the endpoint. One page in memory at a time.
// While waiting for a page it holds no parser and no body: both are lent per page (page.h,
// util/buffers.h), so a partition waiting on its rate budget costs a few hundred bytes.
// Thread-safety: one Pager per partition being read, used by one thread.
#pragma once

#include <set>
#include <string>

#include "core/klaviyo/api.h"
#include "core/klaviyo/page.h"

namespace sk::klaviyo {

class Pager {
 public:
  Pager(Api& api, Call call, Shape shape);
  ~Pager();
  Pager(const Pager&) = delete;
  Pager& operator=(const Pager&) = delete;

  // Fetches and parses the next page. Returns nullptr when there are no more pages. The page is
  // valid until the next call. Throws SourceError, or PartitionSkipped (klaviyo/errors.h).
  const Page* next();
  int pages() const { return pages_; }

 private:
  Api& api_;
  Call call_;
  Shape shape_;
  std::string next_url_;
  bool done_ = false;
  int pages_ = 0;
  std::set<std::string> fetched_;
  void release();  // gives back the current page's parser and body

  PooledParser parser_;
  std::string body_;
  Page page_;
};

}  // namespace sk::klaviyo
