// Security tests of the code.tests sandbox (issue 5, item 5): programs that try to escape or to
// harm the machine. Each must get the matching verdict, leave the host untouched (a sentinel
// file and a sentinel process are checked), and the next sample must score normally.
//
// Limits are generous and only verdicts are asserted (never timings): CI machines are small and
// busy. Every test is skipped, with the reason, where bubblewrap cannot create namespaces.
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rewards/code/sandbox.h"
#include "rewards/code/testing.h"

namespace merit::code {
namespace {

namespace fs = std::filesystem;
using testing::ScoreProgram;

constexpr std::string_view kReward =
    "{type: code.tests, cpu_time_limit_s: 2, wall_time_limit_s: 60, memory_limit_mb: 256}";
constexpr std::string_view kEcho = R"({"tests": [{"input": "ping\n", "output": "ping\n"}]})";
constexpr std::string_view kSentinelText = "host data, must survive";

// A Python string literal for `text` (JSON's quoting is valid Python for these ASCII paths).
std::string Quote(std::string_view text) {
  std::string out;
  AppendJsonString(text, out);
  return out;
}

// Host state the programs attack: a private directory holding a sentinel file and the "expected
// output" of a test, and a sentinel process.
class SandboxSecurity : public testing::SandboxTest {
 protected:
  void SetUp() override {
    testing::SandboxTest::SetUp();
    if (IsSkipped()) {
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "merit-sandbox-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ / "sentinel") << kSentinelText;
    std::ofstream(dir_ / "expected.txt") << secret_ << "\n";
    char arg0[] = "/usr/bin/sleep";
    char arg1[] = "600";
    char* argv[] = {arg0, arg1, nullptr};
    ASSERT_EQ(posix_spawn(&sentinel_pid_, arg0, nullptr, nullptr, argv, environ), 0);
  }

  void TearDown() override {
    if (sentinel_pid_ > 0) {
      kill(sentinel_pid_, SIGKILL);
      waitpid(sentinel_pid_, nullptr, 0);
    }
    if (!dir_.empty()) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    }
  }

  // The host is unaffected and the sandbox still works: sentinel file intact, nothing new in its
  // directory, sentinel process alive, and an ordinary sample scores 1.
  void ExpectHostUnaffected() {
    std::ifstream in(dir_ / "sentinel");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), kSentinelText);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) {
      ++files;
    }
    EXPECT_EQ(files, 2u) << "a file appeared in the host directory";
    EXPECT_EQ(waitpid(sentinel_pid_, nullptr, WNOHANG), 0) << "the sentinel process died";
    EXPECT_EQ(kill(sentinel_pid_, 0), 0);
    const Result next = ScoreProgram(kReward, "print(input())\n", kEcho);
    EXPECT_EQ(next.reward, 1.0) << "the next sample did not run normally: " << next.explanation;
  }

  // Scores `program` on the echo test and expects `verdict` as the reason (score 0).
  void ExpectVerdict(const std::string& program, std::string_view verdict,
                     std::string_view reward = kReward, std::string_view reference = kEcho) {
    const Result r = ScoreProgram(reward, program, reference);
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << ": " << r.explanation;
    EXPECT_EQ(r.reward, 0.0) << r.explanation;
    EXPECT_EQ(r.reason, verdict) << r.explanation;
    ExpectHostUnaffected();
  }

  fs::path dir_;
  pid_t sentinel_pid_ = -1;
  const std::string secret_ = fmt::format("secret-{}", getpid());
};

TEST_F(SandboxSecurity, NetworkSocketIsRefused) {
  // A real listener on the host's loopback: the program must not reach it.
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  ExpectVerdict(fmt::format("import socket\n"
                            "s = socket.create_connection(('127.0.0.1', {}), timeout=5)\n"
                            "s.sendall(b'stolen')\nprint(input())\n",
                            port),
                "runtime_error");
  // Other families and the loopback interface inside are just as dead.
  ExpectVerdict("import socket\nsocket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n",
                "runtime_error");
  ExpectVerdict("import socket\nsocket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\n",
                "runtime_error");
  EXPECT_LT(accept(listener, nullptr, nullptr), 0) << "the sandbox connected to the host";
  close(listener);
}

