#include "backends/model_reward.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace merit::backends {
namespace {

// One sample's plan and its calls in flight.
struct Planned {
  ModelPlan plan;
  std::vector<std::shared_ptr<const PendingReply>> pending;
};

class ModelBatch final : public BatchWork {
 public:
  std::vector<Planned> samples;    // By batch index.
  std::vector<std::uint8_t> started;  // started[i]: samples[i] was planned.
};

std::vector<std::shared_ptr<const PendingReply>> SubmitAll(const ModelPlan& plan,
                                                           std::chrono::steady_clock::time_point now) {
  std::vector<std::shared_ptr<const PendingReply>> pending;
  if (plan.decided) {
    return pending;
  }
  pending.reserve(plan.requests.size());
  for (const ModelPlan::Request& request : plan.requests) {
    pending.push_back(request.backend->Submit(request.call, now + request.backend->call_timeout()));
  }
  return pending;
}

}  // namespace

std::unique_ptr<BatchWork> ModelReward::StartBatch(std::span<const Sample> samples,
                                                   std::span<const std::uint8_t> usable) const {
  auto batch = std::make_unique<ModelBatch>();
  batch->samples.resize(samples.size());
  batch->started.assign(samples.size(), 0);
  // Group members by key, in batch order; an empty key is a group of one.
  std::unordered_map<std::string_view, std::vector<const Sample*>> groups;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if ((usable.empty() || usable[i] != 0) && !samples[i].group.empty()) {
      groups[samples[i].group].push_back(&samples[i]);
    }
  }
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!usable.empty() && usable[i] == 0) {
      continue;
    }
    const Sample* self = &samples[i];
    GroupView view{.members = std::span<const Sample* const>(&self, 1), .self = 0};
    if (!samples[i].group.empty()) {
      const std::vector<const Sample*>& members = groups[samples[i].group];
      view.members = members;
      view.self = static_cast<std::size_t>(
          std::find(members.begin(), members.end(), self) - members.begin());
    }
    Planned& planned = batch->samples[i];
    planned.plan = Plan(samples[i], view);
    planned.pending = SubmitAll(planned.plan, now);
    batch->started[i] = 1;
  }
  return batch;
}

Score ModelReward::Evaluate(const Sample& sample, ScoreContext& context) const {
  const auto* batch = dynamic_cast<const ModelBatch*>(context.batch_work);
  Planned inline_planned;
  const Planned* planned = nullptr;
  if (batch != nullptr && context.index < batch->samples.size() && batch->started[context.index]) {
    planned = &batch->samples[context.index];
  } else {
    // Outside a batch: plan and call now.
    const Sample* self = &sample;
    inline_planned.plan =
        Plan(sample, GroupView{.members = std::span<const Sample* const>(&self, 1), .self = 0});
    inline_planned.pending = SubmitAll(inline_planned.plan, std::chrono::steady_clock::now());
    planned = &inline_planned;
  }
  if (planned->plan.decided) {
    return *planned->plan.decided;
  }
  std::vector<const Reply*> replies;
  replies.reserve(planned->pending.size());
  for (const auto& pending : planned->pending) {
    const Reply& reply = pending->Wait();
    if (!reply.ok()) {
      return Score::Error(reply.error, reply.detail);
    }
    replies.push_back(&reply);
  }
  return Interpret(sample, planned->plan, replies);
}

}  // namespace merit::backends
