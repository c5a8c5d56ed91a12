#include "rewards/sql/sql_text.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "text/length.h"

namespace merit::sql {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != lower_word[i]) {
      return false;
    }
  }
  return true;
}

// SQLite's identifier characters: ASCII letters, digits, '_', '$' and every byte of a multi-byte
// UTF-8 character.
bool IsIdentChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

// The n-gram tokens' word characters ([A-Za-z0-9_], spec A §3 R_ng).
bool IsNgramChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// One token at a time, so that callers that only look at a prefix or a tail never build a vector.
class Lexer {
 public:
  Lexer(std::string_view sql, std::size_t pos) : sql_(sql), pos_(pos) {}

  std::optional<Token> Next() {
    while (pos_ < sql_.size() && IsSpace(sql_[pos_])) {
      ++pos_;
    }
    if (pos_ >= sql_.size()) {
      return std::nullopt;
    }
    const std::size_t start = pos_;
    const char c = sql_[pos_];
    const char next = pos_ + 1 < sql_.size() ? sql_[pos_ + 1] : '\0';
    TokenKind kind = TokenKind::kPunct;
    if (c == '-' && next == '-') {
      kind = TokenKind::kComment;
      pos_ = std::min(sql_.find('\n', pos_), sql_.size());
    } else if (c == '/' && next == '*') {
      kind = TokenKind::kComment;
      const std::size_t close = sql_.find("*/", pos_ + 2);
      pos_ = close == std::string_view::npos ? sql_.size() : close + 2;
    } else if (c == '\'') {
      kind = TokenKind::kString;
      SkipQuoted('\'');
    } else if (c == '"' || c == '`') {
      kind = TokenKind::kQuoted;
      SkipQuoted(c);
    } else if (c == '[') {
      kind = TokenKind::kQuoted;
      const std::size_t close = sql_.find(']', pos_ + 1);
      pos_ = close == std::string_view::npos ? sql_.size() : close + 1;
    } else if (IsIdentChar(c)) {
      kind = TokenKind::kWord;
      while (pos_ < sql_.size() && IsIdentChar(sql_[pos_])) {
        ++pos_;
      }
    } else {
      kind = c == '('   ? TokenKind::kOpenParen
             : c == ')' ? TokenKind::kCloseParen
             : c == ',' ? TokenKind::kComma
             : c == ';' ? TokenKind::kSemicolon
                        : TokenKind::kPunct;
      ++pos_;
    }
    return Token{.kind = kind, .start = start, .end = pos_};
  }

 private:
  // REQUIRES: sql_[pos_] == quote. A doubled quote inside is an escaped quote.
  void SkipQuoted(char quote) {
    std::size_t pos = pos_ + 1;
    while (true) {
      const std::size_t close = sql_.find(quote, pos);
      if (close == std::string_view::npos) {
        pos_ = sql_.size();
        return;
      }
      if (close + 1 < sql_.size() && sql_[close + 1] == quote) {
        pos = close + 2;
        continue;
      }
      pos_ = close + 1;
      return;
    }
  }

  std::string_view sql_;
  std::size_t pos_;
};

std::string_view TextOf(const Token& token, std::string_view sql) {
  return sql.substr(token.start, token.end - token.start);
}

bool IsWord(const Token& token, std::string_view sql, std::string_view lower_word) {
  return token.kind == TokenKind::kWord && EqualsLower(TextOf(token, sql), lower_word);
}

// The last ```sql block, as Python's re.findall(r"```sql(.*?)```", text, re.DOTALL)[-1] finds it,
// with "sql" (or "sqlite") in any case.
std::optional<std::string_view> LastSqlFence(std::string_view text) {
  constexpr std::string_view kFence = "```";
  std::optional<std::string_view> last;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find(kFence, pos);
    if (open == std::string_view::npos) {
      break;
    }
    std::size_t content = open + kFence.size();
    const std::string_view info = text.substr(content, 6);
    if (EqualsLower(info, "sqlite")) {
      content += 6;
    } else if (EqualsLower(info.substr(0, 3), "sql")) {
      content += 3;
    } else {
      pos = open + 1;
      continue;
    }
    const std::size_t close = text.find(kFence, content);
    if (close == std::string_view::npos) {
      break;
    }
    last = text.substr(content, close - content);
    pos = close + kFence.size();
  }
  return last;
}

