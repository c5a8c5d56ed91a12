#include "rewards/judge/judges.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "backends/model_reward.h"
#include "rewards/judge/master_keys.h"
#include "rewards/judge/parse.h"
#include "rewards/judge/templates.h"
#include "rewards/match/common.h"
#include "backends/protocol.h"

namespace merit::judge {
namespace {

using backends::Call;
using backends::GroupView;
using backends::ModelPlan;
using backends::ModelReward;
using backends::Reply;

// A judge.verify reference may list acceptable answers; each is one call, so a config with a
// huge list cannot fan out without bound.
constexpr std::size_t kMaxReferenceAlternatives = 16;

enum class Vote : std::uint8_t { kMean, kMajority };

std::string NumberText(double value) {
  std::string text;
  AppendJsonNumber(value, text);
  return text;
}

Status CheckScale(double min, double max) {
  if (!std::isfinite(min) || !std::isfinite(max) || !(min < max)) {
    return InvalidArgumentError(
        fmt::format("min ({}) must be below max ({}), both finite", min, max));
  }
  return OkStatus();
}

// What every judge holds: its backend, its prompt and how it calls and votes.
struct JudgeCore {
  const backends::Backend* backend = nullptr;
  Prompt prompt;
  double temperature = 0;
  std::int64_t max_tokens = 0;
  std::int64_t samples = 1;
  Vote vote = Vote::kMean;
  std::size_t max_field_bytes = 0;
  // The scale (verify and pairwise: [0, 1]) and whether results are mapped onto [0, 1].
  double min = 0;
  double max = 1;
  bool normalize = true;
  std::string min_text;  // The scale as the prompt states it.
  std::string max_text;

