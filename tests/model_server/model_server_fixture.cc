#include "model_server/model_server_fixture.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace merit::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(5);
constexpr auto kStopTimeout = std::chrono::seconds(5);

std::string Errno(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Kills and reaps a child whose start failed.
void KillNow(pid_t pid) {
  ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
}

// Reads the child's first stdout line ("listening on <port>") within the start timeout.
StatusOr<int> ReadPort(int fd) {
  const Clock::time_point deadline = Clock::now() + kStartTimeout;
  std::string line;
  while (line.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return Status(StatusCode::kDeadlineExceeded, "model server did not report its port in 5 s");
    }
    pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR)
      return InternalError(Errno("poll"));
    if (ready <= 0)
      continue;
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return InternalError("model server exited before reporting its port");
    line.append(buf, static_cast<std::size_t>(n));
    if (line.size() > 1024)
      return InternalError("model server wrote an unexpected first line");
  }
  line.resize(line.find('\n'));
  constexpr std::string_view kPrefix = "listening on ";
  int port = 0;
  if (line.rfind(kPrefix, 0) != 0 ||
      std::from_chars(line.data() + kPrefix.size(), line.data() + line.size(), port).ec !=
          std::errc() ||
      port <= 0) {
    return InternalError("model server wrote \"" + line + "\" instead of \"listening on <port>\"");
  }
  return port;
}

}  // namespace

StatusOr<std::unique_ptr<ModelServer>> ModelServer::Start(std::vector<std::string> extra_args) {
  std::vector<std::string> args = {MERIT_TEST_MODEL_SERVER, "--host", "127.0.0.1", "--port", "0",
                                   "--exit-on-stdin-eof"};
  args.insert(args.end(), std::make_move_iterator(extra_args.begin()),
              std::make_move_iterator(extra_args.end()));
  std::vector<char*> argv;
  for (std::string& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);

  // O_CLOEXEC: servers started concurrently from other threads must not inherit these ends.
  int out_pipe[2];
  int in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return InternalError(Errno("pipe2"));
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return InternalError(Errno("pipe2"));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int spawn_error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(in_pipe[0]);
  if (spawn_error != 0) {
    ::close(out_pipe[0]);
    ::close(in_pipe[1]);
    return InternalError(std::string("posix_spawn ") + MERIT_TEST_MODEL_SERVER + ": " +
                         std::strerror(spawn_error));
  }
  StatusOr<int> port = ReadPort(out_pipe[0]);
  // The server writes nothing else to stdout; closing our end early is safe.
  ::close(out_pipe[0]);
  if (!port.ok()) {
    KillNow(pid);
    ::close(in_pipe[1]);
    return port.status();
  }
  return std::unique_ptr<ModelServer>(new ModelServer(pid, *port, in_pipe[1]));
}

ModelServer::~ModelServer() {
  ::kill(pid_, SIGTERM);
  const Clock::time_point deadline = Clock::now() + kStopTimeout;
  int wstatus = 0;
  while (true) {
    const pid_t done = ::waitpid(pid_, &wstatus, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR))
      break;
    if (Clock::now() >= deadline) {
      KillNow(pid_);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::close(lifeline_fd_);
}

std::string ModelServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string ModelServer::Url(std::string_view faults) const {
  std::string out = url();
  out += "/faults/";
  out += faults;
  return out;
}

StatusOr<Json> ModelServer::Stats() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(std::chrono::seconds(5));
  const httplib::Result res = client.Get("/stats");
  if (!res)
    return InternalError("GET /stats: " + httplib::to_string(res.error()));
  if (res->status != 200)
    return InternalError("GET /stats: HTTP " + std::to_string(res->status));
  JsonParser parser;
  return parser.Parse(res->body);
}

Status ModelServer::ResetStats() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(std::chrono::seconds(5));
  const httplib::Result res = client.Post("/stats/reset");
  if (!res)
    return InternalError("POST /stats/reset: " + httplib::to_string(res.error()));
  if (res->status != 200) {
    return InternalError("POST /stats/reset: HTTP " + std::to_string(res->status));
  }
  return OkStatus();
}

}  // namespace merit::testing
