// Klaviyo's rate-limit tiers (revision 2026-07-15). Each number is stated exactly once, here.
// Source: Klaviyo rate-limits docs and the OpenAPI spec's x-klaviyo-ratelimit (L is 750/m from
// revision 2026-01-15; the reporting endpoints add a daily quota of 225).
#include <cstddef>

#include "core/budget/rate_budget.h"

namespace sk::budget {

namespace {

//                                 id               name         burst/s  steady/min  per day
constexpr Tier kTiers[] = {
    Tier{TierId::XS,        "XS",        1,       15,         0},
    Tier{TierId::S,         "S",         3,       60,         0},
    Tier{TierId::M,         "M",         10,      150,        0},
    Tier{TierId::L,         "L",         75,      750,        0},
    Tier{TierId::XL,        "XL",        350,     3500,       0},
    Tier{TierId::Reporting, "reporting", 1,       2,          225},
    Tier{TierId::FlowReporting, "reporting (flow series)", 1, 2,  225},
};

constexpr std::size_t kTierCount = sizeof(kTiers) / sizeof(kTiers[0]);

// The table is indexed by TierId; keep the two in the same order.
constexpr bool table_in_tierid_order() {
  for (std::size_t i = 0; i < kTierCount; ++i) {
    if (static_cast<std::size_t>(kTiers[i].id) != i) return false;
  }
  return true;
}
static_assert(table_in_tierid_order(), "kTiers must be listed in TierId order");
static_assert(kTierCount == 7, "BudgetSet holds one budget per tier");

}  // namespace

const Tier& tier(TierId id) { return kTiers[static_cast<std::size_t>(id)]; }

const Tier* all_tiers(std::size_t* count) {
  if (count != nullptr) *count = kTierCount;
  return kTiers;
}

}  // namespace sk::budget
