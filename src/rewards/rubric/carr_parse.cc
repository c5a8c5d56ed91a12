// The pure steps of rubric.carr (carr.h): text parsing, the evidence store and the BFS.
#include <re2/re2.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "rewards/rubric/carr.h"

namespace merit::rubric::carr {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// Removes every occurrence of `what` from `text` (Python's str.replace(what, "")).
void EraseAll(std::string& text, std::string_view what) {
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at)) {
    text.erase(at, what.size());
  }
}

// The longest prefix of `text` of at most `limit` bytes that ends on a UTF-8 boundary.
std::size_t BoundaryBefore(std::string_view text, std::size_t limit) {
  if (limit >= text.size()) {
    return text.size();
  }
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) {
    --limit;
  }
  return limit;
}

// "[<digits>]<one whitespace>Title:<one whitespace>" at `pos`: the length of that header, or 0.
std::size_t SearchHeaderAt(std::string_view text, std::size_t pos) {
  if (pos >= text.size() || text[pos] != '[') {
    return 0;
  }
  std::size_t i = pos + 1;
  while (i < text.size() && IsDigit(text[i])) {
    ++i;
  }
  if (i == pos + 1 || i >= text.size() || text[i] != ']') {
    return 0;
  }
  ++i;
  constexpr std::string_view kTitle = "Title:";
  if (i + 1 + kTitle.size() >= text.size() || !IsSpace(text[i]) ||
      text.substr(i + 1, kTitle.size()) != kTitle || !IsSpace(text[i + 1 + kTitle.size()])) {
    return 0;
  }
  return i + 2 + kTitle.size() - pos;
}

struct SearchBlock {
  std::string_view title;
  std::string_view url;
  std::string_view description;
  std::string_view date;
};

// browser.search output: blocks "[i] Title: ...", "[i] URL Source: ...", "[i] Description: ...",
// optionally "[i] Date: ...", each block ending where the next "[j] Title: " starts. A block
// without its URL Source or Description line is skipped.
std::vector<SearchBlock> ParseSearchOutput(std::string_view text) {
  std::vector<std::size_t> starts;
  for (std::size_t at = text.find('['); at != std::string_view::npos;
       at = text.find('[', at + 1)) {
    if (SearchHeaderAt(text, at) > 0) {
      starts.push_back(at);
    }
  }
  std::vector<SearchBlock> blocks;
  for (std::size_t b = 0; b < starts.size(); ++b) {
    const std::size_t end = b + 1 < starts.size() ? starts[b + 1] : text.size();
    const std::size_t header = SearchHeaderAt(text, starts[b]);
    const std::string_view label =
        text.substr(starts[b], text.find(']', starts[b]) - starts[b] + 1);
    const std::string_view body = text.substr(starts[b] + header, end - starts[b] - header);
    const std::string url_key = std::string(label) + " URL Source: ";
    const std::string description_key = std::string(label) + " Description: ";
    const std::string date_key = std::string(label) + " Date: ";
    const std::size_t url_at = body.find(url_key);
    if (url_at == std::string_view::npos) {
      continue;
    }
    const std::size_t description_at = body.find(description_key, url_at + url_key.size());
    if (description_at == std::string_view::npos) {
      continue;
    }
    const std::size_t date_at = body.find(date_key, description_at + description_key.size());
    SearchBlock block;
    block.title = Trim(body.substr(0, url_at));
    block.url = Trim(body.substr(url_at + url_key.size(),
                                 description_at - url_at - url_key.size()));
    const std::size_t description_begin = description_at + description_key.size();
    if (date_at == std::string_view::npos) {
      block.description = Trim(body.substr(description_begin));
    } else {
      block.description = Trim(body.substr(description_begin, date_at - description_begin));
      block.date = Trim(body.substr(date_at + date_key.size()));
    }
    if (!block.title.empty() && !block.url.empty() && !block.description.empty()) {
      blocks.push_back(block);
    }
  }
  return blocks;
}

