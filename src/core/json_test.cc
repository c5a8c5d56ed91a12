#include "merit/json.h"

#include <string>

#include <gtest/gtest.h>

namespace merit {
namespace {

TEST(JsonParser, ParsesAndDumpsRoundTrip) {
  JsonParser parser;
  const char* kCases[] = {
      R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})",
      R"([1,-2.5,3e+20,"x\ny"])",
      R"("just a string")",
      R"(42)",
  };
  for (const char* text : kCases) {
    StatusOr<Json> parsed = parser.Parse(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    StatusOr<Json> again = parser.Parse(parsed->Dump());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*parsed, *again) << text;
  }
}

TEST(JsonParser, KeepsBigIntegersExact) {
  JsonParser parser;
  StatusOr<Json> parsed = parser.Parse(R"({"x": 123456789012345678901234567890})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Find("x")->number_text(), "123456789012345678901234567890");
  EXPECT_EQ(parsed->Dump(), R"({"x":123456789012345678901234567890})");
  StatusOr<Json> int64 = parser.Parse("9007199254740993");  // 2^53 + 1: not a double.
  ASSERT_TRUE(int64.ok());
  EXPECT_EQ(int64->number_text(), "9007199254740993");
}

TEST(JsonParser, FloatsStayFloats) {
  JsonParser parser;
  StatusOr<Json> parsed = parser.Parse(R"({"f": 1.0, "i": 1, "g": 2.5, "e": 1e300})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Find("f")->number_text(), "1.0");
  EXPECT_EQ(parsed->Find("i")->number_text(), "1");
  EXPECT_EQ(parsed->Find("g")->number_text(), "2.5");
  EXPECT_EQ(parsed->Find("e")->number(), 1e300);
  EXPECT_EQ(*parsed->Find("f"), *parsed->Find("i"));  // Equal as JSON values all the same.
}

TEST(JsonParser, RejectsMalformedInput) {
  JsonParser parser;
  const char* kBad[] = {"",        "   ",         "{",   "{\"a\":}",         "[1,]",
                        "NaN",     "{\"a\":1} x", "1 2", "{\"a\":Infinity}", "\"\xff\xfe\"",
                        "[1],[2]", "1e999"};
  for (const char* text : kBad) {
    StatusOr<Json> parsed = parser.Parse(text);
    EXPECT_FALSE(parsed.ok()) << "accepted: " << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << text;
    }
  }
  // Big-integer documents take a second parser path; it must be as strict.
  EXPECT_FALSE(parser.Parse("[123456789012345678901234567890],[2]").ok());
  EXPECT_FALSE(parser.Parse("123456789012345678901234567890 x").ok());
}

TEST(JsonParser, LimitsDepth) {
  JsonParser parser(JsonParseLimits{.max_depth = 16});
  EXPECT_TRUE(parser.Parse(std::string(15, '[') + std::string(15, ']')).ok());
  StatusOr<Json> deep = parser.Parse(std::string(100000, '[') + std::string(100000, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), StatusCode::kResourceExhausted);
}

TEST(Json, DumpEscapesAndRepairsInvalidUtf8) {
  EXPECT_EQ(Json::Str("a\"b\\c\n\x01").Dump(), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(Json::Str("ok \xC3\xA9").Dump(), "\"ok \xC3\xA9\"");  // Valid UTF-8 passes through.
  EXPECT_EQ(Json::Str("bad \xFF end").Dump(), "\"bad \xEF\xBF\xBD end\"");
  EXPECT_EQ(Json::Str("\xED\xA0\x80").Dump(),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // Surrogate.
}

TEST(Json, NumbersUseShortestRoundTripText) {
  EXPECT_EQ(Json::Num(0.1).Dump(), "0.1");
  EXPECT_EQ(Json::Num(1.0 / 3).Dump(), "0.3333333333333333");
  EXPECT_EQ(Json::Num(1e300 * 1e10).Dump(), "null");  // Infinity is not JSON.
}

TEST(Json, FindPathFollowsObjectsAndArrays) {
  JsonParser parser;
  const Json doc = parser.Parse(R"({"a":{"b":[10,{"c":"x"}]}})").value();
  EXPECT_EQ(doc.FindPath("a.b.1.c")->str(), "x");
  EXPECT_EQ(doc.FindPath("a.b.0")->number(), 10);
  EXPECT_EQ(doc.FindPath("a.b.2"), nullptr);
  EXPECT_EQ(doc.FindPath("a.z"), nullptr);
  EXPECT_EQ(doc.FindPath("a.b.-1"), nullptr);
}

TEST(Json, EqualityIgnoresKeyOrderAndNumberSpelling) {
  JsonParser parser;
  EXPECT_EQ(parser.Parse(R"({"a":1,"b":2})").value(), parser.Parse(R"({"b":2.0,"a":1})").value());
  EXPECT_NE(parser.Parse(R"({"a":"1"})").value(), parser.Parse(R"({"a":1})").value());
}

TEST(JsonParser, DuplicateKeysKeepTheLast) {
  JsonParser parser;
  const Json doc = parser.Parse(R"({"a":1,"a":2})").value();
  EXPECT_EQ(doc.object().size(), 1u);
  EXPECT_EQ(doc.Find("a")->number(), 2);
}

}  // namespace
}  // namespace merit
