// Sandbox: runs untrusted programs (model-written code) in fresh, isolated processes.
//
// Each run is a new bubblewrap (bwrap) sandbox: new user, network, pid, ipc, uts, mount and cgroup
// namespaces; a read-only view of /usr (plus the /bin, /lib* links and a minimal /etc); a private,
// size-capped tmpfs as the working directory; a seccomp filter; rlimits (CPU, address space,
// processes, file size, open files, no core dumps) applied by prlimit(1) inside the sandbox; and a
// wall-clock deadline enforced here, by SIGKILLing the sandbox's init (which takes the whole pid
// namespace down).
// docs/code-sandbox.md describes the threat model: what is isolated and what is not.
//
// Runs are driven by one poll() loop in the calling thread (no threads are created), so a Sandbox
// can run many programs at once without a pool.
//
// Thread safety: immutable after Create(); RunAll() may be called concurrently from any number of
// threads.
#ifndef MERIT_REWARDS_CODE_SANDBOX_H_
#define MERIT_REWARDS_CODE_SANDBOX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "merit/status.h"

namespace merit::code {

// Limits of one run. Times in seconds, sizes in bytes.
struct SandboxLimits {
  double cpu_seconds = 4;                            // RLIMIT_CPU (SIGXCPU, then SIGKILL 1 s on).
  double wall_seconds = 10;                          // Enforced by the parent: SIGKILL.
  std::int64_t memory_bytes = std::int64_t{512} << 20;  // RLIMIT_AS.
  std::int64_t max_processes = 32;                   // RLIMIT_NPROC (threads count too).
  std::int64_t max_file_bytes = std::int64_t{16} << 20;  // RLIMIT_FSIZE (SIGXFSZ).
  std::int64_t max_open_files = 64;                  // RLIMIT_NOFILE.
  std::int64_t tmpfs_bytes = std::int64_t{64} << 20;    // Size of the private /tmp.
  std::int64_t max_stdout_bytes = std::int64_t{1} << 20;  // More: killed, Stop::kOutputLimit.
  std::int64_t max_stderr_bytes = 4096;  // More: the rest is read and dropped (err_truncated).
};

struct SandboxConfig {
  std::string bwrap_path = "/usr/bin/bwrap";
  std::string prlimit_path = "/usr/bin/prlimit";
  // Extra host paths bound read-only at the same place (e.g. an interpreter outside /usr).
  std::vector<std::string> ro_binds = {};
  // When merit runs as root, runs switch to this uid/gid before starting bwrap: the kernel never
  // applies RLIMIT_NPROC to uid 0, and an unprivileged bwrap must create a user namespace (which
  // is what keeps the process count per sandbox). Ignored when merit is not root.
  std::uint32_t sandbox_uid = 65534;
};

// One program to run. The views must outlive RunAll().
struct RunSpec {
  std::span<const std::string> argv = {};  // Paths as seen inside the sandbox.
  std::string_view stdin_data = {};        // Given as a sealed, read-only file on fd 0.
  std::string_view ro_dir = {};            // Host directory bound read-only at /sandbox ("": none).
  std::string_view rw_dir = {};            // Host directory bound read-write at /out ("": none).
  SandboxLimits limits = {};
};

// Why a run ended.
enum class Stop : std::uint8_t {
  kExited,       // The program ended by itself (exit or signal): see exit_code.
  kWallTimeout,  // Killed at the wall-clock deadline.
  kOutputLimit,  // Killed for writing more than max_stdout_bytes.
};

struct RunResult {
  Stop stop = Stop::kExited;
  // The program's exit status, or 128 + signal number when a signal ended it (bwrap's
  // convention; so a program that calls exit(137) looks like one killed by SIGKILL).
  int exit_code = 0;
  std::string out = {};  // stdout, at most max_stdout_bytes.
  std::string err = {};  // The first max_stderr_bytes of stderr.
  bool err_truncated = false;
  double wall_seconds = 0;
};

class Sandbox {
 public:
  // Errors: kInvalidArgument when a configured path is not absolute or does not exist,
  // kInternal when the seccomp filter cannot be built.
  static StatusOr<std::unique_ptr<const Sandbox>> Create(SandboxConfig config);

  // Called as each run ends, with its index in `specs`; return false to kill every run still
  // going and start no more.
  using OnDone = std::function<bool(std::size_t index, RunResult& result)>;

  // Runs every spec, at most `parallel` (>= 1) at a time, starting them in index order.
  // Errors: kFailedPrecondition when a sandbox could not be set up (bwrap missing, user namespaces
  // refused: a machine problem, never the program's fault; bwrap's message is included),
  // kResourceExhausted when pipes or processes cannot be created. Runs still going are killed
  // and reaped before RunAll returns, whatever happens.
  Status RunAll(std::span<const RunSpec> specs, std::size_t parallel, const OnDone& on_done) const;

  // Makes a host directory (ro_dir, rw_dir) usable by the sandbox: when merit runs as root, bwrap
  // runs as sandbox_uid and can only bind a directory it can reach, so it is chown'ed to that uid
  // (keep its parent private). A no-op when merit is not root. Errors: kFailedPrecondition.
  Status PrepareDirectory(const std::string& path) const;

  // Runs /usr/bin/true in a sandbox. OK when this machine can create the sandbox; otherwise
  // the reason (used by tests to skip, and by `merit` to explain).
  Status Probe() const;

 private:
  Sandbox(SandboxConfig config, std::string seccomp_bpf, std::vector<std::string> root_args,
          std::vector<std::string> extra_args, bool as_root);

  const SandboxConfig config_;
  const std::string seccomp_bpf_;             // The compiled filter (struct sock_filter[]).
  const std::vector<std::string> root_args_;   // bwrap arguments: the read-only system view.
  const std::vector<std::string> extra_args_;  // bwrap arguments: SandboxConfig::ro_binds.
  const bool as_root_;
};

}  // namespace merit::code

#endif  // MERIT_REWARDS_CODE_SANDBOX_H_
