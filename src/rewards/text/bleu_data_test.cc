// Parity of text.bleu and text.chrf with sacrebleu 2.6.0 on 10,000 WMT17 en-de pairs
// (../shared/data/mt, see its README): every sentence score equal to the fixture's printed
// precision (6 decimals), and the corpus scores and signatures of the fixture, through the same
// path as `merit score` (LineScorer and Summary, on several threads). Skips when the data is
// absent, as in a user's clone.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

#include "io/line_scorer.h"
#include "rewards/text/bleu.h"

namespace merit::sacrebleu {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(MERIT_SOURCE_DIR) / "../shared/data/mt";
const fs::path kPairs = kData / "wmt17_en_de_10k.jsonl";
const fs::path kCorpus = kData / "wmt17_en_de_10k.corpus_scores.json";

constexpr std::string_view kConfig = R"(
fields: {completion: hyp, reference: ref}
reward:
  type: mean
  children:
    - {type: text.bleu, name: bleu, scale: 100}
    - {type: text.chrf, name: chrf, scale: 100}
)";

std::vector<std::string> ReadLines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

Json ReadJson(const fs::path& file) {
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return JsonParser().Parse(text).value();
}

// The fixture prints 6 decimals: equal means equal after rounding to them.
bool EqualToPrinted(double merit, double fixture) {
  return std::abs(merit - fixture) <= 0.5e-6 + 1e-9;
}

class WmtParity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPairs) || !fs::exists(kCorpus)) {
      GTEST_SKIP() << "parity fixture not found at " << kData << " (../shared/data is not part "
                   << "of a clone)";
    }
  }
};

TEST_F(WmtParity, EverySentenceScoreEqualsSacrebleu) {
  const Registry registry = BuiltinRegistry();
  const Engine engine =
      Engine::Create(ParseConfig(kConfig, "<parity>").value(), registry, {.threads = 2}).value();
  JsonParser parser;
  std::vector<Sample> samples;
  std::vector<Json> rows;
  for (const std::string& line : ReadLines(kPairs)) {
    Json row = parser.Parse(line).value();
    Sample sample;
    ASSERT_TRUE(engine.MapSample(row, &sample).ok());
    samples.push_back(std::move(sample));
    rows.push_back(std::move(row));
  }
  ASSERT_EQ(rows.size(), 10000u);
  const std::vector<Result> results = engine.ScoreBatch(samples);
  std::size_t bleu_mismatches = 0;
  std::size_t chrf_mismatches = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(rows[i].Find("id")->str());
    ASSERT_EQ(results[i].components[1].first, "bleu");
    ASSERT_EQ(results[i].components[2].first, "chrf");
    const double bleu = results[i].components[1].second.value();
    const double chrf = results[i].components[2].second.value();
    const double want_bleu = rows[i].Find("sacrebleu_sentence_bleu")->number();
    const double want_chrf = rows[i].Find("sacrebleu_sentence_chrf")->number();
    if (!EqualToPrinted(bleu, want_bleu) && bleu_mismatches++ < 10) {
      ADD_FAILURE() << fmt::format("BLEU {:.9f}, sacrebleu {}: hyp {} ref {}", bleu, want_bleu,
                                   rows[i].Find("hyp")->Dump(), rows[i].Find("ref")->Dump());
    }
    if (!EqualToPrinted(chrf, want_chrf) && chrf_mismatches++ < 10) {
      ADD_FAILURE() << fmt::format("chrF {:.9f}, sacrebleu {}: hyp {} ref {}", chrf, want_chrf,
                                   rows[i].Find("hyp")->Dump(), rows[i].Find("ref")->Dump());
    }
  }
  EXPECT_EQ(bleu_mismatches, 0u);
  EXPECT_EQ(chrf_mismatches, 0u);
}

