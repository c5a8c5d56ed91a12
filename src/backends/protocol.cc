#include "backends/protocol.h"

#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace merit::backends {
namespace {

// Model replies are not deeply nested; a deeper one is refused rather than recursed into.
constexpr JsonParseLimits kReplyLimits{.max_depth = 64};

Json WithModel(const Json& body, const std::string& model) {
  Json out = body.is_object() ? body : Json::Obj();
  if (!model.empty() && out.Find("model") == nullptr) {
    out.Set("model", Json::Str(model));
  }
  return out;
}

Json TextList(std::span<const Call* const> calls) {
  Json::Array texts;
  texts.reserve(calls.size());
  for (const Call* call : calls) {
    texts.push_back(Json::Str(ScoreText(*call)));
  }
  return Json::Arr(std::move(texts));
}

// kHttp: every string in the template with a placeholder gets the call's values. Templates come
// from the config (small, trusted), so recursion on their depth is fine.
Json FillTemplate(const Json& node, const Call& call) {
  if (node.is_string()) {
    std::string text = node.str();
    const auto replace = [&text](std::string_view key, std::string_view value) {
      for (std::size_t at = text.find(key); at != std::string::npos;
           at = text.find(key, at + value.size())) {
        text.replace(at, key.size(), value);
      }
    };
    const Json* prompt = call.body.Find("prompt");
    const Json* completion = call.body.Find("completion");
    replace("{text}", ScoreText(call));
    replace("{prompt}", prompt != nullptr && prompt->is_string() ? prompt->str() : "");
    replace("{completion}",
            completion != nullptr && completion->is_string() ? completion->str() : "");
    return Json::Str(std::move(text));
  }
  if (node.is_array()) {
    Json::Array out;
    for (const Json& item : node.array()) {
      out.push_back(FillTemplate(item, call));
    }
    return Json::Arr(std::move(out));
  }
  if (node.is_object()) {
    Json::Object out;
    for (const auto& [key, value] : node.object()) {
      out.emplace_back(key, FillTemplate(value, call));
    }
    return Json::Obj(std::move(out));
  }
  return node;
}

StatusOr<double> FiniteNumber(const Json* value, std::string_view what) {
  // Pooling endpoints wrap the score in one or two single-element lists.
  for (int unwrap = 0; unwrap < 2 && value != nullptr && value->is_array() &&
                       value->array().size() == 1;
       ++unwrap) {
    value = &value->array()[0];
  }
  if (value == nullptr || !value->is_number() || !std::isfinite(value->number())) {
    return InvalidArgumentError(fmt::format("{} is not a finite number", what));
  }
  return value->number();
}

Json ScoreReply(double score) { return Json::Obj({{"score", Json::Num(score)}}); }

// The list under `key` with exactly `n` entries.
StatusOr<const Json::Array*> ListOf(const Json& root, std::string_view key, std::size_t n) {
  const Json* list = root.Find(key);
  if (list == nullptr || !list->is_array()) {
    return InvalidArgumentError(fmt::format("the response has no \"{}\" list", key));
  }
  if (list->array().size() != n) {
    return InvalidArgumentError(fmt::format("the response's \"{}\" has {} entries for {} inputs",
                                            key, list->array().size(), n));
  }
  return &list->array();
}

}  // namespace

bool Batchable(Protocol protocol) {
  return protocol == Protocol::kVllmClassify || protocol == Protocol::kVllmPooling ||
         protocol == Protocol::kOpenRlhf;
}

std::string ScoreText(const Call& call) {
  if (const Json* text = call.body.Find("text"); text != nullptr && text->is_string()) {
    return text->str();
  }
  std::string out;
  if (const Json* prompt = call.body.Find("prompt"); prompt != nullptr && prompt->is_string()) {
    out = prompt->str();
  }
  if (const Json* completion = call.body.Find("completion");
      completion != nullptr && completion->is_string()) {
    out += completion->str();
  }
  return out;
}

StatusOr<WireRequest> BuildRequest(const WireFormat& format, std::span<const Call* const> calls) {
  if (calls.empty()) {
    return InvalidArgumentError("no calls");
  }
  const Call& first = *calls.front();
  switch (format.protocol) {
    case Protocol::kOpenAi: {
      const char* path =
          first.kind == Call::Kind::kChat ? "/v1/chat/completions" : "/v1/completions";
      return WireRequest{.url = format.url + path, .body = WithModel(first.body, format.model).Dump()};
    }
    case Protocol::kVllmClassify:
    case Protocol::kVllmPooling: {
      Json body = Json::Obj({{"input", TextList(calls)}});
      if (!format.model.empty()) {
        body.Set("model", Json::Str(format.model));
      }
      const char* path = format.protocol == Protocol::kVllmClassify ? "/classify" : "/pooling";
      return WireRequest{.url = format.url + path, .body = body.Dump()};
    }
    case Protocol::kOpenRlhf:
      return WireRequest{.url = format.url + "/get_reward",
                         .body = Json::Obj({{"query", TextList(calls)}}).Dump()};
    case Protocol::kHttp: {
      const Json& body_template =
          format.body_template.is_null() ? Json::Obj({{"text", Json::Str("{text}")}})
                                         : format.body_template;
      return WireRequest{.url = format.url, .body = FillTemplate(body_template, first).Dump()};
    }
  }
  return InternalError("unknown protocol");
}