  // The reward of a completion that gives the judge nothing: the bottom of the scale.
  double Worst() const { return normalize ? 0.0 : min; }
  // A judged value (clamped to the scale), as the reward reports it.
  double Reward(double value) const {
    value = std::clamp(value, min, max);
    return normalize ? (value - min) / (max - min) : value;
  }
};

StatusOr<JudgeCore> MakeCore(const CommonOptions& options, const BuildContext& build,
                             JudgeKind kind, double min = 0, double max = 1,
                             bool normalize = true) {
  MERIT_ASSIGN_OR_RETURN(const backends::Backend* backend,
                         backends::ResolveBackend(build.backends, options.backend,
                                                  Call::Kind::kChat));
  MERIT_ASSIGN_OR_RETURN(Prompt prompt,
                         MakePrompt(kind, options.system_prompt, options.prompt_template));
  return JudgeCore{.backend = backend,
                   .prompt = std::move(prompt),
                   .temperature = options.temperature,
                   .max_tokens = options.max_tokens,
                   .samples = options.samples,
                   .vote = options.vote == "majority" ? Vote::kMajority : Vote::kMean,
                   .max_field_bytes = static_cast<std::size_t>(options.max_field_bytes),
                   .min = min,
                   .max = max,
                   .normalize = normalize,
                   .min_text = NumberText(min),
                   .max_text = NumberText(max)};
}

// The chat request for one prompt. `values` needs only the text slots; the scale is added here.
ModelPlan::Request ChatRequest(const JudgeCore& core, SlotValues values) {
  values.Set(Slot::kMin, core.min_text);
  values.Set(Slot::kMax, core.max_text);
  std::string system;
  core.prompt.system.RenderTo(values, core.max_field_bytes, system);
  std::string user;
  const Template& user_template = values.Get(Slot::kPrinciples).empty()
                                      ? core.prompt.user
                                      : core.prompt.user_with_principles;
  user_template.RenderTo(values, core.max_field_bytes, user);
  Json body = backends::ChatBody(std::move(system), std::move(user), core.temperature,
                                 core.max_tokens);
  if (core.samples > 1) {
    body.Set("n", Json::Num(static_cast<double>(core.samples)));
  }
  return {.backend = core.backend, .call = {.kind = Call::Kind::kChat, .body = std::move(body)}};
}


Score NoChoices() {
  return Score::Error("backend_bad_response",
                      "the chat reply has no choices[].message.content text");
}

double Combine(std::span<const double> values, Vote vote) {
  if (vote == Vote::kMean) {
    double sum = 0;
    for (const double v : values) {
      sum += v;
    }
    return sum / static_cast<double>(values.size());
  }
  // The most frequent value; among equally frequent ones the lowest, so a split vote never rounds
  // up (two replies YES and NO are NO).
  double best = 0;
  std::size_t best_count = 0;
  for (const double candidate : values) {
    const auto count =
        static_cast<std::size_t>(std::count(values.begin(), values.end(), candidate));
    if (count > best_count || (count == best_count && candidate < best)) {
      best = candidate;
      best_count = count;
    }
  }
  return best;
}

// One value per choice, by `parse`, combined by the vote. On failure, `failure` holds the error.
struct Voted {
  double value = 0;
  std::optional<Score> failure = {};
};

Score Unparseable(std::string_view expected, std::string_view reply) {
  return Score::Error("judge_unparseable", fmt::format("expected a last line {}; the reply ends "
                                                       "with: {}",
                                                       expected, ReplyTail(reply)));
}

// `parse` maps one reply text to its value, nullopt when it does not parse.
template <typename Parse>
Voted VoteReply(const Reply& reply, Vote vote, std::string_view expected, const Parse& parse) {
  const std::optional<std::vector<std::string_view>> texts = backends::ChatChoiceTexts(reply);
  if (!texts) {
    return {.failure = NoChoices()};
  }
  std::vector<double> values;
  values.reserve(texts->size());
  for (const std::string_view text : *texts) {
    const std::optional<double> value = parse(text);
    if (!value) {
      return {.failure = Unparseable(expected, text)};
    }
    values.push_back(*value);
  }
  return {.value = Combine(values, vote)};
}

// What a judge is shown, or the score decided without one.
struct Shown {
  std::string_view text = {};
  std::optional<Score> decided = {};
};

// `answer` with its leading master keys removed, or the score of an answer that gives the judge
// nothing to read: `worst` with reason no_answer (blank) or master_key.
Shown ScreenForJudge(std::string_view answer, double worst) {
  const Screened screened = ScreenResponse(answer);
  switch (screened.verdict) {
    case Screen::kBlank:
      return {.decided = Score::Ok(worst, "no_answer")};
    case Screen::kMasterKey: {
      Score score = Score::Ok(worst, "master_key");
      score.explanation = "only punctuation or reasoning openers (master keys): no judge called";
      return {.decided = std::move(score)};
    }
    case Screen::kContent:
      break;
  }
  return {.text = screened.rest};
}

// ScreenForJudge on the completion after its reasoning: what every judge but verify shows.
Shown ScreenCompletion(const Sample& sample, double worst) {
  return ScreenForJudge(match::AfterThinking(sample.completion_text), worst);
}

ModelPlan SingleCall(const JudgeCore& core, const SlotValues& values) {
  ModelPlan plan;
  plan.requests.push_back(ChatRequest(core, values));
  return plan;
}

ModelPlan Decided(Score score) {
  ModelPlan plan;
  plan.decided = std::move(score);
  return plan;
}

// A "SCORE: N" reply on the core's scale (judge.score, judge.gap).
Voted VoteScore(const Reply& reply, const JudgeCore& core) {
  return VoteReply(reply, core.vote,
                   fmt::format("SCORE: N with N in [{}, {}]", core.min_text, core.max_text),
                   [&core](std::string_view text) { return ParseScore(text, core.min, core.max); });
}

// A reference response (judge.pairwise, judge.gap): a non-blank string, or a number's text.
Shown ReferenceResponse(const Json& reference) {
  if (reference.is_null()) {
    return {.decided = Score::Unscorable("no_reference", "the sample has no reference response")};
  }
  if (reference.is_number()) {
    return {.text = reference.number_text()};
  }
  if (!reference.is_string()) {
    return {.decided = Score::Unscorable(
                "reference_unparseable",
                fmt::format("the reference response must be a string, not {}",
                            Json::TypeName(reference.type())))};
  }
  if (match::TrimSpace(reference.str()).empty()) {
    return {.decided = Score::Unscorable("no_reference", "the reference response is blank")};
  }
  return {.text = reference.str()};
}

// ---------------------------------------------------------------------------------------------
// judge.verify

class Verify final : public ModelReward {
 public:
  explicit Verify(JudgeCore core) : core_(std::move(core)) {}

