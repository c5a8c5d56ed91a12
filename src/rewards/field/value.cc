// field.value: a number already present in the input (a score computed elsewhere, a human label,
// an RM score logged by the trainer) used as a reward component, so it composes with merit's
// own rewards in one tree.
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "merit/registry.h"

#include "rewards/families.h"

namespace merit {
namespace {

inline constexpr std::string_view kMissingPolicies[] = {"unscorable", "error", "zero"};

struct FieldValueOptions {
  std::string path = "score";
  std::string missing = "unscorable";
  static constexpr auto kFields = std::tuple{
      Field{"path", &FieldValueOptions::path,
            "Dotted path inside the sample's metadata (e.g. `scores.helpfulness`)."},
      Field{"missing",
            &FieldValueOptions::missing,
            "When the value is absent or not a number: unscorable (masked), error, or zero.",
            {.choices = kMissingPolicies}},
  };

  Status Validate() const {
    if (path.empty()) {
      return InvalidArgumentError("path: expected a non-empty dotted path");
    }
    return OkStatus();
  }
};

class FieldValue final : public Reward {
 public:
  explicit FieldValue(FieldValueOptions options) : options_(std::move(options)) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    const Json* value = sample.metadata.FindPath(options_.path);
    if (value != nullptr && value->is_number() && std::isfinite(value->number())) {
      return Score::Ok(value->number());
    }
    if (options_.missing == "zero") {
      return Score::Ok(0.0, "missing_value");
    }
    std::string explanation =
        fmt::format("metadata.{}: {}", options_.path, value == nullptr ? "absent" : "not a number");
    if (options_.missing == "error") {
      return Score::Error("missing_value", std::move(explanation));
    }
    return Score::Unscorable("missing_value", std::move(explanation));
  }

 private:
  const FieldValueOptions options_;
};

StatusOr<std::unique_ptr<const Reward>> MakeFieldValue(const FieldValueOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<FieldValue>(options));
}

}  // namespace

void RegisterFieldRewards(Registry& registry) {
  registry.AddReward<FieldValueOptions>(
      {.name = "field.value",
       .summary = "A number from the sample's metadata (a score computed elsewhere) as a reward.",
       .min = -std::numeric_limits<double>::infinity(),
       .max = std::numeric_limits<double>::infinity(),
       .example = "{type: field.value, path: rm_score}",
       .source = "merit (composition with external scores)"},
      &MakeFieldValue);
}

}  // namespace merit
