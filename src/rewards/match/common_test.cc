#include "rewards/match/common.h"

#include <string>

#include <gtest/gtest.h>

namespace merit::match {
namespace {

struct ExtractCase {
  std::string_view name;
  Extract mode;
  std::string_view completion;
  std::optional<std::string_view> want;  // nullopt: no answer.
  AnswerSource source = AnswerSource::kWhole;
};

TEST(ExtractAnswer, Table) {
  const ExtractCase kCases[] = {
      {"none_trims", Extract::kNone, "  Paris \n", "Paris", AnswerSource::kWhole},
      {"none_blank", Extract::kNone, " \n\t", std::nullopt},
      {"tag_last", Extract::kAnswerTag, "<answer>A</answer> then <answer> B </answer>", "B",
       AnswerSource::kAnswerTag},
      {"tag_unclosed_last_is_ignored", Extract::kAnswerTag, "<answer>A</answer> <answer>B", "A",
       AnswerSource::kAnswerTag},
      {"tag_missing", Extract::kAnswerTag, "the answer is B", std::nullopt},
      {"tag_blank_is_no_answer", Extract::kAnswerTag, "<answer> </answer>", std::nullopt},
      {"tag_unwraps_box", Extract::kAnswerTag, "<answer>$\\boxed{5}$</answer>", "$\\boxed{5}$",
       AnswerSource::kAnswerTag},
      {"tag_unwraps_bare_box", Extract::kAnswerTag, "<answer> \\boxed{5} </answer>", "5",
       AnswerSource::kAnswerTag},
      {"boxed_nested_braces", Extract::kBoxed, "so \\boxed{\\frac{1}{2}} done", "\\frac{1}{2}",
       AnswerSource::kBoxed},
      {"boxed_last", Extract::kBoxed, "\\boxed{1} and \\fbox{2}", "2", AnswerSource::kBoxed},
      {"boxed_escaped_braces", Extract::kBoxed, "\\boxed{\\{1,2\\}}", "\\{1,2\\}",
       AnswerSource::kBoxed},
      {"boxed_space_before_brace", Extract::kBoxed, "\\boxed {7}", "7", AnswerSource::kBoxed},
      {"boxed_nested_box", Extract::kBoxed, "\\boxed{\\boxed{7}}", "7", AnswerSource::kBoxed},
      {"boxed_unclosed", Extract::kBoxed, "\\boxed{7", std::nullopt},
      {"boxed_other_command", Extract::kBoxed, "\\boxedx{7}", std::nullopt},
      {"final_answer_is", Extract::kFinalAnswer, "So the answer is 42.\nDone", "42.",
       AnswerSource::kPhrase},
      {"final_answer_colon_bold", Extract::kFinalAnswer, "**Final Answer:** Paris", "Paris",
       AnswerSource::kPhrase},
      {"final_answer_bold_then_colon", Extract::kFinalAnswer, "**Answer**: Paris", "Paris",
       AnswerSource::kPhrase},
      {"final_answer_gsm8k", Extract::kFinalAnswer, "work\n#### 1,234", "1,234",
       AnswerSource::kPhrase},
      {"final_answer_heading_is_not_gsm8k", Extract::kFinalAnswer, "#### Step 1\nx = 3", "x = 3",
       AnswerSource::kLastLine},
      {"final_answer_next_line", Extract::kFinalAnswer, "Final answer:\n\n  17  \n", "17",
       AnswerSource::kPhrase},
      {"final_answer_last_of_several", Extract::kFinalAnswer,
       "The answer is 3. Wait, the answer is 4", "4", AnswerSource::kPhrase},
      {"final_answer_not_inside_word", Extract::kFinalAnswer, "reanswer: 5\nlast line", "last line",
       AnswerSource::kLastLine},
      {"final_answer_answered_is_not_phrase", Extract::kFinalAnswer, "I answered it\n9", "9",
       AnswerSource::kLastLine},
      {"final_answer_last_line", Extract::kFinalAnswer, "reasoning\n  x = 5  \n\n", "x = 5",
       AnswerSource::kLastLine},
      {"auto_prefers_tag", Extract::kAuto, "\\boxed{1} <answer>2</answer> answer: 3", "2",
       AnswerSource::kAnswerTag},
      {"auto_then_box", Extract::kAuto, "answer: 3 \\boxed{1}", "1", AnswerSource::kBoxed},
      {"auto_then_phrase", Extract::kAuto, "The answer is: 3", "3", AnswerSource::kPhrase},
      {"auto_then_whole", Extract::kAuto, " just 3 ", "just 3", AnswerSource::kWhole},
      {"auto_blank_tag_is_no_answer", Extract::kAuto, "<answer></answer> \\boxed{1}", std::nullopt},
      {"auto_empty", Extract::kAuto, "", std::nullopt},
      {"auto_skips_thinking", Extract::kAuto, "<think>the answer is 3</think>\nSo 4", "So 4",
       AnswerSource::kWhole},
      {"auto_last_think_close", Extract::kAuto, "a</think>b</think> \\boxed{5}", "5",
       AnswerSource::kBoxed},
      {"tag_inside_thinking_is_ignored", Extract::kAnswerTag, "<think><answer>3</answer></think>",
       std::nullopt},
      {"phrase_inside_thinking_is_ignored", Extract::kFinalAnswer,
       "<think>Answer: 3</think>\nfinal 4", "final 4", AnswerSource::kLastLine},
      {"nothing_after_thinking", Extract::kAuto, "<think>answer: 3</think>\n", std::nullopt},
      {"none_keeps_thinking", Extract::kNone, "<think>x</think>y", "<think>x</think>y",
       AnswerSource::kWhole},
  };
  for (const ExtractCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::optional<Answer> got = ExtractAnswer(c.completion, c.mode);
    ASSERT_EQ(got.has_value(), c.want.has_value()) << (got ? got->text : "");
    if (!got)
      continue;
    EXPECT_EQ(got->text, *c.want);
    EXPECT_EQ(got->source, c.source);
  }
}

TEST(ExtractAnswer, ExtractNamesRoundTrip) {
  EXPECT_EQ(ExtractFromName("none"), Extract::kNone);
  EXPECT_EQ(ExtractFromName("answer_tag"), Extract::kAnswerTag);
  EXPECT_EQ(ExtractFromName("boxed"), Extract::kBoxed);
  EXPECT_EQ(ExtractFromName("final_answer"), Extract::kFinalAnswer);
  EXPECT_EQ(ExtractFromName("auto"), Extract::kAuto);
}

TEST(ExtractAnswer, AdversarialInputsAreLinear) {
  // Each of these would be quadratic with a rescan per occurrence.
  const std::string many_open_boxes = [] {
    std::string s;
    for (int i = 0; i < 200000; ++i)
      s += "\\boxed{";
    return s;
  }();
  EXPECT_FALSE(ExtractAnswer(many_open_boxes, Extract::kBoxed).has_value());
  const std::string many_open_tags = [] {
    std::string s;
    for (int i = 0; i < 200000; ++i)
      s += "<answer>";
    return s;
  }();
  EXPECT_FALSE(ExtractAnswer(many_open_tags, Extract::kAnswerTag).has_value());
  const std::string many_phrases = [] {
    std::string s;
    for (int i = 0; i < 200000; ++i)
      s += "answer: ";
    return s + "7";
  }();
  const std::optional<Answer> answer = ExtractAnswer(many_phrases, Extract::kFinalAnswer);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->text, "7");
  const std::string deep = [] {
    std::string s;
    for (int i = 0; i < 100000; ++i)
      s += "\\boxed{";
    s += "1";
    for (int i = 0; i < 100000; ++i)
      s += "}";
    return s;
  }();
  // The outermost box; unwrapping stops after a few levels instead of rescanning each.
  ASSERT_TRUE(ExtractAnswer(deep, Extract::kBoxed).has_value());
}

TEST(LastNonEmptyLine, SkipsBlankLines) {
  EXPECT_EQ(LastNonEmptyLine("a\nb\n\n  \n"), "b");
  EXPECT_EQ(LastNonEmptyLine("only"), "only");
  EXPECT_EQ(LastNonEmptyLine("\n \n"), "");
  EXPECT_EQ(LastNonEmptyLine(""), "");
}

TEST(CheckReference, ClassifiesReferences) {
  struct Case {
    std::string_view name;
    Json reference;
    std::string_view reason;  // Empty: usable.
  };

  const Case kCases[] = {
      {"null", Json(), "no_reference"},
      {"string", Json::Str("Paris"), ""},
      {"blank_string", Json::Str("  "), "no_reference"},
      {"number", Json::Num(42, "42"), ""},
      {"list", Json::Arr({Json::Str("a"), Json::Num(1, "1")}), ""},
      {"empty_list", Json::Arr(), "no_reference"},
      {"blank_list", Json::Arr({Json::Str(""), Json::Str(" ")}), "no_reference"},
      {"nested_list", Json::Arr({Json::Arr({Json::Str("a")})}), "reference_unparseable"},
      {"list_with_null", Json::Arr({Json::Str("a"), Json()}), "reference_unparseable"},
      {"bool", Json::Bool(true), "reference_unparseable"},
      {"object", Json::Obj(), "reference_unparseable"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::optional<Score> got = CheckReference(c.reference);
    if (c.reason.empty()) {
      EXPECT_FALSE(got.has_value()) << got->reason;
    } else {
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(got->status, ScoreStatus::kUnscorable);
      EXPECT_EQ(got->reason, c.reason);
    }
  }
}

TEST(ReferenceAlternatives, ListOrSingle) {
  const Json list =
      Json::Arr({Json::Str("a"), Json::Num(12345678901234567891.0, "12345678901234567891")});
  ASSERT_EQ(ReferenceAlternatives(list).size(), 2u);
  EXPECT_EQ(ReferenceText(ReferenceAlternatives(list)[0]), "a");
  EXPECT_EQ(ReferenceText(ReferenceAlternatives(list)[1]), "12345678901234567891");
  const Json single = Json::Str("x");
  ASSERT_EQ(ReferenceAlternatives(single).size(), 1u);
  EXPECT_EQ(ReferenceText(ReferenceAlternatives(single)[0]), "x");
}

}  // namespace
}  // namespace merit::match
