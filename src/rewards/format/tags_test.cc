// format.tags: the shapes of spec A §5 (Mixed-R1) and §2.1 (ToolRL), the known tag hacks, and
// bounds.
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

TEST(FormatTags, MixedR1Shape) {
  // Spec A §5: <think>...</think><answer>...</answer>, whitespace allowed between.
  const Case kCases[] = {
      {"<think>a</think><answer>b</answer>", 1, ""},
      {"<think>a</think>\n\n<answer>b</answer>\n", 1, ""},
      {"  <think>\nlet me see\n</think> \t <answer> 42 </answer>  ", 1, ""},
      {"<think>a</think>\xe3\x80\x80<answer>b</answer>", 1, ""},   // U+3000 is whitespace.
      {"<think>x < y and a<b></think><answer>b</answer>", 1, ""},  // Unlisted '<' is content.
      {"<think><b>bold</b></think><answer>b</answer>", 1, ""},
      {"<think>a</think><answer></answer>", 1, ""},  // Empty content is allowed by default.
      {"<think>\xff\xfe</think><answer>\xc0</answer>", 1, ""},  // Invalid UTF-8 inside tags.
      {"", 0, "missing_tag"},
      {"42", 0, "missing_tag"},
      {"<answer>b</answer>", 0, "missing_tag"},
      {"<Think>a</Think><answer>b</answer>", 0, "missing_tag"},  // Names are case-sensitive.
      {"<think >a</think><answer>b</answer>", 0, "mismatched_tag"},
      {"<answer>b</answer><think>a</think>", 0, "out_of_order"},
      {"Sure! <think>a</think><answer>b</answer>", 0, "text_outside_tags"},
      {"<think>a</think>So:<answer>b</answer>", 0, "text_outside_tags"},
      {"<think>a</think><answer>b</answer> Hope this helps", 0, "text_outside_tags"},
      {"<think>a</think><answer>b</answer>\xff", 0, "text_outside_tags"},
      {"<think>a</think><answer>b</answer>\xe2\x80\x8b", 0, "text_outside_tags"},  // ZWSP.
  };
  ExpectTextScores("{type: format.tags, tags: [think, answer]}", kCases);
}

TEST(FormatTags, RejectsTagHacks) {
  const Case kCases[] = {
      // Hedging with two answers.
      {"<think>a</think><answer>1</answer><answer>2</answer>", 0, "repeated_tag"},
      {"<answer>1</answer><answer>2</answer>", 0, "repeated_tag"},
      {"<think>a</think><think>b</think><answer>1</answer>", 0, "repeated_tag"},
      // Nesting the answer inside the reasoning, or the reverse.
      {"<think><answer>1</answer></think>", 0, "nested_tag"},
      {"<think>a<answer>1</answer>", 0, "nested_tag"},
      {"<think>a</think><answer><think>b</think>1</answer>", 0, "nested_tag"},
      // Closing what is not open.
      {"</think><answer>1</answer>", 0, "mismatched_tag"},
      {"a</think><answer>1</answer>", 0, "mismatched_tag"},
      {"<think>a</answer><answer>1</answer>", 0, "mismatched_tag"},
      {"<think>a</think></think><answer>1</answer>", 0, "mismatched_tag"},
      {"<think>a</think><answer>1</answer></answer>", 0, "mismatched_tag"},
      // Never closing.
      {"<think>a</think><answer>1", 0, "unclosed_tag"},
      {"<think>a", 0, "unclosed_tag"},
      {"<think>a</think><answer>1</answer", 0, "unclosed_tag"},
  };
  ExpectTextScores("{type: format.tags, tags: [think, answer]}", kCases);
}

