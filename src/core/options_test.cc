#include "merit/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace merit {
namespace {

inline constexpr std::string_view kModes[] = {"fast", "exact"};

struct DemoOptions {
  double tolerance = 1e-6;
  std::int64_t max_length = 100;
  bool case_sensitive = false;
  std::string mode = "fast";
  std::vector<std::string> tags = {"answer"};
  static constexpr auto kFields = std::tuple{
      Field{"tolerance", &DemoOptions::tolerance, "Absolute tolerance.", {.min = 0, .max = 1}},
      Field{"max_length", &DemoOptions::max_length, "Limit.", {.min = 1}},
      Field{"case_sensitive", &DemoOptions::case_sensitive, "Case matters."},
      Field{"mode", &DemoOptions::mode, "Mode.", {.choices = kModes}},
      Field{"tags", &DemoOptions::tags, "Tags."},
  };

  Status Validate() const {
    if (mode == "exact" && tolerance != 0)
      return InvalidArgumentError("exact mode needs tolerance 0");
    return OkStatus();
  }
};

StatusOr<DemoOptions> Parse(std::string_view json) {
  JsonParser parser;
  return ParseOptions<DemoOptions>(parser.Parse(json).value(),
                                   ConfigLocation("cfg.yaml", "reward.children[1]"));
}

TEST(Options, DefaultsAndValues) {
  StatusOr<DemoOptions> o = Parse(R"({"tolerance": 0.5, "tags": ["think", "answer"]})");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->tolerance, 0.5);
  EXPECT_EQ(o->max_length, 100);
  EXPECT_THAT(o->tags, testing::ElementsAre("think", "answer"));
  EXPECT_THAT(Parse(R"({"tags": "one"})")->tags, testing::ElementsAre("one"));
}

TEST(Options, ErrorsNameFilePathExpectationAndSuggestions) {
  const auto error = [](std::string_view json) {
    return Parse(json).status().message();
  };
  EXPECT_EQ(error(R"({"tolerence": 0.1})"),
            "cfg.yaml: reward.children[1].tolerence: unknown option, did you mean \"tolerance\"?");
  EXPECT_EQ(error(R"({"tolerance": "abc"})"),
            "cfg.yaml: reward.children[1].tolerance: expected a number, got \"abc\"");
  EXPECT_EQ(error(R"({"tolerance": 2})"),
            "cfg.yaml: reward.children[1].tolerance: expected a value in [0, 1], got 2");
  EXPECT_EQ(error(R"({"max_length": 1.5})"),
            "cfg.yaml: reward.children[1].max_length: expected an integer, got 1.5");
  EXPECT_EQ(error(R"({"case_sensitive": "yes"})"),
            "cfg.yaml: reward.children[1].case_sensitive: expected true or false, got \"yes\"");
  EXPECT_EQ(error(R"({"mode": "exakt"})"),
            "cfg.yaml: reward.children[1].mode: unknown value \"exakt\", did you mean \"exact\"?");
  EXPECT_EQ(error(R"({"tags": [1]})"),
            "cfg.yaml: reward.children[1].tags: item 0: expected a string, got 1");
  EXPECT_EQ(error(R"({"mode": "exact"})"),
            "cfg.yaml: reward.children[1]: exact mode needs tolerance 0");
  EXPECT_EQ(error("[1]"), "cfg.yaml: reward.children[1]: expected an object of options, got array");
}

TEST(Options, DescribeListsEveryField) {
  const std::vector<OptionDoc> docs = DescribeOptions<DemoOptions>();
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0].name, "tolerance");
  EXPECT_EQ(docs[0].type, "number");
  EXPECT_EQ(docs[0].default_value, "1e-06");
  EXPECT_EQ(docs[0].limits, "in [0, 1]");
  EXPECT_EQ(docs[3].limits, "one of: fast, exact");
  EXPECT_EQ(docs[4].default_value, R"(["answer"])");
}

TEST(Options, ClosestNames) {
  constexpr std::string_view kNames[] = {"match.exact", "match.f1", "text.bleu", "format.tags"};
  EXPECT_THAT(ClosestNames("match.exct", kNames), testing::ElementsAre("match.exact"));
  EXPECT_THAT(ClosestNames("bleu", kNames), testing::ElementsAre("text.bleu"));
  EXPECT_THAT(ClosestNames("zzzzzzzz", kNames), testing::IsEmpty());
}

}  // namespace
}  // namespace merit
