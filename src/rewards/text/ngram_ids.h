// NgramIds: gives every distinct n-gram of a text a small integer id, exactly (no hash can
// collide two n-grams), so BLEU and chrF count n-grams in flat arrays.
//
// An n-gram is named by a 64-bit key (prefix_id << 32) | unit: its (n-1)-gram prefix's id and its
// last unit (a token id or a code point). Unigrams use a reserved prefix. Interning n-grams of
// growing order this way makes each id stand for a whole n-gram, with one hash probe per n-gram
// whatever n is.
//
// Not thread-safe; one per ScoreContext (it is scratch: Reset() keeps the capacity).
#ifndef MERIT_REWARDS_TEXT_NGRAM_IDS_H_
#define MERIT_REWARDS_TEXT_NGRAM_IDS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace merit::sacrebleu {

class NgramIds {
 public:
  static constexpr std::uint32_t kAbsent = 0xFFFFFFFF;
  static constexpr std::uint32_t kNoPrefix = 0xFFFFFFFE;

  static std::uint64_t Key(std::uint32_t prefix, std::uint32_t unit) {
    return (static_cast<std::uint64_t>(prefix) << 32) | unit;
  }

  // Forgets every id; sizes the table for about `expected` distinct n-grams. Only the part of
  // the table in use is cleared, so one huge text does not slow every later small one.
  void Reset(std::size_t expected) {
    std::size_t capacity = 64;
    while (capacity < 2 * expected) {
      capacity *= 2;
    }
    if (keys_.size() < capacity) {
      keys_.resize(capacity);
      ids_.resize(capacity);
    }
    mask_ = capacity - 1;
    std::fill(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(capacity), kEmpty);
    size_ = 0;
  }

  // The id of `key`, assigning the next one (size() before the call) if it is new.
  std::uint32_t Insert(std::uint64_t key) {
    if (2 * (size_ + 1) > mask_ + 1) {
      Grow();
    }
    std::size_t slot = Slot(key);
    while (keys_[slot] != kEmpty) {
      if (keys_[slot] == key) {
        return ids_[slot];
      }
      slot = (slot + 1) & mask_;
    }
    keys_[slot] = key;
    ids_[slot] = static_cast<std::uint32_t>(size_);
    return static_cast<std::uint32_t>(size_++);
  }

  // The id of `key`, or kAbsent.
  std::uint32_t Find(std::uint64_t key) const {
    std::size_t slot = Slot(key);
    while (keys_[slot] != kEmpty) {
      if (keys_[slot] == key) {
        return ids_[slot];
      }
      slot = (slot + 1) & mask_;
    }
    return kAbsent;
  }

  std::size_t size() const { return size_; }

 private:
  // Never a real key: that would need prefix 0xFFFFFFFF, which is kAbsent, never looked up.
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  std::size_t Slot(std::uint64_t key) const {
    // A multiplicative (Fibonacci) hash: the high bits mix both halves of the key.
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask_;
  }

  void Grow() {
    const std::size_t old_capacity = mask_ + 1;
    std::vector<std::uint64_t> keys(keys_.begin(),
                                    keys_.begin() + static_cast<std::ptrdiff_t>(old_capacity));
    std::vector<std::uint32_t> ids(ids_.begin(),
                                   ids_.begin() + static_cast<std::ptrdiff_t>(old_capacity));
    const std::size_t capacity = old_capacity * 2;
    keys_.assign(capacity, kEmpty);
    ids_.resize(capacity);
    mask_ = capacity - 1;
    for (std::size_t i = 0; i < old_capacity; ++i) {
      if (keys[i] == kEmpty) {
        continue;
      }
      std::size_t slot = Slot(keys[i]);
      while (keys_[slot] != kEmpty) {
        slot = (slot + 1) & mask_;
      }
      keys_[slot] = keys[i];
      ids_[slot] = ids[i];
    }
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> ids_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// PairIds: ids for n-grams named by (prefix, unit) where both are small dense ids, prefix <
// rows and unit < cols (unit ids of the hypothesis, say). When rows * cols is small the table is
// a direct-indexed array entry per pair, stamped with a generation so that Reset() clears
// nothing; otherwise (long texts) it falls back to NgramIds. Exact either way: a pair names its
// entry, no hash is compared. Ids are assigned 0, 1, ... in order of first insertion.
//
// Not thread-safe; scratch (Reset() keeps the capacity).
class PairIds {
 public:
  static constexpr std::uint32_t kAbsent = NgramIds::kAbsent;
  // The direct table's largest size (8 bytes an entry); larger products use the hash table.
  static constexpr std::size_t kMaxDirect = std::size_t{1} << 18;

  // Forgets every id. `rows` bounds the prefixes and `cols` the units that will be inserted or
  // looked up.
  void Reset(std::size_t rows, std::size_t cols) {
    size_ = 0;
    cols_ = cols;
    const std::size_t entries = rows * cols;
    direct_ = cols != 0 && entries / cols == rows && entries <= kMaxDirect;
    if (!direct_) {
      hash_.Reset(rows);
      return;
    }
    if (table_.size() < entries) {
      table_.resize(entries, Entry{});
    }
    if (++generation_ == 0) {  // Wrapped: old stamps could look current.
      std::fill(table_.begin(), table_.end(), Entry{});
      generation_ = 1;
    }
  }

  // The id of (prefix, unit), assigning the next one (size() before the call) if it is new.
  std::uint32_t Insert(std::uint32_t prefix, std::uint32_t unit) {
    if (!direct_) {
      const std::uint32_t id = hash_.Insert(NgramIds::Key(prefix, unit));
      size_ = hash_.size();
      return id;
    }
    Entry& entry = table_[prefix * cols_ + unit];
    if (entry.stamp != generation_) {
      entry = {generation_, static_cast<std::uint32_t>(size_++)};
    }
    return entry.id;
  }

  // The id of (prefix, unit), or kAbsent.
  std::uint32_t Find(std::uint32_t prefix, std::uint32_t unit) const {
    if (!direct_) {
      return hash_.Find(NgramIds::Key(prefix, unit));
    }
    const Entry& entry = table_[prefix * cols_ + unit];
    return entry.stamp == generation_ ? entry.id : kAbsent;
  }

  std::size_t size() const { return size_; }

 private:
  struct Entry {
    std::uint32_t stamp = 0;
    std::uint32_t id = 0;
  };

  std::vector<Entry> table_;
  std::uint32_t generation_ = 0;
  std::size_t cols_ = 0;
  std::size_t size_ = 0;
  bool direct_ = false;
  NgramIds hash_;
};

}  // namespace merit::sacrebleu

#endif  // MERIT_REWARDS_TEXT_NGRAM_IDS_H_
