#include "server/request.h"

#include <array>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

namespace merit::server {
namespace {

namespace od = simdjson::ondemand;

// The request wraps each sample in two levels (the top object and the list).
constexpr std::size_t kEnvelopeDepth = 2;

Status BodyError(simdjson::error_code error, std::string_view where) {
  if (error == simdjson::DEPTH_ERROR) {
    return ResourceExhaustedError(fmt::format("{}: nested too deeply", where));
  }
  return InvalidArgumentError(
      fmt::format("{}: invalid json: {}", where, simdjson::error_message(error)));
}

// The raw JSON text of any value, without surrounding whitespace. Scalars are not validated
// here: LineScorer parses every sample line again and reports a bad one as that sample's error.
StatusOr<std::string_view> RawValue(od::value value, std::string_view where) {
  od::json_type type{};
  if (auto error = value.type().get(type); error) {
    return BodyError(error, where);
  }
  std::string_view raw;
  simdjson::error_code error = simdjson::SUCCESS;
  if (type == od::json_type::object) {
    od::object object;
    error = value.get_object().get(object);
    if (!error) {
      error = object.raw_json().get(raw);
    }
  } else if (type == od::json_type::array) {
    od::array array;
    error = value.get_array().get(array);
    if (!error) {
      error = array.raw_json().get(raw);
    }
  } else {
    raw = value.raw_json_token();
  }
  if (error) {
    return BodyError(error, where);
  }
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                          raw.back() == '\t')) {
    raw.remove_suffix(1);
  }
  return raw;
}

// Calls add(raw, index) for each element of a JSON list; stops at limits.max_batch.
template <typename Add>
Status ForEachElement(od::value value, std::string_view key, const RequestLimits& limits,
                      Add&& add) {
  od::array array;
  if (value.get_array().get(array)) {
    return InvalidArgumentError(fmt::format("{}: expected a list", key));
  }
  std::size_t index = 0;
  for (auto element : array) {
    od::value item;
    if (auto error = element.get(item); error) {
      return BodyError(error, fmt::format("{}[{}]", key, index));
    }
    if (index == limits.max_batch) {
      return ResourceExhaustedError(
          fmt::format("{}: more than {} samples in one request (the server's --max-batch); "
                      "split the batch",
                      key, limits.max_batch));
    }
    MERIT_ASSIGN_OR_RETURN(std::string_view raw,
                           RawValue(item, fmt::format("{}[{}]", key, index)));
    add(raw, index);
    ++index;
  }
  return OkStatus();
}

StatusOr<std::string> StringValue(od::value value, std::string_view key) {
  std::string_view text;
  if (value.get_string().get(text)) {
    return InvalidArgumentError(fmt::format("{}: expected a string", key));
  }
  return std::string(text);
}

void AddLine(internal::LineBatch& batch, std::string_view raw, const RequestLimits& limits) {
  const bool too_long = raw.size() > limits.max_sample_bytes;
  batch.Add(too_long ? std::string_view() : raw, batch.size() + 1, too_long);
}

// Parses `body` as a JSON object and calls field(key, value) per member, in order.
template <typename Field>
Status ForEachMember(std::string_view body, const RequestLimits& limits, Field&& field) {
  od::parser parser;
  if (parser.allocate(body.size(), limits.max_depth + kEnvelopeDepth) != simdjson::SUCCESS) {
    return ResourceExhaustedError("request body: cannot allocate a parser for it");
  }
  const simdjson::padded_string padded(body);
  od::document document;
  if (auto error = parser.iterate(padded).get(document); error) {
    return BodyError(error, "request body");
  }
  od::object root;
  if (auto error = document.get_object().get(root); error) {
    return error == simdjson::INCORRECT_TYPE
               ? InvalidArgumentError("request body: expected an object")
               : BodyError(error, "request body");
  }
  for (auto member : root) {
    std::string_view key;
    if (auto error = member.unescaped_key().get(key); error) {
      return BodyError(error, "request body");
    }
    od::value value;
    if (auto error = member.value().get(value); error) {
      return BodyError(error, key);
    }
    MERIT_RETURN_IF_ERROR(field(std::string(key), value));
  }
  // At the end of the document, current_location() has nothing left to point at.
  const char* rest = nullptr;
  if (document.current_location().get(rest) == simdjson::SUCCESS) {
    return InvalidArgumentError("request body: trailing content after the JSON object");
  }
  return OkStatus();
}

}  // namespace

