// merit_test_model_server: the test model server (docs/test-model-server.md).
//
//   merit_test_model_server --host 127.0.0.1 --port 0 [--threads N] [--api-key K]
//                           [--exit-on-stdin-eof]
//
// Prints exactly one line, "listening on <port>", once it accepts connections, then serves until
// SIGTERM or SIGINT (or, with --exit-on-stdin-eof, until its stdin closes: the test fixture holds
// the other end, so a crashed test binary does not leave servers behind), and exits at once.
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model_server/handlers.h"

namespace merit::model_server {
namespace {

struct Flags {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 320;  // Room for 256 concurrent slow requests plus idle keep-alive connections.
  std::string api_key = {};
  bool exit_on_stdin_eof = false;
};

constexpr int kListenBacklog = 1024;

bool ParseInt(std::string_view text, int min, int max, int& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out >= min && out <= max;
}

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--exit-on-stdin-eof") {
      flags.exit_on_stdin_eof = true;
    } else if (arg == "--host" && has_value) {
      flags.host = argv[++i];
    } else if (arg == "--api-key" && has_value) {
      flags.api_key = argv[++i];
    } else if (arg == "--port" && has_value) {
      if (!ParseInt(argv[++i], 0, 65535, flags.port))
        return false;
    } else if (arg == "--threads" && has_value) {
      if (!ParseInt(argv[++i], 1, 4096, flags.threads))
        return false;
    } else {
      return false;
    }
  }
  return true;
}

// Finds the connected socket whose peer is remote_addr:remote_port and whose local port is
// local_port, by looking at the process's open descriptors. cpp-httplib does not hand the socket
// to handlers, and drop=1 needs it; the lookup runs only for dropped requests.
int FindConnection(const httplib::Request& req) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr)
    return -1;
  int found = -1;
  while (const dirent* entry = ::readdir(dir)) {
    int fd = -1;
    const std::string_view name = entry->d_name;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc())
      continue;
    sockaddr_storage peer = {};
    sockaddr_storage local = {};
    socklen_t peer_len = sizeof(peer);
    socklen_t local_len = sizeof(local);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        peer.ss_family != AF_INET || local.ss_family != AF_INET) {
      continue;
    }
    const auto& peer_in = reinterpret_cast<const sockaddr_in&>(peer);
    const auto& local_in = reinterpret_cast<const sockaddr_in&>(local);
    char addr[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer_in.sin_addr, addr, sizeof(addr));
    if (ntohs(peer_in.sin_port) == req.remote_port && ntohs(local_in.sin_port) == req.local_port &&
        req.remote_addr == addr) {
      found = fd;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

void Serve(ModelService& service, const httplib::Request& req, httplib::Response& res) {
  const HttpResponse response =
      service.Handle({.method = req.method,
                      .path = req.path,
                      .authorization = req.get_header_value("Authorization"),
                      .body = req.body});
  if (response.drop) {
    // The client sees the connection close with no response at all; cpp-httplib's own write then
    // fails and it closes the socket.
    const int fd = FindConnection(req);
    if (fd >= 0)
      ::shutdown(fd, SHUT_RDWR);
    res.status = 500;
    return;
  }
  res.status = response.status;
  if (!response.retry_after.empty())
    res.set_header("Retry-After", response.retry_after);
  res.set_content(response.body, response.content_type.c_str());
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) {
    std::fprintf(stderr,
                 "usage: %s --host H --port P [--threads N] [--api-key K] [--exit-on-stdin-eof]\n",
                 argv[0]);
    return 2;
  }
  // Signals are handled by one thread with sigwait; every other thread (created after this
  // point) inherits the blocked mask. SIGPIPE: a client that hung up is not a reason to die.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  ModelService service({.api_key = flags.api_key});
  httplib::Server server;
  const int threads = flags.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  server.set_keep_alive_max_count(1'000'000);
  server.set_keep_alive_timeout(10);
  // Without it, a response written in two pieces waits for the client's delayed ACK (40 ms).
  server.set_tcp_nodelay(true);
  server.set_read_timeout(30);
  server.set_write_timeout(30);
  server.set_payload_max_length(kMaxBodyBytes);
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = sock;
  });
  const auto handler = [&service](const httplib::Request& req, httplib::Response& res) {
    Serve(service, req, res);
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Delete(".*", handler);

  int port = flags.port;
  if (port == 0) {
    port = server.bind_to_any_port(flags.host);
  } else if (!server.bind_to_port(flags.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "cannot listen on %s:%d\n", flags.host.c_str(), flags.port);
    return 1;
  }
  // cpp-httplib listens with a backlog of 5, which bursts of hundreds of connections overflow;
  // listen() again only raises the backlog.
  if (listen_fd >= 0)
    ::listen(listen_fd, kListenBacklog);

  // The server keeps no state worth flushing, so stopping is exiting at once: a graceful stop()
  // would wait for idle keep-alive connections (seconds) and for slow injected latencies.
  std::thread([&stop_signals] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::_Exit(0);
  }).detach();
  if (flags.exit_on_stdin_eof) {
    std::thread([] {
      char buf[256];
      while (true) {
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno != EINTR))
          break;
      }
      std::_Exit(0);
    }).detach();
  }

  std::printf("listening on %d\n", port);
  std::fflush(stdout);
  if (!server.listen_after_bind()) {
    std::fprintf(stderr, "the server stopped with an error\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace merit::model_server

int main(int argc, char** argv) {
  return merit::model_server::Main(argc, argv);
}
