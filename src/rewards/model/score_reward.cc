// model.rm and model.api: one mechanism, two registrations. Both send the sample's text to a
// scoring backend (a reward-model server, or any HTTP API) and map the number that comes back.
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "merit/options.h"
#include "merit/registry.h"

#include "backends/model_reward.h"
#include "rewards/families.h"

namespace merit {
namespace {

using backends::Call;
using backends::ModelPlan;

constexpr std::string_view kTransforms[] = {"identity", "one_minus", "negate", "sigmoid"};
constexpr std::string_view kApiInputs[] = {"completion", "prompt_completion"};

// The number a scoring backend returned, mapped to the reward: transform, then affine
// normalisation ((x - mean) / std), then an optional clip.
struct ScoreMapping {
  std::string transform = "identity";
  double mean = 0.0;
  double std = 1.0;
  double clip_min = -std::numeric_limits<double>::infinity();
  double clip_max = std::numeric_limits<double>::infinity();

  double Apply(double x) const {
    if (transform == "one_minus") {
      x = 1.0 - x;
    } else if (transform == "negate") {
      x = -x;
    } else if (transform == "sigmoid") {
      x = x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
    }
    return std::clamp((x - mean) / std, clip_min, clip_max);
  }
};

class ScoreModelReward final : public backends::ModelReward {
 public:
  ScoreModelReward(const backends::Backend* backend, std::string prompt_template,
                   bool include_prompt, ScoreMapping mapping)
      : backend_(backend),
        template_(std::move(prompt_template)),
        include_prompt_(include_prompt),
        mapping_(std::move(mapping)) {}

 protected:
  ModelPlan Plan(const Sample& sample, const backends::GroupView& /*group*/) const override {
    ModelPlan plan;
    Json body = Json::Obj();
    if (!template_.empty()) {
      // A chat template or separator the reward model was trained with.
      std::string text = template_;
      Replace(text, "{prompt}", sample.prompt_text);
      Replace(text, "{completion}", sample.completion_text);
      body.Set("text", Json::Str(std::move(text)));
    } else {
      body.Set("prompt", Json::Str(include_prompt_ ? sample.prompt_text : std::string()));
      body.Set("completion", Json::Str(sample.completion_text));
    }
    plan.requests.push_back({.backend = backend_, .call = {.kind = Call::Kind::kScore,
                                                           .body = std::move(body)}});
    return plan;
  }

  Score Interpret(const Sample& /*sample*/, const ModelPlan& /*plan*/,
                  std::span<const backends::Reply* const> replies) const override {
    const Json* score = replies[0]->body.Find("score");
    if (score == nullptr || !score->is_number()) {
      return Score::Error("backend_bad_response", "the reply has no score");
    }
    const double value = mapping_.Apply(score->number());
    Score result = Score::Ok(value);
    result.explanation = fmt::format("{} scored {:.6g}{}", backend_->name(), score->number(),
                                     replies[0]->cached ? " (cached)" : "");
    return result;
  }