StatusOr<ScoreRequest> ParseScoreRequest(std::string_view body, const RequestLimits& limits) {
  ScoreRequest request;
  bool has_samples = false;
  MERIT_RETURN_IF_ERROR(
      ForEachMember(body, limits, [&](const std::string& key, od::value value) -> Status {
        if (key == "samples") {
          has_samples = true;
          return ForEachElement(value, key, limits, [&](std::string_view raw, std::size_t) {
            AddLine(request.batch, raw, limits);
          });
        }
        if (key == "config" || key == "fields") {
          MERIT_ASSIGN_OR_RETURN(std::string text, StringValue(value, key));
          (key == "config" ? request.config : request.fields) = std::move(text);
          return OkStatus();
        }
        if (key == "timeout_ms") {
          std::int64_t ms = 0;
          if (value.get_int64().get(ms) || ms <= 0) {
            return InvalidArgumentError("timeout_ms: expected a positive integer");
          }
          request.timeout_ms = ms;
          return OkStatus();
        }
        return InvalidArgumentError(fmt::format(
            "unknown key \"{}\" (expected samples, config, fields, timeout_ms)", key));
      }));
  if (!has_samples) {
    return InvalidArgumentError("request body: missing \"samples\" (a list of input objects)");
  }
  return request;
}

StatusOr<ScoreRequest> ParseOpenRlhfRequest(std::string_view body, const RequestLimits& limits) {
  // Views into the padded copy inside ForEachMember are gone once it returns, so the elements
  // are copied out as they are found.
  constexpr std::array<std::string_view, 3> kKeys = {"query", "prompts", "labels"};
  std::array<std::vector<std::string>, 3> columns;
  std::array<bool, 3> present = {false, false, false};
  MERIT_RETURN_IF_ERROR(
      ForEachMember(body, limits, [&](const std::string& key, od::value value) -> Status {
        for (std::size_t k = 0; k < kKeys.size(); ++k) {
          if (key != kKeys[k]) {
            continue;
          }
          present[k] = true;
          bool is_null = false;
          if (k == 2 && !value.is_null().get(is_null) && is_null) {
            return OkStatus();  // labels: null is "no labels".
          }
          return ForEachElement(value, key, limits, [&](std::string_view raw, std::size_t) {
            columns[k].emplace_back(raw);
          });
        }
        return OkStatus();  // OpenRLHF variants send more keys (datasources, metadata...).
      }));
  if (!present[0] || !present[1]) {
    return InvalidArgumentError(
        "request body: OpenRLHF's request has \"query\" and \"prompts\" lists (and \"labels\")");
  }
  const std::size_t n = columns[0].size();
  for (std::size_t k = 1; k < kKeys.size(); ++k) {
    if (present[k] && !columns[k].empty() && columns[k].size() != n) {
      return InvalidArgumentError(fmt::format("{}: {} entries for {} queries", kKeys[k],
                                              columns[k].size(), n));
    }
  }
  if (columns[1].size() != n) {
    return InvalidArgumentError(
        fmt::format("prompts: {} entries for {} queries", columns[1].size(), n));
  }
  ScoreRequest request;
  request.fields = "openrlhf";
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    line.clear();
    line += "{\"query\":";
    line += columns[0][i];
    line += ",\"prompt\":";
    line += columns[1][i];
    line += ",\"label\":";
    line += columns[2].empty() ? std::string_view("null") : std::string_view(columns[2][i]);
    line += '}';
    AddLine(request.batch, line, limits);
  }
  return request;
}

}  // namespace merit::server
