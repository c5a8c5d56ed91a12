// The call parsers: Python call syntax (values, nesting, errors, hostile input), Java/JS source
// text, call objects, and ExtractToolCalls' format order.
#include "rewards/tool/tool_call.h"

#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "merit/json.h"
#include "merit/sample.h"

namespace merit::tool {
namespace {

using testing::HasSubstr;

// JSON with Python's int/float distinction (ParseLiteral), as tool calls are read.
Json J(std::string_view text) { return ParseLiteral(text).value(); }

// Calls as compact text: name(args-json);name(args-json)
std::string Dump(const std::vector<ToolCall>& calls) {
  std::string out;
  for (const ToolCall& call : calls) {
    if (!out.empty()) {
      out += ";";
    }
    out += call.name + call.arguments.Dump();
    if (call.positional > 0) {
      out += "+" + std::to_string(call.positional);
    }
  }
  return out;
}

std::string ParseDump(std::string_view text, PythonParseOptions options = {}) {
  StatusOr<std::vector<ToolCall>> calls = ParsePythonCalls(text, options);
  if (!calls.ok()) {
    return "error: " + calls.status().message();
  }
  return Dump(*calls);
}

TEST(ParsePythonCalls, Values) {
  struct Case {
    std::string_view text;
    std::string_view want;
  };
  const Case kCases[] = {
      {"[f(a=1)]", R"(f{"a":1})"},
      {"f(a=1)", R"(f{"a":1})"},
      {"f(a=1), g(b=2)", R"(f{"a":1};g{"b":2})"},
      {"[math.factorial(number=5)]", R"(math.factorial{"number":5})"},
      {R"([f(s="x", t='y', u="""z""", v=r"\d", w="a\nb", x="\u00e9")])",
       R"(f{"s":"x","t":"y","u":"z","v":"\\d","w":"a\nb","x":"é"})"},
      {R"([f(s="a" 'b')])", R"(f{"s":"ab"})"},
      {"[f(a=-1, b=2.5, c=1e3, d=0x1F, e=1_000, f=-0.5)]",
       R"(f{"a":-1,"b":2.5,"c":1000.0,"d":31,"e":1000,"f":-0.5})"},
      {"[f(a=True, b=False, c=None)]", R"(f{"a":true,"b":false,"c":null})"},
      {"[f(a=[1, [2, 3]], b=(1, 2), c=(1), d={'k': 'v', 1: 2}, e={}, g=[])]",
       R"(f{"a":[1,[2,3]],"b":[1,2],"c":1,"d":{"k":"v","1":2},"e":{},"g":[]})"},
      {"[f(a=[1, 2,], b=(1,))]", R"(f{"a":[1,2],"b":[1]})"},
      {"[f(a=x, b=np.pi)]", R"(f{"a":"x","b":"np.pi"})"},
      {"[f(a=g(x=1), b=h(1, 2))]", R"x(f{"a":{"g":{"x":1}},"b":"h(1, 2)"})x"},
      {"[f(1, 2, a=3)]", R"(f{"a":3}+2)"},
      {"[f()]", "f{}"},
      {"[]", ""},
      {"", ""},
      {"[\n  f(a=1),\n  g(b=2)\n]", R"(f{"a":1};g{"b":2})"},
      {"[f(a=1)]  ", R"(f{"a":1})"},
      // Arithmetic on literals is folded, as BFCL's decoder evaluates a BinOp.
      {"[f(a=1+2, b=2 * 3.5, c=7/2, d=-7 % 3, e=10 - 2 * 3)]",
       R"(f{"a":3,"b":7.0,"c":3.5,"d":2,"e":4})"},
      {"[f(a=data['x'][0])]", R"(f{"a":"data['x'][0]"})"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParseDump(c.text), c.want);
  }
}

TEST(ParsePythonCalls, FloatsAndIntsKeepTheirPythonType) {
  const std::vector<ToolCall> calls = ParsePythonCalls("[f(a=5, b=5.0, c=1e3)]").value();
  EXPECT_EQ(PyTypeOf(*calls[0].arguments.Find("a")), PyType::kInt);
  EXPECT_EQ(PyTypeOf(*calls[0].arguments.Find("b")), PyType::kFloat);
  EXPECT_EQ(PyTypeOf(*calls[0].arguments.Find("c")), PyType::kFloat);
}

TEST(ParsePythonCalls, Errors) {
  const std::string_view kBad[] = {
      "[f(a=1)",             // Unbalanced.
      "[f(a=1)]]",           // Text after the calls.
      "[1, 2]",              // Elements must be calls.
      "[f(a=1), 3]",
      "f(a=1) + g(b=2)",
      "[f(a=x+1)]",          // Only literals are folded; nothing is evaluated.
      "[f(a=2**3)]",
      "[f(a=1/0)]",
      "[f(a=lambda x: x)]",
      "[f(a={1, 2})]",       // Sets.
      "[f(a=1, a=2)]",       // Repeated keyword.
      "[f(a=1, 2)]",         // Positional after keyword.
      "[f(a='unterminated)]",
      "[f(a=1j)]",
      "```json\n[f(a=1)]\n```",
      "[f(a=\"\\N{DASH}\")]",
      "f(**kwargs)",
      "[f(a=[1, 2)]",        // Mismatched closer.
      "[f(a={'k' 'v'})]",    // Set-like brace.
      "[f(a={'k': })]",
  };
  for (std::string_view text : kBad) {
    SCOPED_TRACE(text);
    EXPECT_THAT(ParseDump(text), HasSubstr("error:"));
  }
}

TEST(ParsePythonCalls, DepthAndCountAreBounded) {
  std::string deep = "[f(a=";
  for (int i = 0; i < 100000; ++i) {
    deep += "[";
  }
  EXPECT_THAT(ParseDump(deep), HasSubstr("too deep"));
  std::string ok_depth = "[f(a=" + std::string(20, '[') + std::string(20, ']') + ")]";
  EXPECT_EQ(ParseDump(ok_depth, {.max_depth = 32}).substr(0, 1), "f");
  EXPECT_THAT(ParseDump(ok_depth, {.max_depth = 8}), HasSubstr("too deep"));
  std::string many = "[";
  for (int i = 0; i < 300; ++i) {
    many += "f(a=1),";
  }
  many += "]";
  EXPECT_THAT(ParseDump(many), HasSubstr("too many calls"));
}

TEST(ParsePythonCalls, SourceTextValuesForJavaAndJavaScript) {
  const PythonParseOptions options{.values_as_source_text = true};
  EXPECT_EQ(ParseDump("[A.b(controller=mapController, parent=\"mapArea\")]", options),
            R"(A.b{"controller":"mapController","parent":"mapArea"})");
  EXPECT_EQ(ParseDump(R"([f(m=new HashMap<String, Object>() {{put("k", "v");}}, n=[1, 2])])",
                      options),
            R"(f{"m":"new HashMap<String, Object>() {{put(\"k\", \"v\");}}","n":"[1, 2]"})");
  EXPECT_EQ(ParseDump(R"([f(s="'quoted'", cb=(x) => x + 1)])", options),
            R"(f{"s":"'quoted'","cb":"(x) => x + 1"})");
  EXPECT_THAT(ParseDump("[f(a=\"unterminated)]", options), HasSubstr("error:"));
}

TEST(ReadCallObject, Shapes) {
  struct Case {
    std::string_view json;
    std::string_view want;
  };
  const Case kCases[] = {
      {R"({"name": "f", "arguments": {"a": 1}})", R"(f{"a":1})"},
      {R"({"name": "f", "arguments": "{\"a\": 1}"})", R"(f{"a":1})"},
      {R"({"name": "f", "parameters": {"a": 1}})", R"(f{"a":1})"},
      {R"({"name": "f"})", "f{}"},
      {R"({"type": "function", "function": {"name": "f", "arguments": "{}"}})", "f{}"},
      {R"({"f": "{\"a\": [1]}"})", R"(f{"a":[1]})"},
      {R"({"f": {"a": 2}})", R"(f{"a":2})"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.json);
    StatusOr<ToolCall> call = ReadCallObject(J(c.json));
    ASSERT_TRUE(call.ok()) << call.status().message();
    EXPECT_EQ(Dump({*call}), c.want);
  }
  EXPECT_FALSE(ReadCallObject(J(R"({"name": "f", "arguments": "{bad"})")).ok());
  EXPECT_FALSE(ReadCallObject(J(R"({"name": "f", "arguments": "[1]"})")).ok());
  EXPECT_FALSE(ReadCallObject(J(R"([1])")).ok());
  EXPECT_FALSE(ReadCallObject(J(R"({"a": 1, "b": 2})")).ok());
  // A call needs a name: an empty one is an error in both the OpenAI and the BFCL shape
  // (found by tool_calls_fuzzer).
  EXPECT_FALSE(ReadCallObject(J(R"({"name": "", "arguments": {}})")).ok());
  EXPECT_FALSE(ReadCallObject(J(R"({"": " "})")).ok());
}

Sample TextSample(std::string text) {
  Sample sample;
  sample.completion = Json::Str(text);
  sample.completion_text = std::move(text);
  return sample;
}

TEST(ExtractToolCalls, FormatOrder) {
  struct Case {
    std::string_view text;
    CallSource source;
    std::string_view want;
  };
  const Case kCases[] = {
      {"<think>x</think>\n<tool_call>\n{\"name\": \"f\", \"parameters\": {\"a\": 1}}\n"
       "{\"name\": \"g\", \"parameters\": {}}\n</tool_call>",
       CallSource::kTags, R"(f{"a":1};g{})"},
      {"<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}}</tool_call> and "
       "<tool_call>[{\"name\": \"g\", \"arguments\": {}}]</tool_call>",
       CallSource::kTags, R"(f{"a":1};g{})"},
      {"[get_weather(city='Paris')]", CallSource::kPython, R"(get_weather{"city":"Paris"})"},
      {"```\nget_weather(city='Paris')\n```", CallSource::kPython,
       R"(get_weather{"city":"Paris"})"},
      {"Calling: [{\"name\": \"f\", \"arguments\": {\"a\": 1}}]", CallSource::kJson, R"(f{"a":1})"},
      {"```json\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n```", CallSource::kJson,
       R"(f{"a":1})"},
      {"The answer is 42.", CallSource::kNone, ""},
      {"", CallSource::kNone, ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    StatusOr<ExtractedCalls> got = ExtractToolCalls(TextSample(std::string(c.text)), {});
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->source, c.source);
    EXPECT_EQ(Dump(got->calls), c.want);
  }
  const std::string_view kMalformed[] = {
      "<tool_call>\n{\"name\": \"f\", \"parameters\": {}\n</tool_call>",
      "<tool_call>{\"name\": \"f\"}",
      "[get_weather(city='Paris')",
  };
  for (std::string_view text : kMalformed) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ExtractToolCalls(TextSample(std::string(text)), {}).ok());
  }
}

TEST(ExtractToolCalls, ChatMessages) {
  Sample sample;
  sample.completion = J(R"([{"role": "user", "content": "hi"},
      {"role": "assistant", "content": null, "tool_calls": [
        {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}},
        {"id": "2", "type": "function", "function": {"name": "g", "arguments": {}}}]}])");
  StatusOr<ExtractedCalls> got = ExtractToolCalls(sample, {});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->source, CallSource::kMessages);
  EXPECT_EQ(Dump(got->calls), R"(f{"a":1};g{})");
  // BFCL's result format: a list of {name: "<json args>"}.
  sample.completion = J(R"([{"spotify_play": "{\"artist\": \"Taylor Swift\"}"}])");
  got = ExtractToolCalls(sample, {});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Dump(got->calls), R"(spotify_play{"artist":"Taylor Swift"})");
  // An assistant message without tool calls falls through to its text.
  sample.completion = J(R"([{"role": "assistant", "content": "[f(a=1)]"}])");
  sample.completion_text = "[f(a=1)]";
  got = ExtractToolCalls(sample, {});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->source, CallSource::kPython);
}

TEST(PyEquals, PythonSemantics) {
  EXPECT_TRUE(PyEquals(J("1"), J("1.0")));
  EXPECT_TRUE(PyEquals(J("true"), J("1")));
  EXPECT_FALSE(PyEquals(J("\"5\""), J("5")));
  EXPECT_TRUE(PyEquals(J(R"({"a": [1, {"b": null}], "c": "x"})"),
                       J(R"({"c": "x", "a": [1.0, {"b": null}]})")));
  EXPECT_FALSE(PyEquals(J("[1, 2]"), J("[2, 1]")));
  EXPECT_FALSE(PyEquals(J(R"({"a": 1})"), J(R"({"a": 1, "b": 2})")));
  EXPECT_FALSE(PyEquals(J("123456789012345678901"), J("123456789012345678902")));
  EXPECT_FALSE(PyEquals(J("null"), J("0")));
}

}  // namespace
}  // namespace merit::tool
