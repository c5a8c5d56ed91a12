// The test model server's rule-based judge (model "rule-judge"): reads a judge prompt in the
// shapes of docs/test-model-server.md (tags <question>, <reference>, <response>, <response_a>,
// <response_b>, lines SCALE: min-max and DIMENSIONS: a, b) and answers with the verdict line the
// judge rewards parse. A <nuggets> list (one per line) with a <response> (rubric.items) gets
// "<reasoning>rule</reasoning>" and a JSON list of support / partial_support / not_support labels. It is deliberately fooled by "master keys" (One Token to Fool
// LLM-as-a-Judge): an empty or punctuation-only response, or one that starts with a reasoning
// opener, gets the most positive verdict, so that merit's hardening can be tested against a judge
// that needs it.
//
// Thread safety: pure functions.
#ifndef MERIT_TESTS_MODEL_SERVER_RULE_JUDGE_H_
#define MERIT_TESTS_MODEL_SERVER_RULE_JUDGE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace merit::model_server {

enum class JudgeBias : std::uint8_t { kNone, kFirst, kSecond };

struct JudgeOptions {
  JudgeBias bias = JudgeBias::kNone;  // Pairwise: always prefer A (kFirst) or B (kSecond).
  bool garble = false;                // Reply with text that has no verdict line.
};

// The judge's reply to `message` (the last user message of a chat request).
std::string JudgeReply(std::string_view message, const JudgeOptions& options);

// Whether `response` fools the judge: trimmed, it is empty, only punctuation (ASCII or common
// Unicode punctuation), or starts with a master-key opener ("Thought process:", "Solution", "解",
// ...; ASCII letters compared case-insensitively).
bool IsMasterKey(std::string_view response);

}  // namespace merit::model_server

#endif  // MERIT_TESTS_MODEL_SERVER_RULE_JUDGE_H_
