// BFCL's AST checker (gorilla bfcl_eval/eval_checker/ast_eval/ast_checker.py), re-implemented:
// decides whether decoded tool calls answer a BFCL question, given the function docs and the
// ground truth ("possible answers": for each expected call, each parameter's list of acceptable
// values, "" marking the parameter optional).
//
// The checks, in BFCL's order (the first failure decides):
//   count: simple expects exactly one call; multiple one call (checked against the ground
//     truth's function); parallel as many calls as the ground truth, matched order-free (each
//     expected call takes the first unused output call that passes the single-call check).
//   single call: name; required parameters present; every given parameter documented and in the
//     ground truth; type (int accepted for float in Python; tuples are lists; array element types
//     one level deep; a string where the ground truth holds strings for a non-string parameter is
//     a "variable" and passes); value among the acceptable ones (strings compared after BFCL's
//     standardisation: delete " ,./-_*^", lower-case, ' -> "; lists element-wise in order; dicts
//     key by key); every ground-truth parameter given unless "" is acceptable.
//   Java / JavaScript: every value must be a string holding a literal, converted first by ports
//     of BFCL's java_type_converter / js_type_converter.
//
// Thread safety: stateless functions.
#ifndef MERIT_REWARDS_TOOL_BFCL_H_
#define MERIT_REWARDS_TOOL_BFCL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "merit/json.h"
#include "rewards/tool/tool_call.h"

namespace merit::tool::bfcl {

enum class Language : std::uint8_t { kPython, kJava, kJavaScript };

enum class Category : std::uint8_t { kSimple, kMultiple, kParallel, kIrrelevance, kRelevance };

// BFCL's dispatch on a test category name: "irrelevance" and "relevance" first, then
// "parallel", then "multiple", else simple.
Category CategoryFromName(std::string_view name);
// "javascript" -> JavaScript, "java" -> Java, else Python.
Language LanguageFromName(std::string_view name);

// How output function names are compared with documented ones.
enum class NameMatch : std::uint8_t {
  kExact,
  // BFCL's underscore_to_dot models (OpenAI-style APIs forbid '.' in names): a documented
  // "a.b" is expected as "a_b".
  kUnderscore,
  // Either of the two.
  kEither,
};

struct CheckResult {
  bool valid = true;
  // BFCL's error_type ("simple_function_checker:missing_required", "value_error:string", ...);
  // a static literal, empty when valid.
  std::string_view error_type = {};
  std::string error = {};  // Human-readable detail.
};

struct CheckOptions {
  Language language = Language::kPython;
  Category category = Category::kParallel;
  NameMatch name_match = NameMatch::kExact;
};

// REQUIRES: category is not kIrrelevance/kRelevance (those need only the decoded call count).
// `functions` is the list of function docs (or one doc object); `ground_truth` the list of
// {name: {param: [acceptable values]}}. Malformed docs or ground truth give valid = false with
// error_type "bfcl:bad_reference".
CheckResult CheckCalls(std::span<const ToolCall> calls, const Json& functions,
                       const Json& ground_truth, const CheckOptions& options);

// BFCL's standardize_string.
std::string StandardizeString(std::string_view text);

// Ports of BFCL's converters: the typed value of a Java/JavaScript literal, or the string itself
// when it is not one of the documented type. `nested_type` is the element type of arrays.
Json ConvertJava(std::string_view value, std::string_view type, std::string_view nested_type);
Json ConvertJavaScript(std::string_view value, std::string_view type, std::string_view nested_type);

}  // namespace merit::tool::bfcl

#endif  // MERIT_REWARDS_TOOL_BFCL_H_
