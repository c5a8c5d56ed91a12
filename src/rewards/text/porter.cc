#include "rewards/text/porter.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace merit::text_metrics {
namespace {

bool IsVowelLetter(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Porter's consonant: not a, e, i, o, u, and not a y that follows a consonant. A run of y's
// alternates, resolved by walking back to the first non-y (no recursion: "yyyy..." is input).
bool IsConsonant(const std::string& w, std::size_t i) {
  if (IsVowelLetter(w[i])) {
    return false;
  }
  if (w[i] != 'y') {
    return true;
  }
  bool negate = false;
  while (i > 0 && w[i] == 'y') {
    negate = !negate;
    --i;
  }
  return (!IsVowelLetter(w[i])) != negate;
}

// m of w[0, length): the number of vowel-consonant transitions, in one pass.
int Measure(const std::string& w, std::size_t length) {
  int m = 0;
  bool prev_consonant = true;  // Value before the first letter is irrelevant: i == 0 has no pair.
  for (std::size_t i = 0; i < length; ++i) {
    bool consonant = true;
    if (IsVowelLetter(w[i])) {
      consonant = false;
    } else if (w[i] == 'y') {
      consonant = i == 0 ? true : !prev_consonant;
    }
    if (i > 0 && !prev_consonant && consonant) {
      ++m;
    }
    prev_consonant = consonant;
  }
  return m;
}

// *v*: w[0, length) contains a vowel.
bool ContainsVowel(const std::string& w, std::size_t length) {
  bool prev_consonant = true;
  for (std::size_t i = 0; i < length; ++i) {
    bool consonant = true;
    if (IsVowelLetter(w[i])) {
      consonant = false;
    } else if (w[i] == 'y') {
      consonant = i == 0 ? true : !prev_consonant;
    }
    if (!consonant) {
      return true;
    }
    prev_consonant = consonant;
  }
  return false;
}

// *d: w[0, length) ends in a double consonant.
bool EndsDoubleConsonant(const std::string& w, std::size_t length) {
  return length >= 2 && w[length - 1] == w[length - 2] && IsConsonant(w, length - 1);
}

// *o: w[0, length) ends consonant-vowel-consonant, the last not w, x or y; NLTK also accepts a
// whole stem of vowel + consonant.
bool EndsCvc(const std::string& w, std::size_t length) {
  if (length >= 3) {
    const char last = w[length - 1];
    if (IsConsonant(w, length - 3) && !IsConsonant(w, length - 2) && IsConsonant(w, length - 1) &&
        last != 'w' && last != 'x' && last != 'y') {
      return true;
    }
  }
  return length == 2 && !IsConsonant(w, 0) && IsConsonant(w, 1);
}

bool EndsWith(const std::string& w, std::string_view suffix) {
  return w.size() >= suffix.size() &&
         std::string_view(w).substr(w.size() - suffix.size()) == suffix;
}

void ReplaceSuffix(std::string& w, std::size_t suffix_length, std::string_view replacement) {
  w.resize(w.size() - suffix_length);
  w.append(replacement);
}

enum class Condition : std::uint8_t {
  kMeasureAbove0,  // m(stem) > 0
  kMeasureAbove1,  // m(stem) > 1
  kIon,            // m(stem) > 1 and the stem ends in s or t
  kLogi,           // m(stem + "l") > 0: NLTK keeps the l with the stem (geo-logi).
};

struct Rule {
  std::string_view suffix;
  std::string_view replacement;
  Condition condition;
};

bool Holds(Condition condition, const std::string& w, std::size_t stem_length) {
  switch (condition) {
    case Condition::kMeasureAbove0:
      return Measure(w, stem_length) > 0;
    case Condition::kMeasureAbove1:
      return Measure(w, stem_length) > 1;
    case Condition::kIon:
      return Measure(w, stem_length) > 1 &&
             (w[stem_length - 1] == 's' || w[stem_length - 1] == 't');
    case Condition::kLogi:
      return Measure(w, stem_length + 1) > 0;
  }
  return false;
}

// NLTK's _apply_rule_list: the first rule whose suffix matches decides; when its condition fails
// the word is left as it is (later rules are not tried).
template <std::size_t N>
void ApplyRules(std::string& w, const std::array<Rule, N>& rules) {
  for (const Rule& rule : rules) {
    // The last letter first: it rules out almost every suffix at the cost of one comparison.
    if (!w.empty() && rule.suffix.back() == w.back() && EndsWith(w, rule.suffix)) {
      if (Holds(rule.condition, w, w.size() - rule.suffix.size())) {
        ReplaceSuffix(w, rule.suffix.size(), rule.replacement);
      }
      return;
    }
  }
}

void Step1a(std::string& w) {
  if (w.size() == 4 && EndsWith(w, "ies")) {
    ReplaceSuffix(w, 3, "ie");
    return;
  }
  if (EndsWith(w, "sses")) {
    ReplaceSuffix(w, 4, "ss");
  } else if (EndsWith(w, "ies")) {
    ReplaceSuffix(w, 3, "i");
  } else if (EndsWith(w, "ss")) {
    // SS -> SS.
  } else if (EndsWith(w, "s")) {
    ReplaceSuffix(w, 1, "");
  }
}

void Step1b(std::string& w) {
  if (EndsWith(w, "ied")) {
    ReplaceSuffix(w, 3, w.size() == 4 ? "ie" : "i");
    return;
  }
  if (EndsWith(w, "eed")) {
    if (Measure(w, w.size() - 3) > 0) {
      ReplaceSuffix(w, 3, "ee");
    }
    return;
  }
  std::size_t suffix = 0;
  if (EndsWith(w, "ed") && ContainsVowel(w, w.size() - 2)) {
    suffix = 2;
  } else if (EndsWith(w, "ing") && ContainsVowel(w, w.size() - 3)) {
    suffix = 3;
  }
  if (suffix == 0) {
    return;
  }
  w.resize(w.size() - suffix);
  if (EndsWith(w, "at")) {
    w.push_back('e');
  } else if (EndsWith(w, "bl")) {
    w.push_back('e');
  } else if (EndsWith(w, "iz")) {
    w.push_back('e');
  } else if (EndsDoubleConsonant(w, w.size())) {
    const char last = w.back();
    if (last != 'l' && last != 's' && last != 'z') {
      w.pop_back();
    }
  } else if (Measure(w, w.size()) == 1 && EndsCvc(w, w.size())) {
    w.push_back('e');
  }
}

void Step1c(std::string& w) {
  if (EndsWith(w, "y") && w.size() - 1 > 1 && IsConsonant(w, w.size() - 2)) {
    w.back() = 'i';
  }
}

constexpr std::array<Rule, 22> kStep2Rules = {{
    {"ational", "ate", Condition::kMeasureAbove0},
    {"tional", "tion", Condition::kMeasureAbove0},
    {"enci", "ence", Condition::kMeasureAbove0},
    {"anci", "ance", Condition::kMeasureAbove0},
    {"izer", "ize", Condition::kMeasureAbove0},
    {"bli", "ble", Condition::kMeasureAbove0},
    {"alli", "al", Condition::kMeasureAbove0},
    {"entli", "ent", Condition::kMeasureAbove0},
    {"eli", "e", Condition::kMeasureAbove0},
    {"ousli", "ous", Condition::kMeasureAbove0},
    {"ization", "ize", Condition::kMeasureAbove0},
    {"ation", "ate", Condition::kMeasureAbove0},
    {"ator", "ate", Condition::kMeasureAbove0},
    {"alism", "al", Condition::kMeasureAbove0},
    {"iveness", "ive", Condition::kMeasureAbove0},
    {"fulness", "ful", Condition::kMeasureAbove0},
    {"ousness", "ous", Condition::kMeasureAbove0},
    {"aliti", "al", Condition::kMeasureAbove0},
    {"iviti", "ive", Condition::kMeasureAbove0},
    {"biliti", "ble", Condition::kMeasureAbove0},
    {"fulli", "ful", Condition::kMeasureAbove0},
    {"logi", "log", Condition::kLogi},
}};

void Step2(std::string& w) {
  // NLTK applies ALLI -> AL before the list and, when it fires, runs step 2 on the result (which
  // ends in "al", so that second pass cannot fire this rule again).
  if (EndsWith(w, "alli") && Measure(w, w.size() - 4) > 0) {
    ReplaceSuffix(w, 4, "al");
  }
  ApplyRules(w, kStep2Rules);
}

constexpr std::array<Rule, 7> kStep3Rules = {{
    {"icate", "ic", Condition::kMeasureAbove0},
    {"ative", "", Condition::kMeasureAbove0},
    {"alize", "al", Condition::kMeasureAbove0},
    {"iciti", "ic", Condition::kMeasureAbove0},
    {"ical", "ic", Condition::kMeasureAbove0},
    {"ful", "", Condition::kMeasureAbove0},
    {"ness", "", Condition::kMeasureAbove0},
}};

constexpr std::array<Rule, 19> kStep4Rules = {{
    {"al", "", Condition::kMeasureAbove1},    {"ance", "", Condition::kMeasureAbove1},
    {"ence", "", Condition::kMeasureAbove1},  {"er", "", Condition::kMeasureAbove1},
    {"ic", "", Condition::kMeasureAbove1},    {"able", "", Condition::kMeasureAbove1},
    {"ible", "", Condition::kMeasureAbove1},  {"ant", "", Condition::kMeasureAbove1},
    {"ement", "", Condition::kMeasureAbove1}, {"ment", "", Condition::kMeasureAbove1},
    {"ent", "", Condition::kMeasureAbove1},   {"ion", "", Condition::kIon},
    {"ou", "", Condition::kMeasureAbove1},    {"ism", "", Condition::kMeasureAbove1},
    {"ate", "", Condition::kMeasureAbove1},   {"iti", "", Condition::kMeasureAbove1},
    {"ous", "", Condition::kMeasureAbove1},   {"ive", "", Condition::kMeasureAbove1},
    {"ize", "", Condition::kMeasureAbove1},
}};

void Step5a(std::string& w) {
  if (!EndsWith(w, "e")) {
    return;
  }
  const std::size_t stem = w.size() - 1;
  const int m = Measure(w, stem);
  if (m > 1 || (m == 1 && !EndsCvc(w, stem))) {
    w.pop_back();
  }
}

void Step5b(std::string& w) {
  // The condition measures the word less one l (NLTK: word[:-1]), not the stem less "ll".
  if (EndsWith(w, "ll") && Measure(w, w.size() - 1) > 1) {
    w.pop_back();
  }
}

// NLTK's irregular forms ("pool"): checked before any rule, on the whole word.
struct Irregular {
  std::string_view word;
  std::string_view stem;
};

constexpr std::array<Irregular, 16> kIrregular = {{
    {"sky", "sky"},          {"skies", "sky"},       {"dying", "die"},
    {"lying", "lie"},        {"tying", "tie"},       {"news", "news"},
    {"innings", "inning"},   {"inning", "inning"},   {"outings", "outing"},
    {"outing", "outing"},    {"cannings", "canning"}, {"canning", "canning"},
    {"howe", "howe"},        {"proceed", "proceed"}, {"exceed", "exceed"},
    {"succeed", "succeed"},
}};

}  // namespace

void PorterStem(std::string_view word, std::string& out) {
  out.assign(word);
  if (out.empty()) {
    return;
  }
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  for (const Irregular& irregular : kIrregular) {
    if (out[0] == irregular.word[0] && out == irregular.word) {
      out.assign(irregular.stem);
      return;
    }
  }
  if (word.size() <= 2) {
    return;
  }
  Step1a(out);
  Step1b(out);
  Step1c(out);
  Step2(out);
  ApplyRules(out, kStep3Rules);
  ApplyRules(out, kStep4Rules);
  Step5a(out);
  Step5b(out);
}

std::string PorterStem(std::string_view word) {
  std::string out;
  PorterStem(word, out);
  return out;
}

}  // namespace merit::text_metrics
