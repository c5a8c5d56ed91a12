// Text-level helpers of the sql family: where the SQL is in a completion, a small SQL lexer, and
// the pieces of Reasoning-SQL (spec A §3) that work on text alone (n-gram similarity, the format
// score, top-level ORDER BY detection).
//
// Everything that needs SQL *semantics* (does it parse, which tables and columns it reads, what it
// returns) is asked of SQLite itself (database.h); the lexer here only splits text into tokens, so
// that string literals, quoted identifiers and comments are never mistaken for keywords.
//
// Every function is linear in its input, never recurses and is thread-safe.
#ifndef MERIT_REWARDS_SQL_SQL_TEXT_H_
#define MERIT_REWARDS_SQL_SQL_TEXT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace merit::sql {

// Where the SQL is in a completion.
//   auto        the last ```sql block (info string "sql" or "sqlite", any case), else the content of
//               the last <answer>...</answer>, else the whole completion.
//   fenced      the last ```sql block, else the whole completion (Reasoning-SQL's author code).
//   answer_tag  the last <answer>...</answer>, else the whole completion.
//   none        the whole completion.
// The result is trimmed of ASCII whitespace.
enum class Extract : std::uint8_t { kAuto, kFenced, kAnswerTag, kNone };
inline constexpr std::string_view kExtractModes[] = {"auto", "fenced", "answer_tag", "none"};
// REQUIRES: `name` is one of kExtractModes (options validate that); anything else gives kAuto.
Extract ParseExtract(std::string_view name);

std::string_view ExtractSql(std::string_view completion, Extract mode);

enum class TokenKind : std::uint8_t {
  kWord,        // Keyword or bare identifier: [A-Za-z0-9_$] and bytes >= 0x80.
  kString,      // '...' with '' as an escaped quote.
  kQuoted,      // "...", `...` or [...]: a quoted identifier (or, for "...", SQLite's fallback
                // string literal).
  kPunct,       // One byte of anything else, except the cases below.
  kOpenParen,   // (
  kCloseParen,  // )
  kComma,       // ,
  kSemicolon,   // ;
  kComment,     // -- to end of line, or /* ... */ (unterminated: to end of text).
};

struct Token {
  TokenKind kind = TokenKind::kPunct;
  std::size_t start = 0;
  std::size_t end = 0;  // One past the last byte.
};

// Splits `sql` into tokens, whitespace dropped. Unterminated strings and quoted identifiers run to
// the end of the text. `out` is cleared first and reused across calls.
void Lex(std::string_view sql, std::vector<Token>& out);

// Whether the first token that is not a comment is the keyword SELECT or WITH (any case).
bool StartsWithSelect(std::span<const Token> tokens, std::string_view sql);

// Whether anything but comments and semicolons follows byte offset `from` (SQLite's "tail" after
// the first statement): a second statement.
bool HasMoreStatements(std::string_view sql, std::size_t from);

// Whether the statement has ORDER BY outside every parenthesis: the order of its rows is then part
// of the answer. An ORDER BY in a subquery, a window or an aggregate's argument list does not count.
bool HasTopLevelOrderBy(std::span<const Token> tokens, std::string_view sql);

// Reasoning-SQL's n-gram tokens (spec A §3 R_ng): lower-cased maximal runs of [A-Za-z0-9_] of
// every token that is not a comment, minus the token "as" and minus every alias name (a word or
// quoted identifier after AS outside CAST(...), and a bare word directly after a table name in a
// FROM or JOIN list). The spec re-emits the query with sqlglot before tokenising; merit tokenises
// the text as written, which differs only where sqlglot rewrites keywords (e.g. INNER JOIN ->
// JOIN) or quotes.
// `lowered` receives the ASCII-lower-cased `sql`; `out` (cleared first) views into it, so both
// must outlive the use of `out`. `tokens` is Lex(sql).
void NgramTokens(std::span<const Token> tokens, std::string_view sql, std::string& lowered,
                 std::vector<std::string_view>& out);

// |A ∩ B| / |A ∪ B| over the sets of bigrams (two consecutive tokens) of `a` and `b`; 0 when the
// union is empty.
double BigramJaccard(std::span<const std::string_view> a, std::span<const std::string_view> b);

// Reasoning-SQL's format score R_fmt (spec A §3, in [0, 0.5]) for the layout
// <reasoning>\n...\n</reasoning>\n<answer>\n...\n</answer>\n.
double FormatScore(std::string_view completion);

}  // namespace merit::sql

#endif  // MERIT_REWARDS_SQL_SQL_TEXT_H_