// The rest of the line after `key` (leading whitespace, newlines included, skipped), or "".
std::string_view ValueAfter(std::string_view text, std::string_view key) {
  std::size_t at = text.find(key);
  if (at == std::string_view::npos) {
    return {};
  }
  at += key.size();
  while (at < text.size() && IsSpace(text[at])) {
    ++at;
  }
  const std::size_t end = text.find('\n', at);
  return Trim(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
}

struct OpenedPage {
  std::string_view title;
  std::string_view url;
  std::string_view published_time;
  std::string_view content;
};

// browser.open output: "Title:", "URL Source:" (up to whitespace), "Published Time:" and
// everything after "Markdown Content:".
OpenedPage ParseOpenOutput(std::string_view text) {
  OpenedPage page;
  page.title = ValueAfter(text, "Title:");
  page.url = ValueAfter(text, "URL Source:");
  if (const std::size_t space = page.url.find_first_of(" \t\r\v\f");
      space != std::string_view::npos) {
    page.url = page.url.substr(0, space);
  }
  page.published_time = ValueAfter(text, "Published Time:");
  constexpr std::string_view kContent = "Markdown Content:";
  if (const std::size_t at = text.find(kContent); at != std::string_view::npos) {
    page.content = Trim(text.substr(at + kContent.size()));
  }
  return page;
}

struct ToolCall {
  std::string name;
  const Json* arguments = nullptr;  // An object, or null when absent or not a JSON object.
  Json parsed;                      // Owns `arguments` when they came as a JSON string.
};

const Json* StringOrNull(const Json* value) {
  return value != nullptr && value->is_string() ? value : nullptr;
}

// The page for `url`, created on first sight with its title and published time.
Page& PageFor(EvidenceStore& store, std::string_view url, std::string_view title,
              std::string_view published_time) {
  const auto [it, inserted] = store.by_url.try_emplace(std::string(url), store.pages.size());
  if (inserted) {
    store.pages.push_back(Page{.url = std::string(url),
                               .title = std::string(title),
                               .published_time = std::string(published_time)});
  }
  return store.pages[it->second];
}

class StoreBuilder {
 public:
  void AddCalls(const Json& tool_calls) {
    if (!tool_calls.is_array()) {
      return;
    }
    for (const Json& call : tool_calls.array()) {
      const Json* function = call.Find("function");
      const Json* id = StringOrNull(call.Find("tool_call_id"));
      if (id == nullptr) {
        id = StringOrNull(call.Find("id"));
      }
      const Json* holder = function != nullptr && function->is_object() ? function : &call;
      const Json* name = StringOrNull(holder->Find("name"));
      if (id == nullptr || name == nullptr) {
        continue;
      }
      ToolCall entry{.name = name->str()};
      if (const Json* arguments = holder->Find("arguments"); arguments != nullptr) {
        if (arguments->is_object()) {
          entry.parsed = *arguments;
        } else if (arguments->is_string()) {
          StatusOr<Json> parsed = parser_.Parse(arguments->str());
          if (parsed.ok()) {
            entry.parsed = *std::move(parsed);
          }
        }
      }
      calls_.insert_or_assign(id->str(), std::move(entry));
    }
  }

  void AddToolMessage(const Json& message) {
    const Json* content = message.Find("content");
    if (content == nullptr) {
      return;
    }
    if (content->is_string()) {
      const Json* id = StringOrNull(message.Find("tool_call_id"));
      if (id == nullptr) {
        ++store_.skipped_outputs;
        return;
      }
      AddOutput(id->str(), content->str());
      return;
    }
    if (!content->is_array()) {
      ++store_.skipped_outputs;
      return;
    }
    for (const Json& item : content->array()) {
      const Json* id = StringOrNull(item.Find("tool_call_id"));
      if (id == nullptr) {
        continue;  // Not a tool output (e.g. a text part).
      }
      const Json* output = StringOrNull(item.Find("output"));
      if (output == nullptr) {
        ++store_.skipped_outputs;
        continue;
      }
      AddOutput(id->str(), output->str());
    }
  }

  EvidenceStore Take() { return std::move(store_); }

 private:
  void AddOutput(const std::string& id, std::string_view output) {
    if (Trim(output).empty()) {
      return;
    }
    const auto call = calls_.find(id);
    if (call == calls_.end()) {
      ++store_.skipped_outputs;
      return;
    }
    const std::string& name = call->second.name;
    if (name == "browser.search") {
      for (const SearchBlock& block : ParseSearchOutput(output)) {
        PageFor(store_, block.url, block.title, block.date)
            .snippets.emplace_back(block.description);
      }
    } else if (name == "browser.open") {
      const OpenedPage opened = ParseOpenOutput(output);
      if (opened.url.empty()) {
        current_.reset();
        return;
      }
      Page& page = PageFor(store_, opened.url, opened.title, opened.published_time);
      page.contents.emplace_back(opened.content);
      current_ = static_cast<std::size_t>(&page - store_.pages.data());
    } else if (name == "browser.find") {
      const Json& arguments = call->second.parsed;
      const Json* pattern = arguments.is_object() ? StringOrNull(arguments.Find("pattern"))
                                                  : nullptr;
      if (pattern == nullptr) {
        ++store_.skipped_outputs;
        return;
      }
      if (current_) {  // A find before any opened page has nowhere to go.
        store_.pages[*current_].finds.emplace_back(pattern->str(), std::string(output));
      }
    }
  }

  JsonParser parser_;
  std::unordered_map<std::string, ToolCall> calls_;
  std::optional<std::size_t> current_;
  EvidenceStore store_;
};

// Whether text[at] starts "<E<digits>>"; the id ("E12") goes to `id` and its length (with the
// brackets) is returned, or 0.
std::size_t PlaceholderAt(std::string_view text, std::size_t at, std::string_view* id) {
  if (at + 3 >= text.size() || text[at] != '<' || text[at + 1] != 'E') {
    return 0;
  }
  std::size_t i = at + 2;
  while (i < text.size() && IsDigit(text[i])) {
    ++i;
  }
  if (i == at + 2 || i >= text.size() || text[i] != '>') {
    return 0;
  }
  *id = text.substr(at + 1, i - at - 1);
  return i + 1 - at;
}

// Orders entity ids by their number (any number of digits), then by text ("E01" after "E1").
bool EntityLess(std::string_view a, std::string_view b) {
  const auto digits = [](std::string_view id) {
    id.remove_prefix(1);
    while (id.size() > 1 && id.front() == '0') {
      id.remove_prefix(1);
    }
    return id;
  };
  const std::string_view da = digits(a);
  const std::string_view db = digits(b);
  if (da.size() != db.size()) {
    return da.size() < db.size();
  }
  if (da != db) {
    return da < db;
  }
  return a < b;
}

// A fenced JSON object's members by key, or nullopt when the reply has none.
std::optional<Json> FencedObject(std::string_view reply) {
  std::optional<Json> json = FencedJson(reply);
  if (!json || !json->is_object()) {
    return std::nullopt;
  }
  return json;
}

// Whether `object`'s keys are exactly `keys` (each once).
template <typename Keys>
bool KeysAre(const Json& object, const Keys& keys) {
  if (object.object().size() != keys.size()) {
    return false;
  }
  return std::all_of(keys.begin(), keys.end(),
                     [&](const auto& key) { return object.Find(key) != nullptr; });
}

}  // namespace

