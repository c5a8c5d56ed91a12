#include "model_server/char_lm.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace merit::model_server {
namespace {

// The training text: plain English about arithmetic, answers and reasoning, so that the model's
// continuations and log-probs look vaguely like a language model's on the prompts tests send.
// Written for this server; changing it changes every expected log-prob in the tests.
constexpr std::string_view kTrainingText =
    "The answer is 42. The answer is 7. The final answer is 12. Let us think about the question "
    "before we answer it. First we read the question, then we solve the problem step by step, "
    "and at the end we write the answer in a box.\n"
    "Question: What is two plus two? Answer: two plus two is four, so the answer is 4.\n"
    "Question: What is the capital of France? Answer: the capital of France is Paris.\n"
    "Question: How many legs does a spider have? Answer: a spider has eight legs.\n"
    "Question: If a train travels 60 miles in one hour, how far does it travel in three hours? "
    "Answer: it travels 60 miles each hour, and 60 times 3 is 180, so the answer is 180 miles.\n"
    "A good response is correct, clear and short. A bad response is wrong, vague or far too long. "
    "The judge reads the question, the reference and the response, and then decides whether the "
    "response is correct. When the response matches the reference, the verdict is yes; when it "
    "does not, the verdict is no.\n"
    "The cat sat on the mat. The dog ran in the park. The sun is hot and the sea is blue. "
    "The children read books in the library, and the teacher writes on the board. "
    "It was a cold morning in the small town, and the streets were quiet. "
    "She opened the window and looked at the garden, where the flowers were still wet with rain. "
    "He walked to the station, bought a ticket, and waited for the train to the city.\n"
    "To add two numbers, write them one above the other and add the digits from right to left. "
    "To multiply a number by ten, write a zero after it. Half of a number is that number divided "
    "by two. The sum of the angles of a triangle is 180 degrees. A square has four equal sides. "
    "There are 60 minutes in an hour, 24 hours in a day and 7 days in a week. "
    "One hundred is ten times ten, and one thousand is ten times one hundred.\n"
    "Thank you for your question. I hope this helps. Please let me know if you have any other "
    "questions about the problem or the solution.\n"
    "The model writes one token at a time. Each token is a piece of a word, a whole word, a "
    "number or a sign such as a comma, a period or a question mark. The probability of a text is "
    "the product of the probabilities of its tokens, and the log probability is their sum.\n"
    "In the end, the best answer is the one that is true, and the best explanation is the one "
    "that a reader can follow from the first line to the last.\n";

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

bool IsSpaceByte(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Orders byte values by `counts` (descending) with `then` breaking ties (earlier rank first).
std::array<unsigned char, 255> Rank(const std::array<std::uint32_t, 256>& counts,
                                    const std::array<int, 256>& then_rank) {
  std::array<unsigned char, 255> order;
  std::iota(order.begin(), order.end(), static_cast<unsigned char>(1));
  std::stable_sort(order.begin(), order.end(), [&](unsigned char x, unsigned char y) {
    if (counts[x] != counts[y])
      return counts[x] > counts[y];
    return then_rank[x] < then_rank[y];
  });
  return order;
}

std::array<int, 256> RankPositions(const std::array<unsigned char, 255>& order) {
  std::array<int, 256> pos = {};
  pos[0] = 256;
  for (std::size_t i = 0; i < order.size(); ++i)
    pos[order[i]] = static_cast<int>(i);
  return pos;
}

}  // namespace

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  const auto at = [&](std::size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    if (IsSpaceByte(at(i))) {
      std::size_t end = i;
      while (end < text.size() && IsSpaceByte(at(end)))
        ++end;
      // One space right before a token belongs to that token.
      if (end < text.size() && at(end - 1) == ' ')
        --end;
      if (end > start) {
        tokens.push_back({.offset = start, .size = end - start});
        i = end;
        continue;
      }
      ++i;  // The single attached space; the token body follows.
    }
    if (IsWordByte(at(i))) {
      while (i < text.size() && IsWordByte(at(i)))
        ++i;
    } else {
      ++i;
    }
    tokens.push_back({.offset = start, .size = i - start});
  }
  return tokens;
}

