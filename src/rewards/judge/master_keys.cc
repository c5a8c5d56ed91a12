#include "rewards/judge/master_keys.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "rewards/match/common.h"
#include "text/normalize.h"

namespace merit::judge {
namespace {

// The paper's ten keys first (spec B §18), then openers a policy can learn as easily: the same
// moves in the languages judges are used with, and the bare "answer" labels that an extractor
// leaves behind when nothing follows them. A key is matched as whole words, so "Solution" strips
// "Solution:" but never "Solutions" or "解方程".
constexpr MasterKey kKeys[] = {
    {" ", "symbol", true},
    {".", "symbol", true},
    {",", "symbol", true},
    {":", "symbol", true},
    {"Thought process:", "en", true},
    {"Let's solve this problem step by step.", "en", true},
    {"Solution", "en", true},
    {"解", "zh", true},
    {"かいせつ", "ja", true},
    {"Respuesta", "es", true},
    // English.
    {"Thinking process:", "en"},
    {"Reasoning:", "en"},
    {"Reasoning process:", "en"},
    {"Let's think step by step.", "en"},
    {"Let's solve this step by step.", "en"},
    {"Let's solve this.", "en"},
    {"Let's solve", "en"},
    {"Let us solve this problem step by step.", "en"},
    {"Let us solve", "en"},
    {"Let us think step by step.", "en"},
    {"Let's solve it.", "en"},
    {"Let's think.", "en"},
    {"Let's begin.", "en"},
    {"Let me solve this problem step by step.", "en"},
    {"Let me solve this step by step.", "en"},
    {"Let me think step by step.", "en"},
    {"Let me solve this problem.", "en"},
    {"Let me solve this.", "en"},
    {"Let me solve", "en"},
    {"Let me think.", "en"},
    {"Let me think about this.", "en"},
    {"Step by step:", "en"},
    {"Step 1:", "en"},
    {"Solution:", "en"},
    {"Answer:", "en"},
    {"Final answer:", "en"},
    {"The answer is", "en"},
    {"The final answer is", "en"},
    {"Explanation:", "en"},
    {"Analysis:", "en"},
    {"Proof:", "en"},
    // Chinese.
    {"解：", "zh"},
    {"解答", "zh"},
    {"答", "zh"},
    {"答案", "zh"},
    {"思路", "zh"},
    {"解题思路", "zh"},
    {"解析", "zh"},
    {"分析", "zh"},
    {"思考过程", "zh"},
    {"让我们一步一步地解决这个问题。", "zh"},
    {"让我们一步一步地思考。", "zh"},
    {"我们来一步一步解决这个问题。", "zh"},
    // Japanese.
    {"解説", "ja"},
    {"答え", "ja"},
    {"考え方", "ja"},
    {"思考過程", "ja"},
    {"ステップバイステップで解きましょう。", "ja"},
    // Spanish.
    {"Solución", "es"},
    {"Razonamiento", "es"},
    {"Proceso de pensamiento:", "es"},
    {"Vamos a resolver este problema paso a paso.", "es"},
    {"Resolvamos este problema paso a paso.", "es"},
    // German.
    {"Lösung", "de"},
    {"Antwort", "de"},
    {"Denkprozess:", "de"},
    {"Lösen wir dieses Problem Schritt für Schritt.", "de"},
    // French ("Solution" is above).
    {"Réponse", "fr"},
    {"Raisonnement", "fr"},
    {"Processus de réflexion :", "fr"},
    {"Résolvons ce problème étape par étape.", "fr"},
    // Portuguese.
    {"Resposta", "pt"},
    {"Solução", "pt"},
    {"Raciocínio", "pt"},
    {"Vamos resolver este problema passo a passo.", "pt"},
    // Italian.
    {"Soluzione", "it"},
    {"Risposta", "it"},
    {"Risolviamo questo problema passo dopo passo.", "it"},
    // Russian.
    {"Решение", "ru"},
    {"Ответ", "ru"},
    {"Ход мыслей:", "ru"},
    {"Давайте решим эту задачу шаг за шагом.", "ru"},
    // Korean.
    {"풀이", "ko"},
    {"해설", "ko"},
    {"정답", "ko"},
    {"답", "ko"},
    {"사고 과정:", "ko"},
    {"단계별로 풀어 봅시다.", "ko"},
};

struct CodePoint {
  utf8proc_int32_t value = 0;  // -1 for a byte that starts no valid UTF-8 sequence.
  std::size_t length = 1;
};

CodePoint DecodeAt(std::string_view text, std::size_t pos) {
  CodePoint cp;
  const utf8proc_ssize_t length =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                       static_cast<utf8proc_ssize_t>(text.size() - pos), &cp.value);
  if (length <= 0) {
    return {.value = -1, .length = 1};
  }
  cp.length = static_cast<std::size_t>(length);
  return cp;
}

// Word characters are letters, digits, marks, non-ASCII math and currency signs (an answer may be
// "∞" or "∅") and undecodable bytes. Everything else separates words: whitespace, punctuation,
// every ASCII symbol (markdown emphasis, '$', '='), emoji and other pictographs, and format
// characters such as U+200B ZERO WIDTH SPACE (so an invisible response is content-free too).
bool IsSeparator(utf8proc_int32_t cp) {
  if (cp < 0) {
    return false;
  }
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
      return true;
    default:
      return false;
  }
}

