// JsonSchema: every supported keyword, the reported pointers, schema errors, hostile schemas and
// instances; and format.json's schema / schema_field options through the registry.
#include "rewards/format/json_schema.h"

#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/json.h"
#include "testutil/testutil.h"

namespace merit::format {
namespace {

using testing::HasSubstr;

Json J(std::string_view text) {
  JsonParser parser({.max_depth = 2048});
  return parser.Parse(text).value();
}

struct Case {
  std::string_view instance;
  std::string_view want_pointer;  // "-" when valid.
  std::string_view want_keyword = {};
};

void ExpectCases(std::string_view schema_text, std::initializer_list<Case> cases) {
  const JsonSchema schema = JsonSchema::Compile(J(schema_text)).value();
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(schema_text) + " <- " + std::string(c.instance));
    const std::optional<SchemaViolation> v = schema.Validate(J(c.instance));
    if (c.want_pointer == "-") {
      EXPECT_FALSE(v.has_value()) << v->instance_pointer << ": " << v->message;
      continue;
    }
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->instance_pointer, c.want_pointer) << v->message;
    EXPECT_THAT(v->schema_pointer, testing::EndsWith(std::string(c.want_keyword))) << v->message;
  }
}

TEST(JsonSchema, Types) {
  ExpectCases(R"({"type": "integer"})",
              {{"1", "-"}, {"1.0", "-"}, {"1.5", "", "/type"}, {"\"1\"", "", "/type"}});
  ExpectCases(R"({"type": ["string", "null"]})", {{"\"a\"", "-"}, {"null", "-"}, {"0", ""}});
  ExpectCases(R"({"type": "number"})", {{"1", "-"}, {"-2.5e3", "-"}, {"true", "", "/type"}});
  ExpectCases(R"({"type": "boolean"})", {{"false", "-"}, {"0", ""}});
  ExpectCases(R"({"type": "object"})", {{"{}", "-"}, {"[]", ""}});
  ExpectCases(R"({"type": "array"})", {{"[]", "-"}, {"{}", ""}});
  ExpectCases("true", {{"[1, {}]", "-"}});
  ExpectCases("false", {{"1", ""}});
}

TEST(JsonSchema, EnumAndConst) {
  ExpectCases(R"({"enum": ["red", 1, null, {"a": [1]}]})",
              {{"\"red\"", "-"}, {"1.0", "-"}, {"null", "-"}, {R"({"a": [1.0]})", "-"},
               {"true", "", "/enum"}, {"\"Red\"", "", "/enum"}});
  ExpectCases(R"({"const": {"a": 1}})", {{R"({"a": 1})", "-"}, {R"({"a": 2})", "", "/const"}});
}

TEST(JsonSchema, Numbers) {
  ExpectCases(R"({"minimum": 1, "maximum": 10})",
              {{"1", "-"}, {"10", "-"}, {"0", "", "/minimum"}, {"11", "", "/maximum"},
               {"\"not a number\"", "-"}});
  ExpectCases(R"({"exclusiveMinimum": 1, "exclusiveMaximum": 10})",
              {{"2", "-"}, {"1", "", "/exclusiveMinimum"}, {"10", "", "/exclusiveMaximum"}});
  ExpectCases(R"({"multipleOf": 0.1})", {{"0.3", "-"}, {"0.35", "", "/multipleOf"}});
}

TEST(JsonSchema, Strings) {
  // Lengths count code points: "é" is one character, two bytes.
  ExpectCases(R"({"minLength": 2, "maxLength": 3})",
              {{"\"ab\"", "-"}, {"\"éé\"", "-"}, {"\"é\"", "", "/minLength"},
               {"\"abcd\"", "", "/maxLength"}});
  ExpectCases(R"({"pattern": "^[a-z]+@[a-z]+\\.com$"})",
              {{"\"me@x.com\"", "-"}, {"\"Me@x.com\"", "", "/pattern"}});
  ExpectCases(R"({"pattern": "b"})", {{"\"abc\"", "-"}});  // Searched anywhere, as ECMA-262.
}

