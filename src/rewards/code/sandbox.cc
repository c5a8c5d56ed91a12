#include "rewards/code/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <csignal>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace merit::code {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(std::string_view what, int error) {
  return fmt::format("{}: {}", what, std::error_code(error, std::generic_category()).message());
}

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;

  explicit Fd(int fd) : fd_(fd) {}

  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

  Fd& operator=(Fd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }

  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  ~Fd() { Reset(); }

  int get() const { return fd_; }

  bool valid() const { return fd_ >= 0; }

  void Reset(int fd = -1) {
    if (fd_ >= 0) {
      close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A pipe whose ends are close-on-exec (the child gets its end through dup3 only, so concurrent
// spawns from other threads never inherit it).
StatusOr<std::pair<Fd, Fd>> MakePipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return ResourceExhaustedError(ErrnoText("pipe2", errno));
  }
  return std::pair<Fd, Fd>{Fd(fds[0]), Fd(fds[1])};
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ResourceExhaustedError(ErrnoText("write", errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return OkStatus();
}

// stdin as a sealed memfd: a regular file the program can read (and seek) but never change, so
// nothing it does reaches the next run, and no pipe write can block or raise SIGPIPE here.
StatusOr<Fd> MakeInputFile(std::string_view data) {
  Fd fd(static_cast<int>(memfd_create("merit-stdin", MFD_CLOEXEC | MFD_ALLOW_SEALING)));
  if (!fd.valid()) {
    return ResourceExhaustedError(ErrnoText("memfd_create", errno));
  }
  MERIT_RETURN_IF_ERROR(WriteAll(fd.get(), data));
  if (lseek(fd.get(), 0, SEEK_SET) != 0 ||
      fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    return ResourceExhaustedError(ErrnoText("memfd seal", errno));
  }
  return fd;
}

// The seccomp filter. Its job is to shrink the kernel surface reachable from inside the
// namespaces (the namespaces, not the filter, are the main wall): no new namespaces, no ptrace
// or cross-process memory access, no mounts, no kernel modules / kexec / bpf / perf / io_uring /
// keyrings / userfaultfd (frequent sources of kernel exploits), no clock or swap changes, and
// sockets only of the AF_UNIX family (the network namespace already has no route out; this
// also keeps AF_NETLINK/AF_PACKET away). Denied calls fail with an errno, so a program sees an
// ordinary error (an exception in Python) rather than dying mysteriously.
constexpr std::string_view kDeniedSyscalls[] = {
    "ptrace",          "process_vm_readv",  "process_vm_writev", "kcmp",
    "pidfd_getfd",     "mount",             "umount2",           "pivot_root",
    "chroot",          "unshare",           "setns",             "fsopen",
    "fsmount",         "fsconfig",          "fspick",            "move_mount",
    "open_tree",       "mount_setattr",     "kexec_load",        "kexec_file_load",
    "bpf",             "perf_event_open",   "init_module",       "finit_module",
    "delete_module",   "reboot",            "swapon",            "swapoff",
    "acct",            "syslog",            "keyctl",            "add_key",
    "request_key",     "userfaultfd",       "io_uring_setup",    "io_uring_enter",
    "io_uring_register", "open_by_handle_at", "name_to_handle_at", "settimeofday",
    "clock_settime",   "clock_adjtime",     "adjtimex",          "quotactl",
    "uselib",          "lookup_dcookie",    "vhangup",           "iopl",
    "ioperm",          "fanotify_init",     "mbind",             "migrate_pages",
    "move_pages",      "set_mempolicy",     "sethostname",       "setdomainname",
    "nfsservctl",
};

constexpr std::uint64_t kNamespaceCloneFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWNET,
                                                  CLONE_NEWPID,  CLONE_NEWIPC, CLONE_NEWUTS,
                                                  CLONE_NEWCGROUP};

// libseccomp's SCMP_A0..SCMP_A5 macros are C compound literals, which clang rejects in C++.
scmp_arg_cmp ArgCompare(unsigned arg, scmp_compare op, std::uint64_t a, std::uint64_t b = 0) {
  return scmp_arg_cmp{.arg = arg, .op = op, .datum_a = a, .datum_b = b};
}

StatusOr<std::string> BuildSeccompFilter() {
  struct CtxDeleter {
    void operator()(void* ctx) const { seccomp_release(ctx); }
  };
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (ctx == nullptr) {
    return InternalError("seccomp_init failed");
  }
  const auto add = [&](std::uint32_t action, int syscall_nr, unsigned count,
                       const scmp_arg_cmp* args) -> Status {
    const int rc = seccomp_rule_add_array(ctx.get(), action, syscall_nr, count, args);
    if (rc != 0) {
      return InternalError(ErrnoText("seccomp_rule_add", -rc));
    }
    return OkStatus();
  };
  for (std::string_view name : kDeniedSyscalls) {
    const int nr = seccomp_syscall_resolve_name(std::string(name).c_str());
    if (nr == __NR_SCMP_ERROR) {
      continue;  // Not a syscall on this architecture (e.g. iopl outside x86).
    }
    MERIT_RETURN_IF_ERROR(add(SCMP_ACT_ERRNO(EPERM), nr, 0, nullptr));
  }
  const scmp_arg_cmp not_unix = ArgCompare(0, SCMP_CMP_NE, AF_UNIX);
  MERIT_RETURN_IF_ERROR(add(SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, &not_unix));
  MERIT_RETURN_IF_ERROR(add(SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1, &not_unix));
  for (std::uint64_t flag : kNamespaceCloneFlags) {
    const scmp_arg_cmp has_flag = ArgCompare(0, SCMP_CMP_MASKED_EQ, flag, flag);
    MERIT_RETURN_IF_ERROR(add(SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, &has_flag));
  }
  // clone3 passes its flags in memory, where seccomp cannot look; ENOSYS makes glibc fall back
  // to clone, whose flags the rules above check.
  MERIT_RETURN_IF_ERROR(add(SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, nullptr));
  // TIOCSTI pushes characters into a terminal's input queue (--new-session covers the same).
  const scmp_arg_cmp tiocsti = ArgCompare(1, SCMP_CMP_EQ, TIOCSTI);
  MERIT_RETURN_IF_ERROR(add(SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1, &tiocsti));

  // libseccomp writes the program to a file descriptor; a memfd keeps it in memory.
  Fd fd(static_cast<int>(memfd_create("merit-seccomp", MFD_CLOEXEC)));
  if (!fd.valid()) {
    return InternalError(ErrnoText("memfd_create", errno));
  }
  if (const int rc = seccomp_export_bpf(ctx.get(), fd.get()); rc != 0) {
    return InternalError(ErrnoText("seccomp_export_bpf", -rc));
  }
  const off_t size = lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || lseek(fd.get(), 0, SEEK_SET) != 0) {
    return InternalError("seccomp_export_bpf wrote nothing");
  }
  // RunAll writes the filter into a pipe before bwrap reads it: it must fit the pipe's buffer.
  if (size > 16384) {
    return InternalError(fmt::format("seccomp filter of {} bytes is too large", size));
  }
  std::string bpf(static_cast<std::size_t>(size), '\0');
  if (pread(fd.get(), bpf.data(), bpf.size(), 0) != size) {
    return InternalError(ErrnoText("read seccomp filter", errno));
  }
  return bpf;
}

// The configured extra read-only binds. They are mounted after /tmp, so they may lie under it.
StatusOr<std::vector<std::string>> BuildExtraBindArgs(const SandboxConfig& config) {
  std::vector<std::string> args;
  for (const std::string& path : config.ro_binds) {
    struct stat st {};
    if (path.empty() || path[0] != '/' || stat(path.c_str(), &st) != 0) {
      return InvalidArgumentError(
          fmt::format("ro_binds: \"{}\" is not an existing absolute path", path));
    }
    args.insert(args.end(), {"--ro-bind", path, path});
  }
  return args;
}

// The read-only system view: /usr, the top-level directories that are symlinks into /usr on a
// merged-/usr system (or directories otherwise), and the few /etc files a dynamic program reads.
// Nothing else of the host (no /home, /root, /work, /var, /run, /etc/passwd, /tmp) is visible.
std::vector<std::string> BuildRootArgs() {
  std::vector<std::string> args = {"--ro-bind", "/usr", "/usr"};
  for (const char* path : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    struct stat st {};
    if (lstat(path, &st) != 0) {
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      std::array<char, 4096> target{};
      const ssize_t n = readlink(path, target.data(), target.size() - 1);
      if (n > 0) {
        args.insert(args.end(), {"--symlink", std::string(target.data(), static_cast<std::size_t>(n)), path});
      }
    } else if (S_ISDIR(st.st_mode)) {
      args.insert(args.end(), {"--ro-bind", path, path});
    }
  }
  for (const char* path : {"/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime"}) {
    args.insert(args.end(), {"--ro-bind-try", path, path});
  }
  return args;
}

// Everything the child needs, prepared before vfork: the child only makes raw system calls.
struct ChildPlan {
  std::array<int, 5> fds{};  // Become fds 0..4: stdin, stdout, stderr, bwrap status, seccomp.
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  bool switch_uid = false;
  std::uint32_t uid = 0;
};

// Runs in the vfork child, which shares the parent's memory until execve: only raw system
// calls, no allocation, no libc state (glibc's setresuid would broadcast to the parent's
// threads; sanitizers intercept sigaction). On any failure it exits 127 before bwrap runs, which
// the parent reports as "the sandbox could not start".
[[noreturn]] void ChildExec(const ChildPlan& plan) {
  // Every disposition back to default (an ignored SIGPIPE would survive execve), then unblock
  // what the parent blocked around vfork. The kernel's struct sigaction is all zeros for SIG_DFL.
  const std::array<unsigned long, 4> default_action{};
  for (int sig = 1; sig < 65; ++sig) {
    syscall(SYS_rt_sigaction, sig, default_action.data(), nullptr, sizeof(std::uint64_t));
  }
  const std::uint64_t empty_mask = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty_mask, nullptr, sizeof(empty_mask));
  // Move the fds above the target range first, so that a source already in 0..4 is not
  // overwritten before it is used.
  std::array<int, 5> high{};
  for (std::size_t i = 0; i < plan.fds.size(); ++i) {
    high[i] = static_cast<int>(syscall(SYS_fcntl, plan.fds[i], F_DUPFD, 16));
    if (high[i] < 0) {
      syscall(SYS_exit_group, 127);
    }
  }
  for (std::size_t i = 0; i < high.size(); ++i) {
    if (syscall(SYS_dup3, high[i], static_cast<int>(i), 0) < 0) {
      syscall(SYS_exit_group, 127);
    }
  }
  syscall(SYS_close_range, 5U, ~0U, 0U);
  if (plan.switch_uid) {
    if (syscall(SYS_setgroups, 0, nullptr) != 0 ||
        syscall(SYS_setresgid, plan.uid, plan.uid, plan.uid) != 0 ||
        syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) {
      syscall(SYS_exit_group, 127);
    }
  }
  syscall(SYS_umask, 022);
  syscall(SYS_execve, plan.path, plan.argv, plan.envp);
  syscall(SYS_exit_group, 127);
  __builtin_unreachable();
}

