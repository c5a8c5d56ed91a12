#include "model_server/handlers.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "model_server/char_lm.h"

namespace merit::model_server {
namespace {

// Bounds on what one request may ask for, so that every request is cheap.
constexpr std::int64_t kMaxInputs = 4096;     // Prompts, texts, queries per request.
constexpr std::int64_t kMaxChoices = 128;     // n.
constexpr std::int64_t kMaxNewTokens = 4096;  // max_tokens.
constexpr std::int64_t kMaxTopLogprobs = 20;  // logprobs, top_logprobs, prompt_logprobs.
constexpr std::int64_t kDefaultMaxTokens = 16;
// n, echo and logprobs multiply the size of a response (and the work behind it); requests whose
// estimated response exceeds this get 400 rather than gigabytes.
constexpr std::int64_t kMaxResponseBytes = std::int64_t{64} << 20;
constexpr std::int64_t kBytesPerLogprob = 64;  // One token's entry, roughly.
constexpr std::int64_t kJudgeReplyTokens =
    64;  // At least: the judge's replies are short.  // OpenAI's default for legacy completions.

constexpr std::string_view kCharLm = "char-lm";
constexpr std::string_view kRuleJudge = "rule-judge";
constexpr std::string_view kMalformedBody =
    R"({"id": "cmpl-malformed", "choices": [{"text": "trunc)";

using Object = Json::Object;

// Json::Obj({...}) copies every member out of its initializer_list, and responses nest big
// arrays; Obj({{"key", value}, ...}) binds the braced list to an array it can move from.
struct Member {
  std::string_view key;
  Json value;
};

template <std::size_t N>
Json Obj(Member (&&members)[N]) {
  Json::Object object;
  object.reserve(N);
  for (Member& member : members)
    object.emplace_back(std::string(member.key), std::move(member.value));
  return Json::Obj(std::move(object));
}

Json Num(std::int64_t value) {
  return Json::Num(static_cast<double>(value));
}

Json Str(std::string_view s) {
  return Json::Str(std::string(s));
}

// Integer field: absent or null -> `fallback`; otherwise an integer in [min, max].
StatusOr<std::int64_t> IntField(const Json& request, std::string_view key, std::int64_t fallback,
                                std::int64_t min, std::int64_t max) {
  const Json* value = request.Find(key);
  if (value == nullptr || value->is_null())
    return fallback;
  if (!value->is_number() || value->number() != std::floor(value->number()) ||
      value->number() < static_cast<double>(min) || value->number() > static_cast<double>(max)) {
    return InvalidArgumentError(std::string(key) + ": expected an integer in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<std::int64_t>(value->number());
}

// Optional integer field: absent or null -> nullopt.
StatusOr<std::optional<std::int64_t>> OptionalIntField(const Json& request, std::string_view key,
                                                       std::int64_t max) {
  const Json* value = request.Find(key);
  if (value == nullptr || value->is_null())
    return std::optional<std::int64_t>();
  MERIT_ASSIGN_OR_RETURN(const std::int64_t n, IntField(request, key, 0, 0, max));
  return std::optional<std::int64_t>(n);
}

StatusOr<bool> BoolField(const Json& request, std::string_view key) {
  const Json* value = request.Find(key);
  if (value == nullptr || value->is_null())
    return false;
  if (!value->is_bool())
    return InvalidArgumentError(std::string(key) + ": expected a boolean");
  return value->boolean();
}

Status CheckNumberField(const Json& request, std::string_view key) {
  const Json* value = request.Find(key);
  if (value != nullptr && !value->is_null() && !value->is_number()) {
    return InvalidArgumentError(std::string(key) + ": expected a number");
  }
  return OkStatus();
}

StatusOr<std::string> ModelField(const Json& request, std::string_view fallback) {
  const Json* value = request.Find("model");
  if (value == nullptr || value->is_null())
    return std::string(fallback);
  if (!value->is_string())
    return InvalidArgumentError("model: expected a string");
  return value->str();
}

// A string or a non-empty list of strings.
StatusOr<std::vector<std::string_view>> TextsField(const Json& request, std::string_view key) {
  const Json* value = request.Find(key);
  if (value == nullptr)
    return InvalidArgumentError(std::string(key) + " is required");
  std::vector<std::string_view> out;
  if (value->is_string()) {
    out.push_back(value->str());
    return out;
  }
  if (!value->is_array() || value->array().empty() ||
      value->array().size() > static_cast<std::size_t>(kMaxInputs)) {
    return InvalidArgumentError(std::string(key) + ": expected a string or a list of 1 to " +
                                std::to_string(kMaxInputs) + " strings");
  }
  for (const Json& item : value->array()) {
    if (!item.is_string()) {
      return InvalidArgumentError(std::string(key) + ": expected a list of strings");
    }
    out.push_back(item.str());
  }
  return out;
}

Status CheckResponseBudget(std::int64_t estimated_bytes) {
  if (estimated_bytes <= kMaxResponseBytes)
    return OkStatus();
  return InvalidArgumentError("the response would exceed " +
                              std::to_string(kMaxResponseBytes >> 20) +
                              " MiB: ask for fewer tokens, choices or logprobs");
}

// A deterministic response id from the request.
std::string ResponseId(std::string_view prefix, const Json& request) {
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%08x", TokenId(request.Dump()));
  return std::string(prefix) + hex;
}

Json Usage(std::int64_t prompt_tokens, std::int64_t completion_tokens) {
  return Obj({{"prompt_tokens", Num(prompt_tokens)},
              {"completion_tokens", Num(completion_tokens)},
              {"total_tokens", Num(prompt_tokens + completion_tokens)}});
}

Json Bytes(std::string_view token) {
  Json::Array out;
  for (const char c : token)
    out.push_back(Num(static_cast<unsigned char>(c)));
  return Json::Arr(std::move(out));
}

// A plausible alternative at a token position: the most likely token starting with the
// rank-th most likely next byte (1-based rank).
struct Candidate {
  std::string text;
  double logprob = 0;
  std::int64_t rank = 0;
};

// The top-k alternatives after a prefix. They depend only on the prefix's last two bytes, so a
// table computes each context's alternatives once per request, however long the texts.
class CandidateTable {
 public:
  explicit CandidateTable(std::int64_t k) : k_(k) {}

  const std::vector<Candidate>& At(std::string_view prefix) {
    const std::size_t n = prefix.size();
    const auto a =
        static_cast<std::uint32_t>(n >= 2 ? static_cast<unsigned char>(prefix[n - 2]) : 0);
    const auto b =
        static_cast<std::uint32_t>(n >= 1 ? static_cast<unsigned char>(prefix[n - 1]) : 0);
    auto [it, inserted] = memo_.try_emplace((a << 8) | b);
    if (inserted) {
      const CharLm& lm = CharLm::Default();
      const std::array<unsigned char, 255>& order = lm.RankNextBytes(prefix);
      for (std::int64_t i = 0; i < k_; ++i) {
        std::string text = lm.CandidateToken(prefix, order[static_cast<std::size_t>(i)]);
        const double logprob = lm.ContinuationLogProb(prefix, text);
        it->second.push_back({.text = std::move(text), .logprob = logprob, .rank = i + 1});
      }
    }
    return it->second;
  }

 private:
  const std::int64_t k_;
  std::unordered_map<std::uint32_t, std::vector<Candidate>> memo_;
};

// The rank a token gets in prompt_logprobs: the rank of its first byte after `prefix`.
std::int64_t TokenRank(std::string_view prefix, std::string_view token) {
  const std::array<unsigned char, 255>& order = CharLm::Default().RankNextBytes(prefix);
  const auto first = static_cast<unsigned char>(token.front());
  const auto it = std::find(order.begin(), order.end(), first);
  return it == order.end() ? 256 : (it - order.begin()) + 1;
}

// The text of message.content: a string, or OpenAI content parts whose text parts are joined.
StatusOr<std::string> MessageText(const Json& message) {
  const Json* content = message.Find("content");
  if (content == nullptr || content->is_null())
    return std::string();
  if (content->is_string())
    return content->str();
  if (!content->is_array())
    return InvalidArgumentError("messages[].content: expected a string or a list");
  std::string out;
  for (const Json& part : content->array()) {
    const Json* text = part.Find("text");
    if (text != nullptr && text->is_string())
      out += text->str();
  }
  return out;
}

// OpenAI chat logprobs.content for `reply` generated after `context`.
Json ChatLogprobs(std::string_view context, std::string_view reply, std::int64_t top_k) {
  const CharLm& lm = CharLm::Default();
  CandidateTable candidates(top_k);
  const std::string full = std::string(context) + std::string(reply);
  Json::Array content;
  for (const Token& token : Tokenize(reply)) {
    const std::size_t begin = context.size() + token.offset;
    const std::string_view text = reply.substr(token.offset, token.size);
    Json::Array top;
    for (const Candidate& c : candidates.At(std::string_view(full).substr(0, begin))) {
      top.push_back(Obj(
          {{"token", Str(c.text)}, {"logprob", Json::Num(c.logprob)}, {"bytes", Bytes(c.text)}}));
    }
    content.push_back(Obj({{"token", Str(text)},
                           {"logprob", Json::Num(lm.SpanLogProb(full, begin, begin + token.size))},
                           {"bytes", Bytes(text)},
                           {"top_logprobs", Json::Arr(std::move(top))}}));
  }
  return Obj({{"content", Json::Arr(std::move(content))}});
}

// Legacy completions logprobs over `full` = prompt + generated text, for `tokens` (offsets in
// `full`: the generated tokens, after the prompt's when echoing). When echoing, the very first
// token of the text has no log-prob (null), as in OpenAI's echo.
Json CompletionLogprobs(std::string_view full, const std::vector<Token>& tokens, bool echo,
                        std::int64_t top_k) {
  const CharLm& lm = CharLm::Default();
  CandidateTable candidates(top_k);
  Json::Array texts;
  Json::Array logprobs;
  Json::Array offsets;
  Json::Array tops;
  for (const Token& token : tokens) {
    const std::string_view text = full.substr(token.offset, token.size);
    texts.push_back(Str(text));
    offsets.push_back(Num(static_cast<std::int64_t>(token.offset)));
    if (echo && token.offset == 0) {
      logprobs.push_back(Json());
      tops.push_back(Json());
      continue;
    }
    const std::string_view prefix = full.substr(0, token.offset);
    const double logprob = lm.SpanLogProb(full, token.offset, token.offset + token.size);
    logprobs.push_back(Json::Num(logprob));
    Json top = Json::Obj();
    for (const Candidate& c : candidates.At(prefix))
      top.Set(c.text, Json::Num(c.logprob));
    top.Set(std::string(text), Json::Num(logprob));  // The chosen token is always listed (vLLM).
    tops.push_back(std::move(top));
  }
  return Obj({{"tokens", Json::Arr(std::move(texts))},
              {"token_logprobs", Json::Arr(std::move(logprobs))},
              {"text_offset", Json::Arr(std::move(offsets))},
              {"top_logprobs", Json::Arr(std::move(tops))}});
}

// vLLM prompt_logprobs: null for the first prompt token, then {"<id>": {logprob, rank,
// decoded_token}} with the prompt token and its top_k alternatives.
Json PromptLogprobs(std::string_view prompt, std::int64_t top_k) {
  const CharLm& lm = CharLm::Default();
  CandidateTable candidates(top_k);
  Json::Array out;
  for (const Token& token : Tokenize(prompt)) {
    if (token.offset == 0) {
      out.push_back(Json());
      continue;
    }
    const std::string_view prefix = prompt.substr(0, token.offset);
    const std::string_view text = prompt.substr(token.offset, token.size);
    Json entry = Json::Obj();
    const auto add = [&](std::string_view token_text, double logprob, std::int64_t rank) {
      entry.Set(std::to_string(TokenId(token_text)), Obj({{"logprob", Json::Num(logprob)},
                                                          {"rank", Num(rank)},
                                                          {"decoded_token", Str(token_text)}}));
    };
    for (const Candidate& c : candidates.At(prefix))
      add(c.text, c.logprob, c.rank);
    add(text, lm.SpanLogProb(prompt, token.offset, token.offset + token.size),
        TokenRank(prefix, text));
    out.push_back(std::move(entry));
  }
  return Json::Arr(std::move(out));
}

// Scores every text of `request[key]` with RewardModelScore.
StatusOr<std::vector<double>> ScoreInputs(const Json& request, std::string_view key,
                                          std::int64_t& tokens) {
  MERIT_ASSIGN_OR_RETURN(const std::vector<std::string_view> texts, TextsField(request, key));
  std::vector<double> scores;
  for (const std::string_view text : texts) {
    scores.push_back(RewardModelScore(text));
    tokens += static_cast<std::int64_t>(Tokenize(text).size());
  }
  return scores;
}

// vLLM's reward-model envelope: `item(index, score)` for each text of request.input.
StatusOr<Json> ScoreEachInput(const Json& request, std::string_view default_model,
                              std::string_view id_prefix, Json (*item)(std::int64_t, double)) {
  MERIT_ASSIGN_OR_RETURN(const std::string model, ModelField(request, default_model));
  std::int64_t tokens = 0;
  MERIT_ASSIGN_OR_RETURN(const std::vector<double> scores, ScoreInputs(request, "input", tokens));
  Json::Array data;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    data.push_back(item(static_cast<std::int64_t>(i), scores[i]));
  }
  return Obj({{"id", Json::Str(ResponseId(id_prefix, request))},
              {"object", Str("list")},
              {"created", Num(0)},
              {"model", Str(model)},
              {"data", Json::Arr(std::move(data))},
              {"usage", Usage(tokens, 0)}});
}

Json ErrorBody(int status, std::string_view message) {
  return Obj({{"error",
               Obj({{"message", Str(message)},
                    {"type", Str(status == 401 ? "authentication_error" : "invalid_request_error")},
                    {"code", Num(status)}})}});
}

HttpResponse JsonResponse(int status, const Json& body) {
  return {.status = status, .body = body.Dump()};
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  return JsonResponse(status, ErrorBody(status, message));
}

struct Route {
  std::string_view path;
  Endpoint endpoint;
};

constexpr Route kRoutes[] = {
    {"/v1/chat/completions", &ChatCompletions},
    {"/v1/completions", &Completions},
    {"/classify", &Classify},
    {"/pooling", &Pooling},
    {"/get_reward", &GetReward},
    {"/score", &GenericScore},
};

}  // namespace

double RewardModelScore(std::string_view text) {
  return CharLm::Default().MeanLogProb(text) + 3;
}

StatusOr<Json> ChatCompletions(const Json& request, const JudgeOptions& judge) {
  MERIT_ASSIGN_OR_RETURN(const std::string model, ModelField(request, kRuleJudge));
  const Json* messages = request.Find("messages");
  if (messages == nullptr || !messages->is_array() || messages->array().empty()) {
    return InvalidArgumentError("messages: expected a non-empty list");
  }
  MERIT_RETURN_IF_ERROR(CheckNumberField(request, "temperature"));
  MERIT_ASSIGN_OR_RETURN(const std::int64_t n, IntField(request, "n", 1, 1, kMaxChoices));
  MERIT_ASSIGN_OR_RETURN(std::int64_t max_tokens,
                         IntField(request, "max_tokens", kDefaultMaxTokens, 0, kMaxNewTokens));
  MERIT_ASSIGN_OR_RETURN(max_tokens,
                         IntField(request, "max_completion_tokens", max_tokens, 0, kMaxNewTokens));
  MERIT_ASSIGN_OR_RETURN(const bool logprobs, BoolField(request, "logprobs"));
  MERIT_ASSIGN_OR_RETURN(const std::int64_t top_logprobs,
                         IntField(request, "top_logprobs", 0, 0, kMaxTopLogprobs));

  const bool is_lm = model == kCharLm;
  const std::int64_t reply_budget = (is_lm ? max_tokens : kJudgeReplyTokens) *
                                    (static_cast<std::int64_t>(CharLm::kMaxCandidateBytes) +
                                     (logprobs ? (top_logprobs + 1) * kBytesPerLogprob : 0));
  MERIT_RETURN_IF_ERROR(CheckResponseBudget(n * reply_budget));

  std::int64_t prompt_tokens = 0;
  std::optional<std::string> user_message;
  for (const Json& message : messages->array()) {
    const Json* role = message.Find("role");
    if (role == nullptr || !role->is_string()) {
      return InvalidArgumentError("messages[].role: expected a string");
    }
    MERIT_ASSIGN_OR_RETURN(std::string text, MessageText(message));
    prompt_tokens += static_cast<std::int64_t>(Tokenize(text).size());
    if (role->str() == "user")
      user_message = std::move(text);
  }
  if (!user_message)
    return InvalidArgumentError("messages: no user message");

  const std::string reply =
      is_lm ? CharLm::Default().Continue(*user_message, static_cast<std::size_t>(max_tokens))
            : JudgeReply(*user_message, judge);
  const auto reply_tokens = static_cast<std::int64_t>(Tokenize(reply).size());
  // The rule judge is not cut at max_tokens: its verdict line is what tests look at.
  const std::string_view finish_reason =
      is_lm && max_tokens > 0 && reply_tokens >= max_tokens ? "length" : "stop";
  const Json logprobs_json = logprobs ? ChatLogprobs(*user_message, reply, top_logprobs) : Json();

  Json::Array choices;
  for (std::int64_t i = 0; i < n; ++i) {
    choices.push_back(Obj({{"index", Num(i)},
                           {"message", Obj({{"role", Str("assistant")}, {"content", Str(reply)}})},
                           {"logprobs", logprobs_json},
                           {"finish_reason", Str(finish_reason)}}));
  }
  return Obj({{"id", Json::Str(ResponseId("chatcmpl-", request))},
              {"object", Str("chat.completion")},
              {"created", Num(0)},
              {"model", Str(model)},
              {"choices", Json::Arr(std::move(choices))},
              {"usage", Usage(prompt_tokens, reply_tokens * n)}});
}

StatusOr<Json> Completions(const Json& request, const JudgeOptions& /*judge*/) {
  MERIT_ASSIGN_OR_RETURN(const std::string model, ModelField(request, kCharLm));
  MERIT_ASSIGN_OR_RETURN(const std::vector<std::string_view> prompts,
                         TextsField(request, "prompt"));
  MERIT_RETURN_IF_ERROR(CheckNumberField(request, "temperature"));
  MERIT_ASSIGN_OR_RETURN(const std::int64_t n, IntField(request, "n", 1, 1, kMaxChoices));
  MERIT_ASSIGN_OR_RETURN(const std::int64_t max_tokens,
                         IntField(request, "max_tokens", kDefaultMaxTokens, 0, kMaxNewTokens));
  MERIT_ASSIGN_OR_RETURN(const bool echo, BoolField(request, "echo"));
  MERIT_ASSIGN_OR_RETURN(const std::optional<std::int64_t> logprobs,
                         OptionalIntField(request, "logprobs", kMaxTopLogprobs));
  MERIT_ASSIGN_OR_RETURN(const std::optional<std::int64_t> prompt_logprobs,
                         OptionalIntField(request, "prompt_logprobs", kMaxTopLogprobs));
  if (static_cast<std::int64_t>(prompts.size()) * n > kMaxInputs) {
    return InvalidArgumentError("too many choices: prompts times n must be at most " +
                                std::to_string(kMaxInputs));
  }

  std::int64_t budget = 0;
  for (const std::string_view prompt : prompts) {
    const auto num_tokens = static_cast<std::int64_t>(Tokenize(prompt).size());
    const std::int64_t logprob_tokens = (echo ? num_tokens : 0) + max_tokens;
    budget += n * ((echo ? static_cast<std::int64_t>(prompt.size()) : 0) +
                   max_tokens * static_cast<std::int64_t>(CharLm::kMaxCandidateBytes) +
                   (logprobs ? logprob_tokens * (*logprobs + 1) * kBytesPerLogprob : 0) +
                   (prompt_logprobs ? num_tokens * (*prompt_logprobs + 1) * kBytesPerLogprob : 0));
  }
  MERIT_RETURN_IF_ERROR(CheckResponseBudget(budget));

  const CharLm& lm = CharLm::Default();
  Json::Array choices;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  for (const std::string_view prompt : prompts) {
    const std::string generated = lm.Continue(prompt, static_cast<std::size_t>(max_tokens));
    const std::string full = std::string(prompt) + generated;
    std::vector<Token> tokens = echo ? Tokenize(prompt) : std::vector<Token>();
    const auto num_prompt_tokens =
        static_cast<std::int64_t>(echo ? tokens.size() : Tokenize(prompt).size());
    std::int64_t num_generated = 0;
    for (Token token : Tokenize(generated)) {
      token.offset += prompt.size();
      tokens.push_back(token);
      ++num_generated;
    }
    const Json logprobs_json =
        logprobs ? CompletionLogprobs(full, tokens, echo, *logprobs) : Json();
    const Json prompt_logprobs_json =
        prompt_logprobs ? PromptLogprobs(prompt, *prompt_logprobs) : Json();
    const std::string_view finish_reason = num_generated >= max_tokens ? "length" : "stop";
    for (std::int64_t i = 0; i < n; ++i) {
      Json choice = Obj({{"index", Num(static_cast<std::int64_t>(choices.size()))},
                         {"text", Str(echo ? std::string_view(full) : generated)},
                         {"logprobs", logprobs_json},
                         {"finish_reason", Str(finish_reason)}});
      if (prompt_logprobs)
        choice.Set("prompt_logprobs", prompt_logprobs_json);
      choices.push_back(std::move(choice));
    }
    prompt_tokens += num_prompt_tokens;
    completion_tokens += num_generated * n;
  }
  return Obj({{"id", Json::Str(ResponseId("cmpl-", request))},
              {"object", Str("text_completion")},
              {"created", Num(0)},
              {"model", Str(model)},
              {"choices", Json::Arr(std::move(choices))},
              {"usage", Usage(prompt_tokens, completion_tokens)}});
}

StatusOr<Json> Classify(const Json& request, const JudgeOptions& /*judge*/) {
  return ScoreEachInput(request, "char-lm-classifier", "classify-",
                        [](std::int64_t index, double score) {
                          const double p = 1 / (1 + std::exp(-score));
                          return Obj({{"index", Num(index)},
                                      {"label", Str(p >= 0.5 ? "LABEL_1" : "LABEL_0")},
                                      {"probs", Json::Arr({Json::Num(1 - p), Json::Num(p)})},
                                      {"num_classes", Num(2)}});
                        });
}

StatusOr<Json> Pooling(const Json& request, const JudgeOptions& /*judge*/) {
  return ScoreEachInput(request, "char-lm-reward", "pool-", [](std::int64_t index, double score) {
    return Obj({{"index", Num(index)},
                {"object", Str("pooling")},
                {"data", Json::Arr({Json::Num(score)})}});
  });
}

StatusOr<Json> GetReward(const Json& request, const JudgeOptions& /*judge*/) {
  std::int64_t tokens = 0;
  MERIT_ASSIGN_OR_RETURN(const std::vector<double> scores, ScoreInputs(request, "query", tokens));
  for (const std::string_view key : {"prompts", "labels"}) {
    const Json* value = request.Find(key);
    if (value != nullptr && !value->is_null() &&
        (!value->is_array() || value->array().size() != scores.size())) {
      return InvalidArgumentError(std::string(key) + ": expected a list as long as query");
    }
  }
  Json::Array rewards;
  for (const double score : scores)
    rewards.push_back(Json::Num(score));
  Json rewards_json = Json::Arr(std::move(rewards));
  return Obj({{"rewards", rewards_json}, {"scores", rewards_json}, {"extra_logs", Json::Obj()}});
}

StatusOr<Json> GenericScore(const Json& request, const JudgeOptions& /*judge*/) {
  const Json* text = request.Find("text");
  if (text == nullptr || !text->is_string())
    return InvalidArgumentError("text: expected a string");
  return Obj({{"result", Obj({{"score", Json::Num(RewardModelScore(text->str()))}})}});
}

HttpResponse ModelService::Handle(const HttpRequest& request) {
  if (request.path == "/stats" || request.path == "/stats/reset")
    return HandleStats(request);
  const std::int64_t now_in_flight = ++in_flight_;
  {
    std::lock_guard lock(stats_mu_);
    ++requests_;
    ++by_path_[std::string(request.path)];
    max_in_flight_ = std::max(max_in_flight_, now_in_flight);
  }
  HttpResponse response = HandleModelRequest(request);
  --in_flight_;
  return response;
}

HttpResponse ModelService::HandleStats(const HttpRequest& request) {
  std::lock_guard lock(stats_mu_);
  if (request.path == "/stats/reset") {
    if (request.method != "POST")
      return ErrorResponse(405, "use POST /stats/reset");
    requests_ = 0;
    max_in_flight_ = in_flight_.load();
    by_path_.clear();
    return JsonResponse(200, Obj({{"ok", Json::Bool(true)}}));
  }
  if (request.method != "GET")
    return ErrorResponse(405, "use GET /stats");
  Json::Object by_path;
  for (const auto& [path, count] : by_path_) {
    by_path.emplace_back(path, Num(static_cast<std::int64_t>(count)));
  }
  return JsonResponse(200, Obj({{"requests", Num(static_cast<std::int64_t>(requests_))},
                                {"in_flight", Num(in_flight_.load())},
                                {"max_in_flight", Num(max_in_flight_)},
                                {"by_path", Json::Obj(std::move(by_path))}}));
}

HttpResponse ModelService::HandleModelRequest(const HttpRequest& request) {
  const FaultPath fault_path = SplitFaultPath(request.path);
  const StatusOr<FaultSpec> faults = ParseFaultSpec(fault_path.spec);
  if (!faults.ok())
    return ErrorResponse(400, faults.status().message());
  if (faults->latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(faults->latency_ms));
  }
  if (request.body.size() > kMaxBodyBytes)
    return ErrorResponse(413, "request body too large");
  if (!options_.api_key.empty() && request.authorization != "Bearer " + options_.api_key) {
    return ErrorResponse(401, "missing or wrong API key");
  }

