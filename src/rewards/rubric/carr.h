// rubric.carr (CaRR, citation-aware rubric reward, spec A §1) and the c_grpo group aggregator.
//
// The pure steps of CaRR live here so that tests and the fuzzer reach them without a judge:
// response trimming, citation extraction, the evidence store built from the tool-call history,
// the citation context, rubric entities, the judges' reply parsers, rubric filling and the
// evidence-chain search (BFS) from the answer entity. docs/carr.md describes the reward.
//
// Thread safety: pure functions; every result is owned by the caller.
#ifndef MERIT_REWARDS_RUBRIC_CARR_H_
#define MERIT_REWARDS_RUBRIC_CARR_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "merit/json.h"
#include "merit/registry.h"

namespace merit::rubric {

// Registers rubric.carr and c_grpo (called from the rubric family's register.cc).
void RegisterCarr(Registry& registry);

namespace carr {

// What every judge sees of the response (§1.1 step 2): the text before the LAST "## References",
// trimmed, when it has one; otherwise the response unchanged.
std::string_view JudgedResponse(std::string_view response);

// The cited URLs of `response` (§1.3 step 4): "[<digits>](<url>)" immediately followed by ']' or
// ',', where <url> starts with http:// or https:// (after an optional "view-source:") and is the
// shortest text up to a ')' so followed, within one line. "https://r.jina.ai/",
// "http://r.jina.ai/" and "view-source:" are removed from the URL; duplicates are dropped
// (first occurrence kept). At most `max_urls` URLs are returned.
std::vector<std::string> CitedUrls(std::string_view response, std::size_t max_urls);

// One page of the evidence store: what the agent saw of a URL.
struct Page {
  std::string url = {};
  std::string title = {};           // From the first search result or opening that saw the URL.
  std::string published_time = {};  // Likewise.
  std::vector<std::string> snippets = {};  // browser.search descriptions, trimmed, in order.
  std::vector<std::string> contents = {};  // browser.open "Markdown Content:", trimmed.
  // browser.find results on this page: {pattern argument, tool output}.
  std::vector<std::pair<std::string, std::string>> finds = {};
};

struct EvidenceStore {
  std::vector<Page> pages = {};
  std::unordered_map<std::string, std::size_t> by_url = {};  // Index into `pages`.
  // Tool outputs that could not be attributed: an unknown tool_call_id, a browser.find whose
  // arguments are not a JSON object with a string "pattern", an output that is not a string.
  std::size_t skipped_outputs = 0;
};

// Walks `history` (chat messages) in order. Assistant messages name their calls in `tool_calls`:
// {tool_call_id | id, name, arguments} or OpenAI's {id, function: {name, arguments}}, arguments
// a JSON string or an object. Tool messages carry outputs either as spec A's list of
// {tool_call_id, output} or as a string content with the message's own tool_call_id. Outputs of
// browser.search, browser.open and browser.find enter the store (§1.3 step 4); empty outputs and
// other tools are ignored. Anything malformed is skipped, never an error.
EvidenceStore BuildEvidenceStore(const Json& history);

// The webpage context for the support judge: for each cited URL present in `store` (absent ones
// are ignored), up to `max_pages` of them, a "[Webpage k]" block with its URL, title, published
// time, then its snippets, contents and find results; a snippet, content or find output already
// emitted for an earlier page is not repeated. Cut at `max_bytes` (on a UTF-8 boundary). Empty
// when no cited URL is in the store.
std::string CitationContext(const EvidenceStore& store, std::span<const std::string> cited,
                            std::size_t max_pages, std::size_t max_bytes);

// The rubrics of one sample and their entities.
struct Rubrics {
  std::vector<std::string> texts = {};
  // Every placeholder id ("E0", "E12") used by any rubric, sorted by its number.
  std::vector<std::string> entities = {};
  // uses[r]: the entities rubric r mentions, as indices into `entities`, in order of first
  // occurrence, without repeats.
  std::vector<std::vector<std::size_t>> uses = {};
};

// Reads the placeholders "<E<digits>>" of every rubric.
Rubrics ParseRubrics(std::vector<std::string> texts);

// "C1. <rubric 1>\nC2. ..." (identification prompt) or "S1. ..." (support prompt): `prefix`
// followed by the 1-based index, for the given texts.
std::string NumberedList(char prefix, std::span<const std::string> texts);

// The first ```json fenced block of a reply (the tag is case-insensitive), parsed; nullopt when
// there is none or it is not JSON.
std::optional<Json> FencedJson(std::string_view reply);

// The identity of every entity from an identification reply, in the order of `entities`:
// nullopt for a JSON null. Invalid (nullopt): no fenced JSON object, its key set is not exactly
// `entities`, a value that is neither null nor a string, or a string whose trimmed lower-case
// form is "null" or "none" (§1.3 step 2).
std::optional<std::vector<std::optional<std::string>>> ParseEntityReply(
    std::string_view reply, std::span<const std::string> entities);

// Whether each of `statements` statements S1..Sm is fully supported, from a support reply.
// Invalid (nullopt): no fenced JSON object, its keys are not exactly S1..Sm, or a value is not a
// JSON boolean (§1.3 step 5).
std::optional<std::vector<bool>> ParseSupportReply(std::string_view reply, std::size_t statements);

// The outcome grader's verdict (§1.2): the first "correct: yes|no" (key optionally wrapped in up
// to two '*', any case) and a non-empty "extracted_final_answer: ..." must both be present
// (nullopt otherwise); true iff the verdict is yes.
std::optional<bool> ParseOutcomeReply(std::string_view reply);

// Rubric r with every placeholder replaced by its entity's identity, in one left-to-right pass
// (an identity is never itself re-substituted); nullopt when one of them is null (unidentified).
std::optional<std::string> FillRubric(const Rubrics& rubrics, std::size_t r,
                                      std::span<const std::optional<std::string>> identities);

// The evidence-chain search (§1.3 step 6): connected[r] is true iff rubric r is supported and
// reachable from entity E0 through supported rubrics sharing entities. Iterative; every rubric
// and entity is visited at most once, so cycles terminate.
std::vector<bool> ConnectedRubrics(const Rubrics& rubrics, const std::vector<bool>& supported);

}  // namespace carr
}  // namespace merit::rubric

#endif  // MERIT_REWARDS_RUBRIC_CARR_H_
