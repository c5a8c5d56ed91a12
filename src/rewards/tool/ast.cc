// tool.ast: BFCL's AST verdict as a 0/1 reward (bfcl.h has the checks).
//
// Inputs. The reference is BFCL's ground truth (a list of {name: {param: [acceptable values]}}),
// or an object {"ground_truth": [...], "function": [...], "test_category": "..."}; function docs
// and the test category may instead sit in the sample's metadata under the same names
// ("functions" and "tools" are accepted for the docs). Chat completions are read as function-
// calling output (tool_calls, or BFCL's [{name: "<json args>"}]); text completions are decoded
// as BFCL's prompt mode does (Python call syntax, or Java/JavaScript with source-text values).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "rewards/tool/bfcl.h"
#include "rewards/tool/tool.h"
#include "rewards/tool/tool_call.h"

namespace merit::tool {
namespace {

const Json* FindIn(const Json& object, std::initializer_list<std::string_view> names) {
  if (!object.is_object()) {
    return nullptr;
  }
  for (std::string_view name : names) {
    if (const Json* found = object.Find(name); found != nullptr && !found->is_null()) {
      return found;
    }
  }
  return nullptr;
}

// BFCL's default_decode_ast_prompting trims these three characters only.
std::string_view StripBfcl(std::string_view text) {
  constexpr std::string_view kChars = "`\n ";
  const std::size_t first = text.find_first_not_of(kChars);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kChars) - first + 1);
}

struct Decoded {
  bool ok = false;  // Decoded to a list of well-formed calls.
  std::string_view error_type = {};
  std::string error = {};
  std::vector<ToolCall> calls;
};

class AstReward final : public Reward {
 public:
  explicit AstReward(const AstOptions& options) : options_(options) {}

  Score Evaluate(const Sample& sample, ScoreContext&) const override {
    const Json& reference = sample.reference;
    const Json* ground_truth =
        reference.is_array() ? &reference : FindIn(reference, {"ground_truth"});
    const Json* functions = FindIn(reference, {"function", "functions", "tools"});
    if (functions == nullptr) {
      functions = FindIn(sample.metadata, {"function", "functions", "tools"});
    }
    const Json* category_json = FindIn(reference, {"test_category"});
    if (category_json == nullptr) {
      category_json = FindIn(sample.metadata, {"test_category"});
    }
    const std::string_view category_name =
        category_json != nullptr && category_json->is_string()
            ? std::string_view(category_json->str())
            : std::string_view(sample.data_source);

    bfcl::CheckOptions check;
    check.category = options_.category == "auto"
                         ? (category_name.empty() ? bfcl::Category::kParallel
                                                  : bfcl::CategoryFromName(category_name))
                         : bfcl::CategoryFromName(options_.category);
    check.language = options_.language == "auto" ? bfcl::LanguageFromName(category_name)
                                                 : bfcl::LanguageFromName(options_.language);
    check.name_match = options_.name_match == "exact"        ? bfcl::NameMatch::kExact
                       : options_.name_match == "underscore" ? bfcl::NameMatch::kUnderscore
                                                             : bfcl::NameMatch::kEither;

    const Decoded decoded = Decode(sample, check.language);
    if (check.category == bfcl::Category::kIrrelevance) {
      if (decoded.ok && !decoded.calls.empty()) {
        return Score{.value = 0.0,
                     .reason = "irrelevance_error:decoder_success",
                     .explanation = "called a function where none applies"};
      }
      return Score::Ok(1.0);
    }
    if (check.category == bfcl::Category::kRelevance) {
      if (!decoded.ok || decoded.calls.empty()) {
        return Score{.value = 0.0,
                     .reason = "relevance_error:decoder_failed",
                     .explanation = "no function call where one applies"};
      }
      return Score::Ok(1.0);
    }
    if (ground_truth == nullptr || !ground_truth->is_array() || ground_truth->array().empty()) {
      return Score::Unscorable("no_reference", "tool.ast needs BFCL ground truth");
    }
    if (functions == nullptr) {
      return Score::Unscorable("no_reference", "tool.ast needs function docs");
    }
    if (!decoded.ok) {
      return Score{.value = 0.0, .reason = decoded.error_type, .explanation = decoded.error};
    }
    bfcl::CheckResult result = bfcl::CheckCalls(decoded.calls, *functions, *ground_truth, check);
    if (result.valid) {
      return Score::Ok(1.0);
    }
    if (result.error_type == "bfcl:bad_reference") {
      return Score::Unscorable("reference_unparseable", std::move(result.error));
    }
    return Score{.value = 0.0, .reason = result.error_type, .explanation = std::move(result.error)};
  }

