#include <cstdio>

#include "commands.h"

namespace merit::cli {

int ReportError(const Status& status) {
  std::fprintf(stderr, "merit: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
      return 2;
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded:
      return 3;
    case StatusCode::kCancelled:
      return 130;
    default:
      return 1;
  }
}

}  // namespace merit::cli
