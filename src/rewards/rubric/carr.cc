// rubric.carr: CaRR's server scalar R = (1 - α)·R_o + α·R_r (spec A §1.1-§1.4), and c_grpo, the
// C-GRPO group recomputation over an outcome child and a rubric child.
//
// Calls. The first phase of every sample (the outcome grader and the entity identification) is
// submitted for the whole batch in StartBatch, so those calls are in flight together; the
// support judge needs the identities, so it is called per sample in Evaluate. A judge that
// answers but never validly is the spec's 0 (reason judge_unparseable) after its attempts; every
// re-query carries "seed": <attempt>, so a response cache never hands back the same bad reply. A
// backend failure (down, timeout, bad response) is Score::Error with the backend's reason: an
// outage never becomes a 0.
#include "rewards/rubric/carr.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "compose/aggregators.h"
#include "rewards/judge/templates.h"
#include "backends/protocol.h"

namespace merit::rubric {
namespace {

using backends::Backend;
using backends::Call;
using backends::PendingReply;
using backends::Reply;

// ---- Prompts -------------------------------------------------------------------------------
// Our own wording of the three CaRR prompts (spec A §1.2, §1.3). The prose never writes a
// placeholder such as E0 inside angle brackets: the template's own tags are protected from
// forging, and a rubric's placeholders must reach the judge intact.

constexpr std::string_view kOutcomePrompt =
    "Decide whether the response to the question is correct. The correct answer below is the "
    "only standard: do not solve the question yourself.\n"
    "\n<question>\n{question}\n</question>\n"
    "\n<response>\n{response}\n</response>\n"
    "\n<correct_answer>\n{correct_answer}\n</correct_answer>\n"
    "\nReply with exactly these three labelled fields:\n"
    "extracted_final_answer: the final exact answer given in the response, or None when the "
    "response gives no final answer.\n"
    "reasoning: whether the extracted answer and the correct answer differ in any meaningful "
    "way; do not comment on the background of the question and do not argue for another "
    "answer.\n"
    "correct: yes when the extracted answer matches the correct answer (for a number, within a "
    "small margin of error); no when there is any inconsistency, ambiguity or difference, or no "
    "answer.\n";

constexpr std::string_view kIdentifyPrompt =
    "You are given a multi-hop question, single-hop constraints decomposed from it, and an AI "
    "assistant's response to the question. In the constraints the placeholder E0 (written in "
    "angle brackets) stands for the final answer entity; E1, E2, ... stand for intermediate "
    "entities.\n"
    "\nFor every placeholder, report the real identity that the response states explicitly. Do "
    "not infer, guess or deduce an identity that the response does not state clearly and "
    "unambiguously: use null for such an entity.\n"
    "\n<question>\n{question}\n</question>\n"
    "\n<constraints>\n{constraints}\n</constraints>\n"
    "\n<response>\n{response}\n</response>\n"
    "\nReply in this format:\n"
    "## Analysis\n"
    "For each entity: does the response state its real identity explicitly, and what is it?\n"
    "## Final JSON\n"
    "A fenced ```json block with one key per entity (\"E0\", \"E1\", ...) whose value is the "
    "identity string stated in the response, or null.\n";

constexpr std::string_view kSupportPrompt =
    "You are given the contents of several webpages and single-hop factual statements S1, S2, "
    "and so on. Decide for each statement whether the webpage contents fully support it.\n"
    "\n<webpages>\n{context}\n</webpages>\n"
    "\n<statements>\n{statements}\n</statements>\n"
    "\nFor each statement write a section headed \"## Statement S1\" (S2, ...):\n"
    "Explanation: the exact evidence in the webpages that supports or contradicts it.\n"
    "Evidence URLs: the URLs of the pages that hold that evidence.\n"
    "Fully Supported: yes or no\n"
    "\nFinally give a fenced ```json block that maps every statement label (\"S1\", \"S2\", ...) "
    "to true (fully supported) or false (not fully supported).\n";

constexpr std::string_view kOutcomeNames[] = {"question", "response", "correct_answer"};
constexpr std::string_view kIdentifyNames[] = {"question", "constraints", "response"};
constexpr std::string_view kSupportNames[] = {"context", "statements"};

// Compiles a prompt option (or its default) and checks it inserts what the judge needs.
StatusOr<judge::Template> CompilePrompt(std::string_view option, std::string_view text,
                                        std::string_view fallback,
                                        std::span<const std::string_view> names,
                                        std::span<const std::string_view> required) {
  const std::string_view source = text.empty() ? fallback : text;
  StatusOr<judge::Template> compiled = judge::Template::CompileNamed(source, names);
  if (!compiled.ok()) {
    return InvalidArgumentError(fmt::format("{}: {}", option, compiled.status().message()));
  }
  for (const std::string_view name : required) {
    if (source.find(fmt::format("{{{}}}", name)) == std::string_view::npos) {
      return InvalidArgumentError(
          fmt::format("{}: the template must insert {{{}}}", option, name));
    }
  }
  return compiled;
}

// ---- Options ---------------------------------------------------------------------------------

struct CarrOptions {
  std::string backend = {};
  double alpha = 0.3;
  bool bfs = true;
  std::int64_t max_pages = 20;
  std::int64_t outcome_attempts = 3;
  std::int64_t rubric_attempts = 5;
  std::int64_t max_rubrics = 100;
  std::vector<std::string> rubrics = {};
  double temperature = 0.0;
  std::int64_t max_tokens = 4096;
  std::int64_t max_field_bytes = 32768;
  std::int64_t max_context_bytes = 262144;
  std::string outcome_prompt = {};
  std::string identify_prompt = {};
  std::string support_prompt = {};