std::optional<std::string_view> LastAnswerTag(std::string_view text) {
  constexpr std::string_view kOpen = "<answer>";
  const std::size_t close = text.rfind("</answer>");
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t open = text.rfind(kOpen, close);
  if (open == std::string_view::npos) {
    return std::nullopt;
  }
  return text.substr(open + kOpen.size(), close - open - kOpen.size());
}

// Python's str.count: non-overlapping occurrences, left to right.
std::size_t CountOccurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

// Python's len() of the text after the last `needle`, or of the whole text without one.
double CharsAfterLast(std::string_view text, std::string_view needle) {
  const std::size_t pos = text.rfind(needle);
  const std::string_view after =
      pos == std::string_view::npos ? text : text.substr(pos + needle.size());
  return static_cast<double>(text::CountCodePoints(after));
}

// Words that end a FROM item: after a table name, any other bare word is its alias.
constexpr std::array<std::string_view, 27> kNotAliases = {
    "where",  "join",    "inner",     "left",   "right",  "full",   "cross",
    "natural", "on",     "using",     "group",  "order",  "limit",  "having",
    "union",  "except",  "intersect", "window", "as",     "indexed", "not",
    "outer",  "offset",  "select",    "from",   "values", "returning"};

bool IsNotAlias(std::string_view lowered_word) {
  return std::find(kNotAliases.begin(), kNotAliases.end(), lowered_word) != kNotAliases.end();
}

// What an open parenthesis was opened for, so that its contents are read in the right mode.
struct Paren {
  bool cast = false;       // CAST( ... AS type ): that AS names a type, not an alias.
  bool from_item = false;  // A subquery in a FROM list: a bare word after ")" is its alias.
  bool in_from = false;    // The FROM-list state of the enclosing level, restored at ")".
};

// The alias names of `tokens` (views into `lowered`), in order of appearance.
void CollectAliases(std::span<const Token> tokens, std::string_view lowered,
                    std::vector<std::string_view>& aliases) {
  std::vector<Paren> parens;  // Explicit stack: nesting depth is the input's, never recursion.
  bool in_from = false;       // Inside a FROM list at the current level.
  bool expect_table = false;  // The next word is a table name.
  bool after_item = false;    // The previous token ended a FROM item (table name or subquery).
  bool after_as = false;
  const Token* previous = nullptr;
  for (const Token& token : tokens) {
    if (token.kind == TokenKind::kComment) {
      continue;
    }
    const std::string_view text = TextOf(token, lowered);
    const bool was_after_item = std::exchange(after_item, false);
    if (std::exchange(after_as, false) &&
        (token.kind == TokenKind::kWord || token.kind == TokenKind::kQuoted)) {
      aliases.push_back(token.kind == TokenKind::kQuoted && text.size() >= 2
                            ? text.substr(1, text.size() - 2)
                            : text);
      previous = &token;
      continue;
    }
    switch (token.kind) {
      case TokenKind::kOpenParen:
        parens.push_back({.cast = previous != nullptr && IsWord(*previous, lowered, "cast"),
                          .from_item = expect_table,
                          .in_from = in_from});
        in_from = false;
        expect_table = false;
        break;
      case TokenKind::kCloseParen:
        if (!parens.empty()) {
          after_item = parens.back().from_item;
          in_from = parens.back().in_from;
          parens.pop_back();
        }
        break;
      case TokenKind::kComma:
        expect_table = in_from;
        break;
      case TokenKind::kWord:
        if (text == "as") {
          after_as = parens.empty() || !parens.back().cast;
        } else if (text == "from" || text == "join") {
          in_from = true;
          expect_table = true;
        } else if (expect_table) {
          expect_table = false;
          after_item = true;
        } else if (was_after_item && !IsNotAlias(text)) {
          aliases.push_back(text);
        } else if (text == "where" || text == "group" || text == "order" || text == "having" ||
                   text == "limit" || text == "union" || text == "except" ||
                   text == "intersect" || text == "window") {
          in_from = false;
        }
        break;
      default:
        break;
    }
    previous = &token;
  }
}

}  // namespace

Extract ParseExtract(std::string_view name) {
  if (name == "fenced") {
    return Extract::kFenced;
  }
  if (name == "answer_tag") {
    return Extract::kAnswerTag;
  }
  if (name == "none") {
    return Extract::kNone;
  }
  return Extract::kAuto;
}

