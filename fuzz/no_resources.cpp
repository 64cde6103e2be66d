// The fuzz build embeds no spec or schemas (discover is not fuzzed): an empty resource table, so
// resources::find links without the main build's generated embedded_resources.cpp.
#include "core/util/resources.h"

namespace sk::resources {

const Resource kResources[] = {{"", {}}};
const std::size_t kResourceCount = 0;

}  // namespace sk::resources