  static constexpr auto kFields = std::tuple{
      Field{"backend", &CarrOptions::backend,
            "Name of the chat backend (an openai-protocol entry of the config's backends: "
            "section) that runs the three judges. Required."},
      Field{"alpha", &CarrOptions::alpha,
            "α (rubric_reward_ratio): R = (1-α)·R_o + α·R_r. R_o is computed only when α < 1, "
            "R_r only when α > 0 (α = 1: R_r alone, for c_grpo's rubric slot; α = 0: the "
            "outcome grader alone).",
            {.min = 0, .max = 1}},
      Field{"bfs", &CarrOptions::bfs,
            "Count only supported rubrics connected to the answer entity E0 (the evidence-chain "
            "search); false is the nobfs ablation: supported rubrics / all rubrics."},
      Field{"max_pages", &CarrOptions::max_pages,
            "Most cited pages (present in the evidence store) put in the support judge's "
            "context.",
            {.min = 1, .max = 1000}},
      Field{"outcome_attempts", &CarrOptions::outcome_attempts,
            "Outcome grader calls before an unparseable grade counts as R_o = 0.",
            {.min = 1, .max = 10}},
      Field{"rubric_attempts", &CarrOptions::rubric_attempts,
            "Identification and support judge calls (each) before an invalid reply makes "
            "R_r = 0.",
            {.min = 1, .max = 10}},
      Field{"max_rubrics", &CarrOptions::max_rubrics,
            "A sample with more rubrics is unscorable (reason too_many_rubrics).",
            {.min = 1, .max = 10000}},
      Field{"rubrics", &CarrOptions::rubrics,
            "A fixed rubric list (with <E0>, <E1>, ... placeholders) for samples whose "
            "reference has no `rubrics`."},
      Field{"temperature", &CarrOptions::temperature,
            "Sampling temperature of the judges (re-queries only help when it is > 0).",
            {.min = 0, .max = 2}},
      Field{"max_tokens", &CarrOptions::max_tokens, "Most tokens a judge may reply with.",
            {.min = 1, .max = 65536}},
      Field{"max_field_bytes", &CarrOptions::max_field_bytes,
            "Longest question, response, constraint list or statement list inserted in a "
            "prompt; longer text keeps its head and tail.",
            {.min = 64, .max = 1 << 24}},
      Field{"max_context_bytes", &CarrOptions::max_context_bytes,
            "Longest webpage context given to the support judge (cut at the end).",
            {.min = 64, .max = 1 << 26}},
      Field{"outcome_prompt", &CarrOptions::outcome_prompt,
            "Overrides the outcome grader's prompt: {question}, {response}, {correct_answer}; "
            "{{ and }} are literal braces."},
      Field{"identify_prompt", &CarrOptions::identify_prompt,
            "Overrides the entity identification prompt: {question}, {constraints}, "
            "{response}."},
      Field{"support_prompt", &CarrOptions::support_prompt,
            "Overrides the support judge's prompt: {context}, {statements}."},
  };