TEST(FormatTags, ToolRlShapesWithNewlineSeparator) {
  // Spec A §2.1: ^<think>...</think>\n<response>...</response>$ with Python's $ (one trailing
  // newline allowed).
  const Case kCases[] = {
      {"<think>a</think>\n<response>b</response>", 1, ""},
      {"<think>a</think>\n<response>b</response>\n", 1, ""},
      {"<think>a</think>\n<response>b</response>\n\n", 0, "text_outside_tags"},
      {"<think>a</think><response>b</response>", 0, "text_outside_tags"},
      {"<think>a</think>\n\n<response>b</response>", 0, "text_outside_tags"},
      {"<think>a</think> \n<response>b</response>", 0, "text_outside_tags"},
      {" <think>a</think>\n<response>b</response>", 0, "text_outside_tags"},
      {"\n<think>a</think>\n<response>b</response>", 0, "text_outside_tags"},
      {"<think>a</think>\n<response>1</response>\n<response>2</response>", 0, "repeated_tag"},
  };
  ExpectTextScores("{type: format.tags, tags: [think, response], separator: newline}", kCases);
  // Tool call and response: three blocks separated by single newlines.
  const Case kThree[] = {
      {"<think>a</think>\n<tool_call>\n{\"name\": \"f\"}\n</tool_call>\n<response>b</response>", 1,
       ""},
      {"<think>a</think>\n<response>b</response>\n<tool_call>\n{}\n</tool_call>", 0,
       "out_of_order"},
      {"<think>a</think>\n<tool_call>\n{}\n</tool_call>", 0, "missing_tag"},
  };
  ExpectTextScores("{type: format.tags, tags: [think, tool_call, response], separator: newline}",
                   kThree);
}

TEST(FormatTags, Options) {
  const Case kUnordered[] = {
      {"<answer>b</answer><think>a</think>", 1, ""},
      {"<think>a</think><answer>b</answer>", 1, ""},
      {"<answer>b</answer><answer>b</answer>", 0, "repeated_tag"},
  };
  ExpectTextScores("{type: format.tags, tags: [think, answer], ordered: false}", kUnordered);
  const Case kOutside[] = {
      {"Sure! <think>a</think> so <answer>b</answer> bye", 1, ""},
      {"Sure! <answer>b</answer>", 0, "missing_tag"},
      {"<think>a</think> <answer>1</answer> or <answer>2</answer>", 0, "repeated_tag"},
  };
  ExpectTextScores("{type: format.tags, tags: [think, answer], allow_outside_text: true}",
                   kOutside);
  const Case kNonEmpty[] = {
      {"<think>a</think><answer>b</answer>", 1, ""},
      {"<think>a</think><answer> \n </answer>", 0, "empty_tag"},
      {"<think></think><answer>b</answer>", 0, "empty_tag"},
  };
  ExpectTextScores("{type: format.tags, tags: [think, answer], allow_empty: false}", kNonEmpty);
  // The default tags are [think, answer].
  EXPECT_EQ(*ScoreText("{type: format.tags}", "<think>a</think><answer>b</answer>").reward, 1.0);
}

TEST(FormatTags, LargeCompletionsStayLinear) {
  const std::string big(std::size_t{1} << 20, 'a');
  const std::string angles(std::size_t{1} << 20, '<');
  std::string many_tags;
  while (many_tags.size() < (1u << 20))
    many_tags += "<thin</thinkk<answe";
  const Case kCases[] = {
      {"<think>" + big + "</think><answer>x</answer>", 1, ""},
      {angles, 0, "missing_tag"},
      {"<think>" + angles + "</think><answer>x</answer>", 1, ""},
      {many_tags, 0, "missing_tag"},
      {"<think>a</think><answer>x</answer>" + big, 0, "text_outside_tags"},
  };
  ExpectTextScores("{type: format.tags, tags: [think, answer]}", kCases);
}

TEST(FormatTags, ConfigErrors) {
  using testutil::ConfigError;
  EXPECT_THAT(ConfigError("reward: {type: format.tags, tags: []}"),
              HasSubstr("tags: expected at least one tag name"));
  EXPECT_THAT(ConfigError("reward: {type: format.tags, tags: [a, a]}"),
              HasSubstr("tags[1]: \"a\" is listed twice"));
  EXPECT_THAT(ConfigError("reward: {type: format.tags, tags: ['a b']}"),
              HasSubstr("is not a tag name"));
  EXPECT_THAT(ConfigError("reward: {type: format.tags, tags: ['<answer>']}"),
              HasSubstr("is not a tag name"));
  EXPECT_THAT(ConfigError("reward: {type: format.tags, separator: comma}"),
              HasSubstr("reward.separator"));
  EXPECT_THAT(ConfigError("reward: {type: format.tags, tags: [a, b, c, d, e, f, g, h, i, j, k, l, "
                          "m, n, o, p, q]}"),
              HasSubstr("at most 16 tags"));
}

}  // namespace
}  // namespace merit
