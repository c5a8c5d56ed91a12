// format.json: extraction strategies, required keys, object check, and hostile documents.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace merit {
namespace {

using testing::HasSubstr;

using Case = testutil::TextCase;
using testutil::ExpectTextScores;
using testutil::ScoreText;

TEST(FormatJson, WholeCompletion) {
  const Case kCases[] = {
      {R"({"a": 1})", 1, ""},
      {" \n{\"a\": 1}\n ", 1, ""},
      {"{}", 1, ""},
      {"[1, 2]", 0, "not_an_object"},
      {"42", 0, "not_an_object"},
      {"", 0, "no_json"},
      {"  \n ", 0, "no_json"},
      {"hello", 0, "invalid_json"},
      {R"({"a": 1,})", 0, "invalid_json"},
      {R"({"a": 1} {"b": 2})", 0, "invalid_json"},
      {"Here: {\"a\": 1}", 0, "invalid_json"},  // No extraction unless asked.
      {"```json\n{\"a\": 1}\n```", 0, "invalid_json"},
      {"{\"a\": \"\xff\"}", 0, "invalid_json"},  // Invalid UTF-8 is invalid JSON.
  };
  ExpectTextScores("{type: format.json}", kCases);
  const Case kAnyValue[] = {
      {"[1, 2]", 1, ""},
      {"null", 1, ""},
      {"\"text\"", 1, ""},
      {"nope", 0, "invalid_json"},
  };
  ExpectTextScores("{type: format.json, require_object: false}", kAnyValue);
}

TEST(FormatJson, RequiredKeys) {
  const Case kCases[] = {
      {R"({"name": "get_weather", "arguments": {"city": "Paris"}})", 1, ""},
      {R"({"name": "get_weather", "arguments": {}})", 0, "missing_key"},
      {R"({"name": "get_weather"})", 0, "missing_key"},
      {R"({"arguments": {"city": null}})", 0, "missing_key"},
      {R"({"name": null, "arguments": {"city": null}})", 1, ""},  // Present, even if null.
      {R"({"name": 1, "arguments": [1]})", 0, "missing_key"},
  };
  ExpectTextScores("{type: format.json, required_keys: [name, arguments.city]}", kCases);
  const Case kIndexed[] = {
      {R"({"items": [{"id": 1}]})", 1, ""},
      {R"({"items": []})", 0, "missing_key"},
  };
  ExpectTextScores("{type: format.json, required_keys: [items.0.id]}", kIndexed);
  const Result r = testutil::Score("{type: format.json, required_keys: [name]}",
                                   R"({"completion": "{\"nam\": 1}"})");
  EXPECT_EQ(r.reason, "missing_key");
  EXPECT_THAT(r.explanation, HasSubstr("\"name\""));
}

TEST(FormatJson, Extraction) {
  const std::string kFenced = "Sure:\n```json\n{\"a\": 1}\n```\nDone.";
  const Case kFencedCases[] = {
      {kFenced, 1, ""},
      {"```JSON \n{\"a\": 1}\n```", 1, ""},
      {"```json\n{\"a\": 1}\n```\nand\n```json\n{\"a\": \n```", 0, "invalid_json"},  // Last.
      {"```json\nnope\n```\n```json\n{\"a\": 1}\n```", 1, ""},
      // The body of a ```python block is not an opening fence.
      {"```python\nx = '```json'\n```\n```json\n{\"a\": 1}\n```", 1, ""},
      {"```python\nprint(1)\n```", 0, "no_json"},
      {"```json\n{\"a\": 1}", 0, "no_json"},  // Never closed.
      {"{\"a\": 1}", 0, "no_json"},
      {"```json\n\n```", 0, "no_json"},
  };
  ExpectTextScores("{type: format.json, extract: fenced}", kFencedCases);
  const Case kAnswerCases[] = {
      {"<think>{}</think><answer>{\"a\": 1}</answer>", 1, ""},
      {"<answer>{bad}</answer> <answer> {\"a\": 1} </answer>", 1, ""},  // The last one.
      {"<answer>{\"a\": 1}", 0, "no_json"},
      {"{\"a\": 1}", 0, "no_json"},
  };
  ExpectTextScores("{type: format.json, extract: answer_tag}", kAnswerCases);
  const Case kAutoCases[] = {
      {kFenced, 1, ""},
      {"<answer>{\"a\": 1}</answer>", 1, ""},
      // A fenced block wins over the answer tag, even when it is invalid: no second guessing.
      {"```json\nnope\n```\n<answer>{\"a\": 1}</answer>", 0, "invalid_json"},
      {" {\"a\": 1} ", 1, ""},
      {"Here you go: {\"a\": {\"b\": 2}} hope it helps", 1, ""},
      {"Here you go: [1] hope it helps", 0, "invalid_json"},
      {"no json here", 0, "invalid_json"},
      {"} backwards {", 0, "invalid_json"},
      {"", 0, "no_json"},
  };
  ExpectTextScores("{type: format.json, extract: auto}", kAutoCases);
}

TEST(FormatJson, HostileDocuments) {
  std::string deep_ok;
  std::string deep;
  for (int i = 0; i < 60; ++i)
    deep_ok += "[";
  for (int i = 0; i < 60; ++i)
    deep_ok += "]";
  for (int i = 0; i < 100000; ++i)
    deep += "[";
  for (int i = 0; i < 100000; ++i)
    deep += "]";
  std::string big = "{\"a\": \"";
  big.append(std::size_t{1} << 20, 'x');
  big += "\"}";
  std::string many_braces(std::size_t{1} << 20, '{');
  const Case kCases[] = {
      {deep_ok, 1, ""},
      {deep, 0, "invalid_json"},  // Past max_depth: rejected, not recursed into.
      {"{\"a\": " + deep + "}", 0, "invalid_json"},
      {big, 1, ""},
      {many_braces, 0, "invalid_json"},
      {"text " + many_braces + "}", 0, "invalid_json"},
  };
  ExpectTextScores("{type: format.json, extract: auto, require_object: false}", kCases);
  const Case kShallow[] = {
      {"[[1]]", 1, ""},
      {"[[[1]]]", 0, "invalid_json"},
  };
  ExpectTextScores("{type: format.json, require_object: false, max_depth: 2}", kShallow);
}

TEST(FormatJson, ConfigErrors) {
  using testutil::ConfigError;
  EXPECT_THAT(ConfigError("reward: {type: format.json, extract: yaml}"),
              HasSubstr("reward.extract"));
  EXPECT_THAT(ConfigError("reward: {type: format.json, required_keys: [a, '']}"),
              HasSubstr("required_keys[1]: empty key"));
  EXPECT_THAT(ConfigError("reward: {type: format.json, max_depth: 0}"),
              HasSubstr("reward.max_depth: expected"));
  EXPECT_THAT(ConfigError("reward: {type: format.json, schema: {type: int}}"),
              HasSubstr("schema at \"/type\": unknown type"));
}

}  // namespace
}  // namespace merit
