#include "merit/registry.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace merit {

void Registry::Insert(Entry entry) {
  const std::string name(entry.info.name);
  if (!entries_.emplace(name, std::move(entry)).second) {
    // Two families registering one name is a programming error, found by any test.
    std::fprintf(stderr, "merit: reward \"%s\" registered twice\n", name.c_str());
    std::abort();
  }
}

const Registry::Entry* Registry::Find(std::string_view name) const {
  const auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

StatusOr<const Registry::Entry*> Registry::Lookup(std::string_view name) const {
  if (const Entry* entry = Find(name)) {
    return entry;
  }
  std::vector<std::string_view> names;
  for (const auto& [entry_name, entry] : entries_) {
    names.push_back(entry_name);
  }
  return NotFoundError(fmt::format("unknown name \"{}\"{}", name, SuggestionText(name, names)));
}

std::vector<const Registry::Entry*> Registry::List(NodeKind kind) const {
  std::vector<const Entry*> out;
  for (const auto& [name, entry] : entries_) {
    if (entry.kind == kind) {
      out.push_back(&entry);
    }
  }
  return out;
}

std::vector<std::string_view> Registry::Names(NodeKind kind) const {
  std::vector<std::string_view> out;
  for (const auto& [name, entry] : entries_) {
    if (entry.kind == kind) {
      out.push_back(name);
    }
  }
  return out;
}

}  // namespace merit

namespace merit {

bool Registry::IsLocatedError(const Status& status, const ConfigLocation& location) {
  const std::string prefix = location.path().empty()
                                 ? fmt::format("{}: ", location.file())
                                 : fmt::format("{}: {}", location.file(), location.path());
  return status.code() == StatusCode::kInvalidArgument && status.message().starts_with(prefix);
}

StatusOr<std::unique_ptr<const Reward>> BuildLeafReward(const Json& raw, std::string_view key,
                                                       const BuildContext& build) {
  if (build.registry == nullptr || build.location == nullptr) {
    return FailedPreconditionError("BuildLeafReward needs a config build (registry, location)");
  }
  const ConfigLocation location = build.location->Key(key);
  // A bare name is shorthand for {type: name}, as in the reward tree.
  const Json node = raw.is_string() ? Json::Obj({{"type", raw}}) : raw;
  const Json* type = node.is_object() ? node.Find("type") : nullptr;
  if (type == nullptr || !type->is_string()) {
    return location.Error("expected a reward (a name, or a mapping with `type:`)");
  }
  const Registry::Entry* entry = build.registry->Find(type->str());
  if (entry == nullptr || entry->kind != NodeKind::kReward) {
    const std::vector<std::string_view> names = build.registry->Names(NodeKind::kReward);
    return location.Key("type").Error(fmt::format("unknown reward \"{}\" (aggregators cannot be "
                                                  "nested here){}",
                                                  type->str(), SuggestionText(type->str(), names)));
  }
  static constexpr std::string_view kNodeKeys[] = {"type", "name", "weight"};
  return entry->reward(node, location, kNodeKeys, build);
}

}  // namespace merit