 private:
  Decoded Decode(const Sample& sample, bfcl::Language language) const {
    Decoded out;
    if (sample.completion.is_array()) {
      // Function-calling output.
      StatusOr<ExtractedCalls> extracted = ExtractToolCalls(
          sample, {.messages = true, .tags = false, .python = false, .json = false});
      if (!extracted.ok()) {
        out.error_type = "ast_decoder:decoder_failed";
        out.error = extracted.status().message();
        return out;
      }
      if (extracted->source == CallSource::kMessages || sample.completion.array().empty()) {
        out.ok = true;
        out.calls = std::move(extracted->calls);
        return out;
      }
      // Chat messages without tool calls: decode the assistant's text as prompt mode.
    }
    std::string_view text = sample.completion_text;
    std::string wrapped;
    if (options_.decode == "bracket_span") {
      const std::size_t first = text.find('[');
      const std::size_t last = text.rfind(']');
      if (first == std::string_view::npos || last == std::string_view::npos || last < first) {
        out.error_type = "ast_decoder:decoder_failed";
        out.error = "no [...] in the completion";
        return out;
      }
      text = text.substr(first, last - first + 1);
    } else if (options_.decode == "raw") {
      // BFCL's 2024 OpenAI prompt handler: Python's ast.parse on the text as it is, which must
      // be a list; blank lines may lead, an indented first line is an IndentationError.
      bool line_start = true;
      std::size_t p = 0;
      while (p < text.size() && (text[p] == ' ' || text[p] == '\t' || text[p] == '\n' ||
                                 text[p] == '\r')) {
        line_start = text[p] == '\n';
        ++p;
      }
      text.remove_prefix(p);
      if (!line_start || !text.starts_with('[')) {
        out.error_type = "ast_decoder:decoder_failed";
        out.error = line_start ? "not a Python list" : "unexpected indent";
        return out;
      }
    } else {
      // BFCL's default decoding: strip, then add whichever bracket is missing at either end.
      text = StripBfcl(text);
      if (!text.starts_with('[') || !text.ends_with(']')) {
        wrapped.assign(text.starts_with('[') ? "" : "[");
        wrapped.append(text);
        if (!text.ends_with(']')) {
          wrapped.push_back(']');
        }
        text = wrapped;
      }
    }
    PythonParseOptions parse_options{.max_depth = static_cast<std::size_t>(options_.max_depth)};
    parse_options.values_as_source_text = language != bfcl::Language::kPython;
    StatusOr<std::vector<ToolCall>> calls = ParsePythonCalls(text, parse_options);
    if (!calls.ok()) {
      out.error_type = "ast_decoder:decoder_failed";
      out.error = calls.status().message();
      return out;
    }
    for (const ToolCall& call : *calls) {
      // BFCL decodes a call without keyword arguments to its source text, which is not the
      // {name: {args}} format it requires.
      if (call.arguments.object().empty()) {
        out.error_type = "ast_decoder:decoder_wrong_output_format";
        out.error = fmt::format("call to {} has no keyword arguments", call.name);
        return out;
      }
    }
    out.ok = true;
    out.calls = std::move(*calls);
    return out;
  }

  const AstOptions options_;
};

}  // namespace

RewardOr MakeAst(const AstOptions& options) {
  return std::unique_ptr<const Reward>(std::make_unique<AstReward>(options));
}

}  // namespace merit::tool
