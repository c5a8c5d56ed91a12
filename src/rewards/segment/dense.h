// segment.dense: Fine-Grained RLHF's segment-level dense reward (spec A §8), generalised to any
// leaf rewards. Each component scores every segment of one level (sub_sentence, sentence,
// response) of the completion with a child reward; the child's value is mapped (raw, binary,
// affine) and weighted, and lands on the token that holds the segment's last byte:
//
//   r_t = Σ_k Σ_j 1[t = T_j^k] · w_k · R_k(x, y, j)  −  β · (log π(y_t) − log π_ref(y_t))
//
// The sample's value is Σ_t r_t: with token offsets (metadata.token_offsets) exactly the sum of the
// per-token rewards written to `tokens`; without them Σ_k Σ_j w_k R_k(j) plus the KL terms (the
// same number unless two segments of one component end on the same token, where the spec's
// overwrite keeps only the later one). Every (component, segment) is reported in `segments`.
//
// Thread safety: the reward is immutable; pure functions are stateless.
#ifndef MERIT_REWARDS_SEGMENT_DENSE_H_
#define MERIT_REWARDS_SEGMENT_DENSE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "merit/json.h"
#include "merit/options.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/status.h"

#include "text/segmentation.h"

namespace merit::segment {

inline constexpr std::string_view kLevelNames[] = {"sub_sentence", "sentence", "response"};
inline constexpr std::string_view kMapNames[] = {"raw", "binary", "affine"};
inline constexpr std::string_view kContextNames[] = {"segment", "prefix"};

// One component: the keys of an entry of segment.dense's `components` list (besides `reward`,
// the child reward node, built with BuildLeafReward).
struct ComponentOptions {
  std::string name = {};
  std::string level = "sentence";
  double weight = 1.0;
  std::string map = "raw";
  double threshold = 0.5;
  double pass = 1.0;
  double fail = -1.0;
  double mean = 0.0;
  double stddev = 1.0;
  double scale = 1.0;
  double bias = 0.0;
  std::string context = "segment";
  static constexpr auto kFields = std::tuple{
      Field{"name", &ComponentOptions::name,
            "The component's label in `segments` (default: the child's type)."},
      Field{"level", &ComponentOptions::level,
            "Which segments the child scores: sub_sentence (spec A §8's rule, `min_words`), "
            "sentence, or response (the whole completion, one segment).",
            {.choices = kLevelNames}},
      Field{"weight", &ComponentOptions::weight, "w_k: multiplies every mapped segment value."},
      Field{"map", &ComponentOptions::map,
            "How the child's value v becomes the segment's value: raw (v), binary (v >= "
            "threshold ? pass : fail), affine ((v - mean) / std * scale + bias).",
            {.choices = kMapNames}},
      Field{"threshold", &ComponentOptions::threshold, "binary: the value that passes."},
      Field{"pass", &ComponentOptions::pass, "binary: the value of a passing segment (R1: 0.3)."},
      Field{"fail", &ComponentOptions::fail, "binary: the value of a failing segment (R1: -0.3)."},
      Field{"mean", &ComponentOptions::mean, "affine: the child's mean μ on training data."},
      Field{"std", &ComponentOptions::stddev, "affine: the child's standard deviation σ (> 0)."},
      Field{"scale", &ComponentOptions::scale, "affine: multiplies the standardised value."},
      Field{"bias", &ComponentOptions::bias, "affine: added last."},
      Field{"context", &ComponentOptions::context,
            "What the child sees as the completion: segment (the segment's text) or prefix (the "
            "completion up to the segment's end). Prompt, reference and metadata pass through.",
            {.choices = kContextNames}},
  };
  Status Validate() const;
};

struct DenseOptions {
  Json components = {};
  std::int64_t min_words = 5;
  std::int64_t max_segments = 64;
  double kl_beta = 0.0;
  static constexpr auto kFields = std::tuple{
      Field{"components", &DenseOptions::components,
            "A non-empty list of {name, level, reward, weight, map, threshold, pass, fail, mean, "
            "std, scale, bias, context}: `reward` is any leaf reward node (judge.verify, "
            "judge.score, model.rm, format.*, match.*, ...) scored once per segment."},
      Field{"min_words", &DenseOptions::min_words,
            "The sub-sentence rule's minimum piece length in whitespace words (spec A §8: 5).",
            {.min = 0, .max = 1000}},
      Field{"max_segments", &DenseOptions::max_segments,
            "At most this many segments per component and sample (child calls); later segments "
            "join the last one, so no text goes unscored.",
            {.min = 1, .max = 4096}},
      Field{"kl_beta", &DenseOptions::kl_beta,
            "β of the per-token KL term -β(log π - log π_ref) from the sample's logprobs and "
            "ref_logprobs (spec: 0.3); 0: off.",
            {.min = 0}},
  };
};

StatusOr<std::unique_ptr<const Reward>> MakeDense(const DenseOptions& options,
                                                  const BuildContext& build);

// The token that a segment ending at byte `end` is rewarded on (spec A §8: the last token of the
// prefix up to the segment end): the last token with a non-empty byte range that starts before
// `end`; 0 when there is none. `token_starts` lists the starts of the non-empty tokens, increasing,
// and `token_index` their indices. O(log T).
std::size_t TokenOfSegmentEnd(std::span<const std::size_t> token_starts,
                              std::span<const std::size_t> token_index, std::size_t end);

// Fine-Grained RLHF's reward whitening before GAE (fgrlhf/utils.py):
// r' = (r - μ) / sqrt(x + 1e-8) + μ over all values, with μ the mean and x the population
// standard deviation as the released code does (it feeds a std into an inverse square root), or
// the variance when `corrected` (the intended formula). The mean is kept, as the released code does before GAE. Empty input: empty output.
std::vector<double> WhitenRewards(std::span<const double> rewards, bool corrected);

}  // namespace merit::segment

#endif  // MERIT_REWARDS_SEGMENT_DENSE_H_