std::string_view JudgedResponse(std::string_view response) {
  constexpr std::string_view kReferences = "## References";
  const std::size_t at = response.rfind(kReferences);
  if (at == std::string_view::npos) {
    return response;
  }
  return Trim(response.substr(0, at));
}

std::vector<std::string> CitedUrls(std::string_view response, std::size_t max_urls) {
  // RE2 runs in linear time whatever the response; '.' does not cross a newline, as in Python.
  static const RE2 kCitation(R"(\[\d+\]\((?:view-source:)?(https?://.+?)\)[\],])");
  std::vector<std::string> urls;
  std::unordered_set<std::string> seen;
  re2::StringPiece input(response.data(), response.size());
  std::string url;
  while (urls.size() < max_urls && RE2::FindAndConsume(&input, kCitation, &url)) {
    EraseAll(url, "https://r.jina.ai/");
    EraseAll(url, "http://r.jina.ai/");
    EraseAll(url, "view-source:");
    if (seen.insert(url).second) {
      urls.push_back(url);
    }
  }
  return urls;
}

EvidenceStore BuildEvidenceStore(const Json& history) {
  StoreBuilder builder;
  if (!history.is_array()) {
    return builder.Take();
  }
  for (const Json& message : history.array()) {
    const Json* role = StringOrNull(message.Find("role"));
    if (role == nullptr) {
      continue;
    }
    if (role->str() == "assistant") {
      if (const Json* calls = message.Find("tool_calls"); calls != nullptr) {
        builder.AddCalls(*calls);
      }
    } else if (role->str() == "tool") {
      builder.AddToolMessage(message);
    }
  }
  return builder.Take();
}

