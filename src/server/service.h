// Service: what `merit serve` does, without HTTP. It holds the named configs compiled into
// engines, scores request batches on a bounded work queue with deadlines, and reloads configs by
// building new engines and swapping them in atomically.
//
// No scoring logic lives here: batches go through LineScorer, the code path of `merit score`
// and of the Python module, so a served result is byte for byte the CLI's (without the echoed
// input).
//
// Thread safety: every method may be called from any thread. In-flight batches keep the engine
// they started with (shared_ptr), so a reload never disturbs them.
#ifndef MERIT_SERVER_SERVICE_H_
#define MERIT_SERVER_SERVICE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"
#include "merit/status.h"

#include "io/line_scorer.h"
#include "server/metrics.h"
#include "server/request.h"
#include "server/work_queue.h"

namespace merit::server {

struct ConfigSpec {
  std::string name;  // The name requests use ({"config": name}).
  std::string path;  // YAML or JSON file, read again on every reload.
};

struct ServiceOptions {
  std::vector<ConfigSpec> configs = {};  // The first is the default. Names are unique.
  std::size_t threads = 0;          // Scoring threads per engine (0: all cores).
  std::size_t workers = 0;          // Batches scored at once (0: as many as threads).
  std::size_t queue_capacity = 64;  // Batches that may wait for a worker; more get 429.
  RequestLimits limits = {};
  std::chrono::milliseconds default_timeout{30000};  // Deadline of a request that names none.
  std::chrono::milliseconds max_timeout{300000};     // Cap on the deadline a request asks for.
};

// A config as served: its name, file, the engine compiled from it as written, and engines for
// the trainer presets (fields: trl, verl, openrlhf), compiled on first use.
class NamedConfig {
 public:
  NamedConfig(ConfigSpec spec, Config config, std::shared_ptr<const Engine> engine,
              const Registry& registry, EngineOptions options);

  const std::string& name() const { return spec_.name; }
  const ConfigSpec& spec() const { return spec_; }
  const Engine& engine() const { return *engine_; }

  // The engine that reads `preset`-shaped inputs ("" or the config's own preset: the config as
  // written). A config without `fields:` (or `fields: default`) gets the preset; a `fields:`
  // mapping without a preset gets it underneath its own paths; the rule of python/merit's
  // adapters. Errors: kInvalidArgument for an unknown preset or a config written for another
  // trainer's inputs.
  StatusOr<std::shared_ptr<const Engine>> EngineFor(std::string_view preset) const;

 private:
  const ConfigSpec spec_;
  const Config config_;
  const std::shared_ptr<const Engine> engine_;
  const Registry& registry_;
  const EngineOptions options_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<const Engine>, std::less<>>
      variants_;  // Guarded by mu_.
};

// The configs of one load; immutable (apart from NamedConfig's lazily built variants).
struct Catalog {
  std::vector<std::shared_ptr<const NamedConfig>> configs;  // configs[0] is the default.

  // Errors: kNotFound for an unknown name (the message lists the served names).
  StatusOr<std::shared_ptr<const NamedConfig>> Find(std::string_view name) const;
};

// A scored batch: one result line per sample ('\n'-terminated, merit's keys only) plus the
// per-sample states that the OpenRLHF response is built from.
struct ScoredBatch {
  std::shared_ptr<const NamedConfig> config = {};
  std::shared_ptr<const Engine> engine = {};
  internal::LineBatch batch = {};
  std::string lines = {};
};

class Service {
 public:
  // Loads and compiles every config against `registry` (null: merit's builtin registry; tests
  // add their own rewards). Errors: those of LoadConfigFile and Engine::Create (naming the
  // file), kInvalidArgument for duplicate or empty names.
  static StatusOr<std::unique_ptr<Service>> Create(ServiceOptions options,
                                                   std::unique_ptr<const Registry> registry = {});
  ~Service();  // Finishes every queued batch first.

  // Scores `request` within its deadline (its timeout_ms, capped, else the default). Errors:
  //   kNotFound            unknown config name (HTTP 404)
  //   kInvalidArgument     bad fields preset for this config (400)
  //   kResourceExhausted   the work queue is full; retry later (429)
  //   kDeadlineExceeded    not scored within the deadline (504); a batch still queued is dropped,
  //                        one already running finishes and its result is discarded.
  StatusOr<std::shared_ptr<const ScoredBatch>> Score(ScoreRequest request);

  // Reads every config file again, compiles new engines, then swaps them all in at once. On any
  // error nothing changes and the error is returned.
  Status Reload();

  std::shared_ptr<const Catalog> catalog() const;

  // True when a batch submitted now would be refused (429): lets the HTTP layer refuse before
  // parsing the body, so that an overloaded server spends nothing on work it will not do.
  bool QueueFull() const;

  const ServiceOptions& options() const { return options_; }

  // Once draining, /health reports 503 so that load balancers stop sending work; batches
  // already accepted still complete.
  void BeginDrain() { draining_.store(true); }

  bool draining() const { return draining_.load(); }

  Metrics& metrics() { return metrics_; }

  Gauges SampleGauges() const;

 private:
  Service(ServiceOptions options, std::unique_ptr<const Registry> registry,
          std::shared_ptr<const Catalog> catalog);

  static StatusOr<std::shared_ptr<const Catalog>> Load(const ServiceOptions& options,
                                                       const Registry& registry);

  const ServiceOptions options_;
  const std::unique_ptr<const Registry> registry_;  // Engines refer to it; lives longest.
  Metrics metrics_;
  std::atomic<bool> draining_{false};
  mutable std::mutex mu_;
  std::shared_ptr<const Catalog> catalog_;  // Guarded by mu_; swapped whole on reload.
  std::mutex reload_mu_;                    // One reload at a time.
  WorkQueue queue_;                         // Last: workers stop before the rest goes.
};

}  // namespace merit::server

#endif  // MERIT_SERVER_SERVICE_H_