 protected:
  ModelPlan Plan(const Sample& sample, const GroupView& /*group*/) const override {
    if (std::optional<Score> bad = match::CheckReference(sample.reference)) {
      return Decided(std::move(*bad));
    }
    const std::span<const Json> alternatives = match::ReferenceAlternatives(sample.reference);
    const std::string_view extracted = ExtractFinalAnswer(sample.completion_text);
    // A reference that is itself an opener word ("Solution" as the name of a thing) is matched
    // literally: the policy did give it, so the judge decides.
    const bool literal =
        !match::TrimSpace(extracted).empty() &&
        std::any_of(alternatives.begin(), alternatives.end(), [&](const Json& alternative) {
          return (alternative.is_string() || alternative.is_number()) &&
                 SameWords(extracted, match::ReferenceText(alternative));
        });
    std::string_view answer = extracted;
    if (!literal) {
      // The whole completion first: one made of openers and punctuation has no answer anywhere.
      if (Shown whole = ScreenCompletion(sample, 0); whole.decided) {
        return Decided(std::move(*whole.decided));
      }
      Shown shown = ScreenForJudge(extracted, 0);
      if (shown.decided) {
        return Decided(std::move(*shown.decided));
      }
      answer = shown.text;
    }
    ModelPlan plan;
    for (const Json& alternative : alternatives) {
      if (plan.requests.size() == kMaxReferenceAlternatives) {
        break;
      }
      if (!(alternative.is_string() || alternative.is_number())) {
        continue;
      }
      const std::string_view reference = match::ReferenceText(alternative);
      if (match::TrimSpace(reference).empty()) {
        continue;
      }
      SlotValues values;
      values.Set(Slot::kQuestion, sample.prompt_text);
      values.Set(Slot::kReference, reference);
      values.Set(Slot::kResponse, answer);
      plan.requests.push_back(ChatRequest(core_, values));
    }
    return plan;
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& /*plan*/,
                  std::span<const Reply* const> replies) const override {
    double best = 0;
    for (const Reply* reply : replies) {
      const Voted voted =
          VoteReply(*reply, core_.vote, "VERDICT: YES or VERDICT: NO",
                    [](std::string_view text) -> std::optional<double> {
                      const std::optional<bool> verdict = ParseVerdict(text);
                      if (!verdict) {
                        return std::nullopt;
                      }
                      return *verdict ? 1.0 : 0.0;
                    });
      if (voted.failure) {
        return *voted.failure;
      }
      best = std::max(best, voted.value);
    }
    return best > 0 ? Score::Ok(best) : Score::Ok(0, "wrong_answer");
  }

 private:
  const JudgeCore core_;
};

// ---------------------------------------------------------------------------------------------
// judge.score

class PointwiseScore final : public ModelReward {
 public:
  PointwiseScore(JudgeCore core, std::string principles)
      : core_(std::move(core)), principles_(std::move(principles)) {}

 protected:
  ModelPlan Plan(const Sample& sample, const GroupView& /*group*/) const override {
    Shown response = ScreenCompletion(sample, core_.Worst());
    if (response.decided) {
      return Decided(std::move(*response.decided));
    }
    std::string principles = principles_;
    if (const Json* given = sample.metadata.Find("principles")) {
      if (given->is_string()) {
        principles = given->str();
      } else if (given->is_array()) {
        principles.clear();
        for (const Json& line : given->array()) {
          if (line.is_string()) {
            principles += fmt::format("- {}\n", line.str());
          }
        }
      }
    }
    SlotValues values;
    values.Set(Slot::kQuestion, sample.prompt_text);
    values.Set(Slot::kResponse, response.text);
    values.Set(Slot::kPrinciples, principles);
    return SingleCall(core_, values);
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& /*plan*/,
                  std::span<const Reply* const> replies) const override {
    const Voted voted = VoteScore(*replies.front(), core_);
    if (voted.failure) {
      return *voted.failure;
    }
    return Score::Ok(core_.Reward(voted.value));
  }

