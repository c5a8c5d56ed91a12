// The rule judge's answers to rubric.carr's three prompts (docs/test-model-server.md, "CaRR
// judges"). Deterministic, so that tests can predict every verdict:
//   outcome (a <correct_answer> block): the response's final answer is the rest of the line after
//     its last "Exact Answer:" (any case), else its last non-empty line; correct iff it equals
//     the correct answer after lower-casing, dropping '*', collapsing whitespace and trailing
//     '.'/'!'.
//   identification (a <constraints> block): entity Ek is identified as X when the response has
//     "Ek: X" or "Ek = X" (Ek not preceded by a letter or digit; X runs to the end of the line or
//     to ';', ')' or ']'); X empty, "unknown" or "?" is null. X is reported as written, so a
//     response that says "E1: none" makes the judge's JSON invalid (a re-query test).
//   support (<webpages> and <statements> blocks): statement Sk is supported iff every word of it
//     (maximal run of ASCII letters, digits or non-ASCII bytes, lower-cased) is a word of the
//     webpages.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "model_server/agent_judges.h"

namespace merit::model_server {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsWordByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         static_cast<unsigned char>(c) >= 0x80;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// The text inside the last "<name>" ... "</name>" block; nullopt when the closing tag is absent.
std::optional<std::string_view> Block(std::string_view message, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const std::size_t end = message.rfind(close);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t begin = message.rfind(open, end);
  if (begin == std::string_view::npos) {
    return std::nullopt;
  }
  return Trim(message.substr(begin + open.size(), end - begin - open.size()));
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (IsWordByte(c)) {
      word.push_back(Lower(c));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) {
    words.push_back(std::move(word));
  }
  return words;
}

std::string NormalizeAnswer(std::string_view text) {
  std::string out;
  for (const char c : Trim(text)) {
    if (c == '*') {
      continue;
    }
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') {
        out.push_back(' ');
      }
    } else {
      out.push_back(Lower(c));
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '.' || out.back() == '!')) {
    out.pop_back();
  }
  return out;
}

std::string_view FinalAnswer(std::string_view response) {
  std::string lower(response);
  std::transform(lower.begin(), lower.end(), lower.begin(), Lower);
  constexpr std::string_view kKey = "exact answer:";
  std::size_t begin = lower.rfind(kKey);
  if (begin != std::string::npos) {
    begin += kKey.size();
  } else {
    // The last non-empty line.
    const std::string_view trimmed = Trim(response);
    const std::size_t newline = trimmed.rfind('\n');
    return Trim(newline == std::string_view::npos ? trimmed : trimmed.substr(newline + 1));
  }
  const std::size_t end = response.find('\n', begin);
  return Trim(response.substr(begin, end == std::string_view::npos ? end : end - begin));
}

std::string OutcomeReply(std::string_view response, std::string_view correct) {
  const std::string_view answer = FinalAnswer(response);
  const bool yes = !answer.empty() && NormalizeAnswer(answer) == NormalizeAnswer(correct);
  return "extracted_final_answer: " + (answer.empty() ? std::string("None") : std::string(answer)) +
         "\nreasoning: rule judge: the normalised answers " + (yes ? "are equal" : "differ") +
         ".\ncorrect: " + (yes ? "yes" : "no") + "\n";
}

// "<E12>" ids of the constraints, unique, by number.
std::vector<std::string> EntityIds(std::string_view constraints) {
  std::vector<std::string> ids;
  for (std::size_t at = constraints.find("<E"); at != std::string_view::npos;
       at = constraints.find("<E", at + 1)) {
    std::size_t i = at + 2;
    while (i < constraints.size() && constraints[i] >= '0' && constraints[i] <= '9') {
      ++i;
    }
    if (i > at + 2 && i < constraints.size() && constraints[i] == '>') {
      ids.emplace_back(constraints.substr(at + 1, i - at - 1));
    }
  }
  std::sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// The identity the response states for `id` ("E1: X" / "E1 = X"); nullopt when none.
std::optional<std::string> StatedIdentity(std::string_view response, std::string_view id) {
  for (std::size_t at = response.find(id); at != std::string_view::npos;
       at = response.find(id, at + 1)) {
    if (at > 0 && IsWordByte(response[at - 1])) {
      continue;
    }
    std::size_t i = at + id.size();
    while (i < response.size() && (response[i] == ' ' || response[i] == '\t')) {
      ++i;
    }
    if (i >= response.size() || (response[i] != ':' && response[i] != '=')) {
      continue;
    }
    const std::size_t end = response.find_first_of("\n;)]", i + 1);
    const std::string_view identity =
        Trim(response.substr(i + 1, end == std::string_view::npos ? end : end - i - 1));
    if (identity.empty() || identity == "unknown" || identity == "?") {
      return std::nullopt;
    }
    return std::string(identity);
  }
  return std::nullopt;
}

std::string IdentifyReply(std::string_view constraints, std::string_view response) {
  std::string analysis = "## Analysis\n";
  Json::Object summary;
  for (const std::string& id : EntityIds(constraints)) {
    const std::optional<std::string> identity = StatedIdentity(response, id);
    analysis += id + (identity ? ": stated as " + *identity : ": not stated") + "\n";
    summary.emplace_back(id, identity ? Json::Str(*identity) : Json());
  }
  return analysis + "\n## Final JSON\n```json\n" + Json::Obj(std::move(summary)).Dump() +
         "\n```\n";
}

std::string SupportReply(std::string_view webpages, std::string_view statements) {
  const std::vector<std::string> page_words = Words(webpages);
  const std::set<std::string> vocabulary(page_words.begin(), page_words.end());
  std::string reply;
  Json::Object summary;
  while (!statements.empty()) {
    const std::size_t end = statements.find('\n');
    const std::string_view line = Trim(statements.substr(0, end));
    statements = end == std::string_view::npos ? std::string_view() : statements.substr(end + 1);
    const std::size_t dot = line.find(". ");
    if (line.empty() || line[0] != 'S' || dot == std::string_view::npos) {
      continue;
    }
    const std::string label(line.substr(0, dot));
    std::string missing;
    for (const std::string& word : Words(line.substr(dot + 2))) {
      if (vocabulary.count(word) == 0) {
        missing += (missing.empty() ? "\"" : ", \"") + word + "\"";
      }
    }
    const bool supported = missing.empty();
    reply += "## Statement " + label + "\nExplanation: rule judge: " +
             (supported ? "every word appears in the webpages"
                        : "not in the webpages: " + missing) +
             ".\nEvidence URLs: none\nFully Supported: " + (supported ? "yes" : "no") + "\n\n";
    summary.emplace_back(label, Json::Bool(supported));
  }
  return reply + "## Final JSON\n```json\n" + Json::Obj(std::move(summary)).Dump() + "\n```\n";
}

}  // namespace

std::optional<std::string> CarrJudgeReply(std::string_view message) {
  if (const std::optional<std::string_view> correct = Block(message, "correct_answer")) {
    return OutcomeReply(Block(message, "response").value_or(""), *correct);
  }
  if (const std::optional<std::string_view> constraints = Block(message, "constraints")) {
    return IdentifyReply(*constraints, Block(message, "response").value_or(""));
  }
  const std::optional<std::string_view> webpages = Block(message, "webpages");
  const std::optional<std::string_view> statements = Block(message, "statements");
  if (webpages && statements) {
    return SupportReply(*webpages, *statements);
  }
  return std::nullopt;
}

}  // namespace merit::model_server