  const std::string_view path = fault_path.path;
  if (request.method == "GET" && (path == "/health" || path == "/v1/models")) {
    if (path == "/health")
      return JsonResponse(200, Json::Obj());
    Json::Array models;
    for (const std::string_view id : {kCharLm, kRuleJudge}) {
      models.push_back(Obj({{"id", Str(id)}, {"object", Str("model")}}));
    }
    return JsonResponse(200,
                        Obj({{"object", Str("list")}, {"data", Json::Arr(std::move(models))}}));
  }
  const auto route = std::find_if(std::begin(kRoutes), std::end(kRoutes),
                                  [&](const Route& r) { return r.path == path; });
  if (route == std::end(kRoutes))
    return ErrorResponse(404, "no endpoint " + std::string(path));
  if (request.method != "POST")
    return ErrorResponse(405, "use POST " + std::string(path));

  JudgeOptions judge{.bias = faults->bias, .garble = false};
  if (!fault_path.spec.empty() && IsFaulty(*faults, fault_counters_.Next(fault_path.spec))) {
    if (faults->drop)
      return {.status = 0, .drop = true};
    if (faults->malformed)
      return {.status = 200, .body = std::string(kMalformedBody)};
    judge.garble = faults->garble;
    if (faults->status != 0) {
      HttpResponse response = ErrorResponse(faults->status, "injected fault");
      if (faults->retry_after_s >= 0)
        response.retry_after = std::to_string(faults->retry_after_s);
      return response;
    }
  }

  JsonParser parser;
  const StatusOr<Json> body = parser.Parse(request.body);
  if (!body.ok())
    return ErrorResponse(400, "body: " + body.status().message());
  if (!body->is_object())
    return ErrorResponse(400, "body: expected a JSON object");
  const StatusOr<Json> reply = route->endpoint(*body, judge);
  if (!reply.ok())
    return ErrorResponse(400, reply.status().message());
  return JsonResponse(200, *reply);
}

}  // namespace merit::model_server