TEST(JsonSchema, Objects) {
  constexpr std::string_view kSchema = R"({
    "type": "object", "required": ["name", "arguments"],
    "properties": {"name": {"type": "string"},
                   "arguments": {"type": "object", "additionalProperties": {"type": "number"}}},
    "additionalProperties": false})";
  ExpectCases(kSchema,
              {{R"({"name": "f", "arguments": {"x": 1}})", "-"},
               {R"({"name": "f"})", "", "/required"},
               {R"({"name": 1, "arguments": {}})", "/name", "/properties/name/type"},
               {R"({"name": "f", "arguments": {"x": "1"}})", "/arguments/x",
                "/additionalProperties/type"},
               {R"({"name": "f", "arguments": {}, "extra": 1})", "/extra",
                "/additionalProperties"}});
  ExpectCases(R"({"minProperties": 1, "maxProperties": 1})",
              {{R"({"a": 1})", "-"}, {"{}", "", "/minProperties"},
               {R"({"a": 1, "b": 2})", "", "/maxProperties"}});
  // Pointer escaping (RFC 6901).
  ExpectCases(R"({"properties": {"a/b~c": {"type": "string"}}})",
              {{R"({"a/b~c": 1})", "/a~1b~0c", "/properties/a~1b~0c/type"}});
}

TEST(JsonSchema, Arrays) {
  ExpectCases(R"({"items": {"type": "integer"}, "minItems": 1, "maxItems": 3})",
              {{"[1, 2]", "-"}, {"[]", "", "/minItems"}, {"[1, 2, 3, 4]", "", "/maxItems"},
               {"[1, \"x\"]", "/1", "/items/type"}});
  ExpectCases(R"({"prefixItems": [{"type": "string"}, {"type": "number"}], "items": false})",
              {{"[\"a\", 1]", "-"}, {"[\"a\"]", "-"}, {"[1, 1]", "/0"}, {"[\"a\", 1, 2]", "/2"}});
  ExpectCases(R"({"uniqueItems": true})",
              {{"[1, 2]", "-"},
               {"[1, 1.0]", "", "/uniqueItems"},
               {"[{\"a\": 1}, {\"a\": 1}]", ""}});
}

TEST(JsonSchema, Combinators) {
  ExpectCases(R"({"anyOf": [{"type": "string"}, {"minimum": 5}]})",
              {{"\"x\"", "-"}, {"7", "-"}, {"3", "", "/anyOf"}});
  ExpectCases(R"({"oneOf": [{"type": "integer"}, {"minimum": 5}]})",
              {{"1", "-"}, {"5.5", "-"}, {"7", "", "/oneOf"}, {"2.5", "", "/oneOf"}});
  ExpectCases(R"({"allOf": [{"type": "integer"}, {"minimum": 5}]})",
              {{"7", "-"}, {"3", "", "/allOf/1/minimum"}});
  ExpectCases(R"({"not": {"type": "null"}})", {{"1", "-"}, {"null", "", "/not"}});
}

TEST(JsonSchema, References) {
  constexpr std::string_view kTree = R"({
    "$defs": {"node": {"type": "object", "required": ["value"],
      "properties": {"value": {"type": "integer"},
                     "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
    "$ref": "#/$defs/node"})";
  ExpectCases(kTree, {{R"({"value": 1, "children": [{"value": 2}]})", "-"},
                      {R"({"value": 1, "children": [{"value": "x"}]})", "/children/0/value"}});
  ExpectCases(R"({"definitions": {"s": {"type": "string"}}, "items": {"$ref": "#/definitions/s"}})",
              {{"[\"a\"]", "-"}, {"[1]", "/0"}});
  // A schema that refers to itself without consuming the instance is cut off, not looped.
  const JsonSchema loop = JsonSchema::Compile(J(R"({"$ref": "#"})")).value();
  const std::optional<SchemaViolation> v = loop.Validate(J("1"));
  ASSERT_TRUE(v.has_value());
  EXPECT_THAT(v->message, HasSubstr("too deep"));
}

TEST(JsonSchema, BudgetStopsCombinatorialSchemas) {
  // Nested anyOf whose branches all fail late: 2^depth applications without the budget.
  std::string schema = R"({"type": "string"})";
  for (int i = 0; i < 40; ++i) {
    schema = R"({"anyOf": [)" + schema + ", " + schema + R"(, {"type": "string"}]})";
    if (schema.size() > 20000) {
      break;
    }
  }
  StatusOr<JsonSchema> compiled = JsonSchema::Compile(J(schema), {.max_nodes = 1'000'000});
  if (!compiled.ok()) {
    EXPECT_THAT(compiled.status().message(), HasSubstr("too many subschemas"));
    return;
  }
  const std::optional<SchemaViolation> v = compiled->Validate(J("1"));
  ASSERT_TRUE(v.has_value());
}

TEST(JsonSchema, DeepInstancesAreBounded) {
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  const JsonSchema schema = JsonSchema::Compile(J(R"({"$defs": {"a": {"items": {"$ref":
      "#/$defs/a"}}}, "$ref": "#/$defs/a"})")).value();
  const std::optional<SchemaViolation> v = schema.Validate(J(deep));
  ASSERT_TRUE(v.has_value());
  EXPECT_THAT(v->message, HasSubstr("too deep"));
}

