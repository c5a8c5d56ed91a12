// The likelihood family: rewards computed from token log-probabilities (or logits) that the sample
// carries, after ../shared/spec/rewards-B.md §1-§7 and rewards-A.md §16.5. Registered in
// register.cc; user documentation in docs/likelihood.md.
//
// Everything is float64 (sums of thousands of log-probs lose precision in float32), with stable
// log-sum-exp and σ(z) - 1/2 written as tanh(z/2)/2 (spec B §0). Inputs are untrusted: every array
// is checked (type, finiteness, log-probs <= 0, size) before any arithmetic, and a bad one is a
// Score::Error with a reason, never a crash or a silent 0.
//
// Thread safety: the rewards and the aggregator are immutable; the functions are pure.
#ifndef MERIT_REWARDS_LIKELIHOOD_LIKELIHOOD_H_
#define MERIT_REWARDS_LIKELIHOOD_LIKELIHOOD_H_

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
#include "merit/result.h"
#include "merit/reward.h"
#include "merit/sample.h"
#include "merit/status.h"

namespace merit::likelihood {

using RewardOr = StatusOr<std::unique_ptr<const Reward>>;
using AggregatorOr = StatusOr<std::unique_ptr<const Aggregator>>;
using AdvantageOr = StatusOr<std::unique_ptr<const AdvantageEstimator>>;

// The most numbers one input array may hold (log-probs of one sequence, or logits summed over all
// positions): 2^22, 32 MiB as doubles. Longer inputs are Score::Error("too_large") rather than an
// unbounded amount of work per sample.
inline constexpr std::size_t kMaxNumbers = std::size_t{1} << 22;

// ---- Numerics (spec B §0) ----

// m + log Σ exp((v_i - m)) with m = max v. REQUIRES: !values.empty(), all finite.
double LogSumExp(std::span<const double> values);

// ---- Input checking (inputs.cc) ----

// What the numbers in an array must be.
enum class NumberRule : std::uint8_t {
  kLogprob,  // finite and <= 0 (a log-probability)
  kFinite,   // finite (logits)
  kIndex,    // a non-negative integer (token ids, token indices, byte offsets)
};

// How to read and check one numeric array.
struct ArraySpec {
  std::string_view field = {};  // Named in explanations: "metadata.step_ends".
  NumberRule rule = NumberRule::kLogprob;
  std::string_view bad_reason = "invalid_logprobs";  // A wrong type, or a bad kIndex entry.
  std::size_t max_count = kMaxNumbers;
};

// Checks `values` against spec.rule. Ok, or Score::Error naming the field and the index:
// "non_finite", "positive_logprob", or spec.bad_reason for a bad kIndex entry.
Score CheckNumbers(std::span<const double> values, const ArraySpec& spec);

// Reads `value`, which must be a flat list of numbers, into `out` and checks it as CheckNumbers
// does. Errors: "missing_field" (value is null or absent), spec.bad_reason (not a list, or an
// element is not a number, e.g. a nested list), "too_large" (more than spec.max_count), and
// CheckNumbers' reasons.
Score ReadNumbers(const Json* value, const ArraySpec& spec, std::vector<double>& out);

// Whether a reward reads the sample's ref_logprobs besides its logprobs.
enum class Reference : std::uint8_t { kRequired, kUnused };

// Checks the sample's policy `logprobs` and, when kRequired, its `ref_logprobs`: present,
// log-probs, at most kMaxNumbers, and of equal length ("logprobs_mismatch": different
// tokenisations, whose per-token log-ratios would be misaligned).
Score CheckLogprobPair(const Sample& sample, Reference reference);

// Score::Ok(value, reason), or Score::Error("non_finite") when a sum of extreme (but finite)
// inputs overflowed: an infinite reward must never reach an advantage.
Score FiniteOr(double value, std::string_view reason = {});

// Per-worker buffers, reused across samples so scoring allocates only when an input is larger
// than any seen before on that worker.
struct Buffers final : ScoreContext::ScratchBase {
  std::vector<double> a;
  std::vector<double> b;
  std::vector<double> c;
  std::vector<double> d;
  std::vector<double> e;
  std::vector<std::size_t> ends;
};

// ---- Sequence likelihood (spec B §1 likelihood.reference, §5 likelihood.echo) ----

// The variants of spec B §1 over a token log-prob vector logp[1..K], L = Σ logp:
//   log_prob: L;  avg_log_prob: L / K;  prob: exp(L) (underflows to 0 for long answers: the
//   documented failure mode, never clamped);  avg_prob: (1/K) Σ exp(logp[k]).
enum class SequenceVariant : std::uint8_t { kLogProb, kAvgLogProb, kProb, kAvgProb };
inline constexpr std::string_view kSequenceVariants[] = {"log_prob", "avg_log_prob", "prob",
                                                         "avg_prob"};
// Echo (PromptEcho, spec B §5): −CE is the mean (default), the sum form only rescales.
inline constexpr std::string_view kEchoVariants[] = {"avg_log_prob", "log_prob"};

SequenceVariant ParseSequenceVariant(std::string_view name);

// Where likelihood.reference / likelihood.echo find their span, and what they say about it.
struct SequenceSource {
  std::string_view key = {};           // Member of sample.metadata.
  std::string_view field = {};         // The same, for explanations.
  std::string_view empty_reason = {};  // K = 0 leaves the reward undefined (spec B §1): an error.
  std::string_view ok_reason = {};     // Attached to every ok score.
};

// The reference answer's log-probs come from the policy being trained, so the reward depends on
// θ and the exact gradient has an extra supervised term (spec B §1): every ok score says so in
// its reason, for a trainer to add the teacher-forced NLL of the reference.
inline constexpr SequenceSource kReferenceSource = {.key = "reference_logprobs",
                                                    .field = "metadata.reference_logprobs",
                                                    .empty_reason = "empty_reference",
                                                    .ok_reason = "reward_depends_on_policy"};
inline constexpr SequenceSource kEchoSource = {
    .key = "echo_logprobs", .field = "metadata.echo_logprobs", .empty_reason = "empty_caption"};


// REQUIRES: !logprobs.empty().
double SequenceLikelihood(std::span<const double> logprobs, SequenceVariant variant);

struct ReferenceOptions {
  std::string variant = "log_prob";
  std::string backend = {};
  std::string answer_marker = "<answer";
  static constexpr auto kFields = std::tuple{
      Field{"variant",
            &ReferenceOptions::variant,
            "log_prob: Σ logp (recommended by the study); avg_log_prob: Σ logp / K; prob: "
            "exp(Σ logp) (VeriFree); avg_prob: mean of exp(logp) (RLPR).",
            {.choices = kSequenceVariants}},
      Field{"backend", &ReferenceOptions::backend,
            "Empty: read metadata.reference_logprobs. Else the name of an `openai` backend: "
            "teacher-force prompt + completion cut before answer_marker + reference there "
            "(echo, max_tokens 0) and score the reference's tokens."},
      Field{"answer_marker", &ReferenceOptions::answer_marker,
            "With `backend`: the completion is cut before its first occurrence (empty or absent: "
            "the whole completion is the reasoning)."},
  };
};

struct EchoOptions {
  std::string variant = "avg_log_prob";
  std::string backend = {};
  std::string query = "Describe this image in detail.";
  static constexpr auto kFields = std::tuple{
      Field{"variant",
            &EchoOptions::variant,
            "avg_log_prob: R = −CE = mean caption token log-prob (the spec's choice); log_prob: "
            "the sum form.",
            {.choices = kEchoVariants}},
      Field{"backend", &EchoOptions::backend,
            "Empty: read metadata.echo_logprobs. Else the name of an `openai` backend: "
            "teacher-force completion + query + prompt there (a text-only model: the completion "
            "stands for the image) and score the prompt's tokens."},
      Field{"query", &EchoOptions::query,
            "With `backend`: the question between the completion and the prompt, each "
            "separated by a blank line."},
  };
};

// JEPO (spec B §1) over one group's log-likelihoods L_1..L_G: with R_group = log((1/G) Σ e^{L_j}),
// A_i = R_group − log((1/(G−1)) Σ_{j≠i} e^{L_j}). A group of one gets 0 (no leave-one-out term).
void JepoAdvantages(std::span<const double> likelihoods, std::vector<double>& out);

struct JepoOptions {
  static constexpr std::tuple<> kFields{};
};

// ---- Follow-up likelihood (spec B §2) ----

struct FollowupOptions {
  static constexpr std::tuple<> kFields{};
};

// ---- Implicit PRM (spec B §3) ----

enum class StepAggregation : std::uint8_t { kMin, kSum, kLast, kMinCumulative, kSumCumulative };
inline constexpr std::string_view kStepAggregations[] = {"min", "sum", "last", "min_cumulative",
                                                         "sum_cumulative"};

StepAggregation ParseStepAggregation(std::string_view name);

// Step rewards r_k = β Σ_{t in step k} q_t, where step k covers tokens [begin_k, ends[k]) and
// begin_0 = 0, begin_k = ends[k-1]. REQUIRES: ends strictly increasing, ends.back() == q.size().
void StepRewards(std::span<const double> q, std::span<const std::size_t> ends, double beta,
                 std::vector<double>& out);

// min_k r_k, Σ r_k, r_K, or min / Σ over the cumulative values Q_{e_k} = Σ_{j<=k} r_j.
// REQUIRES: !steps.empty().
double AggregateSteps(std::span<const double> steps, StepAggregation aggregation);

struct ImplicitPrmOptions {
  double beta = 0.05;
  std::string aggregation = "min";
  bool use_reference = true;
  static constexpr auto kFields = std::tuple{
      Field{"beta", &ImplicitPrmOptions::beta,
            "β: step reward r_k = β Σ_{t in step k} (logp_φ(y_t) − logp_ref(y_t)).",
            {.min = 0}},
      Field{"aggregation",
            &ImplicitPrmOptions::aggregation,
            "Response score: min / sum / last over the step rewards r_k, or min_cumulative / "
            "sum_cumulative over the prefix values Q_{e_k} (the eval code's \"accumulative\").",
            {.choices = kStepAggregations}},
      Field{"use_reference", &ImplicitPrmOptions::use_reference,
            "Subtract the reference log-probs (ref_logprobs); false: q_t = logp_φ(y_t)."},
  };
};

// ---- Endogenous reward (spec B §4) ----

// V(s) = α · LSE(f(s, ·) / α). `scratch` receives the scaled logits. REQUIRES: !logits.empty(),
// all finite, alpha > 0.
double SoftValue(std::span<const double> logits, double alpha, std::vector<double>& scratch);

struct EndogenousOptions {
  double alpha = 1.0;
  std::int64_t max_logits = static_cast<std::int64_t>(kMaxNumbers);
  static constexpr auto kFields = std::tuple{
      Field{"alpha", &EndogenousOptions::alpha,
            "α > 0: soft-Q temperature; V(s) = α·LSE(f(s,·)/α), r_h = f(s_h, a_h) − V(s_{h+1}).",
            {.min = 1e-6}},
      Field{"max_logits",
            &EndogenousOptions::max_logits,
            "Budget: a sample with more logits in total (positions × vocabulary) is an error "
            "\"too_large\".",
            {.min = 1, .max = static_cast<double>(kMaxNumbers)}},
  };
};

// ---- T-REG token contrast (spec B §6) ----

// r̂ = σ(better − worse) − 1/2, computed as tanh((better − worse)/2)/2: exact, and in (−1/2, 1/2)
// without the cancellation of subtracting 1/2 from a σ near 1.
double ContrastTokenReward(double better, double worse);

inline constexpr std::string_view kTokenReductions[] = {"sum", "mean"};

struct TokenContrastOptions {
  std::string reduction = "sum";
  static constexpr auto kFields = std::tuple{
      Field{"reduction",
            &TokenContrastOptions::reduction,
            "The sample reward from the token rewards r̂_t: sum (the paper's regulariser sums "
            "over tokens) or mean.",
            {.choices = kTokenReductions}},
  };
};

// ---- Policy/reference log-ratio and the KL-penalised reward (spec A §16.5, B §7) ----

// Per-token estimators of KL(π || π_ref) with Δ = logp_ref − logp:
//   k1 = −Δ = logp − logp_ref (the log-ratio);  k2 = Δ²/2;  k3 = e^Δ − 1 − Δ (non-negative).
enum class KlEstimator : std::uint8_t { kK1, kK2, kK3 };
inline constexpr std::string_view kKlEstimators[] = {"k1", "k2", "k3"};

KlEstimator ParseKlEstimator(std::string_view name);
double KlTerm(double logprob, double ref_logprob, KlEstimator estimator);

struct LogRatioOptions {
  std::string estimator = "k1";
  bool tokens = false;
  static constexpr auto kFields = std::tuple{
      Field{"estimator",
            &LogRatioOptions::estimator,
            "Per-token term summed over the completion: k1 = logp − logp_ref (the sequence "
            "log-ratio of the KL-penalised reward), k2 = ½(logp − logp_ref)², k3 = e^Δ − 1 − Δ "
            "with Δ = logp_ref − logp.",
            {.choices = kKlEstimators}},
      Field{"tokens", &LogRatioOptions::tokens,
            "Also write each token's term to the result's `tokens` (a trainer distributing "
            "−β·term per token, as PPO implementations do, reads them there)."},
  };
};

struct KlPenaltyOptions {
  double beta = 0.05;
  static constexpr auto kFields = std::tuple{
      Field{"beta", &KlPenaltyOptions::beta,
            "β: R = child − β · log_ratio (0.05 in the summarisation paper, UNVERIFIED).",
            {.min = 0}},
  };
};

// Factories (register.cc).
// With an empty `backend` option these read metadata; otherwise they fetch (fetched.cc).
RewardOr MakeReference(const ReferenceOptions& options, const BuildContext& build);
RewardOr MakeEcho(const EchoOptions& options, const BuildContext& build);
RewardOr MakeFetchedReference(const ReferenceOptions& options, const BuildContext& build);
RewardOr MakeFetchedEcho(const EchoOptions& options, const BuildContext& build);
RewardOr MakeFollowup(const FollowupOptions& options);
RewardOr MakeImplicitPrm(const ImplicitPrmOptions& options);
RewardOr MakeEndogenous(const EndogenousOptions& options);
RewardOr MakeTokenContrast(const TokenContrastOptions& options);
RewardOr MakeLogRatio(const LogRatioOptions& options);
AdvantageOr MakeJepo(const JepoOptions& options);
AggregatorOr MakeKlPenalty(const KlPenaltyOptions& options, std::span<const ChildSpec> children);

}  // namespace merit::likelihood

#endif  // MERIT_REWARDS_LIKELIHOOD_LIKELIHOOD_H_
