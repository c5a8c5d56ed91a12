#include "rewards/segment/dense.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "text/length.h"

namespace merit::segment {
namespace {

enum class Level : std::uint8_t { kSubSentence, kSentence, kResponse };
enum class Map : std::uint8_t { kRaw, kBinary, kAffine };

struct Component {
  ComponentOptions options;
  Level level = Level::kSentence;
  Map map = Map::kRaw;
  bool prefix = false;  // context: prefix.
  std::unique_ptr<const Reward> reward;
};

template <typename Enum>
Enum Choice(std::span<const std::string_view> names, std::string_view name) {
  return static_cast<Enum>(std::find(names.begin(), names.end(), name) - names.begin());
}

double MapValue(const Component& c, double v) {
  switch (c.map) {
    case Map::kBinary:
      return v >= c.options.threshold ? c.options.pass : c.options.fail;
    case Map::kAffine:
      return (v - c.options.mean) / c.options.stddev * c.options.scale + c.options.bias;
    case Map::kRaw:
      break;
  }
  return v;
}

// The segments of one component for one sample: its level's spans, at most max_segments of them
// (the excess joins the last).
std::vector<text::TextSpan> SegmentsOf(Level level, std::string_view completion,
                                       std::size_t min_words, std::size_t max_segments) {
  std::vector<text::TextSpan> spans;
  switch (level) {
    case Level::kSubSentence:
      spans = text::SplitSubSentences(completion, min_words);
      break;
    case Level::kSentence:
      spans = text::SplitSentences(completion);
      break;
    case Level::kResponse:
      // The whole completion, even when empty: the response-level child judges it (an empty
      // answer is judged, not skipped), and its reward lands on the last token.
      spans.push_back({.start = 0, .end = completion.size()});
      break;
  }
  if (spans.size() > max_segments) {
    spans[max_segments - 1].end = spans.back().end;
    spans.resize(max_segments);
  }
  return spans;
}

// What a child sees for one segment: the sample with the segment (or the prefix up to its end) as
// the completion. Token-level fields describe the whole completion, so they are dropped; so is the
// group (segments are not rollouts of one prompt) and metadata.token_offsets (large, and about the
// whole completion).
Sample DerivedSample(const Sample& sample, std::string_view completion) {
  Sample derived;
  derived.id = sample.id;
  derived.prompt = sample.prompt;
  derived.prompt_text = sample.prompt_text;
  derived.completion_text = std::string(completion);
  derived.completion = Json::Str(derived.completion_text);
  derived.reference = sample.reference;
  derived.data_source = sample.data_source;
  if (sample.metadata.is_object()) {
    derived.metadata = Json::Obj();
    for (const auto& [key, value] : sample.metadata.object()) {
      if (key != "token_offsets") {
        derived.metadata.Set(key, value);
      }
    }
  } else {
    derived.metadata = sample.metadata;
  }
  return derived;
}

// One sample's segments per component, and where its derived samples sit in each component's list.
struct SamplePlan {
  bool started = false;
  std::vector<std::vector<text::TextSpan>> spans;  // By component.
  std::vector<std::size_t> first;                  // By component: index of its first derived.
};

// A component's derived samples for the whole batch, and what its child started for them.
struct ComponentBatch {
  std::vector<Sample> derived;
  std::unique_ptr<BatchWork> work;
};

class DenseBatch final : public BatchWork {
 public:
  std::vector<SamplePlan> plans;  // By batch index.
  std::vector<ComponentBatch> components;
};

// The child's ScoreContext, kept per worker so its scratch survives across samples. A nested
// segment.dense gets its own from this context's scratch, so the two never share one.
struct ChildContext : ScoreContext::ScratchBase {
  ScoreContext context;
};

// Token placement inputs read from metadata.token_offsets.
struct TokenLayout {
  std::size_t count = 0;
  std::vector<std::size_t> starts;  // Non-empty tokens only, increasing.
  std::vector<std::size_t> index;
};

// Reads metadata.token_offsets: nullopt layout when absent; an Error score when malformed.
std::optional<Score> ReadTokenOffsets(const Sample& sample, std::optional<TokenLayout>& layout) {
  const Json* offsets =
      sample.metadata.is_object() ? sample.metadata.Find("token_offsets") : nullptr;
  if (offsets == nullptr || offsets->is_null()) {
    return std::nullopt;
  }
  const auto bad = [](std::string detail) {
    return Score::Error("bad_token_offsets", "metadata.token_offsets: " + std::move(detail));
  };
  if (!offsets->is_array()) {
    return bad("expected a list of [start, end] byte offsets");
  }
  const double size = static_cast<double>(sample.completion_text.size());
  TokenLayout out;
  out.count = offsets->array().size();
  for (std::size_t t = 0; t < out.count; ++t) {
    const Json& pair = offsets->array()[t];
    if (!pair.is_array() || pair.array().size() != 2 || !pair.array()[0].is_number() ||
        !pair.array()[1].is_number()) {
      return bad(fmt::format("token {}: expected [start, end]", t));
    }
    const double start = pair.array()[0].number();
    const double end = pair.array()[1].number();
    if (!(start >= 0 && start <= end && end <= size) || start != std::floor(start) ||
        end != std::floor(end)) {
      return bad(fmt::format("token {}: [{}, {}] is not a byte range of the {}-byte completion", t,
                             start, end, sample.completion_text.size()));
    }
    if (start == end) {
      continue;  // Special tokens (HF gives them (0, 0)) hold no text.
    }
    const auto s = static_cast<std::size_t>(start);
    if (!out.starts.empty() && s < out.starts.back()) {
      return bad(fmt::format("token {}: starts before the previous token", t));
    }
    out.starts.push_back(s);
    out.index.push_back(t);
  }
  layout = std::move(out);
  return std::nullopt;
}

class DenseReward final : public Reward {
 public:
  DenseReward(DenseOptions options, std::vector<Component> components)
      : options_(std::move(options)), components_(std::move(components)) {}

