// tool.ast (BFCL's AST checker): each rule on small hand-written cases, through the registry, and
// the pure helpers (string standardisation, Java/JavaScript converters).
#include "rewards/tool/bfcl.h"

#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/json.h"
#include "rewards/tool/tool_call.h"
#include "testutil/testutil.h"

namespace merit::tool::bfcl {
namespace {

constexpr std::string_view kFunctions = R"([
  {"name": "calc.area", "parameters": {"type": "dict", "required": ["base", "height"],
   "properties": {"base": {"type": "integer"}, "height": {"type": "float"},
                  "unit": {"type": "string"}, "dims": {"type": "array", "items": {"type": "float"}},
                  "opts": {"type": "dict"}}}},
  {"name": "get_time", "parameters": {"type": "dict", "required": ["tz"],
   "properties": {"tz": {"type": "string"}}}}])";

constexpr std::string_view kArea =
    R"({"calc.area": {"base": [10], "height": [5.0], "unit": ["units", ""],
        "dims": [[1.5, 2.0], ""], "opts": [{"mode": ["fast", "quick"], "n": [1, ""]}, ""]}})";

std::string Sample(std::string_view completion_json, std::string_view ground_truth,
                   std::string_view category) {
  return std::string(R"({"completion": )") + std::string(completion_json) +
         R"(, "reference": {"ground_truth": )" + std::string(ground_truth) +
         R"(, "function": )" + std::string(kFunctions) + R"(, "test_category": ")" +
         std::string(category) + "\"}}";
}

struct Case {
  std::string_view completion;  // JSON: a string (prompt mode) or messages.
  std::string_view want_reason;  // Empty: valid.
};

void ExpectCases(std::string_view yaml, std::string_view ground_truth, std::string_view category,
                 std::span<const Case> cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.completion);
    const Result r = testutil::Score(yaml, Sample(c.completion, ground_truth, category));
    ASSERT_EQ(r.status, ScoreStatus::kOk) << r.reason << " " << r.explanation;
    EXPECT_EQ(r.reward, c.want_reason.empty() ? 1.0 : 0.0) << r.reason << " " << r.explanation;
    EXPECT_EQ(r.reason, c.want_reason) << r.explanation;
  }
}

TEST(ToolAst, SimpleFunctionChecks) {
  const std::string gt = "[" + std::string(kArea) + "]";
  const Case kCases[] = {
      {R"("[calc.area(base=10, height=5)]")", ""},
      {R"x("calc.area(base=10, height=5.0, unit='Units')")x", ""},  // Wrapped; case-insensitive.
      {R"("```\n[calc.area(base=10, height=5, unit='u-n.i t_s')]\n```")", ""},  // Normalised.
      // BFCL's nested type check passes when "" (optional) is among the acceptable values, and
      // 2 == 2.0 in the value check.
      {R"("[calc.area(base=10, height=5, dims=[1.5, 2])]")", ""},
      {R"("[calc.area(base=10, height=5, dims=[1.5, 2.0])]")", ""},
      {R"("[calc.area(base=10, height=5, dims=[2.0, 1.5])]")", "value_error:list/tuple"},
      {R"("[calc.area(base=10, height=5, opts={'mode': 'Quick'})]")", ""},
      {R"("[calc.area(base=10, height=5, opts={'mode': 'slow'})]")", "value_error:dict_value"},
      {R"("[calc.area(base=10, height=5, opts={'mode': 'fast', 'x': 1})]")",
       "value_error:dict_key"},
      {R"("[calc.area(base=10.0, height=5)]")", "type_error:simple"},  // No float -> int.
      {R"("[calc.area(base='10', height=5)]")", "type_error:simple"},
      {R"("[calc.area(base=b, height=5)]")", "type_error:simple"},
      {R"("[calc.area(base=11, height=5)]")", "value_error:others"},
      {R"("[calc.area(base=10, height=5, unit='m')]")", "value_error:string"},
      {R"("[calc.area(base=10)]")", "simple_function_checker:missing_required"},
      {R"("[calc.area(base=10, height=5, color='red')]")",
       "simple_function_checker:unexpected_param"},
      {R"("[calc.volume(base=10, height=5)]")", "simple_function_checker:wrong_func_name"},
      {R"("[calc.area(base=10, height=5), get_time(tz='UTC')]")",
       "simple_function_checker:wrong_count"},
      {R"("[]")", "simple_function_checker:wrong_count"},
      {R"("[calc.area(10, 5)]")", "ast_decoder:decoder_wrong_output_format"},
      {R"("I cannot help with that.")", "ast_decoder:decoder_failed"},
      {R"("```json\n[calc.area(base=10, height=5)]\n```")", "ast_decoder:decoder_failed"},
      // Function-calling output: OpenAI tool_calls and BFCL's result format.
      {R"([{"role": "assistant", "tool_calls": [{"type": "function",
          "function": {"name": "calc_area", "arguments": "{\"base\": 10, \"height\": 5}"}}]}])",
       ""},
      {R"([{"calc.area": "{\"base\": 10, \"height\": 5.5}"}])", "value_error:others"},
      {R"([{"calc.area": "{\"base\": 10, "}])", "ast_decoder:decoder_failed"},
  };
  ExpectCases("{type: tool.ast}", gt, "simple", kCases);
}

