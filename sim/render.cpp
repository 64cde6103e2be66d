// render.cpp — the helpers every resource renderer shares: time strings and the relationship
// members the streaming writers (profiles, events) emit. The renderers themselves live with their
// endpoints in resources/*.cpp.
#include "render.h"

#include <charconv>

namespace sim {

std::string tstr(int64_t us) { return fmt_time(us, us % kUs ? 1 : 0); }
json opt_time(int64_t us) { return us ? json(tstr(us)) : json(nullptr); }

std::string_view u2s(char* buf, uint64_t v) {
  auto r = std::to_chars(buf, buf + 24, v);
  return {buf, size_t(r.ptr - buf)};
}

namespace {
void rel_links(JW& w, std::string_view base, std::string_view id, std::string_view name) {
  w.key("links").obj();
  w.key("related").cat({base, id, "/", name, "/"});
  w.key("self").cat({base, id, "/relationships/", name, "/"});
  w.end_obj();
}
}  // namespace

void rel_one_w(JW& w, std::string_view name, std::string_view type, std::string_view ref_id, std::string_view base,
               std::string_view id) {
  w.key(name).obj();
  w.key("data").obj().key("id").s(ref_id).key("type").s(type).end_obj();
  rel_links(w, base, id, name);
  w.end_obj();
}

void rel_empty_w(JW& w, std::string_view name, std::string_view base, std::string_view id) {
  w.key(name).obj();
  w.key("data").arr().end_arr();
  rel_links(w, base, id, name);
  w.end_obj();
}

}  // namespace sim