std::uint32_t TokenId(std::string_view token_text) {
  std::uint32_t hash = 2166136261u;
  for (const char c : token_text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

const CharLm& CharLm::Default() {
  static const CharLm kModel(kTrainingText);
  return kModel;
}

CharLm::CharLm(std::string_view training_text) : bigram_(256) {
  unsigned char a = 0;
  unsigned char b = 0;
  for (const char ch : training_text) {
    const auto c = static_cast<unsigned char>(ch);
    Context& context = trigram_[Key(a, b)];
    ++context.counts[c];
    ++context.total;
    ++bigram_[b][c];
    ++unigram_[c];
    a = b;
    b = c;
  }
  std::array<int, 256> by_byte = {};
  std::iota(by_byte.begin(), by_byte.end(), 0);
  const std::array<int, 256> unigram_rank = RankPositions(Rank(unigram_, by_byte));
  bigram_ranking_.resize(256);
  std::vector<std::array<int, 256>> bigram_rank(256);
  for (int prev = 0; prev < 256; ++prev) {
    bigram_ranking_[prev] = Rank(bigram_[prev], unigram_rank);
    bigram_rank[prev] = RankPositions(bigram_ranking_[prev]);
  }
  for (auto& [key, context] : trigram_) {
    context.ranking = Rank(context.counts, bigram_rank[key & 0xff]);
  }
}

double CharLm::LogProb(unsigned char a, unsigned char b, unsigned char c) const {
  const auto it = trigram_.find(Key(a, b));
  if (it == trigram_.end())
    return -std::log(256.0);
  return std::log((it->second.counts[c] + 1.0) / (it->second.total + 256.0));
}

double CharLm::SpanLogProb(std::string_view text, std::size_t begin, std::size_t end) const {
  return ContinuationLogProb(text.substr(0, begin), text.substr(begin, end - begin));
}

double CharLm::ContinuationLogProb(std::string_view context, std::string_view text) const {
  const std::size_t n = context.size();
  unsigned char a = n >= 2 ? static_cast<unsigned char>(context[n - 2]) : 0;
  unsigned char b = n >= 1 ? static_cast<unsigned char>(context[n - 1]) : 0;
  double sum = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    sum += LogProb(a, b, c);
    a = b;
    b = c;
  }
  return sum;
}

double CharLm::MeanLogProb(std::string_view text) const {
  if (text.empty())
    return 0;
  return SpanLogProb(text, 0, text.size()) / static_cast<double>(text.size());
}

const std::array<unsigned char, 255>& CharLm::RankNextBytes(unsigned char a,
                                                            unsigned char b) const {
  const auto it = trigram_.find(Key(a, b));
  return it != trigram_.end() ? it->second.ranking : bigram_ranking_[b];
}

const std::array<unsigned char, 255>& CharLm::RankNextBytes(std::string_view context) const {
  const std::size_t n = context.size();
  return RankNextBytes(n >= 2 ? static_cast<unsigned char>(context[n - 2]) : 0,
                       n >= 1 ? static_cast<unsigned char>(context[n - 1]) : 0);
}

std::string CharLm::Continue(std::string_view context, std::size_t max_tokens) const {
  std::string out;
  if (max_tokens == 0)
    return out;
  // Bounded even when greedy decoding runs into one endless token.
  const std::size_t max_bytes = max_tokens * kMaxCandidateBytes + kMaxCandidateBytes;
  const std::size_t n = context.size();
  unsigned char a = n >= 2 ? static_cast<unsigned char>(context[n - 2]) : 0;
  unsigned char b = n >= 1 ? static_cast<unsigned char>(context[n - 1]) : 0;
  while (out.size() < max_bytes) {
    const unsigned char c = RankNextBytes(a, b)[0];
    out.push_back(static_cast<char>(c));
    a = b;
    b = c;
    // The max_tokens-th token is complete once a further token has begun.
    if (out.size() % 16 == 0 && Tokenize(out).size() > max_tokens)
      break;
  }
  const std::vector<Token> tokens = Tokenize(out);
  if (tokens.size() > max_tokens)
    out.resize(tokens[max_tokens].offset);
  return out;
}

std::string CharLm::CandidateToken(std::string_view context, unsigned char first) const {
  std::string out(1, static_cast<char>(first));
  const std::size_t n = context.size();
  unsigned char a = n >= 1 ? static_cast<unsigned char>(context[n - 1]) : 0;
  unsigned char b = first;
  while (out.size() < kMaxCandidateBytes) {
    const unsigned char c = RankNextBytes(a, b)[0];
    out.push_back(static_cast<char>(c));
    a = b;
    b = c;
    const std::vector<Token> tokens = Tokenize(out);
    if (tokens.size() > 1) {
      out.resize(tokens[1].offset);
      break;
    }
  }
  return out;
}

}  // namespace merit::model_server
