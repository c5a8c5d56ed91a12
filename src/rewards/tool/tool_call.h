// Tool calls: the parsed form of what a model asked to call, and the parsers that find them in a
// completion. Shared by tool.calls (ToolRL, spec A §2) and tool.ast (BFCL's AST checker).
//
// Formats understood (ExtractToolCalls tries them in this order):
//   1. OpenAI-style chat messages: the last assistant message's "tool_calls"
//      ([{"function": {"name": ..., "arguments": "<json>" or {...}}}]); also BFCL's result
//      format [{"name": "<json args>"}].
//   2. <tool_call>...</tool_call> blocks: one JSON object per line (ToolRL), or one JSON object or
//      array per block (Hermes/Qwen).
//   3. Python call syntax as BFCL writes it: f(a=1, b="x") or [f(a=1), g(b=[1, 2])].
//   4. A JSON object or list of objects in the text ({"name": ..., "arguments"|"parameters": ...}).
//
// Nothing is ever evaluated: the Python parser is a literal parser (strings, numbers, True/False/
// None, lists, tuples, dicts, names, nested calls) that walks with an explicit stack, so nesting
// depth costs heap (bounded by max_depth), never native stack. All parsers are linear in the input.
//
// Thread safety: stateless functions.
#ifndef MERIT_REWARDS_TOOL_TOOL_CALL_H_
#define MERIT_REWARDS_TOOL_TOOL_CALL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "merit/sample.h"
#include "merit/status.h"

namespace merit::tool {

struct ToolCall {
  std::string name;
  Json arguments = Json::Obj();  // Always an object: keyword arguments in source order.
  // Python syntax only: how many positional arguments the call had. BFCL's decoder ignores them
  // when the call also has keyword arguments and rejects a call that has none.
  std::size_t positional = 0;
};

// Python-typed views of a Json value. Numbers keep their source text, which says int or float
// (Python's json.loads and ast agree: "5" is int, "5.0" and "1e3" are float).
enum class PyType : std::uint8_t { kNone, kBool, kInt, kFloat, kStr, kList, kDict };

PyType PyTypeOf(const Json& value);
std::string_view PyTypeName(PyType type);  // Python's names: "int", "str", "list", ...

// Python's == on JSON-shaped values: 1 == 1.0, True == 1, "5" != 5, dict key order irrelevant.
// Iterative (explicit stack), so any depth is safe.
bool PyEquals(const Json& a, const Json& b);

// A float Json whose text marks it as a Python float (for int -> float promotion).
Json PyFloat(double value);

struct PythonParseOptions {
  // Nesting limit for lists, dicts, tuples and calls together; deeper input is a parse error.
  std::size_t max_depth = 32;
  // Most top-level calls accepted.
  std::size_t max_calls = 256;
  // Java/JavaScript prompt mode (BFCL parses those with a Java/JS grammar and keeps every
  // argument as its source text): each keyword value is its source text, with one pair of
  // enclosing double quotes removed, never unescaped.
  bool values_as_source_text = false;
};

// Parses `[f(a=1), g(b="x")]`, `f(a=1)` or `f(a=1), g(b=2)` (BFCL wraps text that does not start
// with '[' in brackets). Every element must be a call; names may be dotted (a.b.c). Keyword values
// become Json: strings (escapes decoded, prefixes r/b/u/f honoured), ints and floats, True/False
// (bool), None (null), lists and tuples (arrays), dicts (objects; non-string keys use their text),
// sets are rejected; a bare name or dotted name becomes its text (BFCL's "variable"), a nested call
// with keyword arguments becomes {"name": {args}} and one without becomes its source text.
// Errors: kInvalidArgument with the byte offset, for anything else (operators, lambdas, a
// top-level element that is not a call, unbalanced brackets, too deep, too many calls).
StatusOr<std::vector<ToolCall>> ParsePythonCalls(std::string_view text,
                                                 const PythonParseOptions& options = {});

struct LiteralOptions {
  std::size_t max_depth = 64;
  bool json = true;  // JSON syntax; false: Python literal syntax.
};

// Parses one JSON document (or Python literal) keeping Python's int/float distinction in the
// number text: "1.0" stays a float, as Python's json.loads keeps it. (merit's JsonParser keeps
// the text of integers only, so a JSON 1.0 reads back as "1".) Same parser as ParsePythonCalls:
// iterative, depth-bounded. Errors: kInvalidArgument.
StatusOr<Json> ParseLiteral(std::string_view text, const LiteralOptions& options = {});

// Reads one call object: {"name": ..., "arguments" | "parameters": {...} or "<json>"}, or the
// OpenAI wrapper {"type": "function", "function": {...}}, or BFCL's {"<name>": "<json>" | {...}}.
// String-encoded arguments are decoded with ParseLiteral (JSON), keeping int/float apart.
// Errors: kInvalidArgument saying what is wrong.
StatusOr<ToolCall> ReadCallObject(const Json& object);
// The same, moving the arguments out of `object` instead of copying them.
StatusOr<ToolCall> ReadCallObject(Json&& object);

// Where ExtractToolCalls found the calls.
enum class CallSource : std::uint8_t { kNone, kMessages, kTags, kPython, kJson };

struct ExtractOptions {
  bool messages = true;  // Chat messages' tool_calls.
  bool tags = true;      // <tool_call> blocks.
  bool python = true;    // Python call syntax.
  bool json = true;      // A JSON object or list in the text.
  PythonParseOptions python_options = {};
  std::size_t max_json_depth = 64;
};

struct ExtractedCalls {
  CallSource source = CallSource::kNone;
  std::vector<ToolCall> calls;
};

// Finds the tool calls of a completion, trying the enabled formats in the order listed at the
// top of this file; the first format that is present decides. A format that is present but does
// not parse (a <tool_call> line that is not JSON, a Python call with a syntax error) is an error:
// kInvalidArgument, which callers score as a malformed answer. No format present: source kNone
// and no calls.
StatusOr<ExtractedCalls> ExtractToolCalls(const Sample& sample, const ExtractOptions& options);

// The content of every <open>...</close> block, in order (blocks do not nest). `unclosed` is set
// when an opening tag has no closing tag after it.
struct TagBlocks {
  std::vector<std::string_view> blocks;
  bool unclosed = false;
};

TagBlocks FindTagBlocks(std::string_view text, std::string_view open, std::string_view close);

}  // namespace merit::tool

#endif  // MERIT_REWARDS_TOOL_TOOL_CALL_H_
