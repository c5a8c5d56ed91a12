// text.ter: tokenisation and scores against values printed by sacrebleu 2.6.0 (TER(...)
// .sentence_score and TercomTokenizer on the same inputs), and the reward's contract through the
// registry.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "rewards/text/ter.h"
#include "rewards/text/ter_rouge_common.h"
#include "testutil/testutil.h"

namespace merit::text_metrics {
namespace {

struct NormCase {
  std::string text;
  TercomOptions options;
  std::string want;
};

TEST(TercomTokenize, EqualsSacrebleuTokenizer) {
  const std::vector<NormCase> cases = {
      {"Hello, World! It's 3.14 and 1,000.5 -- A-B 5-6 &quot;x&amp;lt;y&quot;", {}, "hello, world! it's 3.14 and 1,000.5 -- a-b 5-6 &quot;x&amp;lt;y&quot;"},
      {"Hello, World! It's 3.14 and 1,000.5 -- A-B 5-6 &quot;x&amp;lt;y&quot;", {.normalized = true}, "hello , world ! it 's 3.14 and 1,000.5 -- a-b 5 - 6 \" x < y \""},
      {"Hello, World! It's 3.14 and 1,000.5 -- A-B 5-6 &quot;x&amp;lt;y&quot;", {.normalized = true, .asian_support = true}, "hello , world ! it 's 3.14 and 1,000.5 -- a-b 5 - 6 \" x < y \""},
      {"Hello, World! It's 3.14 and 1,000.5 -- A-B 5-6 &quot;x&amp;lt;y&quot;", {.no_punct = true}, "hello world it's 314 and 10005 -- a-b 5-6 &quotx&amplty&quot"},
      {"Hello, World! It's 3.14 and 1,000.5 -- A-B 5-6 &quot;x&amp;lt;y&quot;", {.no_punct = true, .asian_support = true}, "hello world it's 314 and 10005 -- a-b 5-6 &quotx&amplty&quot"},
      {"Hello, World! It's 3.14 and 1,000.5 -- A-B 5-6 &quot;x&amp;lt;y&quot;", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "Hello World It 's 314 and 10005 -- A-B 5 - 6 x < y"},
      {"line one\n-continued\nnext line", {}, "line one -continued next line"},
      {"line one\n-continued\nnext line", {.normalized = true}, "line onecontinued next line"},
      {"line one\n-continued\nnext line", {.normalized = true, .asian_support = true}, "line onecontinued next line"},
      {"line one\n-continued\nnext line", {.no_punct = true}, "line one -continued next line"},
      {"line one\n-continued\nnext line", {.no_punct = true, .asian_support = true}, "line one -continued next line"},
      {"line one\n-continued\nnext line", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "line onecontinued next line"},
      {"a.b,c 1.2,3 x. y, .5 ,6 ..,,", {}, "a.b,c 1.2,3 x. y, .5 ,6 ..,,"},
      {"a.b,c 1.2,3 x. y, .5 ,6 ..,,", {.normalized = true}, "a . b , c 1.2,3 x . y , . 5 , 6 . . , ,"},
      {"a.b,c 1.2,3 x. y, .5 ,6 ..,,", {.normalized = true, .asian_support = true}, "a . b , c 1.2,3 x . y , . 5 , 6 . . , ,"},
      {"a.b,c 1.2,3 x. y, .5 ,6 ..,,", {.no_punct = true}, "abc 123 x y 5 6"},
      {"a.b,c 1.2,3 x. y, .5 ,6 ..,,", {.no_punct = true, .asian_support = true}, "abc 123 x y 5 6"},
      {"a.b,c 1.2,3 x. y, .5 ,6 ..,,", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "a b c 123 x y 5 6"},
      {"John's cat's toy's' 's", {}, "john's cat's toy's' 's"},
      {"John's cat's toy's' 's", {.normalized = true}, "john 's cat 's toy's' 's"},
      {"John's cat's toy's' 's", {.normalized = true, .asian_support = true}, "john 's cat 's toy's' 's"},
      {"John's cat's toy's' 's", {.no_punct = true}, "john's cat's toy's' 's"},
      {"John's cat's toy's' 's", {.no_punct = true, .asian_support = true}, "john's cat's toy's' 's"},
      {"John's cat's toy's' 's", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "John 's cat 's toy's' 's"},
      {"我爱北京天安门。「你好」，ｆｕｌｌ！", {}, "我爱北京天安门。「你好」，ｆｕｌｌ！"},
      {"我爱北京天安门。「你好」，ｆｕｌｌ！", {.normalized = true}, "我爱北京天安门。「你好」，ｆｕｌｌ！"},
      {"我爱北京天安门。「你好」，ｆｕｌｌ！", {.normalized = true, .asian_support = true}, "我 爱 北 京 天 安 门 。 「 你 好 」 ， ｆｕｌｌ ！"},
      {"我爱北京天安门。「你好」，ｆｕｌｌ！", {.no_punct = true}, "我爱北京天安门。「你好」，ｆｕｌｌ！"},
      {"我爱北京天安门。「你好」，ｆｕｌｌ！", {.no_punct = true, .asian_support = true}, "我爱北京天安门你好ｆｕｌｌ"},
      {"我爱北京天安门。「你好」，ｆｕｌｌ！", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "我 爱 北 京 天 安 门 你 好 ｆｕｌｌ"},
      {"(paren) [brack] {brace} <ang> @#$%^&*+=|~`\\/", {}, "(paren) [brack] {brace} <ang> @#$%^&*+=|~`\\/"},
      {"(paren) [brack] {brace} <ang> @#$%^&*+=|~`\\/", {.normalized = true}, "( paren ) [ brack ] { brace } < ang > @ # $ % ^ & * + = | ~ ` \\ /"},
      {"(paren) [brack] {brace} <ang> @#$%^&*+=|~`\\/", {.normalized = true, .asian_support = true}, "( paren ) [ brack ] { brace } < ang > @ # $ % ^ & * + = | ~ ` \\ /"},
      {"(paren) [brack] {brace} <ang> @#$%^&*+=|~`\\/", {.no_punct = true}, "paren [brack] {brace} <ang> @#$%^&*+=|~`\\/"},
      {"(paren) [brack] {brace} <ang> @#$%^&*+=|~`\\/", {.no_punct = true, .asian_support = true}, "paren [brack] {brace} <ang> @#$%^&*+=|~`\\/"},
      {"(paren) [brack] {brace} <ang> @#$%^&*+=|~`\\/", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "paren [ brack ] { brace } < ang > @ # $ % ^ & * + = | ~ ` \\ /"},
      {"emoji 😀👍🏽 done.", {}, "emoji 😀👍🏽 done."},
      {"emoji 😀👍🏽 done.", {.normalized = true}, "emoji 😀👍🏽 done ."},
      {"emoji 😀👍🏽 done.", {.normalized = true, .asian_support = true}, "emoji 😀👍🏽 done ."},
      {"emoji 😀👍🏽 done.", {.no_punct = true}, "emoji 😀👍🏽 done"},
      {"emoji 😀👍🏽 done.", {.no_punct = true, .asian_support = true}, "emoji 😀👍🏽 done"},
      {"emoji 😀👍🏽 done.", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "emoji 😀👍🏽 done"},
      {"ΣΑΣ ΟΔΟΣ.", {}, "σας οδος."},
      {"ΣΑΣ ΟΔΟΣ.", {.normalized = true}, "σας οδος ."},
      {"ΣΑΣ ΟΔΟΣ.", {.normalized = true, .asian_support = true}, "σας οδος ."},
      {"ΣΑΣ ΟΔΟΣ.", {.no_punct = true}, "σας οδος"},
      {"ΣΑΣ ΟΔΟΣ.", {.no_punct = true, .asian_support = true}, "σας οδος"},
      {"ΣΑΣ ΟΔΟΣ.", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "ΣΑΣ ΟΔΟΣ"},
      {"tab\tsep nbsp em", {}, "tab sep nbsp em"},
      {"tab\tsep nbsp em", {.normalized = true}, "tab sep nbsp em"},
      {"tab\tsep nbsp em", {.normalized = true, .asian_support = true}, "tab sep nbsp em"},
      {"tab\tsep nbsp em", {.no_punct = true}, "tab sep nbsp em"},
      {"tab\tsep nbsp em", {.no_punct = true, .asian_support = true}, "tab sep nbsp em"},
      {"tab\tsep nbsp em", {.normalized = true, .no_punct = true, .asian_support = true, .case_sensitive = true}, "tab sep nbsp em"},
  };
  for (const NormCase& c : cases) {
    SCOPED_TRACE(c.text);
    SCOPED_TRACE(testing::Message() << "normalized=" << c.options.normalized
                                    << " no_punct=" << c.options.no_punct
                                    << " asian=" << c.options.asian_support
                                    << " case=" << c.options.case_sensitive);
    EXPECT_EQ(TercomNormalize(c.text, c.options), c.want);
  }
}

// The TER of `hyp` against `refs` in percent, through the registered reward.
double TerPercent(const std::string& hyp, const std::vector<std::string>& refs,
                  const TercomOptions& flags) {
  const Registry registry = BuiltinRegistry();
  Json::Object options = {{"output", Json::Str("ter")},
                          {"scale", Json::Num(100)},
                          {"normalized", Json::Bool(flags.normalized)},
                          {"no_punct", Json::Bool(flags.no_punct)},
                          {"asian_support", Json::Bool(flags.asian_support)},
                          {"case_sensitive", Json::Bool(flags.case_sensitive)}};
  auto reward = registry.Find("text.ter")->reward(Json::Obj(std::move(options)),
                                                  ConfigLocation("<test>", "reward"), {}, {});
  EXPECT_TRUE(reward.ok());
  Json::Array references;
  for (const std::string& ref : refs) {
    references.push_back(Json::Str(ref));
  }
  Sample sample;
  sample.completion_text = hyp;
  sample.reference = Json::Arr(std::move(references));
  ScoreContext context;
  const Score score = (*reward)->Evaluate(sample, context);
  EXPECT_TRUE(score.ok()) << score.explanation;
  return score.value;
}

struct TerCase {
  std::string hyp;
  std::vector<std::string> refs;
  TercomOptions options;
  double want;  // sacrebleu's score (percent).
};

TEST(Ter, EqualsSacrebleuSentenceScore) {
  const std::vector<TerCase> cases = {
      {"The cat sat on the mat.", {"The cat is on the mat."}, {}, 16.666666666666664},
      {"The cat sat on the mat.", {"The cat is on the mat."}, {.case_sensitive = true}, 16.666666666666664},
      {"The cat sat on the mat.", {"The cat is on the mat."}, {.normalized = true}, 14.285714285714285},
      {"The cat sat on the mat.", {"The cat is on the mat."}, {.no_punct = true}, 16.666666666666664},
      {"The cat sat on the mat.", {"The cat is on the mat."}, {.normalized = true, .no_punct = true, .asian_support = true}, 16.666666666666664},
      {"the mat sat on the cat", {"the cat sat on the mat"}, {}, 33.33333333333333},
      {"the mat sat on the cat", {"the cat sat on the mat"}, {.case_sensitive = true}, 33.33333333333333},
      {"the mat sat on the cat", {"the cat sat on the mat"}, {.normalized = true}, 33.33333333333333},
      {"the mat sat on the cat", {"the cat sat on the mat"}, {.no_punct = true}, 33.33333333333333},
      {"the mat sat on the cat", {"the cat sat on the mat"}, {.normalized = true, .no_punct = true, .asian_support = true}, 33.33333333333333},
      {"a b c d e f", {"d e f a b c"}, {}, 16.666666666666664},
      {"a b c d e f", {"d e f a b c"}, {.case_sensitive = true}, 16.666666666666664},
      {"a b c d e f", {"d e f a b c"}, {.normalized = true}, 16.666666666666664},
      {"a b c d e f", {"d e f a b c"}, {.no_punct = true}, 16.666666666666664},
      {"a b c d e f", {"d e f a b c"}, {.normalized = true, .no_punct = true, .asian_support = true}, 16.666666666666664},
      {"", {"hello world"}, {}, 100.0},
      {"", {"hello world"}, {.case_sensitive = true}, 100.0},
      {"", {"hello world"}, {.normalized = true}, 100.0},
      {"", {"hello world"}, {.no_punct = true}, 100.0},
      {"", {"hello world"}, {.normalized = true, .no_punct = true, .asian_support = true}, 100.0},
      {"hello world", {""}, {}, 100.0},
      {"hello world", {""}, {.case_sensitive = true}, 100.0},
      {"hello world", {""}, {.normalized = true}, 100.0},
      {"hello world", {""}, {.no_punct = true}, 100.0},
      {"hello world", {""}, {.normalized = true, .no_punct = true, .asian_support = true}, 100.0},
      {"", {""}, {}, 0.0},
      {"", {""}, {.case_sensitive = true}, 0.0},
      {"", {""}, {.normalized = true}, 0.0},
      {"", {""}, {.no_punct = true}, 0.0},
      {"", {""}, {.normalized = true, .no_punct = true, .asian_support = true}, 0.0},
      {"Hello World", {"hello world"}, {}, 0.0},
      {"Hello World", {"hello world"}, {.case_sensitive = true}, 100.0},
      {"Hello World", {"hello world"}, {.normalized = true}, 0.0},
      {"Hello World", {"hello world"}, {.no_punct = true}, 0.0},
      {"Hello World", {"hello world"}, {.normalized = true, .no_punct = true, .asian_support = true}, 0.0},
      {"one two three", {"one two three four", "one three"}, {}, 33.33333333333333},
      {"one two three", {"one two three four", "one three"}, {.case_sensitive = true}, 33.33333333333333},
      {"one two three", {"one two three four", "one three"}, {.normalized = true}, 33.33333333333333},
      {"one two three", {"one two three four", "one three"}, {.no_punct = true}, 33.33333333333333},
      {"one two three", {"one two three four", "one three"}, {.normalized = true, .no_punct = true, .asian_support = true}, 33.33333333333333},
      {"ΣΑΣ Straße İstanbul", {"σας strasse i̇stanbul"}, {}, 33.33333333333333},
      {"ΣΑΣ Straße İstanbul", {"σας strasse i̇stanbul"}, {.case_sensitive = true}, 100.0},
      {"ΣΑΣ Straße İstanbul", {"σας strasse i̇stanbul"}, {.normalized = true}, 33.33333333333333},
      {"ΣΑΣ Straße İstanbul", {"σας strasse i̇stanbul"}, {.no_punct = true}, 33.33333333333333},
      {"ΣΑΣ Straße İstanbul", {"σας strasse i̇stanbul"}, {.normalized = true, .no_punct = true, .asian_support = true}, 33.33333333333333},
      {"我爱北京天安门。", {"我 爱 北京 天安门 。"}, {}, 100.0},
      {"我爱北京天安门。", {"我 爱 北京 天安门 。"}, {.case_sensitive = true}, 100.0},
      {"我爱北京天安门。", {"我 爱 北京 天安门 。"}, {.normalized = true}, 100.0},
      {"我爱北京天安门。", {"我 爱 北京 天安门 。"}, {.no_punct = true}, 100.0},
      {"我爱北京天安门。", {"我 爱 北京 天安门 。"}, {.normalized = true, .no_punct = true, .asian_support = true}, 0.0},
      {"It's John's book, isn't it? 3.14 and 1,000 -5 well-known", {"its johns book isnt it 3.14"}, {}, 150.0},
      {"It's John's book, isn't it? 3.14 and 1,000 -5 well-known", {"its johns book isnt it 3.14"}, {.case_sensitive = true}, 150.0},
      {"It's John's book, isn't it? 3.14 and 1,000 -5 well-known", {"its johns book isnt it 3.14"}, {.normalized = true}, 183.33333333333331},
      {"It's John's book, isn't it? 3.14 and 1,000 -5 well-known", {"its johns book isnt it 3.14"}, {.no_punct = true}, 116.66666666666667},
      {"It's John's book, isn't it? 3.14 and 1,000 -5 well-known", {"its johns book isnt it 3.14"}, {.normalized = true, .no_punct = true, .asian_support = true}, 150.0},
      // sacrebleu tokenises a reference twice: with normalized, the first pass turns "'s\t" and
      // "'s." into "'s " and "'s .", whose possessive only the second pass splits.
      {"John's cat", {"John's\tcat"}, {}, 0.0},
      {"John's cat", {"John's\tcat"}, {.case_sensitive = true}, 0.0},
      {"John's cat", {"John's\tcat"}, {.normalized = true}, 0.0},
      {"John's cat", {"John's\tcat"}, {.no_punct = true}, 0.0},
      {"John's cat", {"John's\tcat"}, {.normalized = true, .no_punct = true, .asian_support = true}, 0.0},
      {"John's.", {"John's."}, {}, 0.0},
      {"John's.", {"John's."}, {.case_sensitive = true}, 0.0},
      {"John's.", {"John's."}, {.normalized = true}, 66.66666666666666},
      {"John's.", {"John's."}, {.no_punct = true}, 0.0},
      {"John's.", {"John's."}, {.normalized = true, .no_punct = true, .asian_support = true}, 100.0},
      {"It's ok", {"it's, ok"}, {}, 50.0},
      {"It's ok", {"it's, ok"}, {.case_sensitive = true}, 50.0},
      {"It's ok", {"it's, ok"}, {.normalized = true}, 25.0},
      {"It's ok", {"it's, ok"}, {.no_punct = true}, 0.0},
      {"It's ok", {"it's, ok"}, {.normalized = true, .no_punct = true, .asian_support = true}, 0.0},
  };
  for (const TerCase& c : cases) {
    SCOPED_TRACE(c.hyp);
    SCOPED_TRACE(testing::Message() << "normalized=" << c.options.normalized
                                    << " no_punct=" << c.options.no_punct
                                    << " asian=" << c.options.asian_support
                                    << " case=" << c.options.case_sensitive);
    EXPECT_DOUBLE_EQ(TerPercent(c.hyp, c.refs, c.options), c.want);
  }
}

TEST(TranslationEditRate, CountsShiftsAndEdits) {
  struct Case {
    std::string_view hyp, ref;
    std::int64_t edits;
  };
  // Edit counts from sacrebleu's translation_edit_rate on the same word lists.
  constexpr Case kCases[] = {
      {"a b c", "a b c", 0},
      {"d e f a b c", "a b c d e f", 1},  // One shift of a three-word block.
      {"x y z", "a b c", 3},
      {"", "a b c", 3},
      {"a b c d", "", 4},  // Empty reference: every hypothesis word.
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.hyp);
    // TokenIds keeps views: the token buffers live as long as the lookups.
    std::string ref_buffer;
    std::string hyp_buffer;
    std::vector<std::string_view> ref_tokens;
    std::vector<std::string_view> hyp_tokens;
    TercomTokenize(c.ref, {.case_sensitive = true}, ref_buffer, ref_tokens);
    TercomTokenize(c.hyp, {.case_sensitive = true}, hyp_buffer, hyp_tokens);
    TokenIds ids;
    std::vector<std::uint32_t> ref;
    ids.Build(ref_tokens, ref);
    std::vector<std::uint32_t> hyp;
    for (const std::string_view token : hyp_tokens) {
      hyp.push_back(ids.Lookup(token));
    }
    EXPECT_EQ(TranslationEditRate(hyp, ref).edits, c.edits);
  }
}

TEST(TerFromStats, EmptyReferenceRules) {
  EXPECT_EQ(TerFromStats(3, 6), 0.5);
  EXPECT_EQ(TerFromStats(2, 0), 1.0);  // Empty reference(s), non-empty hypothesis.
  EXPECT_EQ(TerFromStats(0, 0), 0.0);  // Both empty.
}

TEST(TerReward, RewardOrientationAndReasons) {
  const testutil::TextCase kCases[] = {
      {"the cat sat on the mat", 1.0},
      {"the mat sat on the cat", 1 - 2.0 / 6},
      {"", 0.0, "no_answer"},
      {"completely different words entirely here and more words than the reference has ever", 0.0},
  };
  for (const testutil::TextCase& c : kCases) {
    SCOPED_TRACE(c.completion);
    const Result r = testutil::Score(
        "{type: text.ter}",
        Json::Obj({{"completion", Json::Str(c.completion)},
                   {"reference", Json::Str("the cat sat on the mat")}})
            .Dump());
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.explanation;
    EXPECT_NEAR(*r.reward, c.want, 1e-12);
    EXPECT_EQ(r.reason, c.reason);
  }
}

TEST(TerReward, ReferenceProblemsAreUnscorable) {
  struct Case {
    std::string_view sample;
    std::string_view reason;
  };
  constexpr Case kCases[] = {
      {R"({"completion": "a"})", "no_reference"},
      {R"({"completion": "a", "reference": []})", "no_reference"},
      {R"({"completion": "a", "reference": {"x": 1}})", "reference_unparseable"},
      {R"({"completion": "a", "reference": ["ok", 3, true]})", "reference_unparseable"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.sample);
    const Result r = testutil::Score("{type: text.ter}", c.sample);
    EXPECT_EQ(r.status, ScoreStatus::kUnscorable);
    EXPECT_EQ(r.reason, c.reason);
  }
}

TEST(TerReward, MultipleReferencesUseFewestEditsOverAverageLength) {
  // sacrebleu: min edits over refs (1, against "a b c d") / mean ref length (4 + 2) / 2 = 1/3.
  const Result r = testutil::Score("{type: text.ter, output: ter}",
                                   R"({"completion": "a b c", "reference": ["a b c d", "a c"]})");
  ASSERT_EQ(r.status, ScoreStatus::kOk);
  EXPECT_DOUBLE_EQ(*r.reward, 1.0 / 3.0);
}

TEST(TerReward, RejectsBadOptions) {
  EXPECT_NE(testutil::ConfigError("reward: {type: text.ter, scale: 10}"), "");
  EXPECT_NE(testutil::ConfigError("reward: {type: text.ter, output: percent}"), "");
}

TEST(TerReward, CorpusStatisticsSumToCorpusTer) {
  const Registry registry = BuiltinRegistry();
  auto reward = registry.Find("text.ter")->reward(
      Json::Obj({{"output", Json::Str("ter")}}), ConfigLocation("<test>", "reward"), {}, {});
  ASSERT_TRUE(reward.ok());
  ASSERT_EQ((*reward)->corpus_statistics_size(), 2u);
  double sums[2] = {0, 0};
  double stats[2] = {0, 0};
  ScoreContext context;
  context.corpus_statistics = stats;
  const std::pair<std::string_view, std::string_view> kPairs[] = {
      {"a b c", "a b c d"}, {"x y", "x z w v u t"}};
  for (const auto& [hyp, ref] : kPairs) {
    Sample sample;
    sample.completion_text = std::string(hyp);
    sample.reference = Json::Str(std::string(ref));
    ASSERT_TRUE((*reward)->Evaluate(sample, context).ok());
    sums[0] += stats[0];
    sums[1] += stats[1];
  }
  EXPECT_EQ(sums[0], 1 + 5);
  EXPECT_EQ(sums[1], 4 + 6);
  EXPECT_DOUBLE_EQ((*reward)->CorpusScore(sums), 6.0 / 10.0);
}

std::string Words(std::size_t n, std::size_t seed) {
  std::string text;
  std::size_t x = seed;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    text += "w" + std::to_string((x >> 33) % 50) + " ";
  }
  return text;
}