TEST(JsonSchema, SchemaErrors) {
  const std::string_view kBad[] = {
      R"({"type": "int"})",
      R"({"type": 5})",
      R"({"minimum": "1"})",
      R"({"minLength": -1})",
      R"({"pattern": "("})",
      R"({"required": "name"})",
      R"({"properties": [1]})",
      R"({"anyOf": []})",
      R"({"$ref": "#/$defs/missing"})",
      R"({"$ref": "https://example.com/schema"})",
      R"({"items": 3})",
      R"({"multipleOf": 0})",
      "3",
  };
  for (std::string_view text : kBad) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(JsonSchema::Compile(J(text)).ok());
  }
  // Unknown keywords are annotations.
  EXPECT_TRUE(JsonSchema::Compile(J(R"({"title": "x", "format": "date", "x-extra": 1})")).ok());
}

TEST(FormatJsonSchema, ThroughTheRegistry) {
  constexpr std::string_view kReward =
      "{type: format.json, schema: {type: object, required: [name], properties: {name: {type: "
      "string, enum: [get_weather]}, arguments: {type: object, required: [city]}}}}";
  const testutil::TextCase kCases[] = {
      {R"({"name": "get_weather", "arguments": {"city": "Paris"}})", 1, ""},
      {R"({"name": "get_time"})", 0, "schema_violation"},
      {R"({"name": "get_weather", "arguments": {}})", 0, "schema_violation"},
      {"not json", 0, "invalid_json"},
  };
  testutil::ExpectTextScores(kReward, kCases);
  const Result r =
      testutil::ScoreText(kReward, R"({"name": "get_weather", "arguments": {"town": "x"}})");
  EXPECT_THAT(r.explanation, HasSubstr("\"/arguments\""));
  EXPECT_THAT(r.explanation, HasSubstr("city"));
  EXPECT_THAT(testutil::ConfigError("reward: {type: format.json, schema: {type: int}}"),
              HasSubstr("unknown type"));
  EXPECT_THAT(testutil::ConfigError(
                  "reward: {type: format.json, schema: {type: object}, schema_field: s}"),
              HasSubstr("not both"));
}

TEST(FormatJsonSchema, PerSampleSchema) {
  constexpr std::string_view kReward = "{type: format.json, schema_field: schema}";
  const Result ok = testutil::Score(
      kReward, R"({"completion": "{\"n\": 3}", "metadata": {"schema": {"properties":
          {"n": {"type": "integer", "maximum": 5}}}}})");
  EXPECT_EQ(ok.reward, 1.0) << ok.reason << " " << ok.explanation;
  const Result bad = testutil::Score(
      kReward, R"({"completion": "{\"n\": 9}", "metadata": {"schema": {"properties":
          {"n": {"type": "integer", "maximum": 5}}}}})");
  EXPECT_EQ(bad.reward, 0.0);
  EXPECT_EQ(bad.reason, "schema_violation");
  EXPECT_THAT(bad.explanation, HasSubstr("\"/n\""));
  const Result missing = testutil::Score(kReward, R"({"completion": "{}"})");
  EXPECT_EQ(missing.status, ScoreStatus::kUnscorable);
  const Result broken = testutil::Score(
      kReward, R"({"completion": "{}", "metadata": {"schema": {"type": "nope"}}})");
  EXPECT_EQ(broken.status, ScoreStatus::kUnscorable);
  EXPECT_EQ(broken.reason, "reference_unparseable");
}

}  // namespace
}  // namespace merit::format