  Status Validate() const {
    if (backend.empty()) {
      return InvalidArgumentError(
          "backend: required: the name of a chat backend in the config's backends: section");
    }
    return OkStatus();
  }
};

// ---- One sample's inputs ----------------------------------------------------------------------

// Distinct cited URLs read from one response: only the first max_pages present in the evidence
// store matter, and this bounds the lookups an adversarial response can cause.
constexpr std::size_t kMaxCitedUrls = 4096;
// A per-rubric line of the explanation quotes at most this much of the filled rubric.
constexpr std::size_t kQuoteBytes = 200;

// Everything Evaluate needs that does not come from a judge.
struct Prepared {
  std::optional<Score> decided = {};  // Scored (or unscorable) without any judge.
  std::string question = {};
  std::string response = {};  // The judged response (§1.1 step 2).
  std::string answer = {};
  carr::Rubrics rubrics = {};
  std::string context = {};  // The citation context; empty when no cited page was seen.
  std::size_t skipped_outputs = 0;
  bool need_outcome = false;
  bool need_rubric = false;       // α > 0.
  bool need_identify = false;     // α > 0, rubrics, and a context to judge them against.
  std::string_view rubric_zero = {};  // Why R_r is 0 without judging, when it is.
};

// The last message of a chat completion, when it is an assistant message with text.
bool EndsWithAssistantText(const Sample& sample) {
  if (sample.completion.is_string()) {
    return true;
  }
  if (!sample.completion.is_array() || sample.completion.array().empty()) {
    return false;
  }
  const Json& last = sample.completion.array().back();
  const Json* role = last.Find("role");
  const Json* content = last.Find("content");
  return role != nullptr && role->is_string() && role->str() == "assistant" &&
         content != nullptr && !content->is_null();
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

// The reference: {answer, rubrics} or a plain answer string. Sets `decided` when unusable.
void ReadReference(const Sample& sample, const CarrOptions& options, Prepared& prepared) {
  const Json& reference = sample.reference;
  const Json* rubrics = nullptr;
  const Json* answer = nullptr;
  if (reference.is_string()) {
    answer = &reference;
  } else if (reference.is_object()) {
    answer = reference.Find("answer");
    rubrics = reference.Find("rubrics");
  } else if (!reference.is_null()) {
    prepared.decided = Score::Unscorable(
        "reference_unparseable", "expected {answer: \"...\", rubrics: [\"...\", ...]} or a string");
    return;
  }
  if (prepared.need_outcome) {
    if (reference.is_null()) {
      prepared.decided = Score::Unscorable("no_reference", "the outcome grader needs an answer");
      return;
    }
    if (answer == nullptr || !answer->is_string()) {
      prepared.decided =
          Score::Unscorable("reference_unparseable", "reference.answer: expected a string");
      return;
    }
    prepared.answer = answer->str();
  }
  if (!prepared.need_rubric) {
    return;
  }
  std::vector<std::string> texts;
  if (rubrics != nullptr) {
    if (!rubrics->is_array()) {
      prepared.decided = Score::Unscorable("reference_unparseable",
                                           "reference.rubrics: expected a list of strings");
      return;
    }
    if (rubrics->array().size() > static_cast<std::size_t>(options.max_rubrics)) {
      prepared.decided = Score::Unscorable(
          "too_many_rubrics", fmt::format("{} rubrics, max_rubrics is {}",
                                          rubrics->array().size(), options.max_rubrics));
      return;
    }
    for (const Json& rubric : rubrics->array()) {
      if (!rubric.is_string()) {
        prepared.decided = Score::Unscorable("reference_unparseable",
                                             "reference.rubrics: expected a list of strings");
        return;
      }
      texts.push_back(rubric.str());
    }
  } else {
    if (options.rubrics.size() > static_cast<std::size_t>(options.max_rubrics)) {
      prepared.decided = Score::Unscorable(
          "too_many_rubrics", fmt::format("{} rubrics, max_rubrics is {}", options.rubrics.size(),
                                          options.max_rubrics));
      return;
    }
    texts = options.rubrics;
  }
  prepared.rubrics = carr::ParseRubrics(std::move(texts));
}

Prepared Prepare(const Sample& sample, const CarrOptions& options) {
  Prepared prepared;
  prepared.need_outcome = options.alpha < 1;
  prepared.need_rubric = options.alpha > 0;
  const Json* unfinished = sample.metadata.Find("task_unfinished");
  if (unfinished != nullptr && unfinished->is_bool() && unfinished->boolean()) {
    prepared.decided = Score::Ok(0.0, "task_unfinished");
    return prepared;
  }
  ReadReference(sample, options, prepared);
  if (prepared.decided) {
    return prepared;
  }
  if (!EndsWithAssistantText(sample) || IsBlank(sample.completion_text)) {
    prepared.decided = Score::Ok(0.0, "no_answer");
    return prepared;
  }
  prepared.question = sample.prompt_text;
  prepared.response = std::string(carr::JudgedResponse(sample.completion_text));
  if (!prepared.need_rubric) {
    return prepared;
  }
  // An empty context makes R_r = 0 whatever the judges say (§1.3 steps 1 and 4), so it is
  // checked before any judge is called.
  if (prepared.rubrics.texts.empty()) {
    prepared.rubric_zero = "no_rubrics";
    return prepared;
  }
  const std::vector<std::string> cited = carr::CitedUrls(prepared.response, kMaxCitedUrls);
  if (cited.empty()) {
    prepared.rubric_zero = "no_citations";
    return prepared;
  }
  const carr::EvidenceStore store = carr::BuildEvidenceStore(sample.completion);
  prepared.skipped_outputs = store.skipped_outputs;
  prepared.context =
      carr::CitationContext(store, cited, static_cast<std::size_t>(options.max_pages),
                            static_cast<std::size_t>(options.max_context_bytes));
  if (prepared.context.empty()) {
    prepared.rubric_zero = "no_cited_pages";
    return prepared;
  }
  prepared.need_identify = true;
  return prepared;
}

// ---- Judge calls ------------------------------------------------------------------------------

// A judge's verdict after its attempts: a backend failure, a parsed value, or neither
// (unparseable every time).
template <typename T>
struct Attempted {
  std::optional<Score> failure = {};
  std::optional<T> value = {};
  std::string last_reply = {};
};


class Carr final : public Reward {
 public:
  Carr(CarrOptions options, const Backend* backend, judge::Template outcome,
       judge::Template identify, judge::Template support)
      : options_(std::move(options)),
        backend_(backend),
        outcome_(std::move(outcome)),
        identify_(std::move(identify)),
        support_(std::move(support)) {}

  std::unique_ptr<BatchWork> StartBatch(std::span<const Sample> samples,
                                        std::span<const std::uint8_t> usable) const override {
    auto batch = std::make_unique<Batch>();
    batch->prepared.resize(samples.size());
    batch->outcome.resize(samples.size());
    batch->identify.resize(samples.size());
    batch->started.assign(samples.size(), 0);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      if (!usable.empty() && usable[i] == 0) {
        continue;
      }
      batch->prepared[i] = Prepare(samples[i], options_);
      const Prepared& prepared = batch->prepared[i];
      if (!prepared.decided && prepared.need_outcome) {
        batch->outcome[i] = backend_->Submit(OutcomeCall(prepared));
      }
      if (!prepared.decided && prepared.need_identify) {
        batch->identify[i] = backend_->Submit(IdentifyCall(prepared));
      }
      batch->started[i] = 1;
    }
    return batch;
  }

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    const auto* batch = dynamic_cast<const Batch*>(context.batch_work);
    if (batch != nullptr && context.index < batch->started.size() &&
        batch->started[context.index] != 0) {
      return Finish(batch->prepared[context.index], batch->outcome[context.index],
                    batch->identify[context.index]);
    }
    return Finish(Prepare(sample, options_), nullptr, nullptr);
  }

