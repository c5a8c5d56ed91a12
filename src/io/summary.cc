#include "io/summary.h"

#include <algorithm>
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

void CorpusSums::Merge(const CorpusSums& other) {
  if (other.count == 0) {
    return;
  }
  if (count == 0) {
    *this = other;
    return;
  }
  for (std::size_t i = 0; i < sums.size() && i < other.sums.size(); ++i) {
    sums[i] += other.sums[i];
  }
  count += other.count;
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

void Summary::AddCorpusStatistics(std::size_t component, const Reward& reward,
                                  std::span<const double> statistics) {
  if (corpus_.size() <= component) {
    corpus_.resize(std::max(names_.size(), component + 1));
  }
  CorpusSums& corpus = corpus_[component];
  if (corpus.count == 0) {
    corpus.reward = &reward;
    corpus.sums.assign(statistics.size(), 0.0);
  }
  for (std::size_t i = 0; i < statistics.size() && i < corpus.sums.size(); ++i) {
    corpus.sums[i] += statistics[i];
  }
  ++corpus.count;
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
  if (corpus_.size() < other.corpus_.size()) {
    corpus_.resize(other.corpus_.size());
  }
  for (std::size_t i = 0; i < other.corpus_.size(); ++i) {
    corpus_[i].Merge(other.corpus_[i]);
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

const CorpusSums* CorpusOf(const std::vector<CorpusSums>& corpus, std::size_t component) {
  if (component >= corpus.size() || corpus[component].count == 0) {
    return nullptr;
  }
  return &corpus[component];
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
    Json stats = StatsJson(components_[i]);
    if (const CorpusSums* corpus = CorpusOf(corpus_, i)) {
      Json entry =
          Json::Obj({{"score", Json::Num(corpus->reward->CorpusScore(corpus->sums))},
                     {"samples", Json::Num(static_cast<double>(corpus->count))}});
      if (std::string signature = corpus->reward->CorpusSignature(corpus->sums);
          !signature.empty()) {
        entry.Set("signature", Json::Str(std::move(signature)));
      }
      stats.Set("corpus", std::move(entry));
    }
    components.Set(names_[i], std::move(stats));
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
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (const CorpusSums* corpus = CorpusOf(corpus_, i)) {
      text += fmt::format("\ncorpus {} = {:.4f} over {} samples", names_[i],
                          corpus->reward->CorpusScore(corpus->sums), corpus->count);
      if (std::string signature = corpus->reward->CorpusSignature(corpus->sums);
          !signature.empty()) {
        text += fmt::format(" ({})", signature);
      }
    }
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
