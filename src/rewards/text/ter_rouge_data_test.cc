// Parity of text.ter and text.rouge with their peers on the shared fixtures (see
// ../shared/data/README.md): 10,000 WMT17 en-de pairs with sacrebleu 2.6.0's sentence TER and
// corpus TER, and 9,942 English pairs with rouge-score 0.1.2's P/R/F for rouge1, rouge2, rougeL
// and rougeLsum, stemmed and not. The fixtures print 6 decimals, so each value must be within half
// a unit of the last printed digit (the closest agreement printed values allow; the differential
// script bench/text_ter_rouge_vs_peers.py compares full doubles). Skips when the data is absent,
// as in a user's clone.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "rewards/text/rouge.h"

namespace merit {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(MERIT_SOURCE_DIR) / ".." / "shared" / "data";
constexpr double kPrinted = 0.5e-6 + 1e-12;

std::vector<Json> ReadJsonl(const fs::path& path) {
  std::vector<Json> rows;
  std::ifstream in(path);
  std::string line;
  JsonParser parser;
  while (std::getline(in, line)) {
    rows.push_back(parser.Parse(line).value());
  }
  return rows;
}

std::unique_ptr<const Reward> Build(const Registry& registry, std::string_view name,
                                    const Json& options) {
  const Registry::Entry* entry = registry.Find(name);
  EXPECT_NE(entry, nullptr);
  auto reward = entry->reward(options, ConfigLocation("<test>", "reward"), {}, {});
  EXPECT_TRUE(reward.ok()) << reward.status().ToString();
  return std::move(reward).value();
}

TEST(TerData, SentenceAndCorpusTerEqualSacrebleu) {
  const fs::path file = kData / "mt" / "wmt17_en_de_10k.jsonl";
  if (!fs::exists(file)) {
    GTEST_SKIP() << "fixture absent: " << file;
  }
  const std::vector<Json> rows = ReadJsonl(file);
  ASSERT_EQ(rows.size(), 10000u);
  const Registry registry = BuiltinRegistry();
  const auto reward = Build(registry, "text.ter",
                            Json::Obj({{"output", Json::Str("ter")}, {"scale", Json::Num(100)}}));
  ASSERT_EQ(reward->corpus_statistics_size(), 2u);
  double sums[2] = {0, 0};
  double stats[2] = {0, 0};
  std::size_t mismatches = 0;
  ScoreContext context;
  context.corpus_statistics = stats;
  for (const Json& row : rows) {
    Sample sample;
    sample.completion_text = row.Find("hyp")->str();
    sample.reference = *row.Find("ref");
    const Score score = reward->Evaluate(sample, context);
    ASSERT_TRUE(score.ok()) << score.explanation;
    const double want = row.Find("sacrebleu_sentence_ter")->number();
    if (std::fabs(score.value - want) > kPrinted && ++mismatches <= 10) {
      ADD_FAILURE() << row.Find("id")->str() << ": merit " << score.value << ", sacrebleu " << want;
    }
    sums[0] += stats[0];
    sums[1] += stats[1];
  }
  EXPECT_EQ(mismatches, 0u);
  // wmt17_en_de_10k.corpus_scores.json: "TER = 64.20" (sacrebleu prints 2 decimals).
  EXPECT_EQ(fmt::format("{:.2f}", reward->CorpusScore(sums)), "64.20");
}

TEST(RougeData, AllTypesEqualRougeScore) {
  const fs::path file = kData / "rouge" / "en_pairs_9942.jsonl";
  if (!fs::exists(file)) {
    GTEST_SKIP() << "fixture absent: " << file;
  }
  const std::vector<Json> rows = ReadJsonl(file);
  ASSERT_EQ(rows.size(), 9942u);
  struct Type {
    std::string_view name;
    text_metrics::RougeSpec::Kind kind;
    int n;
  };
  constexpr Type kTypes[] = {{"rouge1", text_metrics::RougeSpec::Kind::kN, 1},
                             {"rouge2", text_metrics::RougeSpec::Kind::kN, 2},
                             {"rougeL", text_metrics::RougeSpec::Kind::kL, 0},
                             {"rougeLsum", text_metrics::RougeSpec::Kind::kLsum, 0}};
  std::size_t mismatches = 0;
  std::size_t compared = 0;
  for (const Json& row : rows) {
    for (const bool stem : {false, true}) {
      for (const Type& type : kTypes) {
        const text_metrics::RougeSpec spec{.n = type.n, .kind = type.kind, .use_stemmer = stem};
        const std::optional<text_metrics::RougeScore> score = text_metrics::RougeScoreOf(
            row.Find("reference")->str(), row.Find("prediction")->str(), spec);
        ASSERT_TRUE(score.has_value());
        const std::string key = fmt::format("{}_{}", type.name, stem ? "stem" : "nostem");
        const Json::Array& want = row.Find(key)->array();
        const double got[3] = {score->precision, score->recall, score->fmeasure};
        for (int k = 0; k < 3; ++k) {
          ++compared;
          if (std::fabs(got[k] - want[static_cast<std::size_t>(k)].number()) > kPrinted &&
              ++mismatches <= 10) {
            ADD_FAILURE() << "row " << row.Find("id")->number() << " " << key << "[" << k
                          << "]: merit " << got[k] << ", rouge-score "
                          << want[static_cast<std::size_t>(k)].number();
          }
        }
      }
    }
  }
  EXPECT_EQ(compared, 9942u * 24u);
  EXPECT_EQ(mismatches, 0u);
}

// The reward path (options, references, measure selection) agrees with the pure function on the
// fixture's F-measures.
TEST(RougeData, RewardMatchesFixtureFmeasure) {
  const fs::path file = kData / "rouge" / "en_pairs_9942.jsonl";
  if (!fs::exists(file)) {
    GTEST_SKIP() << "fixture absent: " << file;
  }
  const std::vector<Json> rows = ReadJsonl(file);
  const Registry registry = BuiltinRegistry();
  const auto reward =
      Build(registry, "text.rouge",
            Json::Obj({{"rouge_type", Json::Str("rougeLsum")}, {"use_stemmer", Json::Bool(true)}}));
  ScoreContext context;
  std::size_t mismatches = 0;
  for (const Json& row : rows) {
    Sample sample;
    sample.completion_text = row.Find("prediction")->str();
    sample.reference = *row.Find("reference");
    const Score score = reward->Evaluate(sample, context);
    ASSERT_TRUE(score.ok());
    const double want = row.Find("rougeLsum_stem")->array()[2].number();
    if (std::fabs(score.value - want) > kPrinted && ++mismatches <= 10) {
      ADD_FAILURE() << "row " << row.Find("id")->number() << ": " << score.value << " vs " << want;
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace merit