 private:
  const JudgeCore core_;
  const std::string principles_;
};

// ---------------------------------------------------------------------------------------------
// judge.pairwise

// FNV-1a: a fixed hash, so the group reference is the same on every machine and run.
std::uint64_t Fnv1a(std::uint64_t seed, std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  };
  for (int i = 0; i < 8; ++i) {
    mix(static_cast<unsigned char>(seed >> (8 * i)));
  }
  for (const char c : text) {
    mix(static_cast<unsigned char>(c));
  }
  return hash;
}

// BRPO's bootstrapped reference (spec A §12): one member per group, uniformly at random under
// `seed`. The draw hashes each member's completion with the seed and takes the smallest, so every
// member of a group (planned independently) agrees on it whatever the batch order; identical
// completions tie and the first in batch order wins. Each member plans the whole group, so only
// the completion's length and its first and last 2 KiB are hashed: a group of long completions
// costs O(G^2 * 4 KiB), not O(G^2 * length).
std::size_t GroupReference(const GroupView& group, std::int64_t seed) {
  constexpr std::size_t kEdgeBytes = 2048;
  std::size_t best = 0;
  std::uint64_t best_hash = 0;
  for (std::size_t i = 0; i < group.members.size(); ++i) {
    const std::string_view text = group.members[i]->completion_text;
    std::uint64_t hash = Fnv1a(static_cast<std::uint64_t>(seed) ^ text.size(),
                               text.substr(0, kEdgeBytes));
    if (text.size() > kEdgeBytes) {
      hash = Fnv1a(hash, text.substr(std::max(kEdgeBytes, text.size() - kEdgeBytes)));
    }
    if (i == 0 || hash < best_hash) {
      best = i;
      best_hash = hash;
    }
  }
  return best;
}

class Pairwise final : public ModelReward {
 public:
  Pairwise(JudgeCore core, PairwiseOptions options)
      : core_(std::move(core)), options_(std::move(options)) {}

 protected:
  ModelPlan Plan(const Sample& sample, const GroupView& group) const override {
    std::string_view reference;
    if (options_.reference == "group") {
      const std::size_t chosen = GroupReference(group, options_.seed);
      if (chosen == group.self) {
        return Decided(Score::Unscorable(
            "group_reference",
            group.members.size() == 1
                ? "the sample's group has no other member to compare with"
                : "this sample is its group's bootstrapped reference (BRPO excludes it)"));
      }
      reference = group.members[chosen]->completion_text;
    } else {
      Shown given = ReferenceResponse(sample.reference);
      if (given.decided) {
        return Decided(std::move(*given.decided));
      }
      reference = given.text;
    }
    Shown response = ScreenCompletion(sample, core_.Worst());
    if (response.decided) {
      return Decided(std::move(*response.decided));
    }
    // The reference is screened too: a group peer may itself be a master key, and a judge fooled
    // by one (or by an empty block) in position A would hand it the win. A completion with
    // content beats a content-free reference without asking.
    const Screened screened_reference = ScreenResponse(match::AfterThinking(reference));
    if (screened_reference.verdict != Screen::kContent) {
      Score win = Score::Ok(1, "reference_master_key");
      win.explanation = "the reference is only punctuation or reasoning openers: no judge called";
      return Decided(std::move(win));
    }
    const std::string_view shown_reference = screened_reference.rest;
    SlotValues first;
    first.Set(Slot::kQuestion, sample.prompt_text);
    first.Set(Slot::kResponseA, response.text);
    first.Set(Slot::kResponseB, shown_reference);
    ModelPlan plan;
    plan.requests.push_back(ChatRequest(core_, first));
    if (options_.both_orders) {
      SlotValues second = first;
      second.Set(Slot::kResponseA, shown_reference);
      second.Set(Slot::kResponseB, response.text);
      plan.requests.push_back(ChatRequest(core_, second));
    }
    return plan;
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& /*plan*/,
                  std::span<const Reply* const> replies) const override {
    // Each order's value from the completion's side: 1 it wins, 0.5 tie, 0 it loses.
    std::vector<double> orders;
    for (std::size_t order = 0; order < replies.size(); ++order) {
      const Winner completion_position = order == 0 ? Winner::kA : Winner::kB;
      const Voted voted = VoteReply(
          *replies[order], core_.vote, "WINNER: A, WINNER: B or WINNER: TIE",
          [completion_position](std::string_view text) -> std::optional<double> {
            const std::optional<Winner> winner = ParseWinner(text);
            if (!winner) {
              return std::nullopt;
            }
            if (*winner == Winner::kTie) {
              return 0.5;
            }
            return *winner == completion_position ? 1.0 : 0.0;
          });
      if (voted.failure) {
        return *voted.failure;
      }
      orders.push_back(voted.value);
    }
    if (orders.size() == 1) {
      return Score::Ok(orders[0]);
    }
    // A preference counts only when both orders lean the same way (spec A §12, B §20c): "A wins"
    // then "B wins" is position bias, and a win in one order with a tie in the other is not a
    // consistent win either.
    const bool both_win = orders[0] > 0.5 && orders[1] > 0.5;
    const bool both_lose = orders[0] < 0.5 && orders[1] < 0.5;
    if (!both_win && !both_lose) {
      Score tie = Score::Ok(0.5, orders[0] == orders[1] ? "tie" : "inconsistent_orders");
      tie.explanation = fmt::format("completion first: {}, reference first: {}", orders[0],
                                    orders[1]);
      return tie;
    }
    return Score::Ok((orders[0] + orders[1]) / 2);
  }

