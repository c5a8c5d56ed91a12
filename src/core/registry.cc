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
