// Sentence and sub-sentence segmentation with byte offsets into the text, for segment-level
// rewards (segment.dense, Fine-Grained RLHF, spec A §8) and for explanations that attribute a
// reward to pieces of a completion.
//
//   std::vector<TextSpan> s = SplitSentences("Dr. Smith arrived. He sat down.");
//   // s == {{0, 18}, {19, 31}}: "Dr. Smith arrived." and "He sat down."
//
// Sentence rules (a deterministic stand-in for spaCy's en_core_web_sm boundaries that the paper's
// code uses; exact parity with a statistical parser is not a goal, stable and explainable
// boundaries are):
//   * A run of terminators . ! ? … ends a sentence when it is followed by whitespace or the end of
//     the text (so 3.14, example.com/a.b and "?x=1" in URLs never split), unless the next word
//     starts with a lower-case ASCII letter ("approx. three" is one sentence). The CJK terminators
//     。！？｡ end a sentence whatever follows.
//   * Closing quotes and brackets (" ' ) ] } ” ’ » 」 』 ） 》 】 ...) right after the terminators
//     stay with the sentence: `He said "Stop." Then` -> `He said "Stop."` | `Then`.
//   * A single '.' does not end a sentence after a common abbreviation (Mr Mrs Ms Dr Prof St Jr
//     Sr vs etc cf approx No Fig ...; any letter case), after a dotted abbreviation (U.S. e.g. i.e.
//     a.m. Ph.D.), after an initial (one upper-case letter: "J. K. Rowling"), or after a number
//     that opens its line ("1. First step" is a list marker).
//   * A blank line always ends a sentence; a single newline ends one when the line it ends, or the
//     line it starts, is a list item (- * + • or a number followed by . or ), then a space) or a
//     Markdown heading (#). Other single newlines are soft wraps inside a paragraph.
//   * Sentences are trimmed of surrounding whitespace (Python's str.isspace set, Unicode spaces
//     included); whitespace-only pieces produce no sentence.
//
// Every function here is linear in the text (bounded look-ahead and look-behind per character),
// uses no recursion, and tolerates invalid UTF-8: an invalid byte is an ordinary non-space
// character, and a boundary never falls inside a well-formed code point. Thread-safe (stateless).
#ifndef MERIT_TEXT_SEGMENTATION_H_
#define MERIT_TEXT_SEGMENTATION_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace merit::text {

struct TextSpan {
  std::size_t start = 0;  // Byte offsets [start, end) into the text.
  std::size_t end = 0;

  friend bool operator==(const TextSpan&, const TextSpan&) = default;
};

// Sentences, in order: trimmed of surrounding whitespace, whitespace-only sentences skipped, offsets
// stable (into the given text). Language-aware: . ! ? and … and CJK 。！？ end sentences; closing
// quotes/brackets after the terminator stay with the sentence; blank lines (and a newline after a
// list item / heading) end a sentence; no split after common abbreviations (Mr. Dr. e.g. i.e. U.S.
// etc.), initials, decimals (3.14), or inside URLs. Spans are non-empty, non-overlapping and
// increasing.
std::vector<TextSpan> SplitSentences(std::string_view text);

// Fine-Grained RLHF's sub-sentences (spec A §8): every sentence starts one; inside a sentence,
// whitespace token p is a boundary by the spec's rule with min_words (the short-piece merge
// included). Precisely, for a sentence with whitespace tokens w_0..w_{N-1} and s the start of the
// current sub-sentence: p >= 1 is a candidate when w_{p-1} ends with , ; ! or ? and
// N - p > min_words; a candidate with p - s >= min_words starts a new sub-sentence; one with
// p - s < min_words replaces the start s when s > 0 (the short piece joins the previous
// sub-sentence) and is rejected when s = 0. Each span runs from its first token's first byte to its
// last token's last byte; together they cover every token of every sentence.
std::vector<TextSpan> SplitSubSentences(std::string_view text, std::size_t min_words = 5);

}  // namespace merit::text

#endif  // MERIT_TEXT_SEGMENTATION_H_
