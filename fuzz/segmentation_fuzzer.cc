// text::SplitSentences and text::SplitSubSentences on arbitrary bytes. Checked properties: spans
// are non-empty, increasing, non-overlapping and inside the text; they start on a non-whitespace
// character and never begin or end inside a well-formed UTF-8 sequence; the sub-sentences of each
// sentence run exactly from its first to its last byte.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "text/length.h"
#include "text/segmentation.h"

namespace {

void Require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

// Whether text[pos] is the start of a character (not a continuation byte of a well-formed
// sequence that starts earlier).
bool IsCharBoundary(std::string_view text, std::size_t pos) {
  for (std::size_t back = 1; back <= 3 && back <= pos; ++back) {
    const std::size_t start = pos - back;
    if (merit::text::CodePointLength(text.substr(start)) > back) {
      return false;
    }
  }
  return true;
}

void CheckSpans(std::string_view text, const std::vector<merit::text::TextSpan>& spans) {
  std::size_t previous_end = 0;
  for (const merit::text::TextSpan& span : spans) {
    Require(span.start < span.end && span.end <= text.size() && previous_end <= span.start);
    const std::string_view rest = text.substr(span.start);
    Require(!merit::text::IsBlank(rest.substr(0, merit::text::CodePointLength(rest))));
    Require(IsCharBoundary(text, span.start) && IsCharBoundary(text, span.end));
    previous_end = span.end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 64 KiB the scan only spends time on length: it is linear and has no deeper paths.
  if (size > 65536) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<merit::text::TextSpan> sentences = merit::text::SplitSentences(text);
  CheckSpans(text, sentences);
  for (const std::size_t min_words : {0, 1, 5}) {
    const std::vector<merit::text::TextSpan> subs = merit::text::SplitSubSentences(text, min_words);
    CheckSpans(text, subs);
    // Each sentence is covered exactly from its first to its last byte by its sub-sentences.
    std::size_t s = 0;
    for (const merit::text::TextSpan& sentence : sentences) {
      Require(s < subs.size() && subs[s].start == sentence.start);
      while (s < subs.size() && subs[s].end < sentence.end) {
        ++s;
      }
      Require(s < subs.size() && subs[s].end == sentence.end);
      ++s;
    }
    Require(s == subs.size());
  }
  return 0;
}