// One run in flight.
struct Job {
  std::size_t index = 0;
  pid_t pid = -1;
  Fd pidfd;
  Fd out;
  Fd err;
  Fd status;
  std::string status_text;  // bwrap's --json-status-fd output (the first few hundred bytes).
  RunResult result;
  Clock::time_point start;
  Clock::time_point deadline;
  std::int64_t max_out = 0;
  std::int64_t max_err = 0;
  bool killed = false;
  bool exited = false;
  int wait_status = 0;
};

// Reads what is available from `fd` (non-blocking). Returns false at EOF or error.
bool Drain(Fd& fd, std::string& into, std::int64_t cap, bool& overflow);

// The host pid of the sandbox's init (bwrap's --json-status-fd "child-pid"), if reported yet.
std::optional<pid_t> InitPid(std::string_view status_text) {
  constexpr std::string_view kKey = "\"child-pid\": ";
  const std::size_t at = status_text.find(kKey);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view digits = status_text.substr(at + kKey.size());
  pid_t pid = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc() || pid <= 1) {
    return std::nullopt;
  }
  return pid;
}

// SIGKILLs the sandbox's init, whose death takes its whole pid namespace down, and lets bwrap
// (its parent) reap it and exit. True when done. Killing bwrap instead would orphan the init to
// the host's pid 1, which in a container may never reap it. The pid is checked through a pidfd:
// only a process whose parent is our (unreaped, so stable) bwrap is signalled, never a stranger
// that reused the pid.
bool KillInit(pid_t bwrap_pid, std::string_view status_text) {
  const std::optional<pid_t> init = InitPid(status_text);
  if (!init) {
    return false;
  }
  const Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, *init, 0)));
  if (!pidfd.valid()) {
    return false;
  }
  const Fd status_file(open(fmt::format("/proc/{}/status", *init).c_str(), O_RDONLY | O_CLOEXEC));
  std::array<char, 4096> buffer{};
  const ssize_t n =
      status_file.valid() ? read(status_file.get(), buffer.data(), buffer.size() - 1) : -1;
  if (n <= 0) {
    return false;
  }
  const std::string_view status(buffer.data(), static_cast<std::size_t>(n));
  if (status.find(fmt::format("\nPPid:\t{}\n", bwrap_pid)) == std::string_view::npos) {
    return false;
  }
  return syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) == 0;
}