// The corpus line sacrebleu prints, rebuilt from merit's summed statistics.
TEST_F(WmtParity, CorpusBleuStatisticsEqualSacrebleu) {
  const Json corpus = ReadJson(kCorpus);
  JsonParser parser;
  BleuCounter counter;
  std::array<std::int64_t, 4> correct = {};
  std::array<std::int64_t, 4> total = {};
  std::int64_t hyp_len = 0;
  std::int64_t ref_len = 0;
  for (const std::string& line : ReadLines(kPairs)) {
    const Json row = parser.Parse(line).value();
    const std::string_view ref = row.Find("ref")->str();
    const BleuStats stats = counter.Count(row.Find("hyp")->str(), {&ref, 1}, {}, {}, 4);
    hyp_len += stats.hyp_len;
    ref_len += stats.closest_ref_len;
    for (std::size_t n = 0; n < 4; ++n) {
      correct[n] += stats.correct[n];
      total[n] += stats.total[n];
    }
  }
  const double bleu = ComputeBleu(correct, total, hyp_len, ref_len, Smoothing::kExp, -1, false);
  std::string precisions;
  for (std::size_t n = 0; n < 4; ++n) {
    precisions += fmt::format("{}{:.1f}", n ? "/" : "",
                              100. * static_cast<double>(correct[n]) /
                                  static_cast<double>(total[n]));
  }
  const double bp = hyp_len < ref_len ? std::exp(1.0 - static_cast<double>(ref_len) /
                                                           static_cast<double>(hyp_len))
                                      : 1.0;
  EXPECT_EQ(fmt::format("BLEU = {:.2f} {} (BP = {:.3f} ratio = {:.3f} hyp_len = {} ref_len = {})",
                        bleu, precisions, bp,
                        static_cast<double>(hyp_len) / static_cast<double>(ref_len), hyp_len,
                        ref_len),
            corpus.Find("corpus_bleu")->str());
}

std::string WithoutVersion(std::string_view signature) {
  return std::string(signature.substr(0, signature.rfind("|version:")));
}

// `merit score` reports the corpus scores in its summary; chunks and threads merge exactly.
TEST_F(WmtParity, SummaryCorpusScoresEqualSacrebleu) {
  const Json corpus = ReadJson(kCorpus);
  const Registry registry = BuiltinRegistry();
  const Engine engine =
      Engine::Create(ParseConfig(kConfig, "<parity>").value(), registry, {.threads = 3}).value();
  const internal::LineScorer scorer(engine);
  internal::Summary summary(engine.ComponentNames());
  internal::LineBatch batch;
  const std::vector<std::string> lines = ReadLines(kPairs);
  std::string out;
  // Uneven batches, so the corpus sums cross batch and chunk boundaries.
  for (std::size_t begin = 0; begin < lines.size(); begin += 3333) {
    batch.Clear();
    for (std::size_t i = begin; i < std::min(lines.size(), begin + 3333); ++i) {
      batch.Add(lines[i], i + 1, false);
    }
    scorer.Parse(batch);
    out.clear();
    scorer.ScoreAndFormat(batch, batch.size(), out, summary);
  }
  const Json json = summary.ToJson("hash");
  const Json* bleu = json.Find("components")->Find("bleu")->Find("corpus");
  const Json* chrf = json.Find("components")->Find("chrf")->Find("corpus");
  ASSERT_NE(bleu, nullptr);
  ASSERT_NE(chrf, nullptr);
  EXPECT_EQ(bleu->Find("samples")->number(), 10000);
  EXPECT_EQ(fmt::format("BLEU = {:.2f}", bleu->Find("score")->number()),
            corpus.Find("corpus_bleu")->str().substr(0, 12));
  EXPECT_EQ(fmt::format("chrF2 = {:.2f}", chrf->Find("score")->number()),
            corpus.Find("corpus_chrf")->str());
  EXPECT_EQ(WithoutVersion(bleu->Find("signature")->str()),
            WithoutVersion(corpus.Find("bleu_signature")->str()));
  EXPECT_EQ(WithoutVersion(chrf->Find("signature")->str()),
            WithoutVersion(corpus.Find("chrf_signature")->str()));
  const std::string line = fmt::format("corpus bleu = {:.4f} over 10000 samples (nrefs:1|",
                                       bleu->Find("score")->number());
  EXPECT_NE(summary.ToText("hash").find(line), std::string::npos) << summary.ToText("hash");
}

}  // namespace
}  // namespace merit::sacrebleu
