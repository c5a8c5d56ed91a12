// rubric.carr's parsers on arbitrary bytes: citation extraction, the evidence store built from a
// tool-call history (the input parsed as JSON when it is JSON, else wrapped as one tool output of
// each browser tool), the citation context, rubric entities, the judges' reply parsers, filling
// and the BFS. Checked properties: cited URLs are distinct and carry no jina or view-source
// prefix; the context respects its page and byte caps; entity ids are sorted and
// distinct; a connected rubric is supported.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "merit/json.h"
#include "rewards/rubric/carr.h"

namespace {

void Require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

merit::Json ToolHistory(std::string_view text) {
  using merit::Json;
  Json::Array calls;
  Json::Array outputs;
  const char* tools[] = {"browser.search", "browser.open", "browser.find"};
  for (int i = 0; i < 3; ++i) {
    const std::string id = "c" + std::to_string(i);
    calls.push_back(Json::Obj({{"tool_call_id", Json::Str(id)},
                               {"name", Json::Str(tools[i])},
                               {"arguments", Json::Str(std::string(text.substr(0, 64)))}}));
    outputs.push_back(
        Json::Obj({{"tool_call_id", Json::Str(id)}, {"output", Json::Str(std::string(text))}}));
  }
  return Json::Arr({Json::Obj({{"role", Json::Str("assistant")},
                               {"tool_calls", Json::Arr(std::move(calls))}}),
                    Json::Obj({{"role", Json::Str("tool")},
                               {"content", Json::Arr(std::move(outputs))}})});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Past 16 KiB inputs only lengthen the linear scans.
  if (size > 16384) {
    return 0;
  }
  namespace carr = merit::rubric::carr;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const std::vector<std::string> urls = carr::CitedUrls(carr::JudgedResponse(text), 64);
  Require(urls.size() <= 64);
  for (std::size_t i = 0; i < urls.size(); ++i) {
    Require(urls[i].find("view-source:") == std::string::npos);
    Require(urls[i].find("https://r.jina.ai/") == std::string::npos);
    for (std::size_t j = 0; j < i; ++j) {
      Require(urls[i] != urls[j]);
    }
  }

  merit::JsonParser parser;
  merit::StatusOr<merit::Json> parsed = parser.Parse(text);
  const merit::Json history = parsed.ok() ? *std::move(parsed) : ToolHistory(text);
  const carr::EvidenceStore store = carr::BuildEvidenceStore(history);
  std::vector<std::string> cited = urls;
  for (const carr::Page& page : store.pages) {
    Require(store.by_url.at(page.url) < store.pages.size());
    cited.push_back(page.url);
  }
  const std::string context = carr::CitationContext(store, cited, 3, 4096);
  Require(context.size() <= 4096 + 64);
  std::size_t headers = 0;
  for (std::size_t at = context.find("[Webpage "); at != std::string::npos;
       at = context.find("[Webpage ", at + 1)) {
    ++headers;
  }
  Require(headers <= 3 + 8);  // Page text may itself contain "[Webpage ".

  std::vector<std::string> lines;
  for (std::size_t begin = 0; begin <= text.size() && lines.size() < 64;) {
    const std::size_t end = text.find('\n', begin);
    lines.emplace_back(text.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) {
      break;
    }
    begin = end + 1;
  }
  const carr::Rubrics rubrics = carr::ParseRubrics(lines);
  for (std::size_t i = 1; i < rubrics.entities.size(); ++i) {
    Require(rubrics.entities[i - 1] != rubrics.entities[i]);
  }
  const auto identities = carr::ParseEntityReply(text, rubrics.entities);
  const auto supported = carr::ParseSupportReply(text, rubrics.texts.size());
  (void)carr::ParseOutcomeReply(text);
  std::vector<std::optional<std::string>> fill(rubrics.entities.size(), std::string("x"));
  if (identities) {
    fill = *identities;
  }
  std::vector<bool> support(rubrics.texts.size(), true);
  for (std::size_t r = 0; r < rubrics.texts.size(); ++r) {
    support[r] = carr::FillRubric(rubrics, r, fill).has_value() && (r % 3 != 1);
  }
  if (supported) {
    support = *supported;
  }
  const std::vector<bool> connected = carr::ConnectedRubrics(rubrics, support);
  for (std::size_t r = 0; r < connected.size(); ++r) {
    Require(!connected[r] || support[r]);
  }
  return 0;
}
