#include "explain/explain.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "merit/json.h"
#include "merit/result.h"

namespace merit::explain {
namespace {

// Output texts are cut here: enough to recognise a sentence or an item, small enough that an
// explanation of 64 long players stays readable.
constexpr std::size_t kMaxTextBytes = 200;

// Singular names for one player of each kind, indexed by PlayerKind.
constexpr std::string_view kPlayerNouns[] = {"sentence", "sub_sentence", "paragraph", "step",
                                             "rubric_item"};

// What one sample needs while its coalitions are scored.
struct Work {
  std::optional<PlayerSet> players;
  ShapleyPlan plan;
  std::vector<double> values;
  // The first coalition (in plan order) whose reward was not ok, and why.
  std::optional<std::size_t> failed;
  std::string failure;
};

std::string CoalitionText(Coalition coalition) {
  std::string text = "{";
  for (std::size_t i = 0; i < kMaxPlayers; ++i) {
    if ((coalition >> i & 1) != 0) {
      text += fmt::format("{}{}", text.size() > 1 ? ", " : "", i);
    }
  }
  return text + "}";
}

std::string NotOkText(const Result& result) {
  std::string text = fmt::format("{}", ScoreStatusName(result.status));
  if (!result.reason.empty()) {
    text += fmt::format(" ({}{}{})", result.reason, result.explanation.empty() ? "" : ": ",
                        result.explanation);
  }
  return text;
}

// Rough memory of a coalition sample: its completion twice (text and Json) and its prompt.
std::size_t SampleBytes(const Sample& sample) {
  return 2 * sample.completion_text.size() + sample.prompt_text.size() + 1024;
}

// Scores samples in chunks bounded by count and bytes; `make(k, sample)` fills the k-th sample
// and `take(k, result)` receives its result.
template <typename Make, typename Take>
void ScoreInChunks(const Engine& engine, std::size_t count, const ExplainOptions& options,
                   Make make, Take take) {
  std::vector<Sample> chunk;
  std::size_t first = 0;
  std::size_t bytes = 0;
  const auto flush = [&] {
    const std::vector<Result> results = engine.ScoreBatch(chunk);
    for (std::size_t j = 0; j < results.size(); ++j) {
      take(first + j, results[j]);
    }
    first += chunk.size();
    chunk.clear();
    bytes = 0;
  };
  for (std::size_t k = 0; k < count; ++k) {
    chunk.emplace_back();
    make(k, &chunk.back());
    chunk.back().group.clear();
    bytes += SampleBytes(chunk.back());
    if (chunk.size() >= std::max<std::size_t>(1, options.max_chunk_samples) ||
        bytes >= options.max_chunk_bytes) {
      flush();
    }
  }
  if (!chunk.empty()) {
    flush();
  }
}

// The plan for n players, or why the caps exclude the sample (error and detail set).
std::optional<ShapleyPlan> Plan(std::size_t n, const ExplainOptions& options,
                                Explanation& explanation) {
  const bool exact = options.method == MethodChoice::kExact ||
                     (options.method == MethodChoice::kAuto && n <= options.max_exact);
  if (n > options.max_players || (exact && n > options.max_exact)) {
    explanation.error = "too_many_players";
    explanation.detail =
        n > options.max_players
            ? fmt::format("{} players; the cap is {} (--max-players)", n, options.max_players)
            : fmt::format("{} players; exact enumeration is capped at {} (--max-exact)", n,
                          options.max_exact);
    return std::nullopt;
  }
  StatusOr<ShapleyPlan> plan =
      exact ? PlanExact(n) : PlanPermutations(n, options.permutations, options.seed);
  if (!plan.ok()) {
    explanation.error = "too_many_players";
    explanation.detail = plan.status().message();
    return std::nullopt;
  }
  if (plan->coalitions.size() > options.max_evaluations) {
    explanation.error = "too_many_evaluations";
    explanation.detail = fmt::format("{} coalitions to score; the cap is {}",
                                     plan->coalitions.size(), options.max_evaluations);
    return std::nullopt;
  }
  return std::move(*plan);
}

void AppendKey(std::string_view key, std::string& out) {
  out += ',';
  AppendJsonString(key, out);
  out += ':';
}

void AppendNumberField(std::string_view key, double value, std::string& out) {
  AppendKey(key, out);
  AppendJsonNumber(value, out);
}

void AppendHead(std::size_t line, std::optional<std::string_view> id, std::string& out) {
  out += fmt::format("{{\"line\":{}", line);
  AppendKey("id", out);
  if (id) {
    AppendJsonString(*id, out);
  } else {
    out += "null";
  }
}

// `text` cut to at most `limit` bytes without splitting a UTF-8 character.
std::string_view Cut(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return text;
  }
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

}  // namespace

std::vector<Explanation> ExplainBatch(const Engine& engine, std::span<const Sample> samples,
                                      const ExplainOptions& options) {
  std::vector<Explanation> explanations(samples.size());
  std::vector<Work> work(samples.size());
  // Players and plans first: they cost no reward computation, and a sample the caps exclude
  // then costs none either.
  std::vector<std::size_t> planned;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    Explanation& explanation = explanations[i];
    StatusOr<PlayerSet> players = PlayerSet::Create(samples[i], options.players);
    if (!players.ok()) {
      explanation.error = "no_players";
      explanation.detail = players.status().message();
      continue;
    }
    std::optional<ShapleyPlan> plan = Plan(players->size(), options, explanation);
    if (!plan) {
      continue;
    }
    Work& w = work[i];
    w.players.emplace(std::move(*players));
    w.plan = std::move(*plan);
    w.values.assign(w.plan.coalitions.size(), 0.0);
    planned.push_back(i);
  }
  // v(N) next, alone: a sample whose full reward is not ok costs no coalitions. The plan's last
  // coalition is N (also for n = 0, where N = ∅), valued here from the sample as given.
  ScoreInChunks(
      engine, planned.size(), options,
      [&](std::size_t p, Sample* out) { *out = samples[planned[p]]; },
      [&](std::size_t p, const Result& result) {
        const std::size_t i = planned[p];
        if (result.reward) {
          work[i].values.back() = *result.reward;
        } else {
          explanations[i].error = "reward_not_ok";
          explanations[i].detail =
              fmt::format("the reward of the full sample is {}", NotOkText(result));
          work[i].players.reset();
        }
      });
  // (sample, coalition index) of every other coalition.
  std::vector<std::pair<std::size_t, std::size_t>> jobs;
  for (const std::size_t i : planned) {
    for (std::size_t k = 0; work[i].players && k + 1 < work[i].plan.coalitions.size(); ++k) {
      jobs.emplace_back(i, k);
    }
  }
  ScoreInChunks(
      engine, jobs.size(), options,
      [&](std::size_t j, Sample* out) {
        const auto [i, k] = jobs[j];
        work[i].players->Build(work[i].plan.coalitions[k], out);
      },
      [&](std::size_t j, const Result& result) {
        const auto [i, k] = jobs[j];
        Work& w = work[i];
        if (result.reward) {
          w.values[k] = *result.reward;
        } else if (!w.failed || k < *w.failed) {
          w.failed = k;
          w.failure = NotOkText(result);
        }
      });
  for (std::size_t i = 0; i < samples.size(); ++i) {
    Explanation& explanation = explanations[i];
    Work& w = work[i];
    if (!w.players) {
      continue;
    }
    explanation.evaluations = w.plan.coalitions.size();
    if (w.failed) {
      explanation.error = "coalition_not_ok";
      explanation.detail =
          fmt::format("the reward of coalition {} is {}",
                      CoalitionText(w.plan.coalitions[*w.failed]), w.failure);
      continue;
    }
    explanation.players = w.players->players();
    explanation.method = w.plan.method;
    explanation.shapley = SolveShapley(w.plan, w.values);
  }
  return explanations;
}