 private:
  const JudgeCore core_;
  const PairwiseOptions options_;
};

// ---------------------------------------------------------------------------------------------
// judge.critique

class Critique final : public ModelReward {
 public:
  Critique(JudgeCore core, CritiqueOptions options, std::string dimension_list)
      : core_(std::move(core)),
        options_(std::move(options)),
        dimension_list_(std::move(dimension_list)) {}

 protected:
  ModelPlan Plan(const Sample& sample, const GroupView& /*group*/) const override {
    Shown response = ScreenCompletion(sample, core_.Worst());
    if (response.decided) {
      return Decided(std::move(*response.decided));
    }
    SlotValues values;
    values.Set(Slot::kQuestion, sample.prompt_text);
    values.Set(Slot::kResponse, response.text);
    values.Set(Slot::kDimensions, dimension_list_);
    return SingleCall(core_, values);
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& /*plan*/,
                  std::span<const Reply* const> replies) const override {
    const std::optional<std::vector<std::string_view>> texts =
        backends::ChatChoiceTexts(*replies.front());
    if (!texts) {
      return NoChoices();
    }
    const std::size_t dimensions = options_.dimensions.size();
    // by_dimension[d][c]: choice c's score of dimension d.
    std::vector<std::vector<double>> by_dimension(dimensions);
    for (const std::string_view text : *texts) {
      const std::optional<std::vector<double>> parsed =
          ParseDimensions(text, options_.dimensions, core_.min, core_.max);
      if (!parsed) {
        return Unparseable(
            fmt::format("block of \"<dimension>: N\" lines for {} with N in [{}, {}]",
                        dimension_list_, core_.min_text, core_.max_text),
            text);
      }
      for (std::size_t d = 0; d < dimensions; ++d) {
        by_dimension[d].push_back((*parsed)[d]);
      }
    }
    double weighted = 0;
    double total_weight = 0;
    std::string explanation;
    for (std::size_t d = 0; d < dimensions; ++d) {
      const double value = Combine(by_dimension[d], core_.vote);
      const double weight = options_.weights.empty() ? 1.0 : options_.weights[d];
      weighted += weight * value;
      total_weight += weight;
      explanation += fmt::format("{}{}={}", d == 0 ? "" : " ", options_.dimensions[d],
                                 NumberText(value));
    }
    Score score = Score::Ok(core_.Reward(weighted / total_weight));
    score.explanation = std::move(explanation);
    return score;
  }

 private:
  const JudgeCore core_;
  const CritiqueOptions options_;
  const std::string dimension_list_;  // "helpfulness, correctness, clarity".
};

// ---------------------------------------------------------------------------------------------
// judge.gap

class Gap final : public ModelReward {
 public:
  Gap(JudgeCore core, bool calibrate) : core_(std::move(core)), calibrate_(calibrate) {}

 protected:
  ModelPlan Plan(const Sample& sample, const GroupView& /*group*/) const override {
    const Shown reference = ReferenceResponse(sample.reference);
    if (reference.decided) {
      return Decided(*reference.decided);
    }
    Shown response = ScreenCompletion(sample, core_.Worst());
    if (response.decided) {
      return Decided(std::move(*response.decided));
    }
    SlotValues values;
    values.Set(Slot::kQuestion, sample.prompt_text);
    values.Set(Slot::kReference, reference.text);
    values.Set(Slot::kResponse, response.text);
    ModelPlan plan;
    plan.requests.push_back(ChatRequest(core_, values));
    if (calibrate_) {
      values.Set(Slot::kResponse, reference.text);
      plan.requests.push_back(ChatRequest(core_, values));
    }
    return plan;
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& /*plan*/,
                  std::span<const Reply* const> replies) const override {
    std::vector<double> gaps;
    for (const Reply* reply : replies) {
      const Voted voted = VoteScore(*reply, core_);
      if (voted.failure) {
        return *voted.failure;
      }
      gaps.push_back(voted.value);
    }
    // PIT's calibrated output: r_gap(y, y_ref) - r_gap(y_ref, y_ref) (spec B §13, edge cases).
    const double gap = gaps.size() == 2 ? gaps[0] - gaps[1] : gaps[0];
    Score score = Score::Ok(core_.Reward(gap));
    if (gaps.size() == 2) {
      score.explanation = fmt::format("gap {} minus the reference's self-gap {}",
                                      NumberText(gaps[0]), NumberText(gaps[1]));
    }
    return score;
  }