 private:
  struct Batch final : BatchWork {
    std::vector<Prepared> prepared;
    std::vector<std::shared_ptr<const PendingReply>> outcome;
    std::vector<std::shared_ptr<const PendingReply>> identify;
    std::vector<std::uint8_t> started;
  };

  Call ChatCall(const judge::Template& prompt, std::span<const std::string_view> values,
                std::size_t max_field_bytes) const {
    std::string content;
    prompt.RenderNamed(values, max_field_bytes, content);
    return {.kind = Call::Kind::kChat,
            .body = backends::ChatBody({}, std::move(content), options_.temperature,
                                       options_.max_tokens)};
  }

  std::size_t FieldBytes() const { return static_cast<std::size_t>(options_.max_field_bytes); }

  Call OutcomeCall(const Prepared& p) const {
    const std::string_view values[] = {p.question, p.response, p.answer};
    return ChatCall(outcome_, values, FieldBytes());
  }

  Call IdentifyCall(const Prepared& p) const {
    const std::string constraints = carr::NumberedList('C', p.rubrics.texts);
    const std::string_view values[] = {p.question, constraints, p.response};
    return ChatCall(identify_, values, FieldBytes());
  }

  Call SupportCall(const Prepared& p, std::span<const std::string> statements) const {
    const std::string list = carr::NumberedList('S', statements);
    const std::string_view values[] = {p.context, list};
    // The context was already cut at max_context_bytes when it was built: the cap here must not
    // cut it again (statements are bounded by the rubric count and the judge's reply length).
    const std::size_t cap =
        std::max(FieldBytes(), static_cast<std::size_t>(options_.max_context_bytes) + 64);
    return ChatCall(support_, values, cap);
  }