TEST(ToolAst, NestedTypes) {
  constexpr std::string_view kTagFunctions = R"([{"name": "tag", "parameters": {"type": "dict",
      "required": ["tags"], "properties": {"tags": {"type": "array", "items": {"type":
      "string"}}}}}])";
  const std::string gt = R"([{"tag": {"tags": [["a", "b"]]}}])";
  const auto sample = [&](std::string_view completion) {
    return std::string(R"({"completion": ")") + std::string(completion) +
           R"(", "reference": {"ground_truth": )" + gt + R"(, "function": )" +
           std::string(kTagFunctions) + R"(, "test_category": "simple"}})";
  };
  EXPECT_EQ(testutil::Score("{type: tool.ast}", sample("[tag(tags=['A', 'b'])]")).reward, 1.0);
  const Result nested = testutil::Score("{type: tool.ast}", sample("[tag(tags=[1, 2])]"));
  EXPECT_EQ(nested.reward, 0.0);
  EXPECT_EQ(nested.reason, "type_error:nested");
  EXPECT_EQ(testutil::Score("{type: tool.ast}", sample("[tag(tags=['b', 'a'])]")).reason,
            "value_error:list/tuple");
}

TEST(ToolAst, NameMatchModes) {
  const std::string gt = "[" + std::string(kArea) + "]";
  const std::string_view kUnderscore = R"("[calc_area(base=10, height=5)]")";
  const std::string_view kDot = R"("[calc.area(base=10, height=5)]")";
  const Case kExact[] = {{kDot, ""}, {kUnderscore, "simple_function_checker:wrong_func_name"}};
  ExpectCases("{type: tool.ast, name_match: exact}", gt, "simple", kExact);
  const Case kUnder[] = {{kUnderscore, ""}, {kDot, "simple_function_checker:wrong_func_name"}};
  ExpectCases("{type: tool.ast, name_match: underscore}", gt, "simple", kUnder);
}

TEST(ToolAst, ParallelIsOrderFree) {
  const std::string gt = R"([{"get_time": {"tz": ["UTC"]}}, {"get_time": {"tz": ["CET"]}},
      )" + std::string(kArea) + "]";
  const Case kCases[] = {
      {R"("[calc.area(base=10, height=5), get_time(tz='CET'), get_time(tz='UTC')]")", ""},
      {R"("[get_time(tz='CET'), get_time(tz='UTC'), calc.area(base=10, height=5)]")", ""},
      {R"("[get_time(tz='CET'), get_time(tz='CET'), calc.area(base=10, height=5)]")",
       "parallel_function_checker_no_order:cannot_find_match"},
      {R"("[get_time(tz='CET'), calc.area(base=10, height=5)]")",
       "parallel_function_checker_no_order:wrong_count"},
  };
  ExpectCases("{type: tool.ast}", gt, "parallel_multiple", kCases);
  // Without a category, the parallel rules apply.
  ExpectCases("{type: tool.ast}", gt, "", kCases);
}

TEST(ToolAst, MultipleChecksTheExpectedFunction) {
  const std::string gt = R"([{"get_time": {"tz": ["UTC"]}}])";
  const Case kCases[] = {
      {R"("[get_time(tz='utc')]")", ""},
      {R"("[calc.area(base=10, height=5)]")", "simple_function_checker:wrong_func_name"},
      {R"("[get_time(tz='UTC'), get_time(tz='UTC')]")", "multiple_function_checker:wrong_count"},
  };
  ExpectCases("{type: tool.ast}", gt, "multiple", kCases);
}

