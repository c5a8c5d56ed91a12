// The Porter stemmer against NLTK's PorterStemmer().stem on porter_testdata.txt: 2,600 words
// (a sample of the rouge fixture's vocabulary, Porter's paper examples, NLTK's irregular forms,
// and y-runs, digits and other edge cases), each with NLTK 3.10.4's stem.
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "rewards/text/porter.h"

namespace merit::text_metrics {
namespace {

TEST(PorterStem, EqualsNltkOnTestdata) {
  std::ifstream in(MERIT_SOURCE_DIR "/src/rewards/text/porter_testdata.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  std::getline(in, line);  // Header.
  std::string word;
  std::string want;
  std::size_t words = 0;
  std::string out;
  while (in >> word >> want) {
    ++words;
    PorterStem(word, out);
    EXPECT_EQ(out, want) << word;
  }
  EXPECT_GT(words, 2500u);
}

TEST(PorterStem, PaperExamplesAndNltkExtensions) {
  struct Case {
    std::string_view word, stem;
  };
  constexpr Case kCases[] = {
      {"caresses", "caress"}, {"ponies", "poni"},     {"ties", "tie"},      // 1a (NLTK: ties)
      {"agreed", "agre"},     {"feed", "feed"},       {"hopping", "hop"},   // 1b
      {"filing", "file"},     {"happy", "happi"},     {"enjoy", "enjoy"},   // 1b, 1c
      {"relational", "relat"}, {"generalli", "gener"}, {"dying", "die"},    // 2, irregular
      {"geology", "geolog"},  {"controll", "control"}, {"Flies", "fli"},    // logi, 5b, case
      {"by", "by"},           {"yyyyyy", "yyyyyi"},   {"", ""},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(PorterStem(c.word), c.stem) << c.word;
  }
}

}  // namespace
}  // namespace merit::text_metrics
