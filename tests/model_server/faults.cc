#include "model_server/faults.h"

#include <charconv>

namespace merit::model_server {
namespace {

constexpr std::string_view kPrefix = "/faults/";
constexpr std::int64_t kMaxLatencyMs = 60'000;

StatusOr<std::int64_t> ParseInt(std::string_view key, std::string_view value, std::int64_t min,
                                std::int64_t max) {
  std::int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size() || out < min || out > max) {
    return InvalidArgumentError("fault " + std::string(key) + ": expected an integer in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "], got \"" +
                                std::string(value) + "\"");
  }
  return out;
}

StatusOr<bool> ParseFlag(std::string_view key, std::string_view value) {
  MERIT_ASSIGN_OR_RETURN(const std::int64_t flag, ParseInt(key, value, 0, 1));
  return flag == 1;
}

}  // namespace

FaultPath SplitFaultPath(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix)
    return {.spec = {}, .path = path};
  const std::string_view rest = path.substr(kPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos)
    return {.spec = rest, .path = "/"};
  return {.spec = rest.substr(0, slash), .path = rest.substr(slash)};
}

StatusOr<FaultSpec> ParseFaultSpec(std::string_view spec) {
  FaultSpec out;
  while (!spec.empty()) {
    const std::size_t comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (item.empty())
      continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgumentError("fault \"" + std::string(item) + "\": expected key=value");
    }
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "latency_ms") {
      MERIT_ASSIGN_OR_RETURN(out.latency_ms, ParseInt(key, value, 0, kMaxLatencyMs));
    } else if (key == "status") {
      MERIT_ASSIGN_OR_RETURN(const std::int64_t status, ParseInt(key, value, 400, 599));
      out.status = static_cast<int>(status);
    } else if (key == "fail_first") {
      MERIT_ASSIGN_OR_RETURN(out.fail_first, ParseInt(key, value, 0, INT32_MAX));
      out.gated = true;
    } else if (key == "fail_every") {
      MERIT_ASSIGN_OR_RETURN(out.fail_every, ParseInt(key, value, 1, INT32_MAX));
      out.gated = true;
    } else if (key == "retry_after") {
      MERIT_ASSIGN_OR_RETURN(out.retry_after_s, ParseInt(key, value, 0, 3600));
    } else if (key == "malformed") {
      MERIT_ASSIGN_OR_RETURN(out.malformed, ParseFlag(key, value));
    } else if (key == "drop") {
      MERIT_ASSIGN_OR_RETURN(out.drop, ParseFlag(key, value));
    } else if (key == "garble") {
      MERIT_ASSIGN_OR_RETURN(out.garble, ParseFlag(key, value));
    } else if (key == "bias") {
      if (value == "first") {
        out.bias = JudgeBias::kFirst;
      } else if (value == "second") {
        out.bias = JudgeBias::kSecond;
      } else if (value == "none") {
        out.bias = JudgeBias::kNone;
      } else {
        return InvalidArgumentError("fault bias: expected first, second or none, got \"" +
                                    std::string(value) + "\"");
      }
    }
    // Other keys (tag=...) only make the spec string distinct.
  }
  if (out.gated && out.status == 0 && !out.malformed && !out.drop && !out.garble) {
    out.status = 503;
  }
  return out;
}

bool IsFaulty(const FaultSpec& spec, std::uint64_t nth) {
  if (spec.fail_first > 0 && nth <= static_cast<std::uint64_t>(spec.fail_first))
    return true;
  if (spec.fail_every > 0 && nth % static_cast<std::uint64_t>(spec.fail_every) == 0)
    return true;
  return !spec.gated;
}

std::uint64_t FaultCounters::Next(std::string_view spec) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(std::string(spec));
  if (it == counts_.end())
    it = counts_.emplace(std::string(spec), 0).first;
  return ++it->second;
}

}  // namespace merit::model_server