 private:
  static void Replace(std::string& text, std::string_view key, std::string_view value) {
    for (std::size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  }

  const backends::Backend* backend_;
  const std::string template_;
  const bool include_prompt_;
  const ScoreMapping mapping_;
};

Status CheckTemplate(const std::string& text) {
  // Every "{name}" must be one the reward fills in; a typo would otherwise reach the model.
  for (std::size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) {
      break;
    }
    const std::string_view name(text.data() + open + 1, close - open - 1);
    if (name != "prompt" && name != "completion") {
      return InvalidArgumentError(fmt::format(
          "`template` has an unknown placeholder {{{}}}; valid: {{prompt}}, {{completion}}", name));
    }
  }
  return OkStatus();
}

struct RmOptions {
  std::string backend = {};
  std::string template_text = {};
  double mean = 0.0;
  double std = 1.0;
  bool sigmoid = false;
  static constexpr auto kFields = std::tuple{
      Field{"backend", &RmOptions::backend,
            "Name of a reward-model backend under `backends:` (vllm_classify, vllm_pooling, "
            "openrlhf or http)."},
      Field{"template", &RmOptions::template_text,
            "Text sent to the model, with {prompt} and {completion}; empty: prompt + completion."},
      Field{"mean", &RmOptions::mean, "Fixed normalisation: subtracted from the score."},
      Field{"std", &RmOptions::std, "Fixed normalisation: the score is divided by it.",
            {.min = 1e-12}},
      Field{"sigmoid", &RmOptions::sigmoid,
            "Map the raw score through a sigmoid before normalising (logit-valued models)."},
  };
  Status Validate() const { return CheckTemplate(template_text); }
};

StatusOr<std::unique_ptr<const Reward>> MakeRm(const RmOptions& options,
                                               const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(const backends::Backend* backend,
                         backends::ResolveBackend(build.backends, options.backend,
                                                  Call::Kind::kScore));
  return std::make_unique<ScoreModelReward>(
      backend, options.template_text, true,
      ScoreMapping{.transform = options.sigmoid ? "sigmoid" : "identity",
                   .mean = options.mean,
                   .std = options.std});
}

struct ApiOptions {
  std::string backend = {};
  std::string input = "completion";
  std::string transform = "identity";
  double scale = 1.0;
  double offset = 0.0;
  double clip_min = -std::numeric_limits<double>::infinity();
  double clip_max = std::numeric_limits<double>::infinity();
  static constexpr auto kFields = std::tuple{
      Field{"backend", &ApiOptions::backend,
            "Name of an `http` (or other scoring) backend under `backends:`; its `score_path` "
            "says where the number is."},
      Field{"input", &ApiOptions::input, "What is sent as {text}.", {.choices = kApiInputs}},
      Field{"transform", &ApiOptions::transform,
            "Applied to the API's number first (AuthorMist: one_minus of a detector's P(AI)).",
            {.choices = kTransforms}},
      Field{"scale", &ApiOptions::scale, "Then multiplied by this."},
      Field{"offset", &ApiOptions::offset, "Then this is added."},
      Field{"clip_min", &ApiOptions::clip_min, "Then clipped below at this."},
      Field{"clip_max", &ApiOptions::clip_max, "And above at this."},
  };
  Status Validate() const {
    if (scale == 0.0) {
      return InvalidArgumentError("`scale` must not be 0");
    }
    if (clip_min > clip_max) {
      return InvalidArgumentError("`clip_min` is larger than `clip_max`");
    }
    return OkStatus();
  }
};

StatusOr<std::unique_ptr<const Reward>> MakeApi(const ApiOptions& options,
                                                const BuildContext& build) {
  MERIT_ASSIGN_OR_RETURN(const backends::Backend* backend,
                         backends::ResolveBackend(build.backends, options.backend,
                                                  Call::Kind::kScore));
  // scale * x + offset == (x - mean) / std with std = 1/scale, mean = -offset/scale.
  return std::make_unique<ScoreModelReward>(
      backend, "", options.input == "prompt_completion",
      ScoreMapping{.transform = options.transform,
                   .mean = -options.offset / options.scale,
                   .std = 1.0 / options.scale,
                   .clip_min = options.clip_min,
                   .clip_max = options.clip_max});
}

}  // namespace

void RegisterModelRewards(Registry& registry) {
  registry.AddReward<RmOptions>(
      {.name = "model.rm",
       .summary = "Score from a reward-model server (vLLM /classify or /pooling, OpenRLHF "
                  "/get_reward, any JSON API), optionally normalised by a fixed mean/std.",
       .min = -std::numeric_limits<double>::infinity(),
       .max = std::numeric_limits<double>::infinity(),
       .example = "{type: model.rm, backend: rm}",
       .example_backends = "{rm: {protocol: vllm_pooling, url: 'http://127.0.0.1:9', retries: 0}}",
       .source = "design.md §6; spec B §7 (normalised RM score)"},
      &MakeRm);
  registry.AddReward<ApiOptions>(
      {.name = "model.api",
       .summary = "Any HTTP API as a reward: the number at a JSON path, transformed "
                  "(AuthorMist: 1 - detector P(AI)).",
       .min = -std::numeric_limits<double>::infinity(),
       .max = std::numeric_limits<double>::infinity(),
       .example = "{type: model.api, backend: detector, transform: one_minus}",
       .example_backends =
           "{detector: {protocol: http, url: 'http://127.0.0.1:9/detect', retries: 0}}",
       .source = "spec A §15 (AuthorMist)"},
      &MakeApi);
}

}  // namespace merit
