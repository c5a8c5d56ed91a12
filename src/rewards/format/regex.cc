// format.regex: 1 when the completion matches an RE2 pattern (a given number of times).
#include <string_view>

#include <fmt/format.h>
#include <re2/re2.h>

#include "rewards/format/format.h"
#include "text/length.h"

namespace merit::format {
namespace {

class RegexReward final : public Reward {
 public:
  RegexReward(std::unique_ptr<const RE2> regex, const RegexOptions& options)
      : regex_(std::move(regex)),
        full_match_(options.full_match),
        min_matches_(options.min_matches),
        max_matches_(options.max_matches) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    const std::int64_t count = CountMatches(sample.completion_text);
    if (count < min_matches_) {
      return Score::Ok(0.0, count == 0 ? "no_match" : "too_few_matches");
    }
    if (max_matches_ >= 0 && count > max_matches_) {
      return Score::Ok(0.0, "too_many_matches");
    }
    return Score::Ok(1.0);
  }

 private:
  // Non-overlapping matches, left to right, counting no further than the verdict needs: each
  // match is one search, so stopping early is what bounds the work to kMaxMatchCount + 1 searches.
  std::int64_t CountMatches(std::string_view text) const {
    if (full_match_) {
      return regex_->Match(text, 0, text.size(), RE2::ANCHOR_BOTH, nullptr, 0) ? 1 : 0;
    }
    const std::int64_t enough = max_matches_ >= 0 ? max_matches_ + 1 : min_matches_;
    std::int64_t count = 0;
    std::size_t pos = 0;
    while (count < enough && pos <= text.size()) {
      re2::StringPiece match;
      if (!regex_->Match(text, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
        break;
      }
      ++count;
      pos = static_cast<std::size_t>(match.data() - text.data()) + match.size();
      if (match.empty()) {
        // Step over a whole character, so that the next search never starts inside one.
        if (pos == text.size()) {
          break;
        }
        pos += text::CodePointLength(text.substr(pos));
      }
    }
    return count;
  }

  const std::unique_ptr<const RE2> regex_;
  const bool full_match_;
  const std::int64_t min_matches_;
  const std::int64_t max_matches_;
};

}  // namespace

Status RegexOptions::Validate() const {
  if (pattern.empty()) {
    return InvalidArgumentError("pattern: required (an RE2 regular expression)");
  }
  if (full_match && min_matches > 1) {
    return InvalidArgumentError(
        fmt::format("min_matches ({}) can never be reached with full_match (the count is 0 or 1)",
                    min_matches));
  }
  if (max_matches >= 0 && max_matches < min_matches) {
    return InvalidArgumentError(
        fmt::format("max_matches ({}) is below min_matches ({})", max_matches, min_matches));
  }
  return OkStatus();
}

RewardOr MakeRegex(const RegexOptions& options) {
  RE2::Options re2_options;
  re2_options.set_max_mem(kRegexMaxMemBytes);
  re2_options.set_dot_nl(options.dot_all);
  re2_options.set_case_sensitive(options.case_sensitive);
  re2_options.set_never_capture(true);  // Only the whole match is used; captures cost time.
  re2_options.set_log_errors(false);    // The error goes into the Status instead.
  auto regex = std::make_unique<const RE2>(options.pattern, re2_options);
  if (!regex->ok()) {
    return InvalidArgumentError(fmt::format("pattern: {}", regex->error()));
  }
  return std::unique_ptr<const Reward>(std::make_unique<RegexReward>(std::move(regex), options));
}

}  // namespace merit::format
