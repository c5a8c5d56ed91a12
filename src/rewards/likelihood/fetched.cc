// likelihood.reference and likelihood.echo with `backend:`: the span's log-probs are fetched from
// an OpenAI-compatible completions server by teacher forcing (echo: true, max_tokens: 0,
// logprobs: 1) instead of being read from metadata. One request per sample; the whole batch is in
// flight at once (backends::ModelReward).
#include <fmt/format.h>

#include "backends/model_reward.h"
#include "rewards/likelihood/likelihood.h"

namespace merit::likelihood {
namespace {

using backends::Call;
using backends::ModelPlan;

// Unicode code points in UTF-8 text: the bytes that do not continue a sequence.
std::size_t CodePoints(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return count;
}

// The text to teacher-force: `context`, then `scored`, whose tokens alone are scored.
struct ScoredText {
  std::string context;
  std::string scored;
};

// The reference answer as text: a string, a number as written, or the first of a list.
std::optional<Score> ReferenceText(const Json& reference, std::string& out) {
  const Json* value = &reference;
  if (value->is_array()) {
    if (value->array().empty()) {
      return Score::Unscorable("no_reference", "the reference list is empty");
    }
    value = &value->array().front();
  }
  if (value->is_string()) {
    out = value->str();
  } else if (value->is_number()) {
    out = value->number_text();
  } else if (value->is_null()) {
    return Score::Unscorable("no_reference");
  } else {
    return Score::Unscorable("reference_unparseable",
                             fmt::format("expected a string or a number as the reference, got {}",
                                         Json::TypeName(value->type())));
  }
  if (out.empty()) {
    return Score::Unscorable("no_reference", "the reference is empty");
  }
  return std::nullopt;
}

class FetchedSequenceReward final : public backends::ModelReward {
 public:
  // How the teacher-forced text is built from a sample.
  enum class Layout : std::uint8_t {
    // prompt + completion cut before the first `marker` + reference (spec B §1).
    kReferenceAfterReasoning,
    // completion + query + prompt: how well the model "echoes" the prompt (spec B §5).
    kPromptEcho,
  };

  FetchedSequenceReward(const backends::Backend* backend, Layout layout, std::string marker,
                        SequenceVariant variant, SequenceSource source)
      : backend_(backend),
        layout_(layout),
        marker_(std::move(marker)),
        variant_(variant),
        source_(source) {}

 protected:
  ModelPlan Plan(const Sample& sample, const backends::GroupView& /*group*/) const override {
    ModelPlan plan;
    ScoredText text;
    if (layout_ == Layout::kReferenceAfterReasoning) {
      if (std::optional<Score> missing = ReferenceText(sample.reference, text.scored)) {
        plan.decided = std::move(*missing);
        return plan;
      }
      const std::string_view completion = sample.completion_text;
      const std::size_t cut = marker_.empty() ? completion.npos : completion.find(marker_);
      text.context = sample.prompt_text;
      text.context += completion.substr(0, cut);
    } else {
      text.context = sample.completion_text + "\n\n" + marker_ + "\n\n";
      text.scored = sample.prompt_text;
      if (text.scored.empty()) {
        plan.decided = Score::Error(source_.empty_reason, "the sample has no prompt to echo");
        return plan;
      }
    }
    plan.state = Json::Obj({
        {"start_bytes", Json::Num(static_cast<double>(text.context.size()))},
        {"start_chars", Json::Num(static_cast<double>(CodePoints(text.context)))},
        {"end_bytes", Json::Num(static_cast<double>(text.context.size() + text.scored.size()))},
        {"end_chars",
         Json::Num(static_cast<double>(CodePoints(text.context) + CodePoints(text.scored)))},
    });
    plan.requests.push_back(
        {.backend = backend_,
         .call = {.kind = Call::Kind::kCompletion,
                  .body = Json::Obj({{"prompt", Json::Str(text.context + text.scored)},
                                     {"echo", Json::Bool(true)},
                                     {"max_tokens", Json::Num(0)},
                                     {"logprobs", Json::Num(1)},
                                     {"temperature", Json::Num(0)}})}});
    return plan;
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& plan,
                  std::span<const backends::Reply* const> replies) const override {
    const Json* logprobs = replies[0]->body.FindPath("choices.0.logprobs");
    const Json* values = logprobs == nullptr ? nullptr : logprobs->Find("token_logprobs");
    const Json* offsets = logprobs == nullptr ? nullptr : logprobs->Find("text_offset");
    if (values == nullptr || offsets == nullptr || !values->is_array() || !offsets->is_array() ||
        values->array().size() != offsets->array().size()) {
      return Score::Error("backend_bad_response",
                          "the reply has no choices[0].logprobs with token_logprobs and "
                          "text_offset of equal length (is it a completions server with echo?)");
    }
    std::optional<double> start = ScoredStart(plan.state, *logprobs);
    if (!start.has_value()) {
      return Score::Error("backend_bad_response",
                          "the reply's text_offset counts neither bytes nor characters of the "
                          "prompt");
    }
    std::vector<double> selected;
    for (std::size_t i = 0; i < values->array().size(); ++i) {
      const Json& offset = offsets->array()[i];
      if (!offset.is_number()) {
        return Score::Error("backend_bad_response", "a text_offset is not a number");
      }
      // A token that straddles the boundary is context: spec B §1 cuts where the tokenizer
      // has a boundary (before `<answer`), so the scored text starts a token.
      if (offset.number() < *start) {
        continue;
      }
      const Json& value = values->array()[i];
      if (!value.is_number()) {
        return Score::Error("backend_bad_response",
                            fmt::format("token {} of the scored text has no log-prob", i));
      }
      selected.push_back(value.number());
    }
    if (Score check = CheckNumbers(selected, {.field = "the backend's token_logprobs"});
        !check.ok()) {
      return Score::Error("backend_bad_response", std::move(check.explanation));
    }
    if (selected.empty()) {
      return Score::Error(source_.empty_reason,
                          "no token of the reply starts inside the scored text (does it start "
                          "at a token boundary?)");
    }
    Score score = FiniteOr(SequenceLikelihood(selected, variant_), source_.ok_reason);
    if (score.ok()) {
      score.explanation = fmt::format("{} tokens from {}{}", selected.size(), backend_->name(),
                                      replies[0]->cached ? " (cached)" : "");
    }
    return score;
  }

