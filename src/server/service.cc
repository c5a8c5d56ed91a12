#include "server/service.h"

#include <algorithm>
#include <condition_variable>
#include <set>

#include <fmt/format.h>

#include "engine/field_mapping.h"
#include "io/summary.h"

namespace merit::server {
namespace {

using Clock = std::chrono::steady_clock;

// The config document with `fields:` set up for `preset`-shaped inputs, or nullopt when the
// config as written already reads them. The rule of python/merit/adapters.py (_reward_for), so
// that a remote adapter and an in-process one build the same engine from the same config.
StatusOr<std::optional<Json>> WithPreset(const Config& config, std::string_view preset) {
  const std::vector<std::string_view> presets = internal::FieldMapping::PresetNames();
  if (std::find(presets.begin(), presets.end(), preset) == presets.end()) {
    return InvalidArgumentError(
        fmt::format("fields: unknown preset \"{}\" (known: {})", preset, fmt::join(presets, ", ")));
  }
  const Json* fields = config.root.Find("fields");
  Json root = config.root;
  if (fields == nullptr || fields->is_null() ||
      (fields->is_string() && fields->str() == "default")) {
    root.Set("fields", Json::Str(std::string(preset)));
    return std::optional<Json>(std::move(root));
  }
  if (fields->is_string()) {
    if (fields->str() != preset) {
      return InvalidArgumentError(fmt::format(
          "{}: fields: the config reads \"{}\"-shaped inputs, but this request sends {}-shaped "
          "ones; remove `fields:` or write `fields: {{preset: {}, ...}}`",
          config.source, fields->str(), preset, preset));
    }
    return std::optional<Json>();
  }
  if (fields->is_object()) {
    const Json* named = fields->Find("preset");
    if (named == nullptr || named->is_null() || (named->is_string() && named->str() == "default")) {
      Json mapping = *fields;
      mapping.Set("preset", Json::Str(std::string(preset)));
      root.Set("fields", std::move(mapping));
      return std::optional<Json>(std::move(root));
    }
    if (!named->is_string() || named->str() != preset) {
      return InvalidArgumentError(fmt::format(
          "{}: fields.preset: the config reads {}-shaped inputs, but this request sends "
          "{}-shaped ones; use `preset: {}` or remove it",
          config.source, named->Dump(), preset, preset));
    }
  }
  // Anything else in `fields:` was accepted when the config compiled as written.
  return std::optional<Json>();
}

// What the handler and the worker share about one batch.
struct Job {
  std::mutex mu;
  std::condition_variable finished;
  bool started = false;    // Guarded by mu.
  bool done = false;       // Guarded by mu.
  bool abandoned = false;  // Guarded by mu. The handler gave up (deadline): skip or discard.
  Clock::time_point deadline;
  std::shared_ptr<ScoredBatch> result;
};

}  // namespace

NamedConfig::NamedConfig(ConfigSpec spec, Config config, std::shared_ptr<const Engine> engine,
                         const Registry& registry, EngineOptions options)
    : spec_(std::move(spec)),
      config_(std::move(config)),
      engine_(std::move(engine)),
      registry_(registry),
      options_(options) {}

StatusOr<std::shared_ptr<const Engine>> NamedConfig::EngineFor(std::string_view preset) const {
  if (preset.empty()) {
    return engine_;
  }
  std::lock_guard lock(mu_);
  if (const auto it = variants_.find(preset); it != variants_.end()) {
    return it->second;
  }
  MERIT_ASSIGN_OR_RETURN(std::optional<Json> root, WithPreset(config_, preset));
  std::shared_ptr<const Engine> engine = engine_;
  if (root) {
    MERIT_ASSIGN_OR_RETURN(Config variant, ConfigFromJson(*std::move(root), config_.source));
    MERIT_ASSIGN_OR_RETURN(Engine built, Engine::Create(variant, registry_, options_));
    engine = std::make_shared<const Engine>(std::move(built));
  }
  variants_.emplace(std::string(preset), engine);
  return engine;
}

StatusOr<std::shared_ptr<const NamedConfig>> Catalog::Find(std::string_view name) const {
  if (name.empty()) {
    return configs.front();
  }
  for (const auto& config : configs) {
    if (config->name() == name) {
      return config;
    }
  }
  std::vector<std::string_view> names;
  for (const auto& config : configs) {
    names.push_back(config->name());
  }
  return NotFoundError(
      fmt::format("no config named \"{}\" (served: {})", name, fmt::join(names, ", ")));
}

Service::Service(ServiceOptions options, std::unique_ptr<const Registry> registry,
                 std::shared_ptr<const Catalog> catalog)
    : options_(std::move(options)),
      registry_(std::move(registry)),
      catalog_(std::move(catalog)),
      queue_(options_.workers, options_.queue_capacity) {}

Service::~Service() = default;

StatusOr<std::shared_ptr<const Catalog>> Service::Load(const ServiceOptions& options,
                                                       const Registry& registry) {
  auto catalog = std::make_shared<Catalog>();
  for (const ConfigSpec& spec : options.configs) {
    MERIT_ASSIGN_OR_RETURN(Config config, LoadConfigFile(spec.path));
    const EngineOptions engine_options{.threads = options.threads};
    MERIT_ASSIGN_OR_RETURN(Engine engine, Engine::Create(config, registry, engine_options));
    catalog->configs.push_back(std::make_shared<const NamedConfig>(
        spec, std::move(config), std::make_shared<const Engine>(std::move(engine)), registry,
        engine_options));
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

StatusOr<std::unique_ptr<Service>> Service::Create(ServiceOptions options,
                                                   std::unique_ptr<const Registry> registry) {
  if (options.configs.empty()) {
    return InvalidArgumentError("no config: give at least one -c CONFIG");
  }
  std::set<std::string, std::less<>> names;
  for (const ConfigSpec& spec : options.configs) {
    if (spec.name.empty() || !names.insert(spec.name).second) {
      return InvalidArgumentError(fmt::format(
          "-c {}={}: config names must be unique and not empty", spec.name, spec.path));
    }
  }
  if (options.threads == 0) {
    options.threads = std::max(1u, std::thread::hardware_concurrency());
  }
  if (options.workers == 0) {
    options.workers = options.threads;
  }
  if (registry == nullptr) {
    registry = std::make_unique<const Registry>(BuiltinRegistry());
  }
  MERIT_ASSIGN_OR_RETURN(std::shared_ptr<const Catalog> catalog, Load(options, *registry));
  return std::unique_ptr<Service>(
      new Service(std::move(options), std::move(registry), std::move(catalog)));
}

std::shared_ptr<const Catalog> Service::catalog() const {
  std::lock_guard lock(mu_);
  return catalog_;
}

Status Service::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  StatusOr<std::shared_ptr<const Catalog>> loaded = Load(options_, *registry_);
  metrics_.CountReload(loaded.ok());
  if (!loaded.ok()) {
    return loaded.status().WithPrefix("reload failed, still serving the previous configs");
  }
  std::shared_ptr<const Catalog> old;
  {
    std::lock_guard lock(mu_);
    old = std::exchange(catalog_, *std::move(loaded));
  }
  // `old` (and its engines' thread pools) goes when the last batch using it finishes.
  return OkStatus();
}

StatusOr<std::shared_ptr<const ScoredBatch>> Service::Score(ScoreRequest request) {
  const std::shared_ptr<const Catalog> current = catalog();
  MERIT_ASSIGN_OR_RETURN(std::shared_ptr<const NamedConfig> config, current->Find(request.config));
  MERIT_ASSIGN_OR_RETURN(std::shared_ptr<const Engine> engine, config->EngineFor(request.fields));

  std::chrono::milliseconds timeout = options_.default_timeout;
  if (request.timeout_ms) {
    timeout = std::min(std::chrono::milliseconds(*request.timeout_ms), options_.max_timeout);
  }
  auto job = std::make_shared<Job>();
  job->deadline = Clock::now() + timeout;
  job->result = std::make_shared<ScoredBatch>(
      ScoredBatch{.config = config, .engine = engine, .batch = std::move(request.batch)});

  const bool queued = queue_.TrySubmit([this, job] {
    {
      std::lock_guard lock(job->mu);
      if (job->abandoned || Clock::now() > job->deadline) {
        job->abandoned = true;
        return;  // Nobody waits for it any more: free the worker at once.
      }
      job->started = true;
    }
    ScoredBatch& scored = *job->result;
    const internal::LineScorer scorer(*scored.engine,
                                      {.max_line_bytes = options_.limits.max_sample_bytes,
                                       .max_json_depth = options_.limits.max_depth,
                                       .echo_input = false});
    internal::Summary summary(scored.engine->ComponentNames());
    scorer.Parse(scored.batch);
    scorer.ScoreAndFormat(scored.batch, scored.batch.size(), scored.lines, summary);
    metrics_.CountSamples(scored.config->name(), summary.ToJson(scored.engine->config_hash()));
    {
      std::lock_guard lock(job->mu);
      job->done = true;
    }
    job->finished.notify_all();
  });
  if (!queued) {
    metrics_.CountRejected("queue_full");
    return ResourceExhaustedError(
        fmt::format("server busy: {} batches are waiting to be scored; retry later",
                    queue_.capacity()));
  }
  std::unique_lock lock(job->mu);
  if (!job->finished.wait_until(lock, job->deadline, [&] { return job->done; })) {
    job->abandoned = true;
    metrics_.CountRejected("deadline");
    return Status(StatusCode::kDeadlineExceeded,
                  fmt::format("not scored within {} ms ({})", timeout.count(),
                              job->started ? "scoring took longer" : "it waited in the queue"));
  }
  return std::shared_ptr<const ScoredBatch>(job->result);
}

bool Service::QueueFull() const {
  return queue_.full();
}

Gauges Service::SampleGauges() const {
  Gauges gauges{.queue_waiting = queue_.waiting(),
                .queue_running = queue_.running(),
                .queue_capacity = queue_.capacity(),
                .workers = queue_.workers(),
                .ready = !draining()};
  for (const auto& config : catalog()->configs) {
    gauges.configs.emplace_back(config->name(), config->engine().config_hash());
  }
  return gauges;
}

}  // namespace merit::server
