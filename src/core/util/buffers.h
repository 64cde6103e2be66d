// Page-sized byte buffers kept for reuse. Reading an account means receiving, parsing and writing
// thousands of ~1 MB pages on many threads; allocating and freeing a fresh buffer for each left
// the heap fragmented, so peak memory grew with the size of the account. A buffer given back keeps
// its capacity and the next page reuses it: memory follows the pages handled at once, not the
// pages read.
//   std::string body = take_buffer();   // empty, possibly with a large capacity
//   ... fill and use body ...
//   give_back(std::move(body));         // for the next page (dropped past kKeptBuffers)
// Thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace sk {

inline constexpr std::size_t kKeptBuffers = 64;

std::string take_buffer();
void give_back(std::string&& buffer);

}  // namespace sk
