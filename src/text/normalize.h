// Text normalisation for answer matching, and the whitespace tokenizer F1 counts tokens with.
//
// Normalize("The  Eiffel-Tower!", kSquadNormalize) == "eiffeltower": the steps run in SQuAD's
// order (lower-case, drop punctuation, drop articles, collapse whitespace), each switched by a
// field of NormalizeOptions, with NFKC first when asked.
//
// Invalid UTF-8 never fails: each byte that does not start a valid sequence becomes U+FFFD, so
// the output is always valid UTF-8 (pure-ASCII input, the common case, takes a byte-wise path
// that needs no decoding). Time and memory are linear in the input for any input; in particular
// canonical reordering is a stable sort, not utf8proc's quadratic swap loop.
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef MERIT_TEXT_NORMALIZE_H_
#define MERIT_TEXT_NORMALIZE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace merit::text {

// Which characters remove_punctuation removes.
enum class PunctuationSet : std::uint8_t {
  // Python's string.punctuation: the 32 ASCII symbols !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~, which is
  // what the SQuAD evaluation script removes. Non-ASCII punctuation (“”, —, 。) is kept.
  kAscii,
  // kAscii plus every code point in a Unicode punctuation category (Pc Pd Ps Pe Pi Pf Po). A
  // superset of kAscii, so switching to it never keeps something kAscii removed.
  kUnicode,
};

struct NormalizeOptions {
  // Unicode NFKC (compatibility composition: "ｆｕｌｌ" → "full", "ﬁ" → "fi", "²" → "2").
  bool nfkc = false;
  // Unicode full case folding ("Straße" → "strasse"). On ASCII this is exactly Python's lower();
  // elsewhere it differs from lower() for a few letters (ß, ς, ŉ, ...), where folding is the
  // one that makes case variants compare equal.
  bool case_fold = false;
  // Deletes punctuation characters (no space is put in their place, as in SQuAD: "can't" →
  // "cant", "Eiffel-Tower" → "EiffelTower").
  bool remove_punctuation = false;
  PunctuationSet punctuation = PunctuationSet::kUnicode;
  // Replaces the English articles a, an, the (whole words, any letter case) with a space, as
  // SQuAD's re.sub(r'\b(a|an|the)\b', ' ', text): a word is a maximal run of Unicode letters,
  // digits and '_'.
  bool remove_articles = false;
  // Python's ' '.join(text.split()): trims, and turns every run of whitespace (Python's
  // str.isspace set, Unicode spaces included) into one ' '.
  bool collapse_whitespace = false;
};

// SQuAD v1.1 normalize_answer: lower-case, remove string.punctuation, remove articles, collapse
// whitespace.
inline constexpr NormalizeOptions kSquadNormalize = {.case_fold = true,
                                                     .remove_punctuation = true,
                                                     .punctuation = PunctuationSet::kAscii,
                                                     .remove_articles = true,
                                                     .collapse_whitespace = true};

// Writes the normalised `text` to `out` (replacing its contents). `out` is caller scratch: reuse
// it across calls and the ASCII path allocates nothing once it has grown. With nfkc on, non-ASCII
// input also uses one temporary code-point buffer per call.
void NormalizeInto(std::string_view text, const NormalizeOptions& options, std::string& out);

// The same, returning a new string.
std::string Normalize(std::string_view text, const NormalizeOptions& options);

// True for the code points Python's str.isspace() accepts: \t \n \v \f \r, U+001C..U+001F, space,
// U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
bool IsPythonWhitespace(char32_t code_point);

// Splits text on runs of Python whitespace, like Python's str.split() with no argument. Tokens
// are views into the text; invalid UTF-8 bytes are never whitespace, so they stay inside tokens.
//
//   WhitespaceTokenizer tokens("  a  b ");
//   while (std::optional<std::string_view> token = tokens.Next()) { ... }  // "a", then "b"
class WhitespaceTokenizer {
 public:
  explicit WhitespaceTokenizer(std::string_view text) : text_(text) {}

  // The next token, or nullopt at the end.
  std::optional<std::string_view> Next();

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// The number of tokens WhitespaceTokenizer would return.
std::size_t CountWhitespaceTokens(std::string_view text);

}  // namespace merit::text

#endif  // MERIT_TEXT_NORMALIZE_H_
