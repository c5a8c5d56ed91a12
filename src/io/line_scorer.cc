#include "io/line_scorer.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace merit::internal {
namespace {

// Keys merit writes; an input object that already has one is re-serialised without it instead
// of spliced, so the output never holds duplicate keys.
constexpr std::string_view kOutputKeys[] = {"reward",     "status",    "reason", "explanation",
                                            "components", "segments",  "steps",  "tokens",
                                            "items",      "advantage", "line"};

constexpr std::size_t kParseChunk = 256;
constexpr std::size_t kFormatChunk = 256;

bool HasOutputKey(const Json& object) {
  if (!object.is_object()) {
    return false;
  }
  for (const auto& [key, value] : object.object()) {
    for (std::string_view k : kOutputKeys) {
      if (key == k) {
        return true;
      }
    }
  }
  return false;
}

// Appends the input object without its closing brace, ready for more members. Returns whether
// a member was written (so the caller knows whether to add a comma). The raw line is spliced
// unless the object has keys merit writes, in which case it is re-serialised without them.
bool AppendObjectPrefix(std::string_view raw, const Json& object, bool reserialize,
                        std::string& out) {
  if (!reserialize) {
    std::size_t end = raw.find_last_of('}');
    std::size_t begin = raw.find_first_of('{');
    const std::string_view inner = raw.substr(begin + 1, end - begin - 1);
    out += '{';
    out += inner;
    return inner.find_first_not_of(" \t\r\n") != std::string_view::npos;
  }
  out += '{';
  bool first = true;
  for (const auto& [key, value] : object.object()) {
    if (std::find(std::begin(kOutputKeys), std::end(kOutputKeys), key) != std::end(kOutputKeys)) {
      continue;
    }
    if (!first) {
      out += ',';
    }
    first = false;
    AppendJsonString(key, out);
    out += ':';
    value.DumpTo(out);
  }
  return !first;
}

// ,"key":"value", or nothing when the value is empty (an absent field, never "").
void AppendStringFieldIfAny(std::string_view key, std::string_view value, std::string& out) {
  if (value.empty()) {
    return;
  }
  out += ",\"";
  out += key;
  out += "\":";
  AppendJsonString(value, out);
}

// ,"segments":[{"start":0,"end":12,"reward":0.5,"component":"fluency"},...]
void AppendSpans(std::string_view key, const std::vector<Span>& spans, std::string& out) {
  if (spans.empty()) {
    return;
  }
  out += ",\"";
  out += key;
  out += "\":[";
  for (std::size_t k = 0; k < spans.size(); ++k) {
    if (k > 0) {
      out += ',';
    }
    fmt::format_to(std::back_inserter(out), "{{\"start\":{},\"end\":{},\"reward\":", spans[k].start,
                   spans[k].end);
    AppendJsonNumber(spans[k].reward, out);
    AppendStringFieldIfAny("component", spans[k].component, out);
    out += '}';
  }
  out += ']';
}

// ,"items":[{"component":"rubric","item":"cites a source","value":1,"weight":2,
//   "verdict":"support (judge)"},...]: every evaluated node's per-item verdicts, in pre-order.
void AppendItems(const NodeScores& state, std::span<const std::string> component_keys,
                 std::string& out) {
  bool first = true;
  for (std::size_t n = 0; n < state.scores.size(); ++n) {
    if (!state.evaluated[n]) {
      continue;
    }
    for (const ItemVerdict& item : state.scores[n].items) {
      out += first ? ",\"items\":[{\"component\":" : ",{\"component\":";
      first = false;
      out.append(component_keys[n], 0, component_keys[n].size() - 1);  // Without its ':'.
      out += ",\"item\":";
      AppendJsonString(item.item, out);
      out += ",\"value\":";
      AppendJsonNumber(item.value, out);
      out += ",\"weight\":";
      AppendJsonNumber(item.weight, out);
      AppendStringFieldIfAny("verdict", item.verdict, out);
      out += '}';
    }
  }
  if (!first) {
    out += ']';
  }
}

void AppendError(const LineBatch& batch, std::size_t i, bool echo_input, std::string& out) {
  const merit::Score& error = batch.input_errors[i];
  const bool echo = echo_input && batch.objects[i].is_object();
  bool comma = echo ? AppendObjectPrefix(batch.raw[i], batch.objects[i], batch.reserialize[i], out)
                    : (out += '{', false);
  if (comma) {
    out += ',';
  }
  fmt::format_to(std::back_inserter(out), "\"line\":{},\"reward\":null,\"status\":\"error\",",
                 batch.line_no[i]);
  out += "\"reason\":";
  AppendJsonString(error.reason, out);
  AppendStringFieldIfAny("explanation", error.explanation, out);
  out += "}\n";
}

}  // namespace

