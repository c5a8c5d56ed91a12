// Steps text.ter and text.rouge share: reading the references of a sample, and giving tokens
// small integer ids so the metrics' inner loops compare integers instead of strings.
#ifndef MERIT_REWARDS_TEXT_TER_ROUGE_COMMON_H_
#define MERIT_REWARDS_TEXT_TER_ROUGE_COMMON_H_

#include <bit>
#include <cstddef>
#include <cstring>
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
// reference id. Interning is linear in the number of tokens (open addressing, FNV-1a hashes;
// each distinct token's hash is kept, so a probe compares bytes only when the hashes agree).
// Keeps views: the tokens' text must outlive the lookups.
class TokenIds {
 public:
  static constexpr std::uint32_t kUnknown = 0xFFFFFFFF;

  // Forgets every id; sizes the table for about `expected` distinct tokens (it grows past
  // that). Only the part of the table in use is cleared, so one huge text does not slow every
  // later small one.
  void Reset(std::size_t expected);

  // The id of `token` (hash == Hash(token)), assigning the next one (size() before the call) if
  // it is new. A tokenizer can intern as it goes, with no token list in between.
  std::uint32_t Intern(std::string_view token, std::uint64_t hash) {
    if (2 * (distinct_.size() + 1) > mask_ + 1) {
      Grow();
    }
    const std::size_t slot = SlotOf(token, hash);
    if (slots_[slot] != 0) {
      return slots_[slot] - 1;
    }
    distinct_.push_back(token);
    hashes_.push_back(hash);
    slots_[slot] = static_cast<std::uint32_t>(distinct_.size());
    return static_cast<std::uint32_t>(distinct_.size() - 1);
  }

  // Reset() and Intern() of every token, in order; ids_out[i] is tokens[i]'s id.
  void Build(std::span<const std::string_view> tokens, std::vector<std::uint32_t>& ids_out);

  std::uint32_t Lookup(std::string_view token) const { return Lookup(token, Hash(token)); }
  std::uint32_t Lookup(std::string_view token, std::uint64_t hash) const {
    if (slots_.empty()) {
      return kUnknown;
    }
    const std::size_t slot = SlotOf(token, hash);
    return slots_[slot] != 0 ? slots_[slot] - 1 : kUnknown;
  }

  // A hash of the bytes, a 64-bit word at a time (a multiply and a shift per word).
  static std::uint64_t Hash(std::string_view token) {
    const std::size_t size = token.size();
    const std::size_t full = size / 8 * 8;
    std::uint64_t hash = HashWords(token.data(), size);
    if (full < size) {
      std::uint64_t word = 0;  // The tail in the low bytes (little-endian), zeros above.
      std::memcpy(&word, token.data() + full, size - full);
      hash = Mix(hash, std::endian::native == std::endian::little ? word
                                                                 : ToLittle(word, size - full));
    }
    return hash;
  }
  // Hash(std::string_view(data, size)), reading the tail as one whole word: REQUIRES 8 readable
  // bytes from data + size / 8 * 8 (a padded buffer).
  static std::uint64_t HashPadded(const char* data, std::size_t size) {
    if constexpr (std::endian::native != std::endian::little) {
      return Hash(std::string_view(data, size));
    }
    const std::size_t full = size / 8 * 8;
    std::uint64_t hash = HashWords(data, size);
    if (full < size) {
      std::uint64_t word = 0;
      std::memcpy(&word, data + full, 8);
      hash = Mix(hash, word & (~std::uint64_t{0} >> (8 * (8 - (size - full)))));
    }
    return hash;
  }

  std::size_t size() const { return distinct_.size(); }

 private:
  static constexpr std::uint64_t kHashSeed = 0xcbf29ce484222325ULL;
  // The seed and the whole 64-bit words of the `size` bytes at `data`.
  static std::uint64_t HashWords(const char* data, std::size_t size) {
    std::uint64_t hash = kHashSeed ^ size;
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, data + i, 8);
      hash = Mix(hash, word);
    }
    return hash;
  }
  static std::uint64_t Mix(std::uint64_t hash, std::uint64_t word) {
    hash = (hash ^ word) * 0x9E3779B97F4A7C15ULL;
    return hash ^ (hash >> 32);
  }
  // The tail's bytes as a little-endian machine would load them (big-endian machines only).
  static std::uint64_t ToLittle(std::uint64_t word, std::size_t bytes) {
    unsigned char b[8] = {};
    std::memcpy(b, &word, 8);
    std::uint64_t little = 0;
    for (std::size_t k = 0; k < bytes; ++k) {
      little |= static_cast<std::uint64_t>(b[k]) << (8 * k);
    }
    return little;
  }
  // The multiply leaves the low bits weakest; fold higher ones in before masking.
  static std::size_t Slot(std::uint64_t hash) { return static_cast<std::size_t>(hash ^ (hash >> 29)); }

  // The slot holding `token`'s id + 1, or else the empty slot where it would go.
  std::size_t SlotOf(std::string_view token, std::uint64_t hash) const {
    std::size_t slot = Slot(hash) & mask_;
    while (slots_[slot] != 0) {
      const std::uint32_t id = slots_[slot] - 1;
      if (hashes_[id] == hash && distinct_[id] == token) {
        break;
      }
      slot = (slot + 1) & mask_;
    }
    return slot;
  }

  // Doubles the table, re-placing every id by its kept hash.
  void Grow();

  std::vector<std::string_view> distinct_;
  std::vector<std::uint64_t> hashes_;  // hashes_[id] == Hash(distinct_[id]).
  std::vector<std::uint32_t> slots_;   // Id + 1, 0 for an empty slot; [0, mask_] in use.
  std::size_t mask_ = 0;
};

}  // namespace merit::text_metrics

#endif  // MERIT_REWARDS_TEXT_TER_ROUGE_COMMON_H_