  std::unique_ptr<BatchWork> StartBatch(std::span<const Sample> samples,
                                        std::span<const std::uint8_t> usable) const override {
    return Prepare(samples, usable);
  }

  Score Evaluate(const Sample& sample, ScoreContext& context) const override {
    const auto* batch = dynamic_cast<const DenseBatch*>(context.batch_work);
    std::size_t index = context.index;
    std::unique_ptr<DenseBatch> own;
    if (batch == nullptr || index >= batch->plans.size() || !batch->plans[index].started) {
      // Outside a batch: this sample's segments still go to each child as one batch.
      own = Prepare(std::span<const Sample>(&sample, 1), {});
      batch = own.get();
      index = 0;
    }
    return ScoreSample(sample, *batch, batch->plans[index], context);
  }

 private:
  std::unique_ptr<DenseBatch> Prepare(std::span<const Sample> samples,
                                      std::span<const std::uint8_t> usable) const {
    auto batch = std::make_unique<DenseBatch>();
    batch->plans.resize(samples.size());
    batch->components.resize(components_.size());
    const auto min_words = static_cast<std::size_t>(options_.min_words);
    const auto max_segments = static_cast<std::size_t>(options_.max_segments);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      if (!usable.empty() && usable[i] == 0) {
        continue;
      }
      const std::string_view completion = samples[i].completion_text;
      SamplePlan& plan = batch->plans[i];
      plan.started = true;
      plan.spans.resize(components_.size());
      plan.first.resize(components_.size());
      for (std::size_t k = 0; k < components_.size(); ++k) {
        const Component& c = components_[k];
        // Components of one level share its segmentation.
        std::size_t same = 0;
        while (same < k && components_[same].level != c.level) {
          ++same;
        }
        plan.spans[k] = same < k ? plan.spans[same]
                                 : SegmentsOf(c.level, completion, min_words, max_segments);
        std::vector<Sample>& derived = batch->components[k].derived;
        plan.first[k] = derived.size();
        for (const text::TextSpan& span : plan.spans[k]) {
          const std::size_t from = c.prefix ? 0 : span.start;
          derived.push_back(DerivedSample(samples[i], completion.substr(from, span.end - from)));
        }
      }
    }
    // One StartBatch per child over every segment of every sample: a model-backed child has all
    // its calls in flight together.
    for (std::size_t k = 0; k < components_.size(); ++k) {
      batch->components[k].work =
          components_[k].reward->StartBatch(batch->components[k].derived, {});
    }
    return batch;
  }

