#include <limits>

#include "merit/registry.h"

#include "rewards/families.h"
#include "rewards/likelihood/likelihood.h"

namespace merit {

void RegisterLikelihoodRewards(Registry& registry) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  registry.AddReward<likelihood::ReferenceOptions>(
      {.name = "likelihood.reference",
       .summary = "Log-prob of the reference answer after the completion's reasoning "
                  "(metadata.reference_logprobs): Σ, mean, exp(Σ) or mean exp; depends on the "
                  "policy (reason reward_depends_on_policy).",
       .min = -kInf,
       .max = 1.0,
       .example = "{type: likelihood.reference, variant: avg_log_prob}",
       .source = "spec B §1 (Likelihood-Based Reward Designs, arXiv 2602.03979; VeriFree, RLPR)"},
      &likelihood::MakeReference);
  registry.AddReward<likelihood::EchoOptions>(
      {.name = "likelihood.echo",
       .summary = "PromptEcho: −CE of the caption under a frozen VLM, the mean token log-prob of "
                  "metadata.echo_logprobs.",
       .min = -kInf,
       .max = 0.0,
       .example = "{type: likelihood.echo}",
       .source = "spec B §5 (PromptEcho, arXiv 2604.12652; token-mean CE is our reading)"},
      &likelihood::MakeEcho);
  registry.AddReward<likelihood::FollowupOptions>(
      {.name = "likelihood.followup",
       .summary = "FLR: mean over positive follow-ups of their mean token log-prob, minus the "
                  "same over negative follow-ups (metadata.followup_logprobs).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: likelihood.followup}",
       .source = "spec B §2 (FLR, Zhang et al. AAAI 2025; log-prob reading of s(f))"},
      &likelihood::MakeFollowup);
  registry.AddReward<likelihood::ImplicitPrmOptions>(
      {.name = "likelihood.implicit_prm",
       .summary = "Implicit PRM: step rewards β·Σ(logprobs − ref_logprobs) per step (steps from "
                  "metadata.step_ends or `Step k:` markers) to `steps`, aggregated by min.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: likelihood.implicit_prm, beta: 0.05, aggregation: min}",
       .source = "spec B §3 (Free Process Rewards; PRIME-RL/ImplicitPRM eval code)"},
      &likelihood::MakeImplicitPrm);
  registry.AddReward<likelihood::EndogenousOptions>(
      {.name = "likelihood.endogenous",
       .summary = "Endogenous reward: token rewards f(s_h, a_h) − V(s_{h+1}) from full-vocabulary "
                  "logits (inverse soft Bellman) to `tokens`; the reward is their sum.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: likelihood.endogenous, alpha: 1.0}",
       .source = "spec B §4 (Generalist Reward Models, arXiv 2506.23235)"},
      &likelihood::MakeEndogenous);
  registry.AddReward<likelihood::TokenContrastOptions>(
      {.name = "likelihood.token_contrast",
       .summary = "T-REG token rewards σ(better − worse) − 1/2 from contrastively prompted "
                  "log-probs to `tokens`; the reward is their sum (or mean).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: likelihood.token_contrast, reduction: sum}",
       .source = "spec B §6 (T-REG, arXiv 2412.02685; sum over tokens is our reading)"},
      &likelihood::MakeTokenContrast);
  registry.AddReward<likelihood::LogRatioOptions>(
      {.name = "likelihood.log_ratio",
       .summary = "Σ over tokens of logprobs − ref_logprobs (the sequence KL estimate; k2/k3 "
                  "estimators optional), for kl_penalty.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: likelihood.log_ratio, estimator: k1}",
       .source = "spec A §16.5 (KL-penalised reward; k1/k2/k3 estimators)"},
      &likelihood::MakeLogRatio);
  registry.AddAdvantage<likelihood::JepoOptions>(
      {.name = "jepo",
       .summary = "JEPO: log-mean-exp of the group's rewards (log-likelihoods L_i, e.g. from "
                  "likelihood.reference) minus the same over the other rollouts.",
       .min = -kInf,
       .max = kInf,
       .example = "{type: jepo}",
       .source = "spec B §1 (JEPO as described by arXiv 2602.03979; not JEPO's code)"},
      &likelihood::MakeJepo);
  registry.AddAggregator<likelihood::KlPenaltyOptions>(
      {.name = "kl_penalty",
       .summary = "KL-penalised reward: the `child` reward minus β times the `log_ratio` child "
                  "(likelihood.log_ratio: Σ logprobs − ref_logprobs).",
       .min = -kInf,
       .max = kInf,
       .example = "{type: kl_penalty, beta: 0.05, child: {type: field.value, path: rm}, "
                  "log_ratio: likelihood.log_ratio}",
       .source = "spec A §16.5, spec B §7 (Stiennon et al. 2020)"},
      {{.name = "child", .single = true}, {.name = "log_ratio", .single = true}}, {},
      &likelihood::MakeKlPenalty);
}

}  // namespace merit