 private:
  // Where the scored text starts, in the unit of the reply's text_offset. OpenAI and vLLM count
  // characters (Python string indices), other servers bytes; they agree on ASCII. Where they
  // differ, the last token decides: its offset plus its length must reach the end of the text.
  static std::optional<double> ScoredStart(const Json& state, const Json& logprobs) {
    const double start_bytes = state.Find("start_bytes")->number();
    const double start_chars = state.Find("start_chars")->number();
    if (start_bytes == start_chars) {
      return start_bytes;
    }
    const Json* tokens = logprobs.Find("tokens");
    const Json* offsets = logprobs.Find("text_offset");
    if (tokens == nullptr || !tokens->is_array() || tokens->array().empty() ||
        tokens->array().size() != offsets->array().size() || !tokens->array().back().is_string() ||
        !offsets->array().back().is_number()) {
      return std::nullopt;
    }
    const std::string& last = tokens->array().back().str();
    const double last_offset = offsets->array().back().number();
    if (last_offset + static_cast<double>(last.size()) == state.Find("end_bytes")->number()) {
      return start_bytes;
    }
    if (last_offset + static_cast<double>(CodePoints(last)) ==
        state.Find("end_chars")->number()) {
      return start_chars;
    }
    return std::nullopt;
  }

  const backends::Backend* backend_;
  const Layout layout_;
  const std::string marker_;  // kReferenceAfterReasoning: where to cut; kPromptEcho: the query.
  const SequenceVariant variant_;
  const SequenceSource source_;
};

}  // namespace

RewardOr MakeFetchedReference(const ReferenceOptions& options, const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(
      const backends::Backend* backend,
      backends::ResolveBackend(build.backends, options.backend, Call::Kind::kCompletion));
  return std::unique_ptr<const Reward>(std::make_unique<FetchedSequenceReward>(
      backend, FetchedSequenceReward::Layout::kReferenceAfterReasoning, options.answer_marker,
      ParseSequenceVariant(options.variant), kReferenceSource));
}

RewardOr MakeFetchedEcho(const EchoOptions& options, const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(
      const backends::Backend* backend,
      backends::ResolveBackend(build.backends, options.backend, Call::Kind::kCompletion));
  return std::unique_ptr<const Reward>(std::make_unique<FetchedSequenceReward>(
      backend, FetchedSequenceReward::Layout::kPromptEcho, options.query,
      ParseSequenceVariant(options.variant), kEchoSource));
}

}  // namespace merit::likelihood
