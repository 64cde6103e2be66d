// Fuzz target: sk::parse_datetime, which reads start_date, saved cursors and record cursors.
// Unreadable text is nullopt; a time it returns must survive the connector's own formats:
// format_iso (state) reads back as the same instant, format_filter (filters) as the same second.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_input.h"
#include "core/util/datetime.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sk_fuzz::violated;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto t = sk::parse_datetime(text);
  if (!t) return 0;
  const auto iso = sk::parse_datetime(sk::format_iso(*t));
  if (!iso || *iso != *t) violated("format_iso does not read back as the same instant");
  const auto filter = sk::parse_datetime(sk::format_filter(*t));
  if (!filter || *filter != sk::floor_seconds(*t)) violated("format_filter does not read back as the same second");
  (void)sk::floor_day(*t);
  return 0;
}