TEST(ToolAst, Relevance) {
  const std::string gt = "[]";
  const Case kIrrelevance[] = {
      {R"("I cannot answer that with these tools.")", ""},
      {R"([])", ""},
      {R"("[get_time(tz='UTC')]")", "irrelevance_error:decoder_success"},
  };
  ExpectCases("{type: tool.ast}", gt, "irrelevance", kIrrelevance);
  const Case kRelevance[] = {
      {R"("[get_time(tz='UTC')]")", ""},
      {R"("No.")", "relevance_error:decoder_failed"},
  };
  ExpectCases("{type: tool.ast}", gt, "live_relevance", kRelevance);
}

TEST(ToolAst, JavaAndJavaScript) {
  constexpr std::string_view kJavaFunctions = R"([{"name": "Cache.put", "parameters": {
      "type": "dict", "required": ["key"], "properties": {"key": {"type": "String"},
      "ttl": {"type": "long"}, "ratio": {"type": "float"}, "on": {"type": "boolean"},
      "ids": {"type": "ArrayList", "items": {"type": "integer"}},
      "meta": {"type": "HashMap"}}}}])";
  const std::string gt = R"([{"Cache.put": {"key": ["user:1"], "ttl": [60, ""],
      "ratio": [0.5, ""], "on": [true, ""], "ids": [[1, 2], ""], "meta": [{"a": ["x"]}, ""]}}])";
  const auto sample = [&](std::string_view completion) {
    return std::string(R"({"completion": )") + std::string(completion) +
           R"(, "reference": {"ground_truth": )" + gt + R"(, "function": )" +
           std::string(kJavaFunctions) + R"(, "test_category": "simple_java"}})";
  };
  struct JavaCase {
    std::string_view completion;
    double want;
  };
  const JavaCase kCases[] = {
      {R"("[Cache.put(key=\"user:1\", ttl=60L, ratio=0.5f, on=true)]")", 1},
      {R"("[Cache.put(key='user:1', ids=new ArrayList<Integer>(Arrays.asList(1, 2)))]")", 1},
      {R"("[Cache.put(key=\"user:1\", )"
       R"(meta=new HashMap<String, String>() {{ put(\"a\", \"x\"); }})]")",
       1},
      {R"("[Cache.put(key=\"user:1\", ttl=60)]")", 0},  // A long needs its L.
      {R"([{"Cache_put": "{\"key\": \"user:1\", \"on\": \"true\"}"}])", 1},
      {R"([{"Cache_put": "{\"key\": \"user:1\", \"on\": true}"}])", 0},  // Must be a string.
  };
  for (const JavaCase& c : kCases) {
    SCOPED_TRACE(c.completion);
    const Result r = testutil::Score("{type: tool.ast}", sample(c.completion));
    EXPECT_EQ(r.reward, c.want) << r.reason << " " << r.explanation;
  }
}

TEST(ToolAst, UnscorableWithoutReference) {
  EXPECT_EQ(testutil::Score("{type: tool.ast}", R"({"completion": "[f(a=1)]"})").status,
            ScoreStatus::kUnscorable);
  const Result no_docs = testutil::Score(
      "{type: tool.ast}", R"({"completion": "[f(a=1)]", "reference": [{"f": {"a": [1]}}]})");
  EXPECT_EQ(no_docs.status, ScoreStatus::kUnscorable);
  // Docs may come from metadata.
  const Result with_meta = testutil::Score(
      "{type: tool.ast}",
      R"({"completion": "[f(a=1)]", "reference": [{"f": {"a": [1]}}], "metadata": {"function":
          [{"name": "f", "parameters": {"properties": {"a": {"type": "integer"}}}}]}})");
  EXPECT_EQ(with_meta.reward, 1.0) << with_meta.reason << " " << with_meta.explanation;
}

TEST(Bfcl, StandardizeString) {
  EXPECT_EQ(StandardizeString("April 1, 2024"), "april12024");
  EXPECT_EQ(StandardizeString("New-York_City/NY.*^"), "newyorkcityny");
  EXPECT_EQ(StandardizeString("it's"), "it\"s");
  EXPECT_EQ(StandardizeString("ÉCOLE Đường"), "écoleđường");
}

