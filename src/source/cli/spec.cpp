// spec: prints spec/spec.json (compiled in) as one SPEC message.
#include <nlohmann/json.hpp>

#include "source/cli/commands.h"
#include "core/util/resources.h"

namespace sk::cli {

int run_spec(protocol::Emitter& out) {
  auto text = resources::find("spec/spec.json");
  if (!text) {
    out.error({FailureType::System, "Internal error: the connection spec is not compiled in.", ""});
    return 1;
  }
  out.spec(nlohmann::json::parse(*text));
  return 0;
}

}  // namespace sk::cli