std::string_view ExtractSql(std::string_view completion, Extract mode) {
  std::optional<std::string_view> found;
  if (mode == Extract::kAuto || mode == Extract::kFenced) {
    found = LastSqlFence(completion);
  }
  if (!found && (mode == Extract::kAuto || mode == Extract::kAnswerTag)) {
    found = LastAnswerTag(completion);
  }
  return Trim(found.value_or(completion));
}

void Lex(std::string_view sql, std::vector<Token>& out) {
  out.clear();
  Lexer lexer(sql, 0);
  while (std::optional<Token> token = lexer.Next()) {
    out.push_back(*token);
  }
}

bool StartsWithSelect(std::span<const Token> tokens, std::string_view sql) {
  for (const Token& token : tokens) {
    if (token.kind != TokenKind::kComment) {
      return IsWord(token, sql, "select") || IsWord(token, sql, "with");
    }
  }
  return false;
}

bool HasMoreStatements(std::string_view sql, std::size_t from) {
  Lexer lexer(sql, std::min(from, sql.size()));
  while (std::optional<Token> token = lexer.Next()) {
    if (token->kind != TokenKind::kComment && token->kind != TokenKind::kSemicolon) {
      return true;
    }
  }
  return false;
}

bool HasTopLevelOrderBy(std::span<const Token> tokens, std::string_view sql) {
  std::size_t depth = 0;
  bool after_order = false;
  for (const Token& token : tokens) {
    if (token.kind == TokenKind::kComment) {
      continue;
    }
    if (after_order && IsWord(token, sql, "by")) {
      return true;
    }
    after_order = false;
    if (token.kind == TokenKind::kOpenParen) {
      ++depth;
    } else if (token.kind == TokenKind::kCloseParen) {
      depth -= depth > 0 ? 1 : 0;
    } else if (depth == 0 && IsWord(token, sql, "order")) {
      after_order = true;
    }
  }
  return false;
}

void NgramTokens(std::span<const Token> tokens, std::string_view sql, std::string& lowered,
                 std::vector<std::string_view>& out) {
  out.clear();
  lowered.assign(sql);
  for (char& c : lowered) {
    c = Lower(c);
  }
  std::vector<std::string_view> aliases;
  CollectAliases(tokens, lowered, aliases);
  const std::string_view text = lowered;
  for (const Token& token : tokens) {
    if (token.kind == TokenKind::kComment) {
      continue;
    }
    std::size_t pos = token.start;
    while (pos < token.end) {
      if (!IsNgramChar(text[pos])) {
        ++pos;
        continue;
      }
      const std::size_t start = pos;
      while (pos < token.end && IsNgramChar(text[pos])) {
        ++pos;
      }
      const std::string_view word = text.substr(start, pos - start);
      if (word != "as" && std::find(aliases.begin(), aliases.end(), word) == aliases.end()) {
        out.push_back(word);
      }
    }
  }
}

double BigramJaccard(std::span<const std::string_view> a, std::span<const std::string_view> b) {
  using Bigram = std::pair<std::string_view, std::string_view>;
  const auto bigrams = [](std::span<const std::string_view> words) {
    std::vector<Bigram> out;
    for (std::size_t i = 1; i < words.size(); ++i) {
      out.emplace_back(words[i - 1], words[i]);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  const std::vector<Bigram> set_a = bigrams(a);
  const std::vector<Bigram> set_b = bigrams(b);
  std::size_t common = 0;
  for (std::size_t i = 0, j = 0; i < set_a.size() && j < set_b.size();) {
    if (set_a[i] < set_b[j]) {
      ++i;
    } else if (set_b[j] < set_a[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  const std::size_t union_size = set_a.size() + set_b.size() - common;
  return union_size == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(union_size);
}

double FormatScore(std::string_view completion) {
  const auto exactly_one = [&](std::string_view needle) {
    return CountOccurrences(completion, needle) == 1;
  };
  double score = 0;
  if (exactly_one("<reasoning>\n")) {
    score += 0.125;
  }
  if (exactly_one("\n</reasoning>\n")) {
    score += 0.125;
  }
  if (exactly_one("\n<answer>\n")) {
    score += 0.125 - 0.001 * CharsAfterLast(completion, "\n</answer>\n");
  }
  if (exactly_one("\n</answer>")) {
    score += 0.125 - 0.001 * (CharsAfterLast(completion, "\n</answer>") - 1);
  }
  return score;
}

}  // namespace merit::sql
