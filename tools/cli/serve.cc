// `merit serve`: the HTTP reward service (src/server). This file is the process around it:
// arguments, the bearer token from the environment, and signals.
//
// Signals are handled without any global state: SIGTERM, SIGINT and SIGHUP are blocked in every
// thread (the mask is set before any thread starts and inherited), and one thread takes them
// with sigwait(). SIGTERM/SIGINT: stop accepting, finish in-flight requests, exit 0. SIGHUP:
// reload every config (the previous ones stay if a file is now invalid).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "server/http_server.h"
#include "server/service.h"

namespace merit::cli {
namespace {

// "NAME=PATH" or "PATH" (named after the file's stem).
server::ConfigSpec ParseConfigArg(const std::string& arg) {
  const std::size_t eq = arg.find('=');
  if (eq != std::string::npos && eq > 0) {
    return {.name = arg.substr(0, eq), .path = arg.substr(eq + 1)};
  }
  std::string stem = arg.substr(arg.find_last_of('/') + 1);
  stem = stem.substr(0, stem.find('.'));
  return {.name = stem.empty() ? "default" : stem, .path = arg};
}

void Notice(const std::string& message) {
  const std::string line = "merit serve: " + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

int RunServe(const ServeArgs& args) {
  server::ServiceOptions options{
      .threads = args.threads,
      .workers = args.workers,
      .queue_capacity = args.queue,
      .limits = {.max_batch = args.max_batch, .max_sample_bytes = args.max_sample_bytes},
      .default_timeout = std::chrono::milliseconds(args.timeout_ms),
      .max_timeout = std::chrono::milliseconds(std::max(args.max_timeout_ms, args.timeout_ms))};
  for (const std::string& config : args.configs) {
    options.configs.push_back(ParseConfigArg(config));
  }
  server::HttpOptions http{.host = args.host,
                           .port = args.port,
                           .http_threads = args.http_threads,
                           .max_body_bytes = args.max_body_mb << 20,
                           .access_log = !args.quiet};
  if (!args.token_env.empty()) {
    const char* token = std::getenv(args.token_env.c_str());
    if (token == nullptr || *token == '\0') {
      return ReportError(InvalidArgumentError(
          fmt::format("--token-env {}: the variable is not set or empty", args.token_env)));
    }
    http.token = token;
  }

  // Before any thread exists, so that every thread inherits the mask and only the signal thread
  // below ever sees these signals.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) {
    sigaddset(&signals, s);
  }
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  StatusOr<std::unique_ptr<server::Service>> service = server::Service::Create(std::move(options));
  if (!service.ok()) {
    return ReportError(service.status());
  }
  server::HttpServer http_server(**service, std::move(http));
  StatusOr<int> port = http_server.Bind();
  if (!port.ok()) {
    return ReportError(port.status());
  }

  std::thread signal_thread([&] {
    while (true) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) {
        continue;
      }
      if (received == SIGHUP) {
        const Status status = (*service)->Reload();
        Notice(status.ok() ? "reloaded" : status.message());
        continue;
      }
      if (received == SIGUSR1) {
        return;  // The server stopped on its own; see below.
      }
      Notice("stopping: finishing in-flight requests");
      (*service)->BeginDrain();
      http_server.Stop();
      return;
    }
  });

  std::string names;
  for (const auto& config : (*service)->catalog()->configs) {
    names += (names.empty() ? "" : ", ") + config->name() + " (" + config->engine().config_hash() +
             ")";
  }
  // Tests and scripts read the port from this line (with --port 0).
  Notice(fmt::format("listening on http://{}:{} (configs: {}; {} scoring threads, {} workers)",
                     args.host, *port, names, (*service)->options().threads,
                     (*service)->options().workers));
  http_server.Run();
  // Run() also returns if listening failed; wake the signal thread if it is still waiting.
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  Notice("stopped");
  return 0;
}

}  // namespace merit::cli
