// sacrebleu's BLEU tokenizers (tokenizers/tokenizer_13a.py, tokenizer_re.py, tokenizer_intl.py,
// tokenizer_zh.py, tokenizer_char.py, tokenizer_none.py), followed by str.split(), as
// BLEU._preprocess_segment and extract_all_word_ngrams apply them:
//
//   tokens = tokenizer(lower(text) if lowercase else text).rstrip()).split()
//
// Each regex pass is simulated as Python's re.sub does it (leftmost, non-overlapping matches,
// scanning on after each replacement), so chains such as "a.,b" or "1,000.-" split exactly as
// sacrebleu splits them. Linear time and memory in the input.
#ifndef MERIT_REWARDS_TEXT_SACREBLEU_TOKENIZE_H_
#define MERIT_REWARDS_TEXT_SACREBLEU_TOKENIZE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace merit::sacrebleu {

enum class TokenizerKind : std::uint8_t {
  k13a,   // mteval-v13a: split ASCII punctuation and symbols; '.' ',' kept inside numbers.
  kIntl,  // mteval-v14 international: Unicode punctuation and symbols (\p{P}, \p{S}).
  kZh,    // Every CJK character (sacrebleu's table) a token, the rest as 13a's regexes.
  kChar,  // Every non-whitespace code point a token.
  kNone,  // Whitespace split only.
};

// The sacrebleu name: "13a", "intl", "zh", "char", "none".
std::string_view TokenizerName(TokenizerKind kind);

struct TokenizeOptions {
  TokenizerKind kind = TokenizerKind::k13a;
  bool lowercase = false;
  // sacrebleu rstrip()s every segment before tokenizing; Hugging Face evaluate's BLEU (the
  // BLEUBERI variant) does not, which only matters for a trailing "-\n" under 13a.
  bool rstrip = true;
};

// Owns the buffers the tokens view; reuse one per text that must stay tokenized.
class Tokenizer {
 public:
  // Replaces `tokens` with views into this object, valid until the next call.
  void Tokenize(std::string_view text, const TokenizeOptions& options,
                std::vector<std::string_view>& tokens);

 private:
  // Scratch that only grows: out_ and tmp_ are the regex passes' two buffers (not cleared
  // between calls, see RegexpPasses), replaced_ holds 13a's line and entity replacements, and
  // arena_ the 13a tokens that are not views of the text.
  std::string out_;
  std::string tmp_;
  std::string replaced_;
  std::string arena_;
  std::string lower_;
  std::u32string code_points_;
  std::u32string code_points_tmp_;
};

// ' '.join of the tokens: sacrebleu's tokenizer output (for tests and the fuzzer).
std::string TokenizeToString(std::string_view text, const TokenizeOptions& options);

}  // namespace merit::sacrebleu

#endif  // MERIT_REWARDS_TEXT_SACREBLEU_TOKENIZE_H_
