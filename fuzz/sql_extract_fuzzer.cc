// The sql family's own text handling on arbitrary bytes: SQL extraction, the lexer, top-level
// ORDER BY detection, alias-aware n-gram tokens, bigram Jaccard and the format score. Never
// crashes, and checks the invariants: tokens lie in order inside the text and never overlap,
// the extracted SQL is a substring of the completion, every score is in its range, and the
// Jaccard of a token list with itself is 1 (or 0 when it has no bigram).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rewards/sql/sql_text.h"

namespace sql = merit::sql;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Every function is linear; past 64 KiB the fuzzer only copies longer literals.
  if (size > (64u << 10)) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const sql::Extract mode : {sql::Extract::kAuto, sql::Extract::kFenced,
                                  sql::Extract::kAnswerTag, sql::Extract::kNone}) {
    const std::string_view extracted = sql::ExtractSql(text, mode);
    if (!extracted.empty() &&
        (extracted.data() < text.data() ||
         extracted.data() + extracted.size() > text.data() + text.size())) {
      std::abort();
    }
  }
  std::vector<sql::Token> tokens;
  sql::Lex(text, tokens);
  std::size_t previous_end = 0;
  for (const sql::Token& t : tokens) {
    if (t.start < previous_end || t.end <= t.start || t.end > text.size()) {
      std::abort();
    }
    previous_end = t.end;
  }
  (void)sql::StartsWithSelect(tokens, text);
  (void)sql::HasTopLevelOrderBy(tokens, text);
  (void)sql::HasMoreStatements(text, size / 2);
  std::string lowered;
  std::vector<std::string_view> words;
  sql::NgramTokens(tokens, text, lowered, words);
  const double self = sql::BigramJaccard(words, words);
  if (self != (words.size() >= 2 ? 1.0 : 0.0)) {
    std::abort();
  }
  const double format = sql::FormatScore(text);
  // Each length-penalised term can go negative; the sum never exceeds 0.5 (+0.001 when nothing
  // follows "\n</answer>").
  if (!(format <= 0.501)) {
    std::abort();
  }
  return 0;
}