  // Asks `call` up to `attempts` times (the first may already be `pending`) until `parse`
  // accepts the reply text. Re-queries carry "seed": <attempt number>.
  template <typename T, typename Parse>
  Attempted<T> Ask(const Call& call, std::shared_ptr<const PendingReply> pending,
                   std::int64_t attempts, const Parse& parse) const {
    Attempted<T> out;
    for (std::int64_t attempt = 0; attempt < attempts; ++attempt) {
      if (attempt > 0 || pending == nullptr) {
        Call retry = call;
        if (attempt > 0) {
          retry.body.Set("seed", Json::Num(static_cast<double>(attempt)));
        }
        pending = backend_->Submit(std::move(retry));
      }
      const Reply& reply = pending->Wait();
      if (!reply.ok()) {
        out.failure = Score::Error(reply.error, reply.detail);
        return out;
      }
      const std::optional<std::string_view> text = backends::ChatReplyText(reply);
      if (!text) {
        out.failure = Score::Error("backend_bad_response",
                                   "the chat reply has no choices[0].message.content text");
        return out;
      }
      out.value = parse(*text);
      if (out.value) {
        return out;
      }
      out.last_reply = std::string(*text);
      pending = nullptr;
    }
    return out;
  }

  // What the rubric side found: a backend failure, or R_r with its reason and records.
  struct RubricResult {
    std::optional<Score> failure = {};
    double value = 0;
    std::string_view reason = {};
    std::string records = {};
    std::vector<ItemVerdict> items = {};  // One per rubric, when the judges answered.
  };

  Score Finish(const Prepared& p, std::shared_ptr<const PendingReply> outcome_pending,
               std::shared_ptr<const PendingReply> identify_pending) const {
    if (p.decided) {
      return *p.decided;
    }
    std::string_view reason;
    double r_o = 0;
    std::string outcome_note;
    if (p.need_outcome) {
      const Attempted<bool> graded =
          Ask<bool>(OutcomeCall(p), std::move(outcome_pending), options_.outcome_attempts,
                    [](std::string_view text) { return carr::ParseOutcomeReply(text); });
      if (graded.failure) {
        return *graded.failure;
      }
      if (!graded.value) {
        reason = "judge_unparseable";
        outcome_note = fmt::format(" (grader unparseable after {} attempts)",
                                   options_.outcome_attempts);
      }
      r_o = graded.value.value_or(false) ? 1.0 : 0.0;
    }
    RubricResult rubric;
    if (p.need_rubric) {
      rubric = RubricReward(p, std::move(identify_pending));
      if (rubric.failure) {
        return *rubric.failure;
      }
      if (reason.empty()) {
        reason = rubric.reason;
      }
    }
    const double alpha = options_.alpha;
    const double value = (1 - alpha) * r_o + alpha * rubric.value;
    std::string explanation = fmt::format("R = {}", value);
    if (p.need_outcome) {
      explanation += fmt::format("; R_o = {}{}", r_o, outcome_note);
    }
    if (p.need_rubric) {
      explanation += fmt::format("; R_r = {}", rubric.value);
      if (!rubric.reason.empty()) {
        explanation += fmt::format(" ({})", rubric.reason);
      }
    }
    if (p.skipped_outputs > 0) {
      explanation += fmt::format("; {} malformed tool outputs skipped", p.skipped_outputs);
    }
    explanation += rubric.records;
    Score score = Score::Ok(value, reason);
    score.explanation = std::move(explanation);
    score.items = std::move(rubric.items);
    return score;
  }