void LineBatch::Clear() {
  raw.clear();
  line_no.clear();
  oversized.clear();
}

void LineBatch::Add(std::string_view line, std::size_t number, bool truncated) {
  raw.emplace_back(line);
  line_no.push_back(number);
  oversized.push_back(truncated ? 1 : 0);
}

void LineBatch::MoveTailTo(std::size_t from, LineBatch& next) {
  next.Clear();
  for (std::size_t i = from; i < size(); ++i) {
    next.raw.push_back(std::move(raw[i]));
    next.line_no.push_back(line_no[i]);
    next.oversized.push_back(oversized[i]);
  }
}

LineScorer::LineScorer(const Engine& engine, LineScorerOptions options)
    : engine_(engine), state_(engine.state()), options_(options) {
  for (const auto& node : state_.tree.nodes()) {
    std::string key;
    AppendJsonString(node.component, key);
    key += ':';
    component_keys_.push_back(std::move(key));
  }
  for (std::size_t n = 0; n < state_.tree.nodes().size(); ++n) {
    if (state_.tree.nodes()[n].corpus_size > 0) {
      corpus_nodes_.push_back(n);
    }
  }
}

void LineScorer::Parse(LineBatch& batch) const {
  const std::size_t n = batch.size();
  batch.objects.resize(n);
  batch.samples.resize(n);
  batch.usable.assign(n, 0);
  batch.reserialize.assign(n, 0);
  batch.input_errors.resize(n);
  batch.states.resize(n);
  // Asking for corpus statistics is what sizing these does (see NodeScores).
  if (const std::size_t corpus = state_.tree.corpus_statistics_size(); corpus > 0) {
    for (NodeScores& state : batch.states) {
      state.corpus_statistics.resize(corpus);
    }
  }
  // One parser per pool slot, kept in the batch so their buffers survive across batches.
  std::vector<JsonParser>& parsers = batch.parsers;
  while (parsers.size() < state_.pool->threads()) {
    parsers.emplace_back(JsonParseLimits{.max_depth = options_.max_json_depth});
  }
  state_.pool->ParallelFor(
      n, kParseChunk, [&](std::size_t begin, std::size_t end, std::size_t slot) {
        for (std::size_t i = begin; i < end; ++i) {
          batch.objects[i] = Json();
          merit::Score& error = batch.input_errors[i];
          if (batch.oversized[i]) {
            error = merit::Score::Error(
                "line_too_long", fmt::format("line longer than {} bytes", options_.max_line_bytes));
            continue;
          }
          if (batch.raw[i].find_first_not_of(" \t\r") == std::string::npos) {
            error = merit::Score::Error("empty_line", "blank line");
            continue;
          }
          StatusOr<Json> parsed = parsers[slot].Parse(batch.raw[i]);
          if (!parsed.ok()) {
            const bool too_deep = parsed.status().code() == StatusCode::kResourceExhausted;
            error = merit::Score::Error(too_deep ? "too_deep" : "invalid_json",
                                        parsed.status().message());
            continue;
          }
          batch.objects[i] = std::move(parsed).value();
          batch.reserialize[i] = options_.echo_input && HasOutputKey(batch.objects[i]) ? 1 : 0;
          // The raw line is what gets echoed (if anything), so the object's values can move into
          // the sample.
          error = batch.reserialize[i]
                      ? state_.fields.Map(batch.objects[i], &batch.samples[i])
                      : state_.fields.MapMoving(batch.objects[i], &batch.samples[i]);
          batch.usable[i] = error.ok() ? 1 : 0;
        }
      });
}

bool LineScorer::needs_whole_groups() const {
  return state_.advantages != nullptr || state_.tree.has_group_level();
}