// Appends the canonical form of one word character: compatibility decomposition, case folding
// and marks stripped, so "Ｌösung", "LOSUNG" and "lösung" all read "losung".
void AppendCanonical(std::string_view text, std::size_t pos, const CodePoint& cp,
                     std::string& out) {
  if (cp.value < 0) {
    out.push_back(text[pos]);
    return;
  }
  std::array<utf8proc_int32_t, 32> decomposed{};
  int boundclass = 0;
  const utf8proc_ssize_t count = utf8proc_decompose_char(
      cp.value, decomposed.data(), static_cast<utf8proc_ssize_t>(decomposed.size()),
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                     UTF8PROC_STRIPMARK),
      &boundclass);
  std::array<utf8proc_uint8_t, 4> bytes{};
  if (count < 0 || count > static_cast<utf8proc_ssize_t>(decomposed.size())) {
    out.append(text.substr(pos, cp.length));
    return;
  }
  for (utf8proc_ssize_t i = 0; i < count; ++i) {
    const utf8proc_ssize_t n = utf8proc_encode_char(decomposed[static_cast<std::size_t>(i)],
                                                    bytes.data());
    out.append(reinterpret_cast<const char*>(bytes.data()), static_cast<std::size_t>(n));
  }
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Markup is not content: "<answer></answer>" or "\boxed{}" after an opener is as empty as the
// opener alone. Returns the length of an XML-like tag ("<answer>", "</think>", "<br/>") or of a
// LaTeX formatting command ("\boxed", "\text") at `pos`, or 0. Other commands stay words
// ("\pi" is an answer).
std::size_t MarkupLength(std::string_view text, std::size_t pos) {
  constexpr std::size_t kMaxName = 32;
  if (text[pos] == '<') {
    std::size_t i = pos + 1;
    if (i < text.size() && text[i] == '/') {
      ++i;
    }
    const std::size_t name_begin = i;
    while (i < text.size() && i - name_begin < kMaxName &&
           (IsAsciiLetter(text[i]) || (i > name_begin && ((text[i] >= '0' && text[i] <= '9') ||
                                                          text[i] == '_' || text[i] == '-')))) {
      ++i;
    }
    if (i == name_begin) {
      return 0;
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '/')) {
      ++i;
    }
    return i < text.size() && text[i] == '>' ? i + 1 - pos : 0;
  }
  if (text[pos] == '\\') {
    constexpr std::string_view kFormatting[] = {
        "boxed", "fbox",  "text",  "textbf", "textit",       "textrm", "mathrm", "mathbf",
        "mathit", "emph", "left",  "right",  "displaystyle", "quad",   "qquad"};
    std::size_t i = pos + 1;
    while (i < text.size() && i - pos <= kMaxName && IsAsciiLetter(text[i])) {
      ++i;
    }
    const std::string_view name = text.substr(pos + 1, i - pos - 1);
    for (const std::string_view command : kFormatting) {
      if (name == command) {
        return i - pos;
      }
    }
  }
  return 0;
}

// One word of the input: where it is, and where its canonical form is in the reader's buffer.
struct Word {
  std::size_t begin = 0;  // Byte offsets in the input.
  std::size_t end = 0;
  std::size_t canonical_begin = 0;  // Offsets in WordReader::canonical().
  std::size_t canonical_end = 0;
};

// Reads canonical words left to right, on demand, so a screen that decides after the first few
// words never decodes the rest of a megabyte completion.
class WordReader {
 public:
  explicit WordReader(std::string_view text) : text_(text) {}

  // The next word, or false at the end of the input.
  bool Next(Word& word) {
    while (pos_ < text_.size()) {
      if (const std::size_t markup = MarkupLength(text_, pos_); markup > 0) {
        pos_ += markup;
        continue;
      }
      const CodePoint cp = DecodeAt(text_, pos_);
      if (!IsSeparator(cp.value)) {
        break;
      }
      pos_ += cp.length;
    }
    if (pos_ >= text_.size()) {
      return false;
    }
    word.begin = pos_;
    word.canonical_begin = canonical_.size();
    while (pos_ < text_.size()) {
      const CodePoint cp = DecodeAt(text_, pos_);
      if (IsSeparator(cp.value)) {
        break;
      }
      AppendCanonical(text_, pos_, cp, canonical_);
      pos_ += cp.length;
    }
    word.end = pos_;
    word.canonical_end = canonical_.size();
    return true;
  }

