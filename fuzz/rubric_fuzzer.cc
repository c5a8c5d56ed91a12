// The rubric family's parsers on arbitrary bytes: verifier label lists and replies, generated
// rubric lists (rubric.auto), paragraph blocks and the prompt-field neutralisation.
// Checked properties: a generated rubric has 1..max_items non-blank, distinct items; blocks are
// views into the input, in order, non-empty and at most max_blocks; neutralised text opens none
// of the family's tags.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rewards/rubric/rubric.h"

namespace {

void Require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 16 KiB inputs only lengthen the linear scans.
  if (size > 16384) {
    return 0;
  }
  namespace rubric = merit::rubric;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto labels = rubric::ParseLabelList(text)) {
    Require(!labels->empty());
  }
  (void)rubric::ParseLabelReply(text);

  const std::size_t max_items = 1 + size % 7;
  if (const auto items = rubric::ParseRubricList(text, max_items); items.ok()) {
    Require(!items->empty() && items->size() <= max_items);
    for (std::size_t i = 0; i < items->size(); ++i) {
      Require(!(*items)[i].empty());
      for (std::size_t j = 0; j < i; ++j) {
        Require((*items)[i] != (*items)[j]);
      }
    }
  }

  const std::size_t max_blocks = 1 + size % 5;
  const std::vector<std::string_view> blocks = rubric::SplitParagraphs(text, max_blocks);
  Require(blocks.size() <= max_blocks);
  const char* previous = text.data();
  for (const std::string_view block : blocks) {
    Require(!block.empty() && block.data() >= previous &&
            block.data() + block.size() <= text.data() + text.size());
    previous = block.data() + block.size();
  }

  std::string shown;
  rubric::AppendShown(text, 1 + size % 4096, size % 2 == 0, shown);
  for (const std::string_view tag : {"<question>", "</nuggets>", "<response>", "</response_b>",
                                     "<rubric>", "<reasoning>"}) {
    Require(shown.find(tag) == std::string::npos);
  }
  return 0;
}
