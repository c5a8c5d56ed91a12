// Bad input never crashes and never loses a line: every input line gets exactly one output line,
// in order, with a reason and the line number when it could not be scored.
#include "io/line_scorer.h"

#include <cstdio>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/jsonl_stream.h"
#include "testutil/testutil.h"

namespace merit::internal {
namespace {

constexpr std::string_view kConfig = "reward: {type: field.value, path: r}\n";

// Scores `lines` in one batch; the summary goes to *summary_json when given.
std::vector<Json> ScoreLines(const std::vector<std::string>& lines, std::size_t threads = 1,
                             std::string_view config = kConfig, Json* summary_json = nullptr) {
  const Engine engine = testutil::MakeEngine(config, threads);
  const LineScorer scorer(engine, {.max_line_bytes = 1 << 20});
  LineBatch batch;
  for (std::size_t i = 0; i < lines.size(); ++i)
    batch.Add(lines[i], i + 1, false);
  scorer.Parse(batch);
  std::string out;
  Summary summary(engine.ComponentNames());
  scorer.ScoreAndFormat(batch, batch.size(), out, summary);
  std::vector<Json> parsed;
  JsonParser parser;
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    EXPECT_NE(end, std::string::npos);
    StatusOr<Json> line = parser.Parse(std::string_view(out).substr(start, end - start));
    EXPECT_TRUE(line.ok()) << "output is not JSON: " << out.substr(start, end - start);
    parsed.push_back(line.ok() ? *line : Json());
    start = end + 1;
  }
  EXPECT_EQ(summary.total(), lines.size());
  if (summary_json != nullptr) {
    *summary_json = summary.ToJson("hash");
  }
  return parsed;
}

TEST(LineScorer, ScoredLineEchoesInputAndAddsResult) {
  const auto out = ScoreLines({R"({"id": "a", "completion": "x", "metadata": {"r": 0.5}})"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(
      out[0].Dump(),
      R"({"id":"a","completion":"x","metadata":{"r":0.5},"reward":0.5,"status":"ok","components":{"field.value":0.5}})");
}

TEST(LineScorer, PerItemVerdictsNameTheirComponent) {
  constexpr std::string_view kRubricConfig =
      "reward:\n"
      "  type: weighted_sum\n"
      "  children:\n"
      "    - {name: facts, type: rubric.items, items: [paris, {text: lyon, weight: 2}]}\n"
      "    - {type: match.exact}\n";
  const auto out = ScoreLines({R"({"completion": "Paris", "reference": "Paris"})"}, 1,
                              kRubricConfig);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_NE(out[0].Find("items"), nullptr) << out[0].Dump();
  EXPECT_EQ(
      out[0].Find("items")->Dump(),
      R"j([{"component":"facts","item":"paris","value":1,"weight":1,"verdict":"support (contains)"},)j"
      R"j({"component":"facts","item":"lyon","value":0,"weight":2,"verdict":"not_support (contains)"}])j");
}

TEST(LineScorer, EveryBadLineGetsAnErrorLineWithItsNumber) {
  std::string deep =
      R"({"completion": "x", "metadata": )" + std::string(200, '[') + std::string(200, ']') + "}";
  const std::vector<std::string> lines = {
      R"({"completion": "x", "metadata": {"r": 1}})",      // 1: fine
      R"({"completion": "x", "metadata": {"r": )",         // 2: truncated JSON
      R"({"prompt": "no completion"})",                    // 3: missing field
      R"({"completion": 42})",                             // 4: wrong type
      "{\"completion\": \"bad \xff\xfe utf8\"}",           // 5: invalid UTF-8
      deep,                                                // 6: too deep
      R"({"completion": "x", "metadata": {"r": NaN}})",    // 7: NaN is not JSON
      R"({"completion": "x", "metadata": {"r": 1e400}})",  // 8: out of range
      "",                                                  // 9: blank line
      R"([1, 2, 3])",                                      // 10: not an object
      R"({"completion": "x", "metadata": {"r": 2}})",      // 11: fine
  };
  const auto out = ScoreLines(lines);
  ASSERT_EQ(out.size(), lines.size());
  const std::string_view kReasons[] = {
      "",         "invalid_json", "missing_field", "wrong_type", "invalid_json",
      "too_deep", "invalid_json", "invalid_json",  "empty_line", "not_an_object",
      ""};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i + 1);
    if (kReasons[i].empty()) {
      EXPECT_EQ(out[i].Find("status")->str(), "ok");
      EXPECT_FALSE(out[i].Find("line"));
      continue;
    }
    EXPECT_EQ(out[i].Find("status")->str(), "error");
    EXPECT_TRUE(out[i].Find("reward")->is_null());
    EXPECT_EQ(out[i].Find("reason")->str(), kReasons[i]);
    EXPECT_EQ(out[i].Find("line")->number(), static_cast<double>(i + 1));
    EXPECT_FALSE(out[i].Find("explanation")->str().empty());
  }
  // A line that parsed but could not be mapped keeps its input fields.
  EXPECT_EQ(out[2].Find("prompt")->str(), "no completion");
}

TEST(LineScorer, InputKeysThatCollideWithOutputAreReplaced) {
  const auto out =
      ScoreLines({R"({"completion": "x", "reward": 99, "status": "old", "metadata": {"r": 1}})"});
  EXPECT_EQ(
      out[0].Dump(),
      R"({"completion":"x","metadata":{"r":1},"reward":1,"status":"ok","components":{"field.value":1}})");
}

TEST(LineScorer, OutputIsIdenticalWhateverTheThreadCount) {
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) {
    lines.push_back(i % 7 == 3
                        ? "{broken"
                        : R"({"completion": "x", "metadata": {"r": )" + std::to_string(i) + "}}");
  }
  const auto one = ScoreLines(lines, 1);
  const auto three = ScoreLines(lines, 3);
  ASSERT_EQ(one.size(), three.size());
  for (std::size_t i = 0; i < one.size(); ++i)
    ASSERT_EQ(one[i].Dump(), three[i].Dump()) << i;
}