  Score ScoreSample(const Sample& sample, const DenseBatch& batch, const SamplePlan& plan,
                    ScoreContext& context) const {
    std::optional<TokenLayout> layout;
    if (std::optional<merit::Score> bad = ReadTokenOffsets(sample, layout)) {
      return *bad;
    }
    const bool kl = options_.kl_beta > 0;
    if (kl) {
      if (sample.logprobs.empty() || sample.ref_logprobs.empty()) {
        return merit::Score::Error("missing_field",
                                   "kl_beta > 0 needs the sample's logprobs and ref_logprobs");
      }
      if (sample.logprobs.size() != sample.ref_logprobs.size() ||
          (layout && layout->count != sample.logprobs.size())) {
        return merit::Score::Error(
            "length_mismatch",
            fmt::format("{} logprobs, {} ref_logprobs, {} token offsets", sample.logprobs.size(),
                        sample.ref_logprobs.size(), layout ? layout->count : 0));
      }
    }

    ScoreContext& child = context.Scratch<ChildContext>().context;
    child.segments = nullptr;
    child.steps = nullptr;
    child.tokens = nullptr;
    child.corpus_statistics = {};

    std::vector<double> dense(layout ? layout->count : 0, 0.0);
    double total = 0.0;
    const std::size_t segments_before = context.segments ? context.segments->size() : 0;
    for (std::size_t k = 0; k < components_.size(); ++k) {
      const Component& c = components_[k];
      const ComponentBatch& component = batch.components[k];
      std::optional<std::size_t> last_token;
      double last_value = 0.0;
      for (std::size_t j = 0; j < plan.spans[k].size(); ++j) {
        const text::TextSpan span = plan.spans[k][j];
        child.seed = context.seed + j;
        child.index = plan.first[k] + j;
        child.batch_work = component.work.get();
        const merit::Score got = c.reward->Evaluate(component.derived[child.index], child);
        child.batch_work = nullptr;
        if (!got.ok() || !std::isfinite(got.value)) {
          if (context.segments != nullptr) {
            context.segments->resize(segments_before);
          }
          merit::Score failure =
              got.ok() ? merit::Score::Error("non_finite", "the child's value is not finite")
                       : got;
          failure.explanation = fmt::format("component {} segment {} [{}, {}): {}",
                                            c.options.name, j, span.start, span.end,
                                            failure.explanation);
          return failure;
        }
        const double value = c.options.weight * MapValue(c, got.value);
        total += value;
        if (context.segments != nullptr) {
          context.segments->push_back(
              {.start = span.start, .end = span.end, .reward = value, .component = c.options.name});
        }
        if (layout) {
          // Within a component a later segment on the same token overwrites (spec A §8); segment
          // ends increase, so such segments are consecutive.
          const std::size_t t = std::min(TokenOfSegmentEnd(layout->starts, layout->index, span.end),
                                         layout->count == 0 ? 0 : layout->count - 1);
          if (last_token && *last_token != t && layout->count > 0) {
            dense[*last_token] += last_value;
          }
          last_token = t;
          last_value = value;
        }
      }
      if (last_token && layout->count > 0) {
        dense[*last_token] += last_value;
      }
    }
    if (kl) {
      for (std::size_t t = 0; t < sample.logprobs.size(); ++t) {
        const double term = -options_.kl_beta * (sample.logprobs[t] - sample.ref_logprobs[t]);
        total += term;
        if (layout) {
          dense[t] += term;
        }
      }
    }
    if (layout) {
      total = 0.0;
      for (std::size_t t = 0; t < dense.size(); ++t) {
        total += dense[t];
        if (context.tokens != nullptr) {
          context.tokens->push_back({.start = t, .end = t + 1, .reward = dense[t]});
        }
      }
    }
    if (!std::isfinite(total)) {
      return merit::Score::Error("non_finite", "the dense reward is not finite");
    }
    return merit::Score::Ok(total, text::IsBlank(sample.completion_text)
                                       ? std::string_view("no_answer")
                                       : std::string_view());
  }

