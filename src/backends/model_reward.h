// ModelReward: the one mechanism behind every model-backed reward (model.*, judge.*, and
// likelihood.* when it fetches log-probs). A reward says which calls score a sample (Plan) and how
// the replies become a score (Interpret); this base issues a whole batch's calls in StartBatch, so
// they are in flight together, and waits for a sample's replies in Evaluate.
//
// A failed call (after the backend's retries) makes the sample's score Score::Error with the
// reply's reason ("backend_unavailable", "backend_bad_response", "timeout"): an outage is never a
// 0 reward.
#ifndef MERIT_BACKENDS_MODEL_REWARD_H_
#define MERIT_BACKENDS_MODEL_REWARD_H_

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "merit/json.h"
#include "merit/reward.h"
#include "merit/sample.h"

#include "backends/backend.h"

namespace merit::backends {

// How one sample is scored.
struct ModelPlan {
  // Set when the sample is decided without the model (a master-key pre-check, no answer, a missing
  // field): no call is made and this is the score.
  std::optional<Score> decided = {};
  // Otherwise: the calls whose replies Interpret reads, in this order, each to its backend.
  struct Request {
    const Backend* backend = nullptr;
    Call call = {};
  };
  std::vector<Request> requests = {};
  // Anything Plan computed that Interpret needs (e.g. the extracted answer), so it is not redone.
  Json state = {};
};

// The other members of a sample's group in this batch (the sample itself included), for rewards
// that compare within a group (e.g. a pairwise judge against a reference drawn from the group).
// Outside a batch it holds the sample alone.
struct GroupView {
  std::span<const Sample* const> members = {};
  std::size_t self = 0;  // members[self] is the sample being planned.
};

class ModelReward : public Reward {
 public:
  std::unique_ptr<BatchWork> StartBatch(std::span<const Sample> samples,
                                        std::span<const std::uint8_t> usable) const final;
  Score Evaluate(const Sample& sample, ScoreContext& context) const final;

 protected:
  // Pure: no I/O. Called once per sample (from StartBatch's thread, or inline in Evaluate).
  virtual ModelPlan Plan(const Sample& sample, const GroupView& group) const = 0;
  // Called with one ok reply per request of `plan` (failures never reach it). Parse strictly: a
  // reply that does not say what was asked is Score::Error("judge_unparseable" or similar).
  virtual Score Interpret(const Sample& sample, const ModelPlan& plan,
                          std::span<const Reply* const> replies) const = 0;
};

}  // namespace merit::backends

#endif  // MERIT_BACKENDS_MODEL_REWARD_H_
