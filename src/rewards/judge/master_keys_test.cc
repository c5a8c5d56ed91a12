#include "rewards/judge/master_keys.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace merit::judge {
namespace {

// Near variants of a key that must screen exactly like the key itself.
std::vector<std::string> Variants(std::string_view key) {
  const std::string k(key);
  std::string upper;
  std::string lower;
  for (const char c : k) {
    upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return {k,          upper,         lower,          "  " + k + " \n",  k + ":",
          k + "...",  k + "!",       k + "：",        "**" + k + "**",   "**" + k + ":**",
          "_" + k + "_", "# " + k,   "> " + k,       "`" + k + "`",     "\n\n" + k + "\n\n",
          k + " " + k, "\u200b" + k, k + "。"};
}

TEST(MasterKeys, ListHasThePapersTenKeysFirst) {
  const std::vector<std::string_view> paper = {
      " ", ".", ",", ":", "Thought process:", "Let's solve this problem step by step.",
      "Solution", "解", "かいせつ", "Respuesta"};
  ASSERT_GE(MasterKeys().size(), paper.size());
  for (std::size_t i = 0; i < paper.size(); ++i) {
    EXPECT_EQ(MasterKeys()[i].text, paper[i]);
    EXPECT_TRUE(MasterKeys()[i].from_paper);
  }
  for (std::size_t i = paper.size(); i < MasterKeys().size(); ++i) {
    EXPECT_FALSE(MasterKeys()[i].from_paper) << MasterKeys()[i].text;
  }
}

TEST(MasterKeys, EveryKeyAndItsNearVariantsAreRejected) {
  for (const MasterKey& key : MasterKeys()) {
    for (const std::string& variant : Variants(key.text)) {
      SCOPED_TRACE(variant);
      const Screened screened = ScreenResponse(variant);
      if (key.text == " ") {
        // Whitespace alone is blank (reason no_answer), except behind an invisible character.
        EXPECT_NE(screened.verdict, Screen::kContent);
      } else {
        EXPECT_EQ(screened.verdict, Screen::kMasterKey) << key.language;
      }
      EXPECT_TRUE(screened.rest.empty());
    }
  }
}

TEST(MasterKeys, EveryKeyIsStrippedBeforeAnAnswer) {
  for (const MasterKey& key : MasterKeys()) {
    for (const std::string_view answer : {"42", "-5 apples", "(b) Paris", "x = 2"}) {
      const std::string text = std::string(key.text) + " " + std::string(answer);
      SCOPED_TRACE(text);
      const Screened screened = ScreenResponse(text);
      EXPECT_EQ(screened.verdict, Screen::kContent);
      if (key.text.find_first_not_of(" .,:") == std::string_view::npos) {
        continue;  // Symbol keys are not words: nothing is stripped and the text is kept whole.
      }
      EXPECT_EQ(screened.rest, answer);
    }
  }
}

TEST(MasterKeys, MultilingualCaseAndAccentVariants) {
  for (const std::string_view text :
       {"LÖSUNG", "Losung", "lösung:", "SOLUCIÓN", "Solucion", "RESPUESTA.", "РЕШЕНИЕ", "ответ:",
        "ＳＯＬＵＴＩＯＮ", "解：", "【解】", "答案：", "思路", "かいせつ", "解説。", "풀이:",
        "Let’s solve this problem step by step", "LET'S SOLVE THIS PROBLEM STEP BY STEP!!!",
        "thought   process", "**Thought process:**\n\n**Solution**\n", "Réponse :",
        "Thought process: Let's solve this problem step by step. Solution:"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ScreenResponse(text).verdict, Screen::kMasterKey);
  }
}

TEST(MasterKeys, ContentIsKept) {
  struct Case {
    std::string_view text;
    std::string_view rest;
  };
  const Case cases[] = {
      {"42", "42"},
      {"Paris", "Paris"},
      {"Solutions are 3 and 4", "Solutions are 3 and 4"},
      {"解方程得 x=2", "解方程得 x=2"},
      {"∞", "∞"},
      {"The answer is 42.", "42."},
      {"Solution: -5", "-5"},
      {"**Solution**: $x^2$", "$x^2$"},
      {"Thought process: 2 + 2 = 4, so 4.", "2 + 2 = 4, so 4."},
      {"Let me solve this.\n\nFirst, 3 * 4 = 12.", "First, 3 * 4 = 12."},
      {"解：x = 3", "x = 3"},
      {"Respuesta: Madrid", "Madrid"},
      {"let me solve (a) first", "(a) first"},
      {"\\pi", "\\pi"},
      {"\\boxed{x}", "\\boxed{x}"},
      {"<answer>4</answer>", "<answer>4</answer>"},
      {"Solution: <answer>4</answer>", "<answer>4</answer>"},
      {"<b>Solution</b>: 42", "42"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const Screened screened = ScreenResponse(c.text);
    EXPECT_EQ(screened.verdict, Screen::kContent);
    EXPECT_EQ(screened.rest, c.rest);
  }
}

TEST(MasterKeys, BlankAndContentFree) {
  for (const std::string_view text : {"", " ", "\n\t  \r\n", "\u3000"}) {
    EXPECT_EQ(ScreenResponse(text).verdict, Screen::kBlank) << text;
  }
  for (const std::string_view text :
       {".", "...", "!!!", ":)", "**", "---", "***\n***", "\u200b", "😀", "。", "……", "$$", "{}",
        "```\n```", "**:**", "¿?", "\\boxed{}", "<answer></answer>", "<answer>\n</answer>",
        "Solution\n\\boxed{}", "<b>Thought process:</b>", "$\\text{Solution}$"}) {
    EXPECT_EQ(ScreenResponse(text).verdict, Screen::kMasterKey) << text;
  }
}

TEST(MasterKeys, LongInputsAreLinear) {
  std::string keys;
  for (int i = 0; i < 50000; ++i) {
    keys += "Solution: ";
  }
  EXPECT_EQ(ScreenResponse(keys).verdict, Screen::kMasterKey);
  const std::string keys_then_answer = keys + "42";
  const Screened with_answer = ScreenResponse(keys_then_answer);
  EXPECT_EQ(with_answer.verdict, Screen::kContent);
  EXPECT_EQ(with_answer.rest, "42");
  std::string dots(1 << 20, '.');
  EXPECT_EQ(ScreenResponse(dots).verdict, Screen::kMasterKey);
  std::string invalid = "\xff\xfe Solution";
  EXPECT_EQ(ScreenResponse(invalid).verdict, Screen::kContent);
}

TEST(ExtractFinalAnswer, Forms) {
  struct Case {
    std::string_view completion;
    std::string_view answer;
  };
  const Case cases[] = {
      {"so \\boxed{7} hence \\boxed{12}", "12"},
      {"<answer>Paris</answer>", "Paris"},
      {"work\nThe answer is 42", "42"},
      {"line one\nline two\n\n", "line two"},
      {"<think>The answer is 3</think>\nfinal: 5", "final: 5"},
      {"<think>only thinking</think>\n  ", ""},
      {"", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.completion);
    EXPECT_EQ(ExtractFinalAnswer(c.completion), c.answer);
  }
}

TEST(SameWords, ComparesCanonicalWords) {
  EXPECT_TRUE(SameWords("The Answer.", "the answer"));
  EXPECT_TRUE(SameWords("**Solution**", "solution"));
  EXPECT_FALSE(SameWords("Solution", "Solutions"));
  EXPECT_FALSE(SameWords("a b", "a"));
  EXPECT_TRUE(SameWords("", "..."));
}

TEST(TruncateFirstSentence, KeepsTheDelimiter) {
  EXPECT_EQ(TruncateFirstSentence("Let's solve this. First, x = 2."), "Let's solve this.");
  EXPECT_EQ(TruncateFirstSentence("Why? Because."), "Why?");
  EXPECT_EQ(TruncateFirstSentence("Thought process:\nstep"), "Thought process:\n");
  EXPECT_EQ(TruncateFirstSentence("no boundary"), "no boundary");
}

}  // namespace
}  // namespace merit::judge
