// faults.cpp — fault spec parsing ("500=0.02,reset=0.01,...") and counter-based selection.
#include "faults.h"

#include <cstdlib>
#include <sstream>

#include "util.h"

namespace sim {

FaultPlan parse_faults(const std::string& spec) {
  FaultPlan p;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      p.error = "bad fault item: " + item;
      return p;
    }
    std::string name = item.substr(0, eq);
    char* end = nullptr;
    double v = std::strtod(item.c_str() + eq + 1, &end);
    if (!end || *end || v < 0 || v > 1) {
      p.error = "bad probability: " + item;
      return p;
    }
    Fault f = name == "500"         ? Fault::E500
              : name == "502"       ? Fault::E502
              : name == "503"       ? Fault::E503
              : name == "reset"     ? Fault::Reset
              : name == "truncate"  ? Fault::Truncate
              : name == "malformed" ? Fault::Malformed
              : name == "stall"     ? Fault::Stall
                                    : Fault::None;
    if (f == Fault::None) {
      p.error = "unknown fault: " + name;
      return p;
    }
    p.probs.emplace_back(f, v);
  }
  return p;
}

Fault pick_fault(const FaultPlan& plan, uint64_t seed, uint64_t seq) {
  if (plan.probs.empty()) return Fault::None;
  double u = unit(hash(seed, 0xFA017, seq));
  for (auto& [f, p] : plan.probs) {
    if (u < p) return f;
    u -= p;
  }
  return Fault::None;
}

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::E500: return "500";
    case Fault::E502: return "502";
    case Fault::E503: return "503";
    case Fault::Reset: return "reset";
    case Fault::Truncate: return "truncate";
    case Fault::Malformed: return "malformed";
    case Fault::Stall: return "stall";
    default: return "none";
  }
}

}  // namespace sim