TEST(Bfcl, JavaConverter) {
  const auto dump = [](std::string_view v, std::string_view t, std::string_view n = "") {
    return ConvertJava(v, t, n).Dump();
  };
  EXPECT_EQ(dump("123", "integer"), "123");
  EXPECT_EQ(dump("12.5", "integer"), "\"12.5\"");
  EXPECT_EQ(dump("3.14f", "float"), "3.14");
  EXPECT_EQ(dump("3.14", "float"), "\"3.14\"");
  EXPECT_EQ(dump("3.14", "double"), "3.14");
  EXPECT_EQ(dump("123L", "long"), "123");
  EXPECT_EQ(dump("true", "boolean"), "true");
  EXPECT_EQ(dump("new int[]{1, 2, 3}", "Array", "integer"), "[1,2,3]");
  EXPECT_EQ(dump("new ArrayList<>(Arrays.asList(\"a\", \"b\"))", "ArrayList", "String"),
            R"(["a","b"])");
  EXPECT_EQ(dump("new ArrayList<Float>() {{ add(1.0f); add(2.0f); }}", "ArrayList", "float"),
            "[1.0,2.0]");
  EXPECT_EQ(dump(R"(new HashMap<String, Object>() {{ put("k1", 1); put("k2", "v"); }})",
                 "HashMap"),
            R"({"k1":1,"k2":"v"})");
  EXPECT_EQ(dump("new HashMap<>()", "HashMap"), "{}");
  EXPECT_EQ(dump("abc", "any"), "\"abc\"");
}

TEST(Bfcl, JavaScriptConverter) {
  const auto dump = [](std::string_view v, std::string_view t, std::string_view n = "") {
    return ConvertJavaScript(v, t, n).Dump();
  };
  EXPECT_EQ(dump("'abc'", "String"), "\"abc\"");
  EXPECT_EQ(dump("abc", "String"), "\"abc\"");
  EXPECT_EQ(dump("123n", "Bigint"), "123");
  EXPECT_EQ(dump("3.14", "float"), "3.14");
  EXPECT_EQ(dump("[1, 2, 3]", "array"), "[1,2,3]");
  EXPECT_EQ(dump("new Array(1, 2)", "array", "integer"), "[1,2]");
  EXPECT_EQ(dump("[[1, 2], [3, 4]]", "array", "array"), "[[1,2],[3,4]]");
  EXPECT_EQ(dump("{'key': 'value', 'n': 123, 'on': true}", "dict"),
            R"({"key":"value","n":123,"on":true})");
  EXPECT_EQ(dump(R"({"initialState": initialStateObject, "middlewares": ["logger"]})", "dict"),
            R"({"initialState":"initialStateObject","middlewares":["logger"]})");
  EXPECT_EQ(dump("{}", "dict"), "{}");
  EXPECT_EQ(dump("not a dict", "dict"), "\"not a dict\"");
}

TEST(Bfcl, CheckCallsDirect) {
  const Json functions = ParseLiteral(kFunctions).value();
  const Json gt = ParseLiteral("[" + std::string(kArea) + "]").value();
  const std::vector<ToolCall> calls =
      ParsePythonCalls("[calc.area(base=10, height=5)]").value();
  EXPECT_TRUE(CheckCalls(calls, functions, gt, {.category = Category::kSimple}).valid);
  const CheckResult bad = CheckCalls(calls, functions, Json::Arr(), {});
  EXPECT_FALSE(bad.valid);
  EXPECT_EQ(bad.error_type, "bfcl:bad_reference");
  EXPECT_EQ(CategoryFromName("live_parallel_multiple"), Category::kParallel);
  EXPECT_EQ(CategoryFromName("live_irrelevance"), Category::kIrrelevance);
  EXPECT_EQ(CategoryFromName("live_relevance"), Category::kRelevance);
  EXPECT_EQ(CategoryFromName("multiple_function"), Category::kMultiple);
  EXPECT_EQ(LanguageFromName("simple_javascript"), Language::kJavaScript);
  EXPECT_EQ(LanguageFromName("java"), Language::kJava);
}

}  // namespace
}  // namespace merit::tool::bfcl
