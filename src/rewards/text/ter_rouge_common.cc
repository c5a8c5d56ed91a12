#include "rewards/text/ter_rouge_common.h"

#include <algorithm>
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

void TokenIds::Reset(std::size_t expected) {
  std::size_t capacity = 16;
  while (capacity < 2 * expected) {
    capacity *= 2;
  }
  if (slots_.size() < capacity) {
    slots_.resize(capacity);
  }
  std::fill(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(capacity), 0);
  mask_ = capacity - 1;
  distinct_.clear();
  hashes_.clear();
}

void TokenIds::Grow() {
  const std::size_t capacity = 2 * (mask_ + 1);
  if (slots_.size() < capacity) {
    slots_.resize(capacity);
  }
  std::fill(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(capacity), 0);
  mask_ = capacity - 1;
  for (std::size_t id = 0; id < hashes_.size(); ++id) {
    std::size_t slot = Slot(hashes_[id]) & mask_;
    while (slots_[slot] != 0) {
      slot = (slot + 1) & mask_;
    }
    slots_[slot] = static_cast<std::uint32_t>(id + 1);
  }
}

void TokenIds::Build(std::span<const std::string_view> tokens,
                     std::vector<std::uint32_t>& ids_out) {
  Reset(tokens.size());
  ids_out.resize(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    ids_out[i] = Intern(tokens[i], Hash(tokens[i]));
  }
}

}  // namespace merit::text_metrics