std::string CitationContext(const EvidenceStore& store, std::span<const std::string> cited,
                            std::size_t max_pages, std::size_t max_bytes) {
  std::string out;
  std::unordered_set<std::string_view> snippets;
  std::unordered_set<std::string_view> contents;
  std::unordered_set<std::string_view> finds;
  std::size_t present = 0;
  for (const std::string& url : cited) {
    if (present == max_pages || out.size() >= max_bytes) {
      break;
    }
    const auto it = store.by_url.find(url);
    if (it == store.by_url.end()) {
      continue;
    }
    const Page& page = store.pages[it->second];
    ++present;
    out += "[Webpage " + std::to_string(present) + "]\nURL Source: " + url + "\n";
    if (!page.title.empty()) {
      out += "Title: " + page.title + "\n";
    }
    if (!page.published_time.empty()) {
      out += "Published Time: " + page.published_time + "\n";
    }
    out += "\n";
    for (const std::string& snippet : page.snippets) {
      if (snippets.insert(snippet).second) {
        out += "Snippet:\n" + snippet + "\n\n";
      }
    }
    for (const std::string& content : page.contents) {
      if (contents.insert(content).second) {
        out += "Content:\n" + content + "\n\n";
      }
    }
    for (const auto& [keyword, matches] : page.finds) {
      if (finds.insert(matches).second) {
        out += "Search Result of Keyword \"" + keyword + "\":\n" + matches + "\n\n";
      }
    }
  }
  if (out.size() > max_bytes) {
    out.resize(BoundaryBefore(out, max_bytes));
    out += "\n[... context cut at max_context_bytes ...]\n";
  }
  return out;
}

Rubrics ParseRubrics(std::vector<std::string> texts) {
  Rubrics rubrics;
  rubrics.texts = std::move(texts);
  std::vector<std::vector<std::string_view>> ids(rubrics.texts.size());
  std::vector<std::string_view> all;
  for (std::size_t r = 0; r < rubrics.texts.size(); ++r) {
    const std::string_view text = rubrics.texts[r];
    for (std::size_t at = text.find('<'); at != std::string_view::npos;
         at = text.find('<', at + 1)) {
      std::string_view id;
      if (PlaceholderAt(text, at, &id) > 0) {
        ids[r].push_back(id);
        all.push_back(id);
      }
    }
  }
  std::sort(all.begin(), all.end(), EntityLess);
  all.erase(std::unique(all.begin(), all.end()), all.end());
  rubrics.entities.assign(all.begin(), all.end());
  rubrics.uses.resize(rubrics.texts.size());
  for (std::size_t r = 0; r < ids.size(); ++r) {
    for (const std::string_view id : ids[r]) {
      const auto index = static_cast<std::size_t>(
          std::lower_bound(all.begin(), all.end(), id, EntityLess) - all.begin());
      std::vector<std::size_t>& uses = rubrics.uses[r];
      if (std::find(uses.begin(), uses.end(), index) == uses.end()) {
        uses.push_back(index);
      }
    }
  }
  return rubrics;
}

std::string NumberedList(char prefix, std::span<const std::string> texts) {
  std::string out;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) {
      out += '\n';
    }
    out += prefix;
    out += std::to_string(i + 1);
    out += ". ";
    out += texts[i];
  }
  return out;
}

std::optional<Json> FencedJson(std::string_view reply) {
  // "```json", any case, then the shortest text up to the next "```".
  const std::string lower = Lower(reply);
  const std::size_t open = lower.find("```json");
  if (open == std::string::npos) {
    return std::nullopt;
  }
  const std::size_t begin = open + 7;
  const std::size_t close = reply.find("```", begin);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  JsonParser parser;
  StatusOr<Json> parsed = parser.Parse(Trim(reply.substr(begin, close - begin)));
  if (!parsed.ok()) {
    return std::nullopt;
  }
  return *std::move(parsed);
}