// The summary's corpus score sums the statistics of the samples a component scored ok (the
// sample without a reference and the broken line are left out), whatever the thread count;
// components without corpus statistics report none. Expected: sacrebleu 2.6.0 corpus_score on
// the three scored pairs.
TEST(LineScorer, SummaryReportsCorpusScores) {
  constexpr std::string_view kCorpusConfig = R"(
reward:
  type: mean
  children:
    - {type: text.bleu, name: bleu, scale: 100}
    - {type: field.value, path: r, name: r}
)";
  std::vector<std::string> lines = {
      R"({"completion": "The cat sat on the mat.", "reference": ["The cat is on the mat.", "The cat sat on a mat."], "metadata": {"r": 1}})",
      R"({"completion": "x", "metadata": {"r": 1}})",
      R"({"completion": "Paris is the capital of France.", "reference": "The capital of France is Paris.", "metadata": {"r": 1}})",
      "{broken",
      R"({"completion": "Hello", "reference": "Hello world, how are you today?", "metadata": {"r": 1}})",
  };
  for (int i = 0; i < 300; ++i) {  // Padding across format chunks; unscorable, so not summed.
    lines.push_back(R"({"completion": "y", "metadata": {"r": 0}})");
  }
  Json one;
  Json three;
  ScoreLines(lines, 1, kCorpusConfig, &one);
  ScoreLines(lines, 3, kCorpusConfig, &three);
  const Json* corpus = one.Find("components")->Find("bleu")->Find("corpus");
  ASSERT_NE(corpus, nullptr) << one.Dump();
  EXPECT_NEAR(corpus->Find("score")->number(), 33.116400365790604, 1e-9);
  EXPECT_EQ(corpus->Find("samples")->number(), 3);
  EXPECT_EQ(corpus->Find("signature")->str(),
            "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
  EXPECT_EQ(one.Find("components")->Find("r")->Find("corpus"), nullptr);
  EXPECT_EQ(corpus->Dump(), three.Find("components")->Find("bleu")->Find("corpus")->Dump());
}

TEST(LineScorer, GroupSafeCutKeepsTheLastGroupTogether) {
  const Engine engine =
      testutil::MakeEngine("reward: {type: field.value, path: r}\nadvantages: grpo\n");
  const LineScorer scorer(engine);
  LineBatch batch;
  const char* kLines[] = {R"({"completion": "x", "group": "a"})",
                          R"({"completion": "x", "group": "b"})", "not json",
                          R"({"completion": "x", "group": "b"})"};
  for (std::size_t i = 0; i < 4; ++i)
    batch.Add(kLines[i], i + 1, false);
  scorer.Parse(batch);
  EXPECT_EQ(scorer.GroupSafeCut(batch), 1u);
}

TEST(LineReader, TruncatesHugeLinesInBoundedMemory) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const std::string huge(64u << 20, 'x');  // A 64 MiB line.
  std::fputs("{\"a\": 1}\n", file);
  std::fwrite(huge.data(), 1, huge.size(), file);
  std::fputs("\n{\"b\": 2}", file);  // Last line without a newline.
  std::rewind(file);
  LineReader reader(file, 1 << 20);
  LineReader::Line line;
  ASSERT_TRUE(reader.Next(line).value());
  EXPECT_EQ(line.text, "{\"a\": 1}");
  ASSERT_TRUE(reader.Next(line).value());
  EXPECT_TRUE(line.truncated);
  EXPECT_LE(line.text.size(), 1u << 20);
  ASSERT_TRUE(reader.Next(line).value());
  EXPECT_FALSE(line.truncated);
  EXPECT_EQ(line.text, "{\"b\": 2}");
  EXPECT_FALSE(reader.Next(line).value());
  std::fclose(file);
}

}  // namespace
}  // namespace merit::internal