TEST_F(SandboxSecurity, CannotReadExpectedOutputOrHostFiles) {
  // The expected output ("secret-<pid>") lives only on the host. The program, which knows its
  // shape but not its value, looks everywhere it can think of: the host file by path, its own
  // stdin, environment, working directories, other processes; it prints what it finds.
  const std::string program = fmt::format(R"py(import os, sys
found = []
for path in [{path}, "/work", "/root", "/home", "/etc/passwd", "/etc/shadow"]:
    try:
        found.append(open(path).read(1 << 16) if os.path.isfile(path) else str(os.listdir(path)))
    except OSError:
        pass
found.append(sys.stdin.read())
found.append(repr(dict(os.environ)))
for d in ["/sandbox", "/tmp", "/"]:
    for root, dirs, files in os.walk(d):
        if root.startswith(("/usr", "/proc", "/sys", "/dev")):
            dirs[:] = []
            continue
        for f in files:
            try:
                found.append(open(os.path.join(root, f), errors="replace").read(1 << 16))
            except OSError:
                pass
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for what in ("cmdline", "environ"):
            try:
                found.append(open(f"/proc/{{pid}}/{{what}}", errors="replace").read(1 << 16))
            except OSError:
                pass
import re
text = "\n".join(found)
match = re.search("secret" + "-" + r"[0-9]+", text)
print(match.group(0) if match else "not found")
)py",
                                          fmt::arg("path", Quote((dir_ / "expected.txt").string())));
  const std::string reference =
      Json::Obj({{"tests", Json::Arr({Json::Obj({{"input", Json::Str("guess\n")},
                                                 {"output", Json::Str(secret_ + "\n")}})})}})
          .Dump();
  ExpectVerdict(program, "wrong_answer", kReward, reference);
  // Control: the same search does find the secret once the host directory is made visible, so a
  // leak would not go unnoticed. (The directory must be readable by the sandbox's uid.)
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  const Result leaked = ScoreProgram(
      fmt::format("{{type: code.tests, wall_time_limit_s: 60, ro_binds: [{}]}}", dir_.string()),
      program, reference);
  EXPECT_EQ(leaked.reward, 1.0) << leaked.explanation;
  fs::permissions(dir_, fs::perms::owner_all);
  // And the filesystem the program sees has none of the host's private places.
  const Result r = ScoreProgram(kReward, "import os\n", R"js({"asserts": [
      "assert not os.path.exists('/work') and not os.path.exists('/root')",
      "assert not os.path.exists('/home') and not os.path.exists('/etc/passwd')",
      "assert sorted(p for p in os.listdir('/proc') if p.isdigit()) == ['1', '2']",
      "assert set(os.environ) <= {'PATH', 'HOME', 'LANG', 'PYTHONHASHSEED', 'PYTHONDONTWRITEBYTECODE', 'LC_CTYPE', 'PWD'}"]})js");
  EXPECT_EQ(r.reward, 1.0) << r.explanation;
}

TEST_F(SandboxSecurity, CannotWriteOutsideItsTemporaryDirectory) {
  ExpectVerdict(fmt::format("open({}, 'w').write('pwned')\n", Quote((dir_ / "sentinel").string())),
                "runtime_error");
  ExpectVerdict(fmt::format("open({}, 'w').write('pwned')\n", Quote((dir_ / "new_file").string())),
                "runtime_error");
  ExpectVerdict("open('/sandbox/main.py', 'w').write('pwned')\n", "runtime_error");
  ExpectVerdict("open('/usr/bin/python3', 'wb').write(b'pwned')\n", "runtime_error");
  // Its private /tmp is writable, and gone after the run.
  const Result r = ScoreProgram(
      kReward, "open('/tmp/merit-scratch-probe', 'w').write('x')\nprint(input())\n", kEcho);
  EXPECT_EQ(r.reward, 1.0) << r.explanation;
  EXPECT_FALSE(fs::exists("/tmp/merit-scratch-probe"));
  ExpectHostUnaffected();
}

