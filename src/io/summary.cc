#include "io/summary.h"

#include <cmath>

#include <fmt/format.h>

#include "merit/config.h"

namespace merit::internal {

void RunningStats::Add(double x) {
  ++count;
  const double delta = x - mean;
  mean += delta / static_cast<double>(count);
  m2 += delta * (x - mean);
  min = std::min(min, x);
  max = std::max(max, x);
}

void RunningStats::Merge(const RunningStats& other) {
  if (other.count == 0) {
    return;
  }
  if (count == 0) {
    *this = other;
    return;
  }
  const double n = static_cast<double>(count);
  const double m = static_cast<double>(other.count);
  const double delta = other.mean - mean;
  mean += delta * m / (n + m);
  m2 += other.m2 + delta * delta * n * m / (n + m);
  count += other.count;
  min = std::min(min, other.min);
  max = std::max(max, other.max);
}

double RunningStats::std() const {
  return count < 2 ? 0.0 : std::sqrt(m2 / static_cast<double>(count));
}

Summary::Summary(std::vector<std::string> components)
    : names_(std::move(components)), components_(names_.size()) {}

void Summary::AddStatus(std::string_view status, std::string_view reason) {
  ++total_;
  auto it = statuses_.find(status);
  if (it == statuses_.end()) {
    it = statuses_.emplace(std::string(status), 0).first;
  }
  ++it->second;
  if (!reason.empty()) {
    auto r = reasons_.find(reason);
    if (r == reasons_.end()) {
      r = reasons_.emplace(std::string(reason), 0).first;
    }
    ++r->second;
  }
}

void Summary::Merge(const Summary& other) {
  total_ += other.total_;
  for (const auto& [status, n] : other.statuses_) {
    statuses_[status] += n;
  }
  for (const auto& [reason, n] : other.reasons_) {
    reasons_[reason] += n;
  }
  for (std::size_t i = 0; i < components_.size() && i < other.components_.size(); ++i) {
    components_[i].Merge(other.components_[i]);
  }
  advantage_.Merge(other.advantage_);
  split_groups_ += other.split_groups_;
}

std::uint64_t Summary::count(std::string_view status) const {
  const auto it = statuses_.find(status);
  return it == statuses_.end() ? 0 : it->second;
}

namespace {

Json StatsJson(const RunningStats& s) {
  if (s.count == 0) {
    return Json::Obj({{"count", Json::Num(0)}});
  }
  return Json::Obj({{"count", Json::Num(static_cast<double>(s.count))},
                    {"mean", Json::Num(s.mean)},
                    {"std", Json::Num(s.std())},
                    {"min", Json::Num(s.min)},
                    {"max", Json::Num(s.max)}});
}

Json CountsJson(const std::map<std::string, std::uint64_t, std::less<>>& counts) {
  Json out = Json::Obj();
  for (const auto& [key, n] : counts) {
    out.Set(key, Json::Num(static_cast<double>(n)));
  }
  return out;
}

}  // namespace

Json Summary::ToJson(const std::string& config_hash) const {
  Json components = Json::Obj();
  for (std::size_t i = 0; i < names_.size(); ++i) {
    components.Set(names_[i], StatsJson(components_[i]));
  }
  Json out = Json::Obj({{"samples", Json::Num(static_cast<double>(total_))},
                        {"status", CountsJson(statuses_)},
                        {"reasons", CountsJson(reasons_)},
                        {"components", std::move(components)},
                        {"config_hash", Json::Str(config_hash)},
                        {"merit_version", Json::Str(std::string(MeritVersion()))}});
  if (advantage_.count > 0) {
    out.Set("advantage", StatsJson(advantage_));
  }
  if (split_groups_ > 0) {
    out.Set("split_groups", Json::Num(static_cast<double>(split_groups_)));
  }
  if (seconds_ > 0) {
    out.Set("seconds", Json::Num(seconds_));
    out.Set("samples_per_second", Json::Num(static_cast<double>(total_) / seconds_));
  }
  return out;
}

std::string Summary::ToText(const std::string& config_hash) const {
  std::string text =
      fmt::format("merit {} · config {} · {} samples", MeritVersion(), config_hash, total_);
  if (seconds_ > 0) {
    text += fmt::format(" in {:.3f} s ({:.0f} samples/s)", seconds_,
                        static_cast<double>(total_) / seconds_);
  }
  text += "\nstatus:";
  for (const auto& [status, n] : statuses_) {
    text += fmt::format(" {}={}", status, n);
  }
  if (!reasons_.empty()) {
    text += "\nreasons:";
    for (const auto& [reason, n] : reasons_) {
      text += fmt::format(" {}={}", reason, n);
    }
  }
  std::size_t width = 9;
  for (const std::string& name : names_) {
    width = std::max(width, name.size());
  }
  text += fmt::format("\n{:<{}}  {:>8}  {:>9}  {:>9}  {:>9}  {:>9}", "component", width, "count",
                      "mean", "std", "min", "max");
  const auto row = [&](const std::string& name, const RunningStats& s) {
    if (s.count == 0) {
      text += fmt::format("\n{:<{}}  {:>8}", name, width, 0);
    } else {
      text += fmt::format("\n{:<{}}  {:>8}  {:>9.4f}  {:>9.4f}  {:>9.4f}  {:>9.4f}", name, width,
                          s.count, s.mean, s.std(), s.min, s.max);
    }
  };
  for (std::size_t i = 0; i < names_.size(); ++i) {
    row(names_[i], components_[i]);
  }
  if (advantage_.count > 0) {
    row("advantage", advantage_);
  }
  if (split_groups_ > 0) {
    text += fmt::format(
        "\nwarning: {} group(s) appeared in more than one contiguous run of lines; rollouts of "
        "one group that land in different batches get separate group statistics (keep each "
        "group's lines together)",
        split_groups_);
  }
  return text + "\n";
}

}  // namespace merit::internal
