// faults.h — parses --faults specs and picks a fault per request from hash(seed, sequence number).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sim {

enum class Fault { None, E500, E502, E503, Reset, Truncate, Malformed, Stall };

struct FaultPlan {
  std::vector<std::pair<Fault, double>> probs;
  std::string error;  // non-empty when the spec is invalid
};

FaultPlan parse_faults(const std::string& spec);
Fault pick_fault(const FaultPlan& plan, uint64_t seed, uint64_t seq);
const char* fault_name(Fault f);

}  // namespace sim