void Kill(Job& job) {
  if (job.killed || job.exited) {
    return;
  }
  job.killed = true;
  bool ignored = false;
  Drain(job.status, job.status_text, 4096, ignored);
  if (!KillInit(job.pid, job.status_text)) {
    kill(job.pid, SIGKILL);  // bwrap; --die-with-parent then kills the namespace's init.
  }
}

bool Drain(Fd& fd, std::string& into, std::int64_t cap, bool& overflow) {
  std::array<char, 65536> buffer;
  while (fd.valid()) {
    const ssize_t n = read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      return true;
    }
    if (n <= 0) {
      fd.Reset();
      return false;
    }
    const std::size_t room =
        into.size() < static_cast<std::size_t>(cap) ? static_cast<std::size_t>(cap) - into.size() : 0;
    const std::size_t take = std::min(room, static_cast<std::size_t>(n));
    into.append(buffer.data(), take);
    if (take < static_cast<std::size_t>(n)) {
      overflow = true;
    }
  }
  return false;
}

void SetNonBlocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

std::string SecondsArg(double seconds) {
  return fmt::format("{}", std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(seconds))));
}

}  // namespace

Sandbox::Sandbox(SandboxConfig config, std::string seccomp_bpf, std::vector<std::string> root_args,
                 std::vector<std::string> extra_args, bool as_root)
    : config_(std::move(config)),
      seccomp_bpf_(std::move(seccomp_bpf)),
      root_args_(std::move(root_args)),
      extra_args_(std::move(extra_args)),
      as_root_(as_root) {}

