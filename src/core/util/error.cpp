#include "core/util/error.h"

namespace sk {

const char* failure_type_name(FailureType t) {
  switch (t) {
    case FailureType::Config: return "config_error";
    case FailureType::System: return "system_error";
    case FailureType::Transient: return "transient_error";
  }
  return "system_error";
}

}  // namespace sk
