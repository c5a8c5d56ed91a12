// The wire formats of the backend protocols: how calls become one HTTP request body, and how
// the response becomes one reply per call. Pure functions, no I/O.
#ifndef MERIT_BACKENDS_PROTOCOL_H_
#define MERIT_BACKENDS_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/status.h"

#include "backends/backend.h"

namespace merit::backends {

// What a backend's options say about its wire format.
struct WireFormat {
  Protocol protocol = Protocol::kOpenAi;
  std::string url;          // Base URL (no trailing slash).
  std::string model;        // Sent as "model" where the protocol has one; may be empty.
  std::size_t score_index = 1;  // kVllmClassify: which class probability is the score.
  std::string score_path = "score";  // kHttp: dotted path to the score ("result.score", "data.0").
  Json body_template = {};  // kHttp: the request body; strings "{text}" etc. are filled in.
};

// Can calls of this protocol share one HTTP request?
bool Batchable(Protocol protocol);

// The endpoint URL and JSON body for `calls` (all of one kind; several only when Batchable).
struct WireRequest {
  std::string url;
  std::string body;
};
StatusOr<WireRequest> BuildRequest(const WireFormat& format, std::span<const Call* const> calls);

// One reply body per call, from a 2xx response body. An error means the response is not what the
// protocol promises (backend_bad_response).
StatusOr<std::vector<Json>> ParseResponse(const WireFormat& format,
                                          std::span<const Call* const> calls,
                                          std::string_view body);

// A kScore call's text: its "text", or "prompt" followed by "completion".
std::string ScoreText(const Call& call);

// An OpenAI chat call's body: a system message (left out when `system` is empty), the user
// message, temperature and max_tokens. The one place model rewards build a chat request.
Json ChatBody(std::string system, std::string user, double temperature, std::int64_t max_tokens);

// The texts of an OpenAI chat reply's choices, in order; nullopt when it has none or one of them
// is not text. Views into reply.body.
std::optional<std::vector<std::string_view>> ChatChoiceTexts(const Reply& reply);
// The first choice's text; nullopt when there is none.
std::optional<std::string_view> ChatReplyText(const Reply& reply);

}  // namespace merit::backends

#endif  // MERIT_BACKENDS_PROTOCOL_H_