std::size_t LineScorer::GroupSafeCut(const LineBatch& batch) const {
  const std::size_t n = batch.size();
  if (!needs_whole_groups()) {
    return n;
  }
  std::size_t last = n;
  for (std::size_t i = n; i-- > 0;) {
    if (batch.usable[i]) {
      last = i;
      break;
    }
  }
  if (last == n || batch.samples[last].group.empty()) {
    return n;
  }
  const std::string& group = batch.samples[last].group;
  std::size_t cut = last;
  while (cut > 0 && (!batch.usable[cut - 1] || batch.samples[cut - 1].group == group)) {
    --cut;
  }
  return cut;
}

void LineScorer::ScoreAndFormat(LineBatch& batch, std::size_t count, std::string& out,
                                Summary& summary) const {
  const std::span<const Sample> samples(batch.samples.data(), count);
  const std::span<const std::uint8_t> usable(batch.usable.data(), count);
  const std::span<NodeScores> states(batch.states.data(), count);
  state_.Score(samples, states, usable);
  const std::vector<std::optional<double>> advantages = state_.Advantages(samples, states, usable);
  const auto& nodes = state_.tree.nodes();

  // Format and summarise in parallel into per-chunk buffers, then combine them in order. Chunks
  // are fixed-size, so the result does not depend on the thread count.
  const std::size_t chunks = (count + kFormatChunk - 1) / kFormatChunk;
  std::vector<std::string> pieces(chunks);
  std::vector<Summary> partials(chunks, Summary(std::vector<std::string>(nodes.size())));
  state_.pool->ParallelFor(
      count, kFormatChunk, [&](std::size_t begin, std::size_t end, std::size_t) {
        std::string& piece = pieces[begin / kFormatChunk];
        Summary& partial = partials[begin / kFormatChunk];
        for (std::size_t i = begin; i < end; ++i) {
          if (!batch.usable[i]) {
            AppendError(batch, i, options_.echo_input, piece);
            partial.AddStatus("error", batch.input_errors[i].reason);
            continue;
          }
          const NodeScores& state = batch.states[i];
          const merit::Score& root = state.scores[0];
          if (!options_.echo_input) {
            piece += '{';
          } else if (AppendObjectPrefix(batch.raw[i], batch.objects[i], batch.reserialize[i],
                                        piece)) {
            piece += ',';
          }
          piece += "\"reward\":";
          if (root.ok()) {
            AppendJsonNumber(root.value, piece);
          } else {
            piece += "null";
          }
          piece += ",\"status\":\"";
          piece += ScoreStatusName(root.status);
          piece += '"';
          AppendStringFieldIfAny("reason", root.reason, piece);
          AppendStringFieldIfAny("explanation", root.explanation, piece);
          piece += ",\"components\":{";
          for (std::size_t n = 0; n < nodes.size(); ++n) {
            if (n > 0) {
              piece += ',';
            }
            piece += component_keys_[n];
            if (state.evaluated[n] && state.scores[n].ok()) {
              AppendJsonNumber(state.scores[n].value, piece);
            } else {
              piece += "null";
            }
          }
          piece += '}';
          AppendSpans("segments", state.segments, piece);
          AppendSpans("steps", state.steps, piece);
          AppendSpans("tokens", state.tokens, piece);
          AppendItems(state, component_keys_, piece);
          if (!advantages.empty()) {
            piece += ",\"advantage\":";
            if (advantages[i]) {
              AppendJsonNumber(*advantages[i], piece);
            } else {
              piece += "null";
            }
          }
          piece += "}\n";
          partial.AddStatus(ScoreStatusName(root.status), root.reason);
          for (std::size_t n = 0; n < nodes.size(); ++n) {
            if (state.evaluated[n] && state.scores[n].ok()) {
              partial.AddComponent(n, state.scores[n].value);
            }
          }
          if (!advantages.empty() && advantages[i]) {
            partial.AddAdvantage(*advantages[i]);
          }
          for (std::size_t n : corpus_nodes_) {
            if (state.evaluated[n] && state.scores[n].ok()) {
              const auto& node = nodes[n];
              partial.AddCorpusStatistics(
                  n, *node.reward,
                  std::span<const double>(state.corpus_statistics).subspan(node.corpus_offset,
                                                                          node.corpus_size));
            }
          }
        }
      });
  std::size_t bytes = 0;
  for (const std::string& piece : pieces) {
    bytes += piece.size();
  }
  out.reserve(out.size() + bytes);
  for (std::size_t c = 0; c < chunks; ++c) {
    out += pieces[c];
    summary.Merge(partials[c]);
  }
}

}  // namespace merit::internal