  const DenseOptions options_;
  const std::vector<Component> components_;
};

}  // namespace

Status ComponentOptions::Validate() const {
  if (!(stddev > 0) || !std::isfinite(stddev)) {
    return InvalidArgumentError("std must be a positive number");
  }
  return OkStatus();
}

std::size_t TokenOfSegmentEnd(std::span<const std::size_t> token_starts,
                              std::span<const std::size_t> token_index, std::size_t end) {
  const auto after = std::lower_bound(token_starts.begin(), token_starts.end(), end);
  if (after == token_starts.begin()) {
    return 0;
  }
  return token_index[static_cast<std::size_t>(after - token_starts.begin()) - 1];
}

std::vector<double> WhitenRewards(std::span<const double> rewards, bool corrected) {
  std::vector<double> out(rewards.begin(), rewards.end());
  if (rewards.empty()) {
    return out;
  }
  const auto n = static_cast<double>(rewards.size());
  double mean = 0.0;
  for (double r : rewards) {
    mean += r;
  }
  mean /= n;
  double variance = 0.0;
  for (double r : rewards) {
    variance += (r - mean) * (r - mean);
  }
  variance /= n;  // Population variance, as torch's var(unbiased=False) in the released code.
  const double denominator = std::sqrt((corrected ? variance : std::sqrt(variance)) + 1e-8);
  for (double& r : out) {
    r = (r - mean) / denominator + mean;
  }
  return out;
}

StatusOr<std::unique_ptr<const Reward>> MakeDense(const DenseOptions& options,
                                                  const BuildContext& build) {
  if (build.location == nullptr) {
    return FailedPreconditionError("segment.dense needs a config build");
  }
  const ConfigLocation list = build.location->Key("components");
  if (!options.components.is_array() || options.components.array().empty()) {
    return list.Error("expected a non-empty list of components");
  }
  std::vector<Component> components;
  for (std::size_t k = 0; k < options.components.array().size(); ++k) {
    const Json& node = options.components.array()[k];
    const ConfigLocation where = list.Index(k);
    static constexpr std::string_view kStructural[] = {"reward"};
    MERIT_ASSIGN_OR_RETURN(ComponentOptions parsed,
                           ParseOptions<ComponentOptions>(node, where, kStructural));
    const Json* reward = node.is_object() ? node.Find("reward") : nullptr;
    if (reward == nullptr) {
      return where.Error("missing `reward:` (the leaf reward that scores each segment)");
    }
    Component c;
    const std::string key = fmt::format("components[{}].reward", k);
    MERIT_ASSIGN_OR_RETURN(c.reward, BuildLeafReward(*reward, key, build));
    if (parsed.name.empty()) {
      const Json* type = reward->is_object() ? reward->Find("type") : reward;
      parsed.name = type != nullptr && type->is_string() ? type->str() : fmt::format("{}", k);
    }
    c.level = Choice<Level>(kLevelNames, parsed.level);
    c.map = Choice<Map>(kMapNames, parsed.map);
    c.prefix = parsed.context == "prefix";
    c.options = std::move(parsed);
    components.push_back(std::move(c));
  }
  return std::make_unique<DenseReward>(options, std::move(components));
}

}  // namespace merit::segment