StatusOr<std::vector<Json>> ParseResponse(const WireFormat& format,
                                          std::span<const Call* const> calls,
                                          std::string_view body) {
  JsonParser parser(kReplyLimits);
  StatusOr<Json> parsed = parser.Parse(body);
  if (!parsed.ok()) {
    return InvalidArgumentError("the response is not JSON: " + parsed.status().message());
  }
  const Json& root = *parsed;
  std::vector<Json> replies;
  replies.reserve(calls.size());
  switch (format.protocol) {
    case Protocol::kOpenAi: {
      const Json* choices = root.Find("choices");
      if (choices == nullptr || !choices->is_array() || choices->array().empty()) {
        return InvalidArgumentError("the response has no \"choices\"");
      }
      replies.push_back(std::move(*parsed));
      return replies;
    }
    case Protocol::kVllmClassify:
    case Protocol::kVllmPooling: {
      MERIT_ASSIGN_OR_RETURN(const Json::Array* data, ListOf(root, "data", calls.size()));
      replies.resize(calls.size());
      std::vector<bool> seen(calls.size(), false);
      for (std::size_t i = 0; i < data->size(); ++i) {
        const Json& item = (*data)[i];
        // Entries carry their input's index; without one, list order is input order.
        std::size_t index = i;
        if (const Json* at = item.Find("index"); at != nullptr) {
          if (!at->is_number() || at->number() < 0 || at->number() >= calls.size() ||
              seen[static_cast<std::size_t>(at->number())]) {
            return InvalidArgumentError("the response's \"data\" indices do not match the inputs");
          }
          index = static_cast<std::size_t>(at->number());
        }
        seen[index] = true;
        if (format.protocol == Protocol::kVllmClassify) {
          const Json* probs = item.Find("probs");
          if (probs == nullptr || !probs->is_array() || probs->array().size() <= format.score_index) {
            return InvalidArgumentError(fmt::format(
                "data[{}].probs has no class {} (score_index)", i, format.score_index));
          }
          MERIT_ASSIGN_OR_RETURN(double p, FiniteNumber(&probs->array()[format.score_index],
                                                        "a class probability"));
          replies[index] = ScoreReply(p);
        } else {
          MERIT_ASSIGN_OR_RETURN(double s, FiniteNumber(item.Find("data"), "data[].data"));
          replies[index] = ScoreReply(s);
        }
      }
      return replies;
    }
    case Protocol::kOpenRlhf: {
      MERIT_ASSIGN_OR_RETURN(const Json::Array* rewards, ListOf(root, "rewards", calls.size()));
      for (const Json& reward : *rewards) {
        MERIT_ASSIGN_OR_RETURN(double s, FiniteNumber(&reward, "a reward"));
        replies.push_back(ScoreReply(s));
      }
      return replies;
    }
    case Protocol::kHttp: {
      MERIT_ASSIGN_OR_RETURN(double s,
                             FiniteNumber(root.FindPath(format.score_path),
                                          fmt::format("the value at \"{}\"", format.score_path)));
      replies.push_back(ScoreReply(s));
      return replies;
    }
  }
  return InternalError("unknown protocol");
}

std::optional<std::vector<std::string_view>> ChatChoiceTexts(const Reply& reply) {
  const Json* choices = reply.body.Find("choices");
  if (choices == nullptr || !choices->is_array() || choices->array().empty()) {
    return std::nullopt;
  }
  std::vector<std::string_view> texts;
  for (const Json& choice : choices->array()) {
    const Json* message = choice.Find("message");
    const Json* content = message == nullptr ? nullptr : message->Find("content");
    if (content == nullptr || !content->is_string()) {
      return std::nullopt;
    }
    texts.push_back(content->str());
  }
  return texts;
}

Json ChatBody(std::string system, std::string user, double temperature, std::int64_t max_tokens) {
  const auto message = [](std::string_view role, std::string content) {
    return Json::Obj(
        {{"role", Json::Str(std::string(role))}, {"content", Json::Str(std::move(content))}});
  };
  Json messages = Json::Arr();
  if (!system.empty()) {
    messages.array().push_back(message("system", std::move(system)));
  }
  messages.array().push_back(message("user", std::move(user)));
  return Json::Obj({{"messages", std::move(messages)},
                    {"temperature", Json::Num(temperature)},
                    {"max_tokens", Json::Num(static_cast<double>(max_tokens))}});
}

std::optional<std::string_view> ChatReplyText(const Reply& reply) {
  const std::optional<std::vector<std::string_view>> texts = ChatChoiceTexts(reply);
  if (!texts) {
    return std::nullopt;
  }
  return texts->front();
}

}  // namespace merit::backends
