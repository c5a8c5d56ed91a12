// Steps text.ter and text.rouge share: reading the references of a sample, and giving tokens
// small integer ids so the metrics' inner loops compare integers instead of strings.
#ifndef MERIT_REWARDS_TEXT_TER_ROUGE_COMMON_H_
#define MERIT_REWARDS_TEXT_TER_ROUGE_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/result.h"

namespace merit::text_metrics {

// nullopt when `reference` holds usable reference texts: a string or a number (one reference),
// or a non-empty list of those (several references). An empty string is a usable reference:
// sacrebleu and rouge-score both define scores against it. Otherwise the score to return:
// Unscorable("no_reference") for null or an empty list, Unscorable("reference_unparseable") for
// any other type (objects, booleans, nested lists).
std::optional<Score> CheckReferences(const Json& reference);

// The reference texts. REQUIRES: CheckReferences(reference) is nullopt. The views point into
// `reference`. Numbers give their source text ("1e3" stays "1e3").
std::span<const Json> ReferenceItems(const Json& reference);
std::string_view ReferenceItemText(const Json& item);

// Maps the distinct tokens of one reference to ids 0..size()-1; Lookup() gives every other
// token kUnknown. The metrics here only ever compare a hypothesis token with a reference token,
// so hypothesis tokens absent from the reference can all share kUnknown, which equals no
// reference id. Build() is linear in the number of tokens (open addressing, FNV-1a hashes).
// Keeps views: the tokens' text must outlive the lookups.
class TokenIds {
 public:
  static constexpr std::uint32_t kUnknown = 0xFFFFFFFF;

  // Assigns ids in order of first appearance; ids_out[i] is tokens[i]'s id.
  void Build(std::span<const std::string_view> tokens, std::vector<std::uint32_t>& ids_out);
  // The same with hashes[i] == Hash(tokens[i]) already computed (by a tokenizer, say).
  void Build(std::span<const std::string_view> tokens, std::span<const std::uint64_t> hashes,
             std::vector<std::uint32_t>& ids_out);

  std::uint32_t Lookup(std::string_view token) const { return Lookup(token, Hash(token)); }
  std::uint32_t Lookup(std::string_view token, std::uint64_t hash) const;

  // FNV-1a over the bytes; HashStep folds in one byte, so a tokenizer can hash as it writes.
  static constexpr std::uint64_t kHashSeed = 0xcbf29ce484222325ULL;
  static constexpr std::uint64_t HashStep(std::uint64_t hash, char c) {
    return (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  static std::uint64_t Hash(std::string_view token) {
    std::uint64_t hash = kHashSeed;
    for (const char c : token) {
      hash = HashStep(hash, c);
    }
    return hash;
  }

  std::size_t size() const { return distinct_.size(); }

 private:
  // FNV-1a's low bits mix poorly; fold the high half in before masking.
  static std::size_t Slot(std::uint64_t hash) { return static_cast<std::size_t>(hash ^ (hash >> 29)); }

  std::vector<std::string_view> distinct_;
  std::vector<std::uint32_t> slots_;  // Id + 1, 0 for an empty slot; size is a power of two.
};

}  // namespace merit::text_metrics

#endif  // MERIT_REWARDS_TEXT_TER_ROUGE_COMMON_H_