  RubricResult RubricReward(const Prepared& p,
                            std::shared_ptr<const PendingReply> identify_pending) const {
    RubricResult out;
    const carr::Rubrics& rubrics = p.rubrics;
    const std::size_t n = rubrics.texts.size();
    if (!p.need_identify) {
      out.reason = p.rubric_zero;
      return out;
    }
    using Identities = std::vector<std::optional<std::string>>;
    const Attempted<Identities> identified = Ask<Identities>(
        IdentifyCall(p), std::move(identify_pending), options_.rubric_attempts,
        [&](std::string_view text) { return carr::ParseEntityReply(text, rubrics.entities); });
    if (identified.failure) {
      out.failure = identified.failure;
      return out;
    }
    if (!identified.value) {
      out.reason = "judge_unparseable";
      out.records = fmt::format("\nentity identification invalid after {} attempts",
                                options_.rubric_attempts);
      return out;
    }
    const Identities& identities = *identified.value;
    std::vector<std::optional<std::string>> filled(n);
    std::vector<std::string> statements;
    std::vector<std::size_t> statement_rubric;
    for (std::size_t r = 0; r < n; ++r) {
      filled[r] = carr::FillRubric(rubrics, r, identities);
      if (filled[r]) {
        statements.push_back(*filled[r]);
        statement_rubric.push_back(r);
      }
    }
    std::vector<bool> supported(n, false);
    if (statements.empty()) {
      out.reason = "no_entity_identified";
    } else {
      const std::size_t m = statements.size();
      const Attempted<std::vector<bool>> judged = Ask<std::vector<bool>>(
          SupportCall(p, statements), nullptr, options_.rubric_attempts,
          [m](std::string_view text) { return carr::ParseSupportReply(text, m); });
      if (judged.failure) {
        out.failure = judged.failure;
        return out;
      }
      if (!judged.value) {
        out.reason = "judge_unparseable";
        out.records = fmt::format("\nsupport judge invalid after {} attempts",
                                  options_.rubric_attempts);
      } else {
        for (std::size_t s = 0; s < m; ++s) {
          supported[statement_rubric[s]] = (*judged.value)[s];
        }
      }
    }
    const std::vector<bool> connected = carr::ConnectedRubrics(rubrics, supported);
    std::size_t counted = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const bool score = options_.bfs ? connected[r] : supported[r];
      counted += score ? 1 : 0;
      const std::string state = RubricState(filled[r].has_value(), supported[r], connected[r]);
      out.records += RecordLine(rubrics, identities, r, filled[r], state, score);
      out.items.push_back({.item = filled[r] ? *filled[r] : rubrics.texts[r],
                           .value = score ? 1.0 : 0.0,
                           .weight = 1.0,
                           .verdict = state});
    }
    out.value = static_cast<double>(counted) / static_cast<double>(n);
    out.records = fmt::format("\n{}/{} rubrics {}{}", counted, n,
                              options_.bfs ? "connected to E0" : "supported (nobfs)",
                              out.records);
    return out;
  }

  // "identified supported connected", "identified unsupported unconnected", "unidentified".
  static std::string RubricState(bool identified, bool supported, bool connected) {
    if (!identified) {
      return "unidentified";
    }
    return fmt::format("identified {} {}", supported ? "supported" : "unsupported",
                       connected ? "connected" : "unconnected");
  }