TEST(TerReward, LongInputsFinish) {
  // 2000 words from a 50-word vocabulary: many candidate shifts, all capped at 1000 per pair.
  // No wall-clock bound here (timings belong in bench/); ctest's timeout catches a runaway, and
  // bench/text/ter_rouge_benchmark's Ter/2000_repetitive_words times this shape.
  const Result r = testutil::Score(
      "{type: text.ter}",
      Json::Obj({{"completion", Json::Str(Words(2000, 1))}, {"reference", Json::Str(Words(2000, 2))}})
          .Dump());
  EXPECT_EQ(r.status, ScoreStatus::kOk);
  ASSERT_TRUE(r.reward.has_value());
  EXPECT_GT(*r.reward, 0.0);
}

TEST(TerReward, OverTheWordCapIsAnErrorUnlessTheRewardIsSurely0) {
  const Result too_long = testutil::Score(
      "{type: text.ter, max_words: 10}",
      Json::Obj({{"completion", Json::Str(Words(12, 1))}, {"reference", Json::Str(Words(8, 2))}})
          .Dump());
  EXPECT_EQ(too_long.status, ScoreStatus::kError);
  EXPECT_EQ(too_long.reason, "too_long");
  const Result reference_too_long = testutil::Score(
      "{type: text.ter, max_words: 10}",
      Json::Obj({{"completion", Json::Str(Words(5, 1))}, {"reference", Json::Str(Words(11, 2))}})
          .Dump());
  EXPECT_EQ(reference_too_long.status, ScoreStatus::kError);
  // 30 words against 8: TER >= 22/8 whatever the shifts, so the reward is exactly 0.
  const Result surely_zero = testutil::Score(
      "{type: text.ter, max_words: 10}",
      Json::Obj({{"completion", Json::Str(Words(30, 1))}, {"reference", Json::Str(Words(8, 2))}})
          .Dump());
  ASSERT_EQ(surely_zero.status, ScoreStatus::kOk);
  EXPECT_EQ(*surely_zero.reward, 0.0);
  EXPECT_EQ(surely_zero.reason, "too_long");
}

TEST(TerReward, InvalidUtf8BytesStayInsideWords) {
  // JSON input cannot carry invalid UTF-8, but a C++ or Python caller can: such bytes are kept
  // (as Python's surrogateescape would), so "caf\xC3" equals itself and differs from "cafe".
  const Registry registry = BuiltinRegistry();
  auto reward = registry.Find("text.ter")->reward(Json::Obj({}), ConfigLocation("<test>", "r"), {}, {});
  ASSERT_TRUE(reward.ok());
  Sample sample;
  sample.completion_text = "caf\xC3 \xFF\xFE x";
  sample.reference = Json::Str("cafe \xFF\xFE x");
  ScoreContext context;
  const Score score = (*reward)->Evaluate(sample, context);
  ASSERT_TRUE(score.ok());
  EXPECT_DOUBLE_EQ(score.value, 1 - 1.0 / 3.0);
}

}  // namespace
}  // namespace merit::text_metrics
