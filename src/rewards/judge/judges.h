// The judge rewards: an LLM (a chat backend of the config) reads a prompt built from a template
// and answers in a fixed reply line that a strict parser reads (docs/judges.md).
//
//   judge.verify    is the completion's final answer equivalent to the reference?   1 / 0
//   judge.score     pointwise score on a scale, optionally under principles         [0, 1]
//   judge.pairwise  the completion against a reference response, in both orders     1 / 0.5 / 0
//   judge.critique  critique, then per-dimension scores; their weighted mean        [0, 1]
//   judge.gap       how much better than a reference response (PIT)                 [0, 1]
//
// Every judge screens the completion first (master_keys.h): a blank completion scores 0 with
// reason "no_answer", one made only of punctuation and master keys 0 with "master_key", and no
// judge is called for either. A reply that does not parse is Score::Error("judge_unparseable");
// a backend failure is the backend's error; neither is ever a 0.
#ifndef MERIT_REWARDS_JUDGE_JUDGES_H_
#define MERIT_REWARDS_JUDGE_JUDGES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/options.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/status.h"

namespace merit::judge {

inline constexpr std::string_view kVoteNames[] = {"mean", "majority"};
inline constexpr std::string_view kPairwiseReferenceNames[] = {"sample", "group"};

// Options every judge has.
struct CommonOptions {
  std::string backend = {};
  double temperature = 0.0;
  std::int64_t max_tokens = 1024;
  std::int64_t samples = 1;
  std::string vote = "mean";
  std::string system_prompt = {};
  std::string prompt_template = {};
  std::int64_t max_field_bytes = 16384;

  static constexpr auto kCommonFields = std::tuple{
      Field{"backend", &CommonOptions::backend,
            "Name of the chat backend (an openai-protocol entry of the config's backends: "
            "section) that runs the judge. Required."},
      Field{"temperature", &CommonOptions::temperature, "Sampling temperature of the judge.",
            {.min = 0, .max = 2}},
      Field{"max_tokens", &CommonOptions::max_tokens, "Most tokens the judge may reply with.",
            {.min = 1, .max = 65536}},
      Field{"samples", &CommonOptions::samples,
            "Judge replies per call (the request's n); combined by vote.", {.min = 1, .max = 32}},
      Field{"vote", &CommonOptions::vote,
            "How several replies combine: mean of their values, or majority (the most frequent "
            "value; ties go to the lowest).",
            {.choices = kVoteNames}},
      Field{"system_prompt", &CommonOptions::system_prompt,
            "Overrides the default system message (a template; see docs/judges.md)."},
      Field{"prompt_template", &CommonOptions::prompt_template,
            "Overrides the default user message template: {question}, {reference}, {response}, "
            "... as the judge accepts; {{ and }} are literal braces."},
      Field{"max_field_bytes", &CommonOptions::max_field_bytes,
            "Longest text inserted per placeholder; longer text keeps its head and tail.",
            {.min = 64, .max = 1 << 24}},
  };
  Status ValidateCommon() const;
};

struct VerifyOptions : CommonOptions {
  static constexpr auto kFields = kCommonFields;
  Status Validate() const { return ValidateCommon(); }
};

struct ScoreOptions : CommonOptions {
  double min = 0;
  double max = 10;
  bool normalize = true;
  std::string principles = {};
  static constexpr auto kFields = std::tuple_cat(
      kCommonFields,
      std::tuple{
          Field{"min", &ScoreOptions::min, "Lowest score of the judge's scale."},
          Field{"max", &ScoreOptions::max, "Highest score of the judge's scale."},
          Field{"normalize", &ScoreOptions::normalize,
                "Map the scale linearly onto [0, 1] (false: the raw score)."},
          Field{"principles", &ScoreOptions::principles,
                "Natural-language principles the response is judged against (RewardAnything); "
                "a sample's metadata.principles (a string or a list of strings) overrides it."},
      });
  Status Validate() const;
};

struct PairwiseOptions : CommonOptions {
  std::string reference = "sample";
  bool both_orders = true;
  std::int64_t seed = 0;
  static constexpr auto kFields = std::tuple_cat(
      kCommonFields,
      std::tuple{
          Field{"reference", &PairwiseOptions::reference,
                "What the completion is compared with: sample (the sample's reference, a "
                "reference response) or group (BRPO: a member of the sample's group drawn by "
                "seed; that member itself is unscorable, reason group_reference).",
                {.choices = kPairwiseReferenceNames}},
          Field{"both_orders", &PairwiseOptions::both_orders,
                "Ask in both orders (completion first, then reference first) to cancel position "
                "bias; disagreeing orders are a tie."},
          Field{"seed", &PairwiseOptions::seed,
                "Seed of the group reference draw (change it per training step)."},
      });
  Status Validate() const { return ValidateCommon(); }
};

struct CritiqueOptions : CommonOptions {
  double min = 0;
  double max = 10;
  bool normalize = true;
  std::vector<std::string> dimensions = {"helpfulness", "correctness", "clarity"};
  std::vector<double> weights = {};
  static constexpr auto kFields = std::tuple_cat(
      kCommonFields,
      std::tuple{
          Field{"min", &CritiqueOptions::min, "Lowest score of the judge's scale."},
          Field{"max", &CritiqueOptions::max, "Highest score of the judge's scale."},
          Field{"normalize", &CritiqueOptions::normalize,
                "Map the scale linearly onto [0, 1] (false: the raw weighted mean)."},
          Field{"dimensions", &CritiqueOptions::dimensions,
                "Names of the dimensions the judge scores (letters, digits, '_', '-', spaces)."},
          Field{"weights", &CritiqueOptions::weights,
                "Weight of each dimension in the mean (empty: equal weights)."},
      });
  Status Validate() const;
};

struct GapOptions : CommonOptions {
  double min = -10;
  double max = 10;
  bool normalize = true;
  bool calibrate = false;
  static constexpr auto kFields = std::tuple_cat(
      kCommonFields,
      std::tuple{
          Field{"min", &GapOptions::min,
                "Lowest gap of the scale (much worse than the reference)."},
          Field{"max", &GapOptions::max, "Highest gap of the scale (much better)."},
          Field{"normalize", &GapOptions::normalize,
                "Map the scale linearly onto [0, 1] (false: the raw gap)."},
          Field{"calibrate", &GapOptions::calibrate,
                "Also ask for the reference's gap over itself and subtract it (PIT's calibrated "
                "output; one more call per sample)."},
      });
  Status Validate() const;
};

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;

RewardOr MakeVerify(const VerifyOptions& options, const BuildContext& build);
RewardOr MakeScore(const ScoreOptions& options, const BuildContext& build);
RewardOr MakePairwise(const PairwiseOptions& options, const BuildContext& build);
RewardOr MakeCritique(const CritiqueOptions& options, const BuildContext& build);
RewardOr MakeGap(const GapOptions& options, const BuildContext& build);

}  // namespace merit::judge

#endif  // MERIT_REWARDS_JUDGE_JUDGES_H_