  // "r3 1 identified supported connected E0=\"x\" E1=\"y\": \"<filled>\"" (one line).
  static std::string RecordLine(const carr::Rubrics& rubrics,
                                std::span<const std::optional<std::string>> identities,
                                std::size_t r, const std::optional<std::string>& filled,
                                std::string_view state, bool score) {
    std::string line = fmt::format("\nr{} {} {}", r + 1, score ? 1 : 0, state);
    for (const std::size_t entity : rubrics.uses[r]) {
      const std::optional<std::string>& identity = identities[entity];
      line += " " + rubrics.entities[entity] + "=";
      if (identity) {
        AppendQuoted(*identity, kQuoteBytes / 4, line);
      } else {
        line += "null";
      }
    }
    line += ": ";
    AppendQuoted(filled ? *filled : rubrics.texts[r], kQuoteBytes, line);
    return line;
  }

  // `text` as a one-line JSON string, cut at `max_bytes` (on a UTF-8 boundary) with "...".
  static void AppendQuoted(std::string_view text, std::size_t max_bytes, std::string& out) {
    if (text.size() > max_bytes) {
      std::size_t cut = max_bytes;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      AppendJsonString(std::string(text.substr(0, cut)) + "...", out);
      return;
    }
    AppendJsonString(text, out);
  }

  const CarrOptions options_;
  const Backend* const backend_;
  const judge::Template outcome_;
  const judge::Template identify_;
  const judge::Template support_;
};

StatusOr<std::unique_ptr<const Reward>> MakeCarr(const CarrOptions& options,
                                                 const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(const Backend* backend,
                         backends::ResolveBackend(build.backends, options.backend,
                                                  Call::Kind::kChat));
  constexpr std::string_view kOutcomeRequired[] = {"response", "correct_answer"};
  constexpr std::string_view kIdentifyRequired[] = {"constraints", "response"};
  MERIT_ASSIGN_OR_RETURN(judge::Template outcome,
                         CompilePrompt("outcome_prompt", options.outcome_prompt, kOutcomePrompt,
                                       kOutcomeNames, kOutcomeRequired));
  MERIT_ASSIGN_OR_RETURN(judge::Template identify,
                         CompilePrompt("identify_prompt", options.identify_prompt,
                                       kIdentifyPrompt, kIdentifyNames, kIdentifyRequired));
  MERIT_ASSIGN_OR_RETURN(judge::Template support,
                         CompilePrompt("support_prompt", options.support_prompt, kSupportPrompt,
                                       kSupportNames, kSupportNames));
  return std::unique_ptr<const Reward>(std::make_unique<Carr>(
      options, backend, std::move(outcome), std::move(identify), std::move(support)));
}

// ---- c_grpo -----------------------------------------------------------------------------------

struct CGrpoOptions {
  double alpha = 0.3;
  bool normalize = true;
  bool only_positive = true;
  bool only_negative = false;
  bool positive_uses_normalized = false;
  static constexpr auto kFields = std::tuple{
      Field{"alpha", &CGrpoOptions::alpha, "α (rubric_reward_ratio): weight of the rubric score.",
            {.min = 0, .max = 1}},
      Field{"normalize", &CGrpoOptions::normalize,
            "X = R_r / max over the group of R_r (when that max is > 0), else X = R_r."},
      Field{"only_positive", &CGrpoOptions::only_positive,
            "C-GRPO: R = 0 when R_o = 0, else (1-α)·R_o + α·X."},
      Field{"only_negative", &CGrpoOptions::only_negative,
            "R = R_o when R_o > 0, else α·X. Wins over only_positive, as in the released code."},
      Field{"positive_uses_normalized", &CGrpoOptions::positive_uses_normalized,
            "In only_positive, use the normalised X; false (the released code) uses the raw "
            "R_r there even when normalize is on."},
  };
};

// C-GRPO is the released code's if_correct combination (compose/aggregators.h) with CaRR's flag
// names and slots: one mechanism, two registrations. This wrapper only adds the children's
// explanations (R_o's grade, R_r's per-rubric lines) to each combined score, which the engine
// reports for the root node alone.
class CGrpo final : public Aggregator {
 public:
  CGrpo(std::unique_ptr<const Aggregator> mix, std::span<const ChildSpec> children)
      : mix_(std::move(mix)) {
    for (std::size_t i = 0; i < children.size(); ++i) {
      (children[i].slot == "outcome" ? outcome_ : rubric_) = i;
    }
  }

