// Status and StatusOr<T>: merit's error values. Nothing in merit throws.
//
// A Status is an error code plus a message; OK carries no message. Errors are for failures of a
// whole call (a bad config, an unreadable file). A sample that merely cannot be scored is not an
// error: it is a Result with status kUnscorable (see result.h).
//
// Thread safety: values; safe to copy and read from any thread.
#ifndef MERIT_STATUS_H_
#define MERIT_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace merit {

// The canonical subset of abseil's codes. Mapping to HTTP, Python and CLI exit codes: style.md B4.
enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,     // Bad config, bad option value, malformed input.
  kNotFound,            // Unknown reward name, missing file.
  kFailedPrecondition,  // The call is valid but the state is not (e.g. an engine without a config).
  kResourceExhausted,   // An input exceeds a documented limit.
  kDeadlineExceeded,
  kCancelled,
  kUnimplemented,
  kInternal,  // A bug in merit.
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK.

  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }

  StatusCode code() const { return code_; }

  const std::string& message() const { return message_; }

  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>"; used to add context on the way up.
  Status WithPrefix(std::string_view prefix) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() {
  return Status();
}

inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}

inline Status NotFoundError(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}

inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}

inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}

inline Status UnimplementedError(std::string m) {
  return {StatusCode::kUnimplemented, std::move(m)};
}

inline Status InternalError(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : value_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  template <typename U>

  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Status> &&
           !std::is_same_v<std::decay_t<U>, StatusOr>) StatusOr(U&& value)
      : value_(T(std::forward<U>(value))) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(value_); }

  Status status() const { return ok() ? OkStatus() : std::get<Status>(value_); }

  // REQUIRES: ok().
  const T& value() const& { return std::get<T>(value_); }

  T& value() & { return std::get<T>(value_); }

  T&& value() && { return std::get<T>(std::move(value_)); }

  const T& operator*() const& { return value(); }

  T& operator*() & { return value(); }

  T&& operator*() && { return std::move(*this).value(); }

  const T* operator->() const { return &value(); }

  T* operator->() { return &value(); }

 private:
  std::variant<Status, T> value_;
};

}  // namespace merit

#define MERIT_STATUS_CONCAT_INNER_(a, b) a##b
#define MERIT_STATUS_CONCAT_(a, b) MERIT_STATUS_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the current function when it is not OK.
#define MERIT_RETURN_IF_ERROR(expr)         \
  do {                                      \
    ::merit::Status merit_status_ = (expr); \
    if (!merit_status_.ok())                \
      return merit_status_;                 \
  } while (false)

// `lhs = value of expr`, or returns its Status from the current function.
#define MERIT_ASSIGN_OR_RETURN(lhs, expr)                            \
  auto MERIT_STATUS_CONCAT_(merit_statusor_, __LINE__) = (expr);     \
  if (!MERIT_STATUS_CONCAT_(merit_statusor_, __LINE__).ok())         \
    return MERIT_STATUS_CONCAT_(merit_statusor_, __LINE__).status(); \
  lhs = std::move(MERIT_STATUS_CONCAT_(merit_statusor_, __LINE__)).value()

#endif  // MERIT_STATUS_H_
