// The rule judge's answers to the step rewards' default prompts (src/rewards/step). Each prompt
// opens with a fixed line naming its question; inputs are in tag blocks (the last block of a tag
// is read). "Words" are lower-cased runs of ASCII letters and digits of at least 4 bytes.
//
//   SLATE reasoning   <thinking> empty: -1; shares a word with <question>: 1; else 0
//   SLATE query       <query> empty, or already in <context> (case-insensitive): -1;
//                     shares a word with <question>: 1; else 0
//   SLATE answer      <answer> equals a <reference> line (normalised: lower case, outer spaces
//                     and trailing .!? removed): 1; one contains the other: 0; else -1
//   R3-RAG relevance  the share of <query>'s distinct words found in <documents>, 2 decimals
//   R3-RAG outcome    True iff <answer> equals a <reference> line (normalised as above)
#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>

#include "model_server/agent_judges.h"

namespace merit::model_server {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The content of the last <tag>...</tag> block; empty when there is none.
std::string_view Block(std::string_view message, std::string_view tag) {
  const std::string open = fmt::format("<{}>", tag);
  const std::string close = fmt::format("</{}>", tag);
  const std::size_t begin = message.rfind(open);
  if (begin == std::string_view::npos) {
    return {};
  }
  const std::size_t content = begin + open.size();
  const std::size_t end = message.find(close, content);
  return Trim(message.substr(content, end == std::string_view::npos ? end : end - content));
}

std::set<std::string> Words(std::string_view text) {
  std::set<std::string> words;
  std::string word;
  const auto flush = [&] {
    if (word.size() >= 4) {
      words.insert(word);
    }
    word.clear();
  };
  for (const char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      word.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    } else {
      flush();
    }
  }
  flush();
  return words;
}

bool SharesWord(std::string_view a, std::string_view b) {
  const std::set<std::string> left = Words(a);
  const std::set<std::string> right = Words(b);
  return std::any_of(left.begin(), left.end(),
                     [&](const std::string& w) { return right.count(w) > 0; });
}

std::string Normalize(std::string_view text) {
  text = Trim(text);
  while (!text.empty() && (text.back() == '.' || text.back() == '!' || text.back() == '?')) {
    text.remove_suffix(1);
  }
  return Lower(Trim(text));
}

// 1: the answer equals a reference line; 0: one contains the other; -1: neither.
int AnswerMatch(std::string_view answer, std::string_view references) {
  const std::string normalized = Normalize(answer);
  int best = -1;
  std::size_t begin = 0;
  while (begin <= references.size()) {
    std::size_t end = references.find('\n', begin);
    if (end == std::string_view::npos) {
      end = references.size();
    }
    const std::string reference = Normalize(references.substr(begin, end - begin));
    if (!reference.empty() && !normalized.empty()) {
      if (reference == normalized) {
        return 1;
      }
      if (reference.find(normalized) != std::string::npos ||
          normalized.find(reference) != std::string::npos) {
        best = 0;
      }
    }
    begin = end + 1;
  }
  return best;
}

std::string ScoreReply(int score) {
  return fmt::format("Judged by the test server's step rules.\n<score>{}</score>", score);
}

}  // namespace

std::optional<std::string> StepJudgeReply(std::string_view message) {
  const std::string_view head = Trim(message).substr(0, 64);
  const auto opens = [&](std::string_view line) { return head.substr(0, line.size()) == line; };
  if (opens("SLATE step judge: reasoning.")) {
    const std::string_view thinking = Block(message, "thinking");
    return ScoreReply(thinking.empty() ? -1 : SharesWord(thinking, Block(message, "question")) ? 1 : 0);
  }
  if (opens("SLATE step judge: query.")) {
    const std::string_view query = Block(message, "query");
    if (query.empty() || Lower(Block(message, "context")).find(Lower(query)) != std::string::npos) {
      return ScoreReply(-1);
    }
    return ScoreReply(SharesWord(query, Block(message, "question")) ? 1 : 0);
  }
  if (opens("SLATE step judge: answer.")) {
    return ScoreReply(AnswerMatch(Block(message, "answer"), Block(message, "reference")));
  }
  if (opens("R3-RAG step judge: relevance.")) {
    const std::set<std::string> query = Words(Block(message, "query"));
    const std::set<std::string> documents = Words(Block(message, "documents"));
    const auto found = std::count_if(query.begin(), query.end(),
                                     [&](const std::string& w) { return documents.count(w) > 0; });
    const double share =
        query.empty() ? 0.0 : static_cast<double>(found) / static_cast<double>(query.size());
    return fmt::format("The documents cover the query's terms.\nRelevance: {:.2f}", share);
  }
  if (opens("R3-RAG step judge: outcome.")) {
    return AnswerMatch(Block(message, "answer"), Block(message, "reference")) == 1 ? "True"
                                                                                    : "False";
  }
  return std::nullopt;
}

}  // namespace merit::model_server
