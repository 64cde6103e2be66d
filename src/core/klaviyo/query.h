// Building Klaviyo request URLs: query parameters (percent-encoded, brackets included) and filter
// expressions. Filter syntax (Klaviyo "Filtering" docs): op(field,value) joined by and(...);
// strings quoted, datetimes unquoted in the Z form, booleans unquoted.
//   and(equals(messages.channel,'email'),greater-or-equal(updated_at,2024-01-01T00:00:00Z))
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/clock.h"

namespace sk::klaviyo {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string percent_encode(std::string_view s);
// base + path + "?" + encoded params (in the given order).
std::string build_url(std::string_view base, std::string_view path, const Params& params);

// Filter clause builders.
std::string clause(std::string_view op, std::string_view field, std::string_view literal);
std::string quoted(std::string_view s);       // 'value' (single quotes; embedded ' escaped)
std::string dquoted(std::string_view s);      // "value"
std::string dt(SysTime t);                    // 2024-01-01T00:00:00Z
// One clause as is; several as and(a,b,...); none as "".
std::string all_of(const std::vector<std::string>& clauses);

}  // namespace sk::klaviyo