  Score Combine(Children& children) const override {
    Score score = mix_->Combine(children);
    if (score.ok()) {
      Annotate("outcome", children.Get(outcome_), score);
      // "not_correct": the rubric child was skipped (only_positive), so it is not evaluated here.
      if (score.reason != "not_correct") {
        Annotate("rubric", children.Get(rubric_), score);
      }
    }
    return score;
  }

  bool group_level() const override { return mix_->group_level(); }

  void CombineGroup(const GroupScores& scores, std::span<Score> out) const override {
    mix_->CombineGroup(scores, out);
    for (std::size_t m = 0; m < out.size(); ++m) {
      if (out[m].ok()) {
        Annotate("outcome", scores.Get(outcome_, m), out[m]);
        Annotate("rubric", scores.Get(rubric_, m), out[m]);
      }
    }
  }

 private:
  // Appends "<slot>: <the child's explanation, or its reason>" as a line of `score`'s explanation.
  static void Annotate(std::string_view slot, const Score& child, Score& score) {
    const std::string_view text = child.explanation.empty() ? child.reason : child.explanation;
    if (!text.empty()) {
      score.explanation +=
          fmt::format("{}{}: {}", score.explanation.empty() ? "" : "\n", slot, text);
    }
  }

  const std::unique_ptr<const Aggregator> mix_;
  std::size_t outcome_ = 0;
  std::size_t rubric_ = 0;
};

StatusOr<std::unique_ptr<const Aggregator>> MakeCGrpo(const CGrpoOptions& options,
                                                      std::span<const ChildSpec> children) {
  const std::string mode = options.only_negative   ? "only_negative"
                           : options.only_positive ? "only_positive"
                                                   : "both";
  MERIT_ASSIGN_OR_RETURN(
      std::unique_ptr<const Aggregator> mix,
      compose::MakeIfCorrect({.alpha = options.alpha,
                              .mode = mode,
                              .correct_above = 0.0,
                              .normalize = options.normalize,
                              .positive_uses_normalized = options.positive_uses_normalized},
                             children));
  return std::unique_ptr<const Aggregator>(std::make_unique<CGrpo>(std::move(mix), children));
}

constexpr std::string_view kExampleBackends =
    "{judge: {protocol: openai, url: \"http://127.0.0.1:9\", model: rule-judge, retries: 0}}";

}  // namespace

void RegisterCarr(Registry& registry) {
  registry.AddReward<CarrOptions>(
      {.name = "rubric.carr",
       .summary = "CaRR: (1-α)·R_o + α·R_r, R_o a BrowseComp-style grader, R_r the share of "
                  "rubrics whose entities the response identifies, that pages it cited and "
                  "opened support, and that connect to the answer entity.",
       .min = 0,
       .max = 1,
       .example = "{type: rubric.carr, backend: judge, alpha: 0.3}",
       .example_backends = kExampleBackends,
       .source = "issue 7; spec A §1 (CaRR, THUDM/CaRR deepsearch_rm_with_rubrics)"},
      &MakeCarr);
  registry.AddAggregator<CGrpoOptions>(
      {.name = "c_grpo",
       .summary = "C-GRPO group recomputation: the `outcome` child R_o and the `rubric` child "
                  "R_r (rubric.carr with alpha: 1) mixed as (1-α)·R_o + α·X, only for correct "
                  "trajectories by default, X group-max normalised.",
       .min = -std::numeric_limits<double>::infinity(),
       .max = std::numeric_limits<double>::infinity(),
       .example = "{type: c_grpo, alpha: 0.3, outcome: {name: ro, type: field.value, path: ro}, "
                  "rubric: {name: rr, type: field.value, path: rr}}",
       .source = "spec A §1.4 (THUDM/CaRR slime sglang_rollout.py)"},
      {{.name = "outcome", .single = true}, {.name = "rubric", .single = true}}, {}, &MakeCGrpo);
}

}  // namespace merit::rubric
