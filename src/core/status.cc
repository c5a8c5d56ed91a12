#include "merit/status.h"

#include <fmt/format.h>

#include "merit/result.h"

namespace merit {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kUnimplemented:
      return "unimplemented";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) {
    return "ok";
  }
  return fmt::format("{}: {}", StatusCodeName(code_), message_);
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) {
    return *this;
  }
  return Status(code_, fmt::format("{}: {}", prefix, message_));
}

std::string_view ScoreStatusName(ScoreStatus status) {
  switch (status) {
    case ScoreStatus::kOk:
      return "ok";
    case ScoreStatus::kUnscorable:
      return "unscorable";
    case ScoreStatus::kError:
      return "error";
  }
  return "error";
}

}  // namespace merit