std::optional<std::vector<std::optional<std::string>>> ParseEntityReply(
    std::string_view reply, std::span<const std::string> entities) {
  const std::optional<Json> object = FencedObject(reply);
  if (!object || !KeysAre(*object, entities)) {
    return std::nullopt;
  }
  std::vector<std::optional<std::string>> identities;
  identities.reserve(entities.size());
  for (const std::string& id : entities) {
    const Json& value = *object->Find(id);
    if (value.is_null()) {
      identities.emplace_back();
      continue;
    }
    if (!value.is_string()) {
      return std::nullopt;
    }
    const std::string lowered = Lower(Trim(value.str()));
    if (lowered == "null" || lowered == "none") {
      return std::nullopt;
    }
    identities.emplace_back(value.str());
  }
  return identities;
}

std::optional<std::vector<bool>> ParseSupportReply(std::string_view reply,
                                                   std::size_t statements) {
  const std::optional<Json> object = FencedObject(reply);
  if (!object || object->object().size() != statements) {
    return std::nullopt;
  }
  std::vector<bool> supported(statements, false);
  for (std::size_t i = 0; i < statements; ++i) {
    const Json* value = object->Find("S" + std::to_string(i + 1));
    if (value == nullptr || !value->is_bool()) {
      return std::nullopt;
    }
    supported[i] = value->boolean();
  }
  return supported;
}

std::optional<bool> ParseOutcomeReply(std::string_view reply) {
  static const RE2 kCorrect(R"((?i)\*{0,2}correct\*{0,2}\s*:\s*(no|yes))");
  static const RE2 kExtracted(R"((?i)\*{0,2}extracted_final_answer\*{0,2}\s*:\s*(.+))");
  const re2::StringPiece text(reply.data(), reply.size());
  std::string verdict;
  if (!RE2::PartialMatch(text, kCorrect, &verdict) || !RE2::PartialMatch(text, kExtracted)) {
    return std::nullopt;
  }
  return Lower(verdict) == "yes";
}

std::optional<std::string> FillRubric(const Rubrics& rubrics, std::size_t r,
                                      std::span<const std::optional<std::string>> identities) {
  for (const std::size_t entity : rubrics.uses[r]) {
    if (entity >= identities.size() || !identities[entity]) {
      return std::nullopt;
    }
  }
  const std::string_view text = rubrics.texts[r];
  std::string filled;
  filled.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::string_view id;
    const std::size_t length = text[i] == '<' ? PlaceholderAt(text, i, &id) : 0;
    if (length == 0) {
      filled.push_back(text[i]);
      ++i;
      continue;
    }
    const auto less = [](const std::string& a, std::string_view b) { return EntityLess(a, b); };
    const auto entity = static_cast<std::size_t>(
        std::lower_bound(rubrics.entities.begin(), rubrics.entities.end(), id, less) -
        rubrics.entities.begin());
    filled += *identities[entity];
    i += length;
  }
  return filled;
}

std::vector<bool> ConnectedRubrics(const Rubrics& rubrics, const std::vector<bool>& supported) {
  const std::size_t n = rubrics.texts.size();
  std::vector<bool> connected(n, false);
  const auto e0 = std::find(rubrics.entities.begin(), rubrics.entities.end(), "E0");
  if (e0 == rubrics.entities.end()) {
    return connected;
  }
  // entity -> supported rubrics that mention it.
  std::vector<std::vector<std::size_t>> by_entity(rubrics.entities.size());
  for (std::size_t r = 0; r < n && r < supported.size(); ++r) {
    if (supported[r]) {
      for (const std::size_t entity : rubrics.uses[r]) {
        by_entity[entity].push_back(r);
      }
    }
  }
  std::vector<bool> reached(rubrics.entities.size(), false);
  std::deque<std::size_t> queue;
  const auto start = static_cast<std::size_t>(e0 - rubrics.entities.begin());
  reached[start] = true;
  queue.push_back(start);
  while (!queue.empty()) {
    const std::size_t entity = queue.front();
    queue.pop_front();
    for (const std::size_t r : by_entity[entity]) {
      if (connected[r]) {
        continue;
      }
      connected[r] = true;
      for (const std::size_t other : rubrics.uses[r]) {
        if (!reached[other]) {
          reached[other] = true;
          queue.push_back(other);
        }
      }
    }
  }
  return connected;
}

}  // namespace merit::rubric::carr