StatusOr<std::unique_ptr<const Sandbox>> Sandbox::Create(SandboxConfig config) {
  for (const std::string* path : {&config.bwrap_path, &config.prlimit_path}) {
    if (path->empty() || (*path)[0] != '/') {
      return InvalidArgumentError(fmt::format("\"{}\" is not an absolute path", *path));
    }
  }
  if (config.sandbox_uid == 0) {
    return InvalidArgumentError("sandbox_uid: must not be 0 (root)");
  }
  MERIT_ASSIGN_OR_RETURN(std::string bpf, BuildSeccompFilter());
  std::vector<std::string> root_args = BuildRootArgs();
  MERIT_ASSIGN_OR_RETURN(std::vector<std::string> extra_args, BuildExtraBindArgs(config));
  root_args.insert(root_args.end(), {"--proc", "/proc", "--dev", "/dev"});
  const bool as_root = geteuid() == 0;
  return std::unique_ptr<const Sandbox>(new Sandbox(
      std::move(config), std::move(bpf), std::move(root_args), std::move(extra_args), as_root));
}

Status Sandbox::PrepareDirectory(const std::string& path) const {
  if (!as_root_) {
    return OkStatus();
  }
  // bwrap runs as sandbox_uid and must walk down to the directory: every ancestor must let
  // others through (a temp_dir under /root would not), or bwrap would fail after the namespaces
  // exist, which looks like the program failing.
  for (std::string dir = path; dir.rfind('/') > 0;) {
    dir.resize(dir.rfind('/'));
    struct stat st {};
    const bool searchable =
        stat(dir.c_str(), &st) == 0 &&
        ((st.st_mode & S_IXOTH) != 0 ||
         (st.st_uid == config_.sandbox_uid && (st.st_mode & S_IXUSR) != 0));
    if (!searchable) {
      return FailedPreconditionError(fmt::format(
          "{} is not reachable by the sandbox uid {} ({} is not searchable by it)", path,
          config_.sandbox_uid, dir));
    }
  }
  if (chown(path.c_str(), config_.sandbox_uid, config_.sandbox_uid) != 0) {
    return FailedPreconditionError(ErrnoText("chown " + path, errno));
  }
  return OkStatus();
}

Status Sandbox::Probe() const {
  const std::string argv[] = {"/usr/bin/true"};
  Status status = OkStatus();
  MERIT_RETURN_IF_ERROR(RunAll(std::span<const RunSpec>(std::array{RunSpec{.argv = argv}}), 1,
                               [&](std::size_t, RunResult& result) {
                                 if (result.stop != Stop::kExited || result.exit_code != 0) {
                                   status = FailedPreconditionError(
                                       "sandboxed /usr/bin/true failed: " + result.err);
                                 }
                                 return true;
                               }));
  return status;
}