  std::string_view Canonical(const Word& word) const {
    return std::string_view(canonical_).substr(word.canonical_begin,
                                               word.canonical_end - word.canonical_begin);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::string canonical_;
};

// The keys as canonical word sequences, computed once (immutable afterwards).
struct KeyTable {
  std::vector<std::vector<std::string>> keys;
  std::size_t max_words = 0;
};

const KeyTable& Keys() {
  static const KeyTable* const table = [] {
    auto* built = new KeyTable;
    for (const MasterKey& key : kKeys) {
      WordReader reader(key.text);
      std::vector<std::string> words;
      Word word;
      while (reader.Next(word)) {
        words.emplace_back(reader.Canonical(word));
      }
      if (words.empty()) {
        continue;  // The symbol keys: every separator is stripped anyway.
      }
      built->max_words = std::max(built->max_words, words.size());
      built->keys.push_back(std::move(words));
    }
    return built;
  }();
  return *table;
}

bool IsBlank(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const CodePoint cp = DecodeAt(text, pos);
    if (cp.value < 0 || !text::IsPythonWhitespace(static_cast<char32_t>(cp.value))) {
      return false;
    }
    pos += cp.length;
  }
  return true;
}

// What may sit between a stripped key and the answer: spacing, the key's own punctuation and
// markdown. Brackets, quotes, signs and '$' stay: "Solution: -5" must leave "-5".
bool IsKeyTrailer(utf8proc_int32_t cp) {
  if (cp < 0) {
    return false;
  }
  if (cp < 0x80) {
    switch (static_cast<char>(cp)) {
      case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
      case ':': case '.': case ',': case ';': case '!': case '?':
      case '*': case '_': case '#': case '>': case '`': case '~': case '|':
        return true;
      default:
        return false;
    }
  }
  const utf8proc_category_t category = utf8proc_category(cp);
  return category == UTF8PROC_CATEGORY_PO || category == UTF8PROC_CATEGORY_ZS ||
         category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP ||
         category == UTF8PROC_CATEGORY_CF ||
         text::IsPythonWhitespace(static_cast<char32_t>(cp));
}

}  // namespace

std::span<const MasterKey> MasterKeys() { return kKeys; }

Screened ScreenResponse(std::string_view text) {
  if (IsBlank(text)) {
    return {.verdict = Screen::kBlank};
  }
  const KeyTable& table = Keys();
  WordReader reader(text);
  std::vector<Word> words;
  bool exhausted = false;
  std::size_t next = 0;  // The first word not yet stripped.
  std::size_t cut = 0;   // Where the text after the stripped keys starts.
  for (;;) {
    while (!exhausted && words.size() < next + table.max_words) {
      Word word;
      if (reader.Next(word)) {
        words.push_back(word);
      } else {
        exhausted = true;
      }
    }
    if (next == words.size()) {
      return {.verdict = Screen::kMasterKey};
    }
    std::size_t longest = 0;
    for (const std::vector<std::string>& key : table.keys) {
      if (key.size() <= longest || next + key.size() > words.size()) {
        continue;
      }
      bool match = true;
      for (std::size_t i = 0; i < key.size() && match; ++i) {
        match = reader.Canonical(words[next + i]) == key[i];
      }
      if (match) {
        longest = key.size();
      }
    }
    if (longest == 0) {
      break;
    }
    next += longest;
    cut = words[next - 1].end;
  }
  std::size_t begin = cut;
  if (next > 0) {
    while (begin < text.size()) {
      // Closing markup of the key ("<b>Solution</b>: 42") goes with it; "<answer>" does not.
      if (const std::size_t markup = MarkupLength(text, begin);
          markup > 0 && text.substr(begin, 2) == "</") {
        begin += markup;
        continue;
      }
      const CodePoint cp = DecodeAt(text, begin);
      if (!IsKeyTrailer(cp.value)) {
        break;
      }
      begin += cp.length;
    }
  }
  return {.verdict = Screen::kContent, .rest = text.substr(begin)};
}

std::string_view ExtractFinalAnswer(std::string_view completion) {
  const std::optional<match::Answer> answer =
      match::ExtractAnswer(completion, match::Extract::kAuto);
  if (!answer) {
    return {};
  }
  if (answer->source == match::AnswerSource::kWhole) {
    return match::LastNonEmptyLine(answer->text);
  }
  return answer->text;
}

bool SameWords(std::string_view a, std::string_view b) {
  WordReader reader_a(a);
  WordReader reader_b(b);
  Word word_a;
  Word word_b;
  for (;;) {
    const bool more_a = reader_a.Next(word_a);
    const bool more_b = reader_b.Next(word_b);
    if (more_a != more_b) {
      return false;
    }
    if (!more_a) {
      return true;
    }
    if (reader_a.Canonical(word_a) != reader_b.Canonical(word_b)) {
      return false;
    }
  }
}

std::string_view TruncateFirstSentence(std::string_view text) {
  const std::size_t boundary = text.find_first_of(".?!\n");
  return boundary == std::string_view::npos ? text : text.substr(0, boundary + 1);
}

}  // namespace merit::judge