TEST_F(SandboxSecurity, ForkBombIsContained) {
  // The bomb swallows fork errors so it keeps pressing until the wall-clock deadline. While it
  // runs, the host can still start processes and another sample still scores normally.
  std::atomic<bool> done = false;
  Result bomb;
  std::thread attacker([&] {
    bomb = ScoreProgram(
        "{type: code.tests, cpu_time_limit_s: 30, wall_time_limit_s: 8}",
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        kEcho);
    done = true;
  });
  for (int i = 0; i < 3 && !done; ++i) {
    const Result normal = ScoreProgram(kReward, "print(input())\n", kEcho);
    EXPECT_EQ(normal.reward, 1.0) << normal.explanation;
    pid_t pid = -1;
    char arg0[] = "/usr/bin/true";
    char* argv[] = {arg0, nullptr};
    ASSERT_EQ(posix_spawn(&pid, arg0, nullptr, nullptr, argv, environ), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(status, 0);
  }
  attacker.join();
  EXPECT_EQ(bomb.reward, 0.0) << bomb.explanation;
  EXPECT_EQ(bomb.reason, "time_limit") << bomb.explanation;
  ExpectHostUnaffected();
}

TEST_F(SandboxSecurity, PlainForkBombFailsToFork) {
  ExpectVerdict("import os\nwhile True:\n    os.fork()\n", "runtime_error");
}

TEST_F(SandboxSecurity, HugeAllocationIsAMemoryLimit) {
  ExpectVerdict("x = bytearray(10 * 1024 ** 3)\nprint(input())\n", "memory_limit");
  ExpectVerdict("x = []\nwhile True:\n    x.append(' ' * 10 ** 7)\n", "memory_limit");
}

TEST_F(SandboxSecurity, CppHugeAllocationIsAMemoryLimit) {
  ExpectVerdict(
      "```cpp\n#include <vector>\n#include <cstdio>\nint main() {\n"
      "  std::vector<char> v(10ull << 30, 1);\n  std::printf(\"%d\\n\", v[12345]);\n}\n```",
      "memory_limit",
      "{type: code.tests, memory_limit_mb: 256, wall_time_limit_s: 60, compile_time_limit_s: "
      "120}",
      R"({"language": "cpp", "tests": [{"input": "", "output": "1\n"}]})");
}

TEST_F(SandboxSecurity, InfiniteLoopsAreTimeLimits) {
  ExpectVerdict("while True:\n    pass\n", "time_limit");  // CPU limit: SIGXCPU.
  ExpectVerdict("import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n"
                "    pass\n",
                "time_limit");  // Ignoring SIGXCPU: SIGKILL at the hard limit, or the wall.
  ExpectVerdict("import time\ntime.sleep(10 ** 6)\n", "time_limit",
                "{type: code.tests, wall_time_limit_s: 3}");  // No CPU used: the wall clock.
}

TEST_F(SandboxSecurity, KillingTheParentOrEveryoneHarmsNothing) {
  // In its pid namespace the program's parent is the namespace's init, which ignores signals
  // from inside; kill(-1) finds nothing to kill but itself; the host's processes do not exist
  // there. The sentinel process and this test binary must survive.
  ExpectVerdict("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
                "os.kill(-1, signal.SIGKILL)\n",
                "runtime_error");  // kill(-1): ProcessLookupError, nothing else to kill.
  ExpectVerdict(fmt::format("import os, signal\nos.kill({}, signal.SIGKILL)\n", sentinel_pid_),
                "runtime_error");
  ExpectVerdict(fmt::format("import os, signal\nos.kill({}, signal.SIGKILL)\n", getpid()),
                "runtime_error");
  // Survives its own attempts and then answers wrongly on purpose: the run itself is normal.
  ExpectVerdict("import os, signal\nfor p in (os.getppid(), 1, -1):\n    try:\n"
                "        os.kill(p, signal.SIGKILL)\n    except OSError:\n        pass\n"
                "print('still here')\n",
                "wrong_answer");
}

TEST_F(SandboxSecurity, OutputFloodIsAnOutputLimit) {
  ExpectVerdict("while True:\n    print('x' * 100000)\n", "output_limit",
                "{type: code.tests, max_output_kb: 64, wall_time_limit_s: 60}");
  // Filling the private /tmp stops at its size or the file-size limit.
  ExpectVerdict("f = open('/tmp/big', 'wb')\nwhile True:\n    f.write(b'x' * 10 ** 6)\n",
                "output_limit");
}

TEST_F(SandboxSecurity, ForbiddenSystemCallsFail) {
  // ptrace, mount, new namespaces, bpf, io_uring: refused by seccomp (or namespaces).
  const Result r = ScoreProgram(kReward, "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n",
                                R"js({"asserts": [
      "assert libc.ptrace(0, 0, 0, 0) == -1",
      "assert libc.mount(b'none', b'/tmp', b'tmpfs', 0, None) == -1",
      "assert libc.unshare(0x10000000) == -1 and libc.unshare(0x40000000) == -1",
      "assert libc.syscall(321, 0, 0, 0) == -1",
      "assert libc.syscall(425, 8, 0) == -1",
      "assert libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0) == -1",
      "assert os.getuid() == 1000 and os.getpid() > 1"]})js");
  EXPECT_EQ(r.reward, 1.0) << r.explanation;
  ExpectHostUnaffected();
}

// The Sandbox class directly: output caps, early stop, parallel runs.
class SandboxRuns : public testing::SandboxTest {};

TEST_F(SandboxRuns, CapsAndParallelism) {
  StatusOr<std::unique_ptr<const Sandbox>> sandbox = Sandbox::Create({});
  ASSERT_TRUE(sandbox.ok()) << sandbox.status().ToString();
  const std::string argv[] = {"/usr/bin/python3", "-c",
                              "import sys\nsys.stderr.write('e' * 10000)\n"
                              "print(sys.stdin.read().upper())\nsys.exit(3)\n"};
  std::vector<RunSpec> specs(6, RunSpec{.argv = argv, .stdin_data = "abc",
                                        .limits = {.wall_seconds = 60, .max_stderr_bytes = 100}});
  std::vector<int> seen;
  ASSERT_TRUE((*sandbox)
                  ->RunAll(specs, 3,
                           [&](std::size_t i, RunResult& result) {
                             seen.push_back(static_cast<int>(i));
                             EXPECT_EQ(result.stop, Stop::kExited);
                             EXPECT_EQ(result.exit_code, 3);
                             EXPECT_EQ(result.out, "ABC\n");
                             EXPECT_EQ(result.err, std::string(100, 'e'));
                             EXPECT_TRUE(result.err_truncated);
                             return true;
                           })
                  .ok());
  EXPECT_EQ(seen.size(), 6u);
  // Returning false stops: nothing else is reported and nothing is left running.
  std::size_t calls = 0;
  ASSERT_TRUE((*sandbox)
                  ->RunAll(specs, 2,
                           [&](std::size_t, RunResult&) {
                             ++calls;
                             return false;
                           })
                  .ok());
  EXPECT_EQ(calls, 1u);
}

}  // namespace
}  // namespace merit::code