Status Sandbox::RunAll(std::span<const RunSpec> specs, std::size_t parallel,
                       const OnDone& on_done) const {
  parallel = std::max<std::size_t>(parallel, 1);
  std::vector<Job> jobs;
  jobs.reserve(std::min(parallel, specs.size()));
  std::size_t next = 0;
  bool stopping = false;
  Status failure = OkStatus();

  // Whatever happens, nothing outlives the call.
  const auto kill_and_reap_all = [&] {
    for (Job& job : jobs) {
      Kill(job);
    }
    for (Job& job : jobs) {
      if (!job.exited) {
        while (waitpid(job.pid, &job.wait_status, 0) < 0 && errno == EINTR) {
        }
        job.exited = true;
      }
    }
    jobs.clear();
  };

  const auto start = [&](std::size_t index) -> Status {
    const RunSpec& spec = specs[index];
    const SandboxLimits& limits = spec.limits;
    Job job;
    job.index = index;
    MERIT_ASSIGN_OR_RETURN(Fd input, MakeInputFile(spec.stdin_data));
    MERIT_ASSIGN_OR_RETURN(auto out_pipe, MakePipe());
    MERIT_ASSIGN_OR_RETURN(auto err_pipe, MakePipe());
    MERIT_ASSIGN_OR_RETURN(auto status_pipe, MakePipe());
    MERIT_ASSIGN_OR_RETURN(auto seccomp_pipe, MakePipe());
    // A few hundred bytes: always fits the pipe buffer, so this cannot block.
    MERIT_RETURN_IF_ERROR(WriteAll(seccomp_pipe.second.get(), seccomp_bpf_));
    seccomp_pipe.second.Reset();

    std::vector<std::string> args = {
        config_.bwrap_path, "--unshare-all", "--unshare-user", "--disable-userns",
        "--die-with-parent", "--new-session", "--uid", "1000", "--gid", "1000",
        "--hostname", "sandbox", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
        "--setenv", "PYTHONHASHSEED", "0", "--setenv", "PYTHONDONTWRITEBYTECODE", "1"};
    args.insert(args.end(), root_args_.begin(), root_args_.end());
    args.insert(args.end(), {"--size", fmt::format("{}", limits.tmpfs_bytes), "--tmpfs", "/tmp",
                             "--chdir", "/tmp"});
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    if (!spec.ro_dir.empty()) {
      args.insert(args.end(), {"--ro-bind", std::string(spec.ro_dir), "/sandbox"});
    }
    if (!spec.rw_dir.empty()) {
      args.insert(args.end(), {"--bind", std::string(spec.rw_dir), "/out"});
    }
    const std::string cpu = SecondsArg(limits.cpu_seconds);
    args.insert(args.end(),
                {"--json-status-fd", "3", "--seccomp", "4", "--", config_.prlimit_path,
                 fmt::format("--cpu={}:{}", cpu, SecondsArg(limits.cpu_seconds + 1)),
                 fmt::format("--as={}", limits.memory_bytes),
                 fmt::format("--nproc={}", limits.max_processes),
                 fmt::format("--fsize={}", limits.max_file_bytes),
                 fmt::format("--nofile={}", limits.max_open_files), "--core=0", "--"});
    args.insert(args.end(), spec.argv.begin(), spec.argv.end());
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    std::array<char*, 1> envp = {nullptr};

    const ChildPlan plan{.fds = {input.get(), out_pipe.second.get(), err_pipe.second.get(),
                                 status_pipe.second.get(), seccomp_pipe.first.get()},
                         .path = argv[0],
                         .argv = argv.data(),
                         .envp = envp.data(),
                         .switch_uid = as_root_,
                         .uid = config_.sandbox_uid};
    // Block signals so that no handler of this process runs in the child before execve.
    sigset_t all;
    sigset_t saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    const pid_t pid = vfork();
    if (pid == 0) {
      ChildExec(plan);
    }
    const int vfork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    if (pid < 0) {
      return ResourceExhaustedError(ErrnoText("vfork", vfork_errno));
    }
    job.pid = pid;
    job.start = Clock::now();
    job.deadline = job.start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(limits.wall_seconds));
    job.pidfd = Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    job.out = std::move(out_pipe.first);
    job.err = std::move(err_pipe.first);
    job.status = std::move(status_pipe.first);
    job.max_out = limits.max_stdout_bytes;
    job.max_err = limits.max_stderr_bytes;
    SetNonBlocking(job.out.get());
    SetNonBlocking(job.err.get());
    SetNonBlocking(job.status.get());
    const bool have_pidfd = job.pidfd.valid();
    jobs.push_back(std::move(job));
    if (!have_pidfd) {
      return ResourceExhaustedError(ErrnoText("pidfd_open", errno));
    }
    return OkStatus();
  };

  // Collects a finished job; an error when it shows that the sandbox itself could not start.
  const auto finish = [&](Job& job) -> Status {
    bool ignored = false;
    Drain(job.out, job.result.out, job.max_out, ignored);
    Drain(job.err, job.result.err, job.max_err, job.result.err_truncated);
    Drain(job.status, job.status_text, 4096, ignored);
    job.result.wall_seconds = std::chrono::duration<double>(Clock::now() - job.start).count();
    if (WIFEXITED(job.wait_status)) {
      job.result.exit_code = WEXITSTATUS(job.wait_status);
    } else if (WIFSIGNALED(job.wait_status)) {
      job.result.exit_code = 128 + WTERMSIG(job.wait_status);
    }
    // bwrap reports the child's pid once the namespaces exist; without it, bwrap (not the
    // program) failed, e.g. because user namespaces are disabled. That is never the program's
    // fault, so it is an error, not a verdict.
    if (!job.killed && job.status_text.find("\"child-pid\"") == std::string::npos) {
      return FailedPreconditionError(fmt::format(
          "the sandbox could not start (exit {}): {}", job.result.exit_code, job.result.err));
    }
    return OkStatus();
  };

  std::vector<pollfd> fds;
  std::vector<std::pair<std::size_t, int>> owners;  // (job, which: 0 pidfd 1 out 2 err 3 status)
  while (failure.ok()) {
    while (!stopping && jobs.size() < parallel && next < specs.size()) {
      if (Status status = start(next++); !status.ok()) {
        failure = status;
        break;
      }
    }
    if (!failure.ok() || jobs.empty()) {
      break;
    }
    fds.clear();
    owners.clear();
    Clock::time_point wake = Clock::time_point::max();
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      Job& job = jobs[j];
      const std::array<const Fd*, 4> watched = {&job.pidfd, &job.out, &job.err, &job.status};
      for (int k = 0; k < 4; ++k) {
        if (watched[k]->valid()) {
          fds.push_back({.fd = watched[k]->get(), .events = POLLIN, .revents = 0});
          owners.emplace_back(j, k);
        }
      }
      if (!job.killed) {
        wake = std::min(wake, job.deadline);
      }
    }
    int timeout_ms = -1;
    if (wake != Clock::time_point::max()) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()).count();
      timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left, 0, 60'000));
    }
    if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      failure = InternalError(ErrnoText("poll", errno));
      break;
    }
    for (std::size_t f = 0; f < fds.size(); ++f) {
      if (fds[f].revents == 0) {
        continue;
      }
      Job& job = jobs[owners[f].first];
      switch (owners[f].second) {
        case 0:
          while (waitpid(job.pid, &job.wait_status, 0) < 0 && errno == EINTR) {
          }
          job.exited = true;
          job.pidfd.Reset();
          break;
        case 1: {
          bool overflow = false;
          Drain(job.out, job.result.out, job.max_out, overflow);
          if (overflow && job.result.stop == Stop::kExited) {
            job.result.stop = Stop::kOutputLimit;
            Kill(job);
          }
          break;
        }
        case 2:
          Drain(job.err, job.result.err, job.max_err, job.result.err_truncated);
          break;
        default: {
          bool ignored = false;
          Drain(job.status, job.status_text, 4096, ignored);
          break;
        }
      }
    }
    const Clock::time_point now = Clock::now();
    for (Job& job : jobs) {
      if (!job.killed && !job.exited && now >= job.deadline) {
        job.result.stop = Stop::kWallTimeout;
        Kill(job);
      }
    }
    // Finished jobs leave in start order, so results do not depend on poll's order.
    for (std::size_t j = 0; j < jobs.size() && failure.ok();) {
      if (!jobs[j].exited) {
        ++j;
        continue;
      }
      Job job = std::move(jobs[j]);
      jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(j));
      if (Status status = finish(job); !status.ok()) {
        failure = status;
        break;
      }
      if (!stopping && !on_done(job.index, job.result)) {
        stopping = true;
        next = specs.size();
        for (Job& other : jobs) {
          Kill(other);
        }
      }
    }
  }
  kill_and_reap_all();
  return failure;
}

}  // namespace merit::code
