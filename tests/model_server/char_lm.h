// The test model server's tiny language model: a GPT-like tokenizer and a character (byte)
// trigram LM with add-one smoothing, trained on a fixed built-in English text. Everything is
// deterministic, so tests can assert exact log-probs and continuations.
//
// Tokens are maximal runs of "word" bytes (ASCII letters and digits, and every byte >= 0x80, so
// UTF-8 sequences are never split), or a single other non-whitespace byte, or a run of whitespace;
// ONE space right before a word or other token is attached to it (" world", " ."), as in GPT-2's
// BPE pieces. Concatenating the tokens gives the text back.
//
// Thread safety: CharLm is immutable after construction; all functions may be called concurrently.
#ifndef MERIT_TESTS_MODEL_SERVER_CHAR_LM_H_
#define MERIT_TESTS_MODEL_SERVER_CHAR_LM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace merit::model_server {

struct Token {
  std::size_t offset = 0;  // Byte offset in the tokenized text.
  std::size_t size = 0;    // Bytes.
};

std::vector<Token> Tokenize(std::string_view text);

// The stable 32-bit id of a token's text (FNV-1a).
std::uint32_t TokenId(std::string_view token_text);

class CharLm {
 public:
  // The model trained on the built-in text; built once, on first use.
  static const CharLm& Default();

  explicit CharLm(std::string_view training_text);

  // log P(c | a b) with add-one smoothing over the 256 byte values. Always < 0.
  double LogProb(unsigned char a, unsigned char b, unsigned char c) const;

  // Log-prob of text[begin, end) given all of text[0, begin) (the two bytes before `begin`
  // matter; text before the start is padded with NUL bytes).
  double SpanLogProb(std::string_view text, std::size_t begin, std::size_t end) const;

  // Log-prob of `text` right after `context` (of which only the last two bytes matter).
  double ContinuationLogProb(std::string_view context, std::string_view text) const;

  // Mean per-byte log-prob of `text`, 0 for empty text.
  double MeanLogProb(std::string_view text) const;

  // The next bytes after `context` in order of preference: trigram count, then bigram count,
  // then unigram count, then byte value. NUL is never proposed.
  const std::array<unsigned char, 255>& RankNextBytes(std::string_view context) const;
  const std::array<unsigned char, 255>& RankNextBytes(unsigned char a, unsigned char b) const;

  // Greedy continuation of `context`: the text of up to `max_tokens` tokens (tokenized as part of
  // context + continuation, starting at a token boundary after the context).
  std::string Continue(std::string_view context, std::size_t max_tokens) const;

  // The text of the most likely token after `context` that begins with byte `first`: `first`
  // followed by greedy bytes, cut at the first token boundary (at most kMaxCandidateBytes).
  std::string CandidateToken(std::string_view context, unsigned char first) const;

  static constexpr std::size_t kMaxCandidateBytes = 24;

 private:
  struct Context {
    std::array<std::uint32_t, 256> counts = {};
    std::uint32_t total = 0;
    std::array<unsigned char, 255> ranking = {};  // RankNextBytes for this context.
  };

  static std::uint32_t Key(unsigned char a, unsigned char b) {
    return (static_cast<std::uint32_t>(a) << 8) | b;
  }

  std::unordered_map<std::uint32_t, Context> trigram_;
  std::vector<std::array<std::uint32_t, 256>> bigram_;  // [b][c]
  std::array<std::uint32_t, 256> unigram_ = {};
  // For contexts the trigram table never saw: bigram counts, ties broken by unigram counts.
  std::vector<std::array<unsigned char, 255>> bigram_ranking_;
};

}  // namespace merit::model_server

#endif  // MERIT_TESTS_MODEL_SERVER_CHAR_LM_H_
