// tool.ast against BFCL's own verdicts on real model outputs (shared/data/tools, see its README):
// for every row of bfcl_verdicts_*.jsonl, merit's verdict must equal BFCL's `valid` on at least
// 99% of rows per file; every disagreement is printed (and written to
// <build>/bfcl_disagreements.txt) so docs/tools.md can explain each one. Also: every ground-truth
// answer of the BFCL question files, written out as a call, scores 1, and documented
// perturbations of it score 0.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "merit/json.h"
#include "merit/registry.h"
#include "merit/reward.h"
#include "merit/sample.h"

#include "rewards/families.h"
#include "rewards/tool/bfcl.h"
#include "rewards/tool/tool_call.h"

namespace merit {
namespace {

namespace bfcl = tool::bfcl;

const std::string kDataDir = MERIT_SOURCE_DIR "/../shared/data/tools/";

std::vector<Json> ReadJsonl(const std::string& path) {
  std::vector<Json> rows;
  std::ifstream in(path);
  if (!in) {
    return rows;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    // ParseLiteral keeps 1.0 a float, as Python's json.loads does; BFCL's type checks need it.
    StatusOr<Json> row = tool::ParseLiteral(line, {.max_depth = 256});
    if (!row.ok()) {
      ADD_FAILURE() << path << ": " << row.status().message();
      continue;
    }
    rows.push_back(std::move(*row));
  }
  return rows;
}

std::unique_ptr<const Reward> MakeAst(std::string_view yaml_like_json) {
  static const Registry registry = [] {
    Registry r;
    RegisterToolRewards(r);
    return r;
  }();
  JsonParser parser;
  const Json node = parser.Parse(yaml_like_json).value();
  const Registry::Entry* entry = registry.Find("tool.ast");
  const std::string_view ignored[] = {"type"};
  return entry->reward(node, ConfigLocation("<test>", "reward"), ignored, {}).value();
}

std::string Str(const Json& row, std::string_view key) {
  const Json* v = row.Find(key);
  return v != nullptr && v->is_string() ? v->str() : std::string();
}

// The 2024 question files write ground truth as a dict keyed by function name (parallel entries
// get _1, _2 suffixes); BFCL then looked each key's doc up by `doc name in key`. Convert to the
// current list form with the documented name.
Json GroundTruthList(const Json& ground_truth, const Json& functions) {
  if (ground_truth.is_array()) {
    return ground_truth;
  }
  Json::Array list;
  for (const auto& [key, params] : ground_truth.object()) {
    std::string name = key;
    if (functions.is_object()) {
      name = Str(functions, "name");
    } else {
      std::size_t best = 0;
      for (const Json& doc : functions.array()) {
        const std::string doc_name = Str(doc, "name");
        if (key.find(doc_name) != std::string::npos && doc_name.size() > best) {
          best = doc_name.size();
          name = doc_name;
        }
      }
    }
    Json::Object entry;
    entry.emplace_back(name, params);
    list.push_back(Json::Obj(std::move(entry)));
  }
  return Json::Arr(std::move(list));
}

struct FileResult {
  std::size_t rows = 0;
  std::size_t agree = 0;
  std::vector<std::string> disagreements;
};

FileResult RunVerdicts(const std::string& file, const std::map<std::string, Json>& questions,
                       bool v1) {
  FileResult result;
  // BFCL scores each model with its own handler: function-calling models whose API forbids '.'
  // in names (OpenAI) compare a.b as a_b; Gemma's handler decodes the first '[' to the last ']'.
  const auto fc = MakeAst(R"({"name_match": "underscore"})");
  const auto prompt = MakeAst(R"({"name_match": "exact"})");
  const auto gemma = MakeAst(R"({"name_match": "exact", "decode": "bracket_span"})");
  const auto openai_prompt = MakeAst(R"({"name_match": "exact", "decode": "raw"})");
  for (const Json& row : ReadJsonl(kDataDir + file)) {
    ++result.rows;
    const std::string id = Str(row, "id");
    const std::string model = Str(row, "model_name");
    const std::string category = Str(row, "test_category");
    const Json* raw = row.Find("model_result_raw");
    Sample sample;
    sample.id = id;
    sample.completion = *raw;
    if (raw->is_string()) {
      sample.completion_text = raw->str();
    }
    Json functions;
    Json ground_truth;
    const std::string key = v1 ? id : category + "/" + id;
    if (auto it = questions.find(key); it != questions.end()) {
      functions = *it->second.Find("function");
      if (const Json* gt = it->second.Find("ground_truth")) {
        ground_truth = GroundTruthList(*gt, functions);
      }
    }
    if (const Json* gt = row.Find("ground_truth"); gt != nullptr && !gt->is_null()) {
      ground_truth = *gt;  // v4 rows carry the ground truth the run was scored against.
    }
    Json::Object reference;
    reference.emplace_back("ground_truth", ground_truth);
    reference.emplace_back("function", functions);
    reference.emplace_back("test_category", Json::Str(category));
    sample.reference = Json::Obj(std::move(reference));
    const bool openai = model.starts_with("gpt-");
    const Reward& reward = raw->is_array()                              ? *fc
                           : model.find("gemma") != std::string::npos ? *gemma
                           : openai                                     ? *openai_prompt
                                                                        : *prompt;
    ScoreContext context;
    const Score score = reward.Evaluate(sample, context);
    const bool merit_valid = score.ok() && score.value == 1.0;
    const bool bfcl_valid = row.Find("valid")->boolean();
    if (merit_valid == bfcl_valid) {
      ++result.agree;
      continue;
    }
    std::string raw_text = raw->is_string() ? raw->str() : raw->Dump();
    if (raw_text.size() > 300) {
      raw_text = raw_text.substr(0, 300) + "...";
    }
    for (char& c : raw_text) {
      c = c == '\n' ? ' ' : c;
    }
    result.disagreements.push_back(fmt::format(
        "{} | {} | {} | bfcl={} ({}) | merit={} ({}: {}) | {}", file, model, id, bfcl_valid,
        Str(row, "error_type"), merit_valid, score.reason, score.explanation, raw_text));
  }
  return result;
}

std::map<std::string, Json> LoadQuestions(bool v1) {
  std::map<std::string, Json> questions;
  if (v1) {
    for (Json& row : ReadJsonl(kDataDir + "bfcl_v1_2024-08_questions.jsonl")) {
      questions.emplace(Str(row, "id"), std::move(row));
    }
    return questions;
  }
  constexpr std::string_view kCategories[] = {
      "simple_python", "simple_java",          "simple_javascript", "multiple",
      "parallel",      "parallel_multiple",    "live_simple",       "live_multiple",
      "live_parallel", "live_parallel_multiple", "irrelevance",     "live_irrelevance",
      "live_relevance"};
  for (std::string_view category : kCategories) {
    for (Json& row : ReadJsonl(fmt::format("{}bfcl_{}.jsonl", kDataDir, category))) {
      questions.emplace(fmt::format("{}/{}", category, Str(row, "id")), std::move(row));
    }
  }
  return questions;
}

bool DataPresent() {
  return std::ifstream(kDataDir + "bfcl_verdicts_v4_gpt-oss.jsonl").good() &&
         std::ifstream(kDataDir + "bfcl_verdicts_v1_2024-08-11.jsonl").good();
}

TEST(BfclVerdicts, AstModeAgreesWithBfcl) {
  if (!DataPresent()) {
    GTEST_SKIP() << "BFCL data not found under " << kDataDir;
  }
  std::ofstream report(MERIT_BINARY_DIR "/bfcl_disagreements.txt");
  std::size_t all_rows = 0;
  std::size_t all_agree = 0;
  for (const bool v1 : {false, true}) {
    const std::string file =
        v1 ? "bfcl_verdicts_v1_2024-08-11.jsonl" : "bfcl_verdicts_v4_gpt-oss.jsonl";
    const FileResult result = RunVerdicts(file, LoadQuestions(v1), v1);
    const double rate = static_cast<double>(result.agree) / static_cast<double>(result.rows);
    std::printf("%s: %zu / %zu agree (%.2f%%), %zu disagreements\n", file.c_str(), result.agree,
                result.rows, 100.0 * rate, result.disagreements.size());
    for (const std::string& line : result.disagreements) {
      std::printf("  %s\n", line.c_str());
      report << line << "\n";
    }
    EXPECT_GE(rate, 0.99) << file;
    all_rows += result.rows;
    all_agree += result.agree;
  }
  std::printf("all: %zu / %zu agree (%.2f%%)\n", all_agree, all_rows,
              100.0 * static_cast<double>(all_agree) / static_cast<double>(all_rows));
  EXPECT_EQ(all_rows, 16482u);
}

// A dict inside the ground truth lists acceptable values per key, like a parameter: pick the
// first of each (a list of such dicts: each one).
Json FirstAcceptable(const Json& value) {
  if (value.is_object()) {
    Json::Object picked;
    for (const auto& [key, options] : value.object()) {
      if (!options.is_array()) {
        return value;
      }
      for (const Json& option : options.array()) {
        if (!(option.is_string() && option.str().empty())) {
          picked.emplace_back(key, option);
          break;
        }
      }
    }
    return Json::Obj(std::move(picked));
  }
  if (value.is_array() && !value.array().empty() && value.array()[0].is_object()) {
    Json::Array items;
    for (const Json& item : value.array()) {
      items.push_back(FirstAcceptable(item));  // Depth 2 at most: BFCL's data nests no further.
    }
    return Json::Arr(std::move(items));
  }
  return value;
}

const Json* FindDoc(const Json& functions, std::string_view name) {
  if (!functions.is_array()) {
    return &functions;
  }
  for (const Json& doc : functions.array()) {
    if (Str(doc, "name") == name) {
      return &doc;
    }
  }
  return nullptr;
}

// The ground truth of one question as function-calling output: each expected call with, per
// parameter, the first acceptable value ("" = optional: left out when nothing else is listed).
// Java/JavaScript values are written as the literals BFCL expects (strings); a collection-typed
// Java/JS parameter makes the entry unusable (nullopt): writing Java collection syntax back is
// beyond this test.
std::optional<Json> GroundTruthCompletion(const Json& ground_truth, const Json& functions,
                                          bfcl::Language language) {
  Json::Array calls;
  for (const Json& expected : ground_truth.array()) {
    const auto& [name, params] = expected.object().front();
    const Json* doc = FindDoc(functions, name);
    if (doc == nullptr) {
      return std::nullopt;
    }
    const Json* properties = doc->Find("parameters")->Find("properties");
    Json::Object args;
    for (const auto& [param, values] : params.object()) {
      const Json* chosen = nullptr;
      bool optional = false;
      for (const Json& v : values.array()) {
        if (v.is_string() && v.str().empty()) {
          optional = true;
        } else if (chosen == nullptr) {
          chosen = &v;
        }
      }
      bool required = false;
      if (const Json* req = doc->Find("parameters")->Find("required"); req != nullptr) {
        for (const Json& r : req->array()) {
          required = required || (r.is_string() && r.str() == param);
        }
      }
      if (chosen == nullptr || (optional && !required)) {
        continue;  // Optional parameters are left out (some are not even documented).
      }
      Json value = FirstAcceptable(*chosen);
      if (language != bfcl::Language::kPython) {
        const Json* details = properties->Find(param);
        const std::string type = details != nullptr ? Str(*details, "type") : "";
        if (value.is_bool()) {
          value = Json::Str(value.boolean() ? "true" : "false");
        } else if (value.is_number()) {
          const bool java_float = type == "float" && language == bfcl::Language::kJava;
          const std::string suffix =
              type == "long" ? "L" : (java_float ? "f" : (type == "Bigint" ? "n" : ""));
          value = Json::Str(value.number_text() + suffix);
        } else if (!value.is_string()) {
          return std::nullopt;
        }
      }
      args.emplace_back(param, std::move(value));
    }
    Json::Object call;
    call.emplace_back("name", Json::Str(name));
    call.emplace_back("arguments", Json::Obj(std::move(args)));
    Json::Object wrapper;
    wrapper.emplace_back("function", Json::Obj(std::move(call)));
    calls.push_back(Json::Obj(std::move(wrapper)));
  }
  Json::Object message;
  message.emplace_back("role", Json::Str("assistant"));
  message.emplace_back("tool_calls", Json::Arr(std::move(calls)));
  return Json::Arr({Json::Obj(std::move(message))});
}

Json& FirstCall(Json& completion) {
  return completion.array()[0].object()[1].second.array()[0].object()[0].second;
}

TEST(BfclGroundTruth, ScoresCorrectAndPerturbationsIncorrect) {
  if (!DataPresent()) {
    GTEST_SKIP() << "BFCL data not found under " << kDataDir;
  }
  const auto reward = MakeAst(R"({"name_match": "exact"})");
  constexpr std::string_view kCategories[] = {
      "simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
      "parallel_multiple", "live_simple", "live_multiple", "live_parallel",
      "live_parallel_multiple"};
  std::size_t checked = 0;
  std::size_t skipped = 0;
  std::size_t perturbed = 0;
  for (std::string_view category : kCategories) {
    const bfcl::Language language = bfcl::LanguageFromName(category);
    for (const Json& row : ReadJsonl(fmt::format("{}bfcl_{}.jsonl", kDataDir, category))) {
      const Json& functions = *row.Find("function");
      const Json& ground_truth = *row.Find("ground_truth");
      std::optional<Json> completion = GroundTruthCompletion(ground_truth, functions, language);
      if (!completion.has_value()) {
        ++skipped;
        continue;
      }
      Sample sample;
      Json::Object reference;
      reference.emplace_back("ground_truth", ground_truth);
      reference.emplace_back("function", functions);
      reference.emplace_back("test_category", Json::Str(std::string(category)));
      sample.reference = Json::Obj(std::move(reference));
      ScoreContext context;
      const auto score_with = [&](Json c) {
        sample.completion = std::move(c);
        return reward->Evaluate(sample, context);
      };
      const Score truth = score_with(*completion);
      ++checked;
      // BFCL data errors: the ground truth omits a documented required parameter or uses an
      // undocumented one, so BFCL's own checker rejects it too (docs/tools.md).
      constexpr std::string_view kInconsistent[] = {
          "live_simple_106-63-0", "live_simple_112-68-0", "live_multiple_507-149-4",
          "live_multiple_862-181-3", "live_multiple_964-207-0"};
      const bool inconsistent =
          std::find(std::begin(kInconsistent), std::end(kInconsistent), Str(row, "id")) !=
          std::end(kInconsistent);
      EXPECT_EQ(truth.value, inconsistent ? 0.0 : 1.0)
          << Str(row, "id") << ": " << truth.reason << " " << truth.explanation;
      // Perturbations, each of which BFCL's rules make wrong.
      Json wrong_name = *completion;
      Json& call = FirstCall(wrong_name);
      call.Set("name", Json::Str(Str(call, "name") + "_v2"));
      EXPECT_EQ(score_with(wrong_name).value, 0.0) << Str(row, "id") << " wrong function";
      Json extra = *completion;
      extra.array()[0].object()[1].second.array().push_back(
          extra.array()[0].object()[1].second.array()[0]);
      EXPECT_EQ(score_with(extra).value, 0.0) << Str(row, "id") << " extra call";
      const Json* first_doc = FindDoc(functions, Str(FirstCall(*completion), "name"));
      const Json* required = first_doc->Find("parameters")->Find("required");
      Json& args = FirstCall(*completion).object()[1].second;
      if (required != nullptr && required->is_array() && !required->array().empty() &&
          args.Find(required->array()[0].str()) != nullptr) {
        Json missing = *completion;
        Json::Object& missing_args = FirstCall(missing).object()[1].second.object();
        std::erase_if(missing_args,
                      [&](const auto& kv) { return kv.first == required->array()[0].str(); });
        EXPECT_EQ(score_with(missing).value, 0.0) << Str(row, "id") << " missing required";
        ++perturbed;
      }
      if (!args.object().empty()) {
        Json wrong_type = *completion;
        Json& value = FirstCall(wrong_type).object()[1].second.object()[0].second;
        // A dict where anything but a dict is expected, a list where a dict is.
        Json::Object bogus;
        bogus.emplace_back("bogus", Json::Num(1, "1"));
        value = value.is_object() ? Json::Arr({Json::Num(1, "1")}) : Json::Obj(std::move(bogus));
        EXPECT_EQ(score_with(wrong_type).value, 0.0) << Str(row, "id") << " wrong type";
      }
    }
  }
  std::printf("ground truth: %zu entries scored, %zu skipped (Java/JS collections), %zu "
              "missing-required perturbations\n",
              checked, skipped, perturbed);
  EXPECT_GT(checked, 2400u);
}

}  // namespace
}  // namespace merit