 private:
  const JudgeCore core_;
  const bool calibrate_;
};

}  // namespace

Status CommonOptions::ValidateCommon() const {
  if (backend.empty()) {
    return InvalidArgumentError(
        "backend: required: the name of a chat backend in the config's backends: section");
  }
  return OkStatus();
}

Status ScoreOptions::Validate() const {
  MERIT_RETURN_IF_ERROR(ValidateCommon());
  return CheckScale(min, max);
}

Status CritiqueOptions::Validate() const {
  MERIT_RETURN_IF_ERROR(ValidateCommon());
  MERIT_RETURN_IF_ERROR(CheckScale(min, max));
  if (dimensions.empty()) {
    return InvalidArgumentError("dimensions: at least one dimension is needed");
  }
  for (std::size_t i = 0; i < dimensions.size(); ++i) {
    const std::string& name = dimensions[i];
    const bool valid_chars = std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || c == ' ';
    });
    if (name.empty() || !valid_chars || name.front() == ' ' || name.back() == ' ') {
      return InvalidArgumentError(fmt::format(
          "dimensions[{}]: \"{}\" is not a dimension name (letters, digits, '_', '-' and inner "
          "spaces)",
          i, name));
    }
    if (std::find(dimensions.begin(), dimensions.begin() + static_cast<std::ptrdiff_t>(i),
                  name) != dimensions.begin() + static_cast<std::ptrdiff_t>(i)) {
      return InvalidArgumentError(fmt::format("dimensions[{}]: \"{}\" is listed twice", i, name));
    }
  }
  if (!weights.empty()) {
    if (weights.size() != dimensions.size()) {
      return InvalidArgumentError(fmt::format("weights: {} weights for {} dimensions",
                                              weights.size(), dimensions.size()));
    }
    double total = 0;
    for (const double weight : weights) {
      if (!(weight >= 0) || !std::isfinite(weight)) {
        return InvalidArgumentError("weights: every weight must be finite and >= 0");
      }
      total += weight;
    }
    if (!(total > 0)) {
      return InvalidArgumentError("weights: at least one weight must be > 0");
    }
  }
  return OkStatus();
}

Status GapOptions::Validate() const {
  MERIT_RETURN_IF_ERROR(ValidateCommon());
  return CheckScale(min, max);
}

RewardOr MakeVerify(const VerifyOptions& options, const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(JudgeCore core, MakeCore(options, build, JudgeKind::kVerify));
  return std::unique_ptr<const Reward>(std::make_unique<Verify>(std::move(core)));
}

RewardOr MakeScore(const ScoreOptions& options, const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(JudgeCore core, MakeCore(options, build, JudgeKind::kScore, options.min,
                                                  options.max, options.normalize));
  return std::unique_ptr<const Reward>(
      std::make_unique<PointwiseScore>(std::move(core), options.principles));
}

RewardOr MakePairwise(const PairwiseOptions& options, const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(JudgeCore core, MakeCore(options, build, JudgeKind::kPairwise));
  return std::unique_ptr<const Reward>(std::make_unique<Pairwise>(std::move(core), options));
}

RewardOr MakeCritique(const CritiqueOptions& options, const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(JudgeCore core, MakeCore(options, build, JudgeKind::kCritique,
                                                  options.min, options.max, options.normalize));
  std::string list;
  for (const std::string& dimension : options.dimensions) {
    list += list.empty() ? dimension : ", " + dimension;
  }
  return std::unique_ptr<const Reward>(
      std::make_unique<Critique>(std::move(core), options, std::move(list)));
}

RewardOr MakeGap(const GapOptions& options, const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(JudgeCore core, MakeCore(options, build, JudgeKind::kGap, options.min,
                                                  options.max, options.normalize));
  return std::unique_ptr<const Reward>(std::make_unique<Gap>(std::move(core), options.calibrate));
}

}  // namespace merit::judge
