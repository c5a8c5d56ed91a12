#include "rewards/text/ter_rouge_common.h"

#include <string>

namespace merit::text_metrics {

std::optional<Score> CheckReferences(const Json& reference) {
  switch (reference.type()) {
    case Json::Type::kNull:
      return Score::Unscorable("no_reference", "the sample has no reference");
    case Json::Type::kString:
    case Json::Type::kNumber:
      return std::nullopt;
    case Json::Type::kArray: {
      const Json::Array& items = reference.array();
      if (items.empty()) {
        return Score::Unscorable("no_reference", "the reference list is empty");
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_string() && !items[i].is_number()) {
          return Score::Unscorable("reference_unparseable",
                                   "reference[" + std::to_string(i) + "] is " +
                                       std::string(Json::TypeName(items[i].type())) +
                                       "; expected a string");
        }
      }
      return std::nullopt;
    }
    default:
      return Score::Unscorable("reference_unparseable",
                               "the reference is " +
                                   std::string(Json::TypeName(reference.type())) +
                                   "; expected a string or a list of strings");
  }
}

std::span<const Json> ReferenceItems(const Json& reference) {
  if (reference.is_array()) {
    return reference.array();
  }
  return {&reference, 1};
}

std::string_view ReferenceItemText(const Json& item) {
  return item.is_number() ? std::string_view(item.number_text()) : std::string_view(item.str());
}

void TokenIds::Build(std::span<const std::string_view> tokens,
                     std::vector<std::uint32_t>& ids_out) {
  std::vector<std::uint64_t> hashes(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    hashes[i] = Hash(tokens[i]);
  }
  Build(tokens, hashes, ids_out);
}

void TokenIds::Build(std::span<const std::string_view> tokens,
                     std::span<const std::uint64_t> hashes, std::vector<std::uint32_t>& ids_out) {
  distinct_.clear();
  std::size_t capacity = 16;
  while (capacity < 2 * tokens.size()) {
    capacity *= 2;
  }
  slots_.assign(capacity, 0);
  ids_out.resize(tokens.size());
  const std::size_t mask = capacity - 1;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::size_t slot = Slot(hashes[i]) & mask;
    while (slots_[slot] != 0 && distinct_[slots_[slot] - 1] != tokens[i]) {
      slot = (slot + 1) & mask;
    }
    if (slots_[slot] == 0) {
      distinct_.push_back(tokens[i]);
      slots_[slot] = static_cast<std::uint32_t>(distinct_.size());
    }
    ids_out[i] = slots_[slot] - 1;
  }
}

std::uint32_t TokenIds::Lookup(std::string_view token, std::uint64_t hash) const {
  if (slots_.empty()) {
    return kUnknown;
  }
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = Slot(hash) & mask;
  while (slots_[slot] != 0) {
    if (distinct_[slots_[slot] - 1] == token) {
      return slots_[slot] - 1;
    }
    slot = (slot + 1) & mask;
  }
  return kUnknown;
}

}  // namespace merit::text_metrics
