// The rule judge's answers to rubric.auto's and rubric.pairwise's prompts
// (docs/test-model-server.md, "Auto-Rubric judges"). Deterministic, so tests can predict them:
//   generation (a "RUBRIC_ITEMS: N" line and a <question> block): a JSON list of the question's
//     first N distinct words of 4 or more letters/digits, lower-cased, in order (a run with '_'
//     is not a word). Markers in the
//     question make bad rubrics on purpose: EMPTY_RUBRIC -> [], HUGE_RUBRIC -> a numbered list of
//     1,000 items, DUPLICATE_RUBRIC -> every word twice (the second upper-cased),
//     PLACEHOLDER_RUBRIC -> ["<item 1>", "..."].
//   rubric pairwise (<rubric>, <response_a>, <response_b>): each rubric line without its "N. "
//     number is covered by a response that contains it (lower-cased); the response covering more
//     items wins, equal is a TIE. A response containing POSITION_BIAS wins whenever it is
//     response A (a planted position bias, so both orders disagree).
// Master keys are not special here: rubric.pairwise screens them before calling.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "model_server/agent_judges.h"

namespace merit::model_server {
namespace {

// '_' joins a word so that the markers below are one word, which is then skipped.
bool IsWordByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r";
  const std::size_t first = s.find_first_not_of(kSpace);
  return first == std::string_view::npos ? std::string_view()
                                         : s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// The text inside the first "<name>" ... "</name>" block after it; nullopt when absent.
std::optional<std::string_view> Block(std::string_view message, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const std::size_t begin = message.find(open);
  if (begin == std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t end = message.find(close, begin);
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  return Trim(message.substr(begin + open.size(), end - begin - open.size()));
}

// N of a "RUBRIC_ITEMS: N" line; nullopt when there is none.
std::optional<std::size_t> RequestedItems(std::string_view message) {
  constexpr std::string_view kKey = "RUBRIC_ITEMS: ";
  const std::size_t at = message.rfind(kKey);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t n = 0;
  for (std::size_t i = at + kKey.size(); i < message.size() && message[i] >= '0' &&
                                         message[i] <= '9' && n < 100000;
       ++i) {
    n = n * 10 + static_cast<std::size_t>(message[i] - '0');
  }
  return n;
}

std::string GenerationReply(std::string_view question, std::size_t n) {
  if (question.find("EMPTY_RUBRIC") != std::string_view::npos) {
    return "[]";
  }
  if (question.find("PLACEHOLDER_RUBRIC") != std::string_view::npos) {
    return R"(["<item 1>", "..."])";
  }
  if (question.find("HUGE_RUBRIC") != std::string_view::npos) {
    std::string reply;
    for (int i = 1; i <= 1000; ++i) {
      reply += std::to_string(i) + ". states fact number " + std::to_string(i) + "\n";
    }
    return reply;
  }
  const bool duplicate = question.find("DUPLICATE_RUBRIC") != std::string_view::npos;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < question.size() && words.size() < n;) {
    if (!IsWordByte(question[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < question.size() && IsWordByte(question[end])) {
      ++end;
    }
    std::string word = Lower(question.substr(i, end - i));
    if (word.size() >= 4 && word.find('_') == std::string::npos &&
        std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(std::move(word));
    }
    i = end;
  }
  Json::Array items;
  for (const std::string& word : words) {
    items.push_back(Json::Str(word));
    if (duplicate) {
      std::string upper = word;
      for (char& c : upper) {
        c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      }
      items.push_back(Json::Str(upper));
    }
  }
  return Json::Arr(std::move(items)).Dump();
}

std::size_t Covered(const std::vector<std::string>& items, std::string_view response) {
  const std::string lowered = Lower(response);
  std::size_t covered = 0;
  for (const std::string& item : items) {
    covered += lowered.find(item) != std::string::npos ? 1 : 0;
  }
  return covered;
}

std::string PairwiseReply(std::string_view rubric, std::string_view a, std::string_view b) {
  if (a.find("POSITION_BIAS") != std::string_view::npos) {
    return "rule: position bias\nWINNER: A";
  }
  std::vector<std::string> items;
  while (!rubric.empty()) {
    const std::size_t end = rubric.find('\n');
    std::string_view line = Trim(rubric.substr(0, end));
    rubric = end == std::string_view::npos ? std::string_view() : rubric.substr(end + 1);
    const std::size_t dot = line.find(". ");
    if (dot != std::string_view::npos) {
      line = Trim(line.substr(dot + 2));
    }
    if (!line.empty()) {
      items.push_back(Lower(line));
    }
  }
  const std::size_t covered_a = Covered(items, a);
  const std::size_t covered_b = Covered(items, b);
  const std::string_view winner = covered_a > covered_b ? "A" : covered_b > covered_a ? "B" : "TIE";
  return "rule: A covers " + std::to_string(covered_a) + ", B covers " +
         std::to_string(covered_b) + "\nWINNER: " + std::string(winner);
}

}  // namespace

std::optional<std::string> RubricJudgeReply(std::string_view message) {
  if (const std::optional<std::size_t> n = RequestedItems(message)) {
    if (const std::optional<std::string_view> question = Block(message, "question")) {
      return GenerationReply(*question, *n);
    }
  }
  const std::optional<std::string_view> rubric = Block(message, "rubric");
  const std::optional<std::string_view> a = Block(message, "response_a");
  const std::optional<std::string_view> b = Block(message, "response_b");
  if (rubric && a && b) {
    return PairwiseReply(*rubric, *a, *b);
  }
  return std::nullopt;
}

}  // namespace merit::model_server
