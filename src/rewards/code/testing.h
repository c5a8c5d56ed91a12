// Helpers shared by the code.tests test binaries.
#ifndef MERIT_REWARDS_CODE_TESTING_H_
#define MERIT_REWARDS_CODE_TESTING_H_

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "merit/json.h"
#include "merit/result.h"
#include "rewards/code/sandbox.h"
#include "testutil/testutil.h"

namespace merit::code::testing {

// Empty when this machine can run sandboxes; otherwise why not (bwrap missing, user namespaces
// disabled...). Probed once per test binary.
inline const std::string& SandboxUnavailableReason() {
  static const std::string reason = [] {
    StatusOr<std::unique_ptr<const Sandbox>> sandbox = Sandbox::Create({});
    if (!sandbox.ok()) {
      return sandbox.status().ToString();
    }
    const Status probe = (*sandbox)->Probe();
    return probe.ok() ? std::string() : probe.ToString();
  }();
  return reason;
}

// A fixture whose tests are skipped, with the reason, where sandboxes cannot run.
class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SandboxUnavailableReason().empty()) {
      GTEST_SKIP() << "bubblewrap cannot create a sandbox on this machine (are unprivileged "
                      "user namespaces disabled?): "
                   << SandboxUnavailableReason();
    }
  }
};

// Scores `completion` against `reference` (JSON text) with a code.tests node given as YAML.
inline Result ScoreProgram(std::string_view reward_yaml, std::string completion,
                           std::string_view reference_json) {
  const Json sample = Json::Obj({{"completion", Json::Str(std::move(completion))},
                                 {"reference", testutil::ParseYaml(reference_json)}});
  return testutil::Score(reward_yaml, sample.Dump());
}

}  // namespace merit::code::testing

#endif  // MERIT_REWARDS_CODE_TESTING_H_