void AppendExplanationJson(std::size_t line, std::string_view id, PlayerKind kind,
                           const Explanation& explanation, std::string& out) {
  if (!explanation.error.empty()) {
    AppendLineErrorJson(line, id, explanation.error, explanation.detail, out);
    return;
  }
  AppendHead(line, id, out);
  AppendKey("players", out);
  out += '[';
  const ShapleyResult& shapley = explanation.shapley;
  for (std::size_t i = 0; i < explanation.players.size(); ++i) {
    const Player& player = explanation.players[i];
    out += fmt::format("{}{{\"index\":{}", i == 0 ? "" : ",", i);
    AppendKey("kind", out);
    AppendJsonString(kPlayerNouns[static_cast<std::size_t>(kind)], out);
    AppendKey("text", out);
    AppendJsonString(Cut(player.text, kMaxTextBytes), out);
    if (player.start && player.end) {
      out += fmt::format(",\"start\":{},\"end\":{}", *player.start, *player.end);
    }
    AppendNumberField("phi", shapley.phi[i], out);
    if (!shapley.standard_error.empty()) {
      AppendNumberField("se", shapley.standard_error[i], out);
    }
    out += '}';
  }
  out += ']';
  AppendNumberField("v_empty", shapley.v_empty, out);
  AppendNumberField("v_full", shapley.v_full, out);
  AppendNumberField("sum", shapley.sum, out);
  AppendNumberField("efficiency_gap", shapley.efficiency_gap, out);
  AppendKey("method", out);
  AppendJsonString(ShapleyMethodName(explanation.method), out);
  out += fmt::format(",\"evaluations\":{}}}", explanation.evaluations);
}

void AppendLineErrorJson(std::size_t line, std::optional<std::string_view> id,
                         std::string_view error, std::string_view detail, std::string& out) {
  AppendHead(line, id, out);
  AppendKey("error", out);
  AppendJsonString(error, out);
  AppendKey("detail", out);
  AppendJsonString(detail, out);
  out += '}';
}

}  // namespace merit::explain
