// format.tags: the completion is a sequence of <tag>...</tag> blocks, each listed tag exactly once.
//
// One left-to-right scan over the '<' characters, no regex: a regex such as
// <think>.*?</think>\s*<answer>.*?</answer> is exactly what the known hacks get past
// (<answer>1</answer><answer>2</answer> to hedge, <think><answer>... to nest, a stray </think>).
// Here any listed tag that opens inside another, opens twice, closes what is not open or never
// closes fails the check.
#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "rewards/format/format.h"
#include "text/length.h"

namespace merit::format {
namespace {

// Where one tag's block lies in the completion.
struct Block {
  std::size_t open_start = 0;     // The '<' of <tag>.
  std::size_t content_start = 0;  // Just after <tag>.
  std::size_t content_end = 0;    // The '<' of </tag>.
  std::size_t close_end = 0;      // Just after </tag>.
};

// Where a stretch of text outside the blocks lies.
enum class Gap : std::uint8_t { kBeforeFirst, kBetween, kAfterLast };

// A listed tag found at some '<'.
struct TagAt {
  std::size_t tag = 0;
  bool closing = false;
  std::size_t length = 0;  // Bytes of <tag> or </tag>; 0: no listed tag starts here.
};

class TagsReward final : public Reward {
 public:
  explicit TagsReward(const TagsOptions& options)
      : tags_(options.tags),
        ordered_(options.ordered),
        allow_outside_text_(options.allow_outside_text),
        newline_separator_(options.separator == "newline"),
        allow_empty_(options.allow_empty) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    const std::string_view text = sample.completion_text;
    std::array<Block, kMaxTags> blocks{};
    std::array<bool, kMaxTags> seen{};
    std::array<std::size_t, kMaxTags> order{};  // Tag indices in order of appearance.
    std::size_t closed = 0;
    std::optional<std::size_t> open;
    for (std::size_t pos = text.find('<'); pos != std::string_view::npos;
         pos = text.find('<', pos)) {
      const TagAt found = FindTagAt(text, pos);
      if (found.length == 0) {
        ++pos;
        continue;
      }
      Block& block = blocks[found.tag];
      if (!found.closing) {
        if (open.has_value()) {
          return Score::Ok(0.0, "nested_tag");
        }
        if (seen[found.tag]) {
          return Score::Ok(0.0, "repeated_tag");
        }
        open = found.tag;
        block.open_start = pos;
        block.content_start = pos + found.length;
      } else {
        if (open != found.tag) {
          return Score::Ok(0.0, "mismatched_tag");
        }
        open.reset();
        seen[found.tag] = true;
        order[closed++] = found.tag;
        block.content_end = pos;
        block.close_end = pos + found.length;
      }
      pos += found.length;
    }
    if (open.has_value()) {
      return Score::Ok(0.0, "unclosed_tag");
    }
    if (closed < tags_.size()) {
      return Score::Ok(0.0, "missing_tag");
    }
    if (ordered_) {
      for (std::size_t i = 0; i < closed; ++i) {
        if (order[i] != i) {
          return Score::Ok(0.0, "out_of_order");
        }
      }
    }
    if (!allow_empty_) {
      for (std::size_t i = 0; i < closed; ++i) {
        const Block& b = blocks[i];
        if (text::IsBlank(text.substr(b.content_start, b.content_end - b.content_start))) {
          return Score::Ok(0.0, "empty_tag");
        }
      }
    }
    if (!allow_outside_text_) {
      std::size_t gap_start = 0;
      for (std::size_t i = 0; i <= closed; ++i) {
        const bool last = i == closed;
        const std::size_t gap_end = last ? text.size() : blocks[order[i]].open_start;
        const std::string_view gap = text.substr(gap_start, gap_end - gap_start);
        const Gap where = last ? Gap::kAfterLast : (i == 0 ? Gap::kBeforeFirst : Gap::kBetween);
        if (!SeparatorOk(gap, where)) {
          return Score::Ok(0.0, "text_outside_tags");
        }
        if (!last) {
          gap_start = blocks[order[i]].close_end;
        }
      }
    }
    return Score::Ok(1.0);
  }

 private:
  // REQUIRES: text[pos] == '<'.
  TagAt FindTagAt(std::string_view text, std::size_t pos) const {
    const bool closing = pos + 1 < text.size() && text[pos + 1] == '/';
    const std::size_t name_start = pos + (closing ? 2 : 1);
    const std::string_view rest = text.substr(std::min(name_start, text.size()));
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      const std::string_view name = tags_[i];
      if (rest.size() > name.size() && rest.substr(0, name.size()) == name &&
          rest[name.size()] == '>') {
        return {.tag = i, .closing = closing, .length = name_start - pos + name.size() + 1};
      }
    }
    return {};
  }

  // Whether `gap` may stand `where` it is. With no blocks at all there is one gap, kAfterLast;
  // that case never gets here (missing_tag comes first).
  bool SeparatorOk(std::string_view gap, Gap where) const {
    if (!newline_separator_) {
      return text::IsBlank(gap);
    }
    // ToolRL's ^<think>...</think>\n<response>...</response>$ with Python's $, which also
    // matches before one final newline.
    switch (where) {
      case Gap::kBeforeFirst:
        return gap.empty();
      case Gap::kBetween:
        return gap == "\n";
      case Gap::kAfterLast:
        return gap.empty() || gap == "\n";
    }
    return false;
  }

  const std::vector<std::string> tags_;
  const bool ordered_;
  const bool allow_outside_text_;
  const bool newline_separator_;
  const bool allow_empty_;
};

}  // namespace

Status TagsOptions::Validate() const {
  if (tags.empty()) {
    return InvalidArgumentError("tags: expected at least one tag name");
  }
  if (tags.size() > static_cast<std::size_t>(kMaxTags)) {
    return InvalidArgumentError(
        fmt::format("tags: at most {} tags, got {}", kMaxTags, tags.size()));
  }
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const std::string& name = tags[i];
    if (name.empty() || name.find_first_of("<>/ \t\r\n") != std::string::npos) {
      return InvalidArgumentError(fmt::format(
          "tags[{}]: \"{}\" is not a tag name (non-empty, without < > / or whitespace)", i, name));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (tags[j] == name) {
        return InvalidArgumentError(fmt::format("tags[{}]: \"{}\" is listed twice", i, name));
      }
    }
  }
  return OkStatus();
}

RewardOr MakeTags(const TagsOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<TagsReward>(options));
}

}  // namespace merit::format
