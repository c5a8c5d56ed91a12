// Engine: a config compiled against a registry into an immutable reward tree, a field mapping
// and an optional advantage estimator. Score many batches with it.
//
// Thread safety: immutable after Create(); const methods may be called concurrently.
#ifndef MERIT_ENGINE_H_
#define MERIT_ENGINE_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "merit/config.h"
#include "merit/json.h"
#include "merit/registry.h"
#include "merit/result.h"
#include "merit/sample.h"
#include "merit/status.h"

namespace merit {

namespace internal {
struct EngineState;
}  // namespace internal

struct EngineOptions {
  std::size_t threads = 1;  // Total scoring threads, the caller's included. 0: all cores.
};

class Engine {
 public:
  // Validates and compiles the whole config. Errors: kInvalidArgument naming the config file, the
  // path in it, what was expected and the closest valid names.
  static StatusOr<Engine> Create(const Config& config, const Registry& registry,
                                 EngineOptions options = {});
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  // results[i] scores samples[i]; advantages are computed over the groups in this batch when the
  // config asks for them. Output is identical whatever the thread count.
  std::vector<Result> ScoreBatch(std::span<const Sample> samples) const;

  // Maps one input object to a Sample with the config's `fields:`. On failure returns a Score
  // with status kError and reason "missing_field" or "wrong_type"; *sample is then unspecified.
  // `sample` is caller scratch: its buffers are reused.
  Score MapSample(const Json& object, Sample* sample) const;

  const std::string& config_hash() const;
  bool has_advantages() const;
  // Component names in the order results list them (pre-order over the reward tree).
  std::vector<std::string> ComponentNames() const;
  std::size_t threads() const;

  const internal::EngineState& state() const { return *state_; }  // For merit's own shells.

 private:
  explicit Engine(std::unique_ptr<const internal::EngineState> state);
  std::unique_ptr<const internal::EngineState> state_;
};

}  // namespace merit

#endif  // MERIT_ENGINE_H_
