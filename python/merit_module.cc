// _merit: the Python extension behind `import merit`. Conversions only (style.md B15): Python
// strings in, Python strings out. Field mapping, scoring and formatting are LineScorer's, the
// same code path as `merit score`, so a Python result is byte for byte a CLI output line.
//
// This file is one of the exception walls of style.md B4: a merit Status becomes the Python
// exception of the B4 table here, and nowhere else.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "merit/config.h"
#include "merit/engine.h"
#include "merit/registry.h"

#include "engine/engine_state.h"
#include "io/line_scorer.h"
#include "io/summary.h"

namespace nb = nanobind;

namespace merit::python {
namespace {

// Where a Status came from: a kNotFound while opening a config file is FileNotFoundError, any
// other kNotFound (an unknown registry name) is KeyError.
enum class ErrorSite : std::uint8_t { kGeneral, kConfigFile };

// Raises the Python exception that style.md B4 assigns to `status`. REQUIRES: !status.ok().
[[noreturn]] void RaiseStatus(const Status& status, ErrorSite site = ErrorSite::kGeneral,
                              const std::string& path = {}) {
  const std::string& message = status.message();
  PyObject* type = PyExc_RuntimeError;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      type = PyExc_ValueError;
      break;
    case StatusCode::kNotFound:
      if (site == ErrorSite::kConfigFile) {
        // OSError's (errno, strerror, filename) form fills e.errno and e.filename.
        const nb::object args = nb::make_tuple(ENOENT, message, path);
        PyErr_SetObject(PyExc_FileNotFoundError, args.ptr());
        throw nb::python_error();
      }
      type = PyExc_KeyError;
      break;
    case StatusCode::kResourceExhausted:
    case StatusCode::kCancelled: {
      // merit's own exception classes, created in the module's init below.
      const nb::object module = nb::module_::import_("merit._merit");
      const char* name =
          status.code() == StatusCode::kCancelled ? "Cancelled" : "ResourceExhausted";
      PyErr_SetString(module.attr(name).ptr(), message.c_str());
      throw nb::python_error();
    }
    case StatusCode::kDeadlineExceeded:
      type = PyExc_TimeoutError;
      break;
    case StatusCode::kUnimplemented:
      type = PyExc_NotImplementedError;
      break;
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  PyErr_SetString(type, message.c_str());
  throw nb::python_error();
}

// The UTF-8 bytes of a str or bytes object; they stay valid while `item` is alive.
std::string_view LineText(nb::handle item, std::size_t index) {
  Py_ssize_t size = 0;
  if (PyUnicode_Check(item.ptr())) {
    const char* data = PyUnicode_AsUTF8AndSize(item.ptr(), &size);
    if (data == nullptr)
      throw nb::python_error();  // Lone surrogates cannot be UTF-8.
    return {data, static_cast<std::size_t>(size)};
  }
  if (PyBytes_Check(item.ptr())) {
    char* data = nullptr;
    if (PyBytes_AsStringAndSize(item.ptr(), &data, &size) != 0)
      throw nb::python_error();
    return {data, static_cast<std::size_t>(size)};
  }
  throw nb::type_error(fmt::format("lines[{}]: expected str or bytes (one JSON object), got {}",
                                   index, nb::type_name(item.type()).c_str())
                           .c_str());
}

// "metadata" for "metadata.scores.x": the top-level key a dotted path reads.
std::string TopLevelKey(const std::string& path) {
  return path.substr(0, path.find('.'));
}

// One registry entry as a dict of plain values (strings, numbers, lists, dicts).
nb::dict EntryToDict(const Registry::Entry& entry) {
  nb::dict d;
  d["name"] = std::string(entry.info.name);
  switch (entry.kind) {
    case NodeKind::kReward:
      d["kind"] = "reward";
      break;
    case NodeKind::kAggregator:
      d["kind"] = "aggregator";
      break;
    case NodeKind::kAdvantage:
      d["kind"] = "advantage";
      break;
  }
  d["summary"] = std::string(entry.info.summary);
  d["min"] = entry.info.min;
  d["max"] = entry.info.max;
  d["example"] = std::string(entry.info.example);
  d["example_backends"] = std::string(entry.info.example_backends);
  d["source"] = std::string(entry.info.source);
  nb::list options;
  for (const OptionDoc& option : entry.options) {
    nb::dict o;
    o["name"] = option.name;
    o["type"] = option.type;
    o["default_json"] = option.default_value;  // JSON text; the Python layer decodes it.
    o["doc"] = option.doc;
    o["limits"] = option.limits;
    options.append(o);
  }
  d["options"] = options;
  nb::list slots;
  for (const ChildSlot& slot : entry.slots) {
    nb::dict s;
    s["name"] = std::string(slot.name);
    s["single"] = slot.single;
    s["min_count"] = slot.min_count;
    slots.append(s);
  }
  d["children"] = slots;
  nb::list child_keys;
  for (std::string_view key : entry.child_keys)
    child_keys.append(std::string(key));
  d["child_keys"] = child_keys;
  return d;
}

// A compiled config plus the registry it was built against. Immutable after construction, so
// score_lines may run from several Python threads at once (Engine's contract).
class PyEngine {
 public:
  static PyEngine FromFile(const std::string& path, std::size_t threads) {
    StatusOr<Config> config = LoadConfigFile(path);
    if (!config.ok())
      RaiseStatus(config.status(), ErrorSite::kConfigFile, path);
    return Build(*std::move(config), threads);
  }

  // `text` is a JSON object (the Python layer's json.dumps of a dict); `source` labels errors.
  static PyEngine FromJson(const std::string& text, std::string source, std::size_t threads) {
    JsonParser parser;
    StatusOr<Json> root = parser.Parse(text);
    if (!root.ok())
      RaiseStatus(root.status().WithPrefix(source));
    StatusOr<Config> config = ConfigFromJson(*std::move(root), std::move(source));
    if (!config.ok())
      RaiseStatus(config.status());
    return Build(*std::move(config), threads);
  }

  // One output line per input line, in order, without the trailing newline: exactly what
  // `merit score` writes. Bad lines become error lines, never exceptions. The GIL is released
  // while parsing, scoring and formatting run on the engine's pool; one call is one batch, so
  // group-level nodes and advantages see the groups of this call.
  nb::list ScoreLines(nb::iterable lines) const {
    // Iterating one string would score it character by character.
    if (PyUnicode_Check(lines.ptr()) || PyBytes_Check(lines.ptr())) {
      throw nb::type_error("lines: expected a list of JSON lines, got a single string");
    }
    internal::LineBatch batch;
    const Py_ssize_t hint = PyObject_LengthHint(lines.ptr(), 0);
    if (hint < 0)
      throw nb::python_error();
    batch.raw.reserve(static_cast<std::size_t>(hint));
    std::size_t n = 0;
    for (nb::handle item : lines) {
      const std::string_view text = LineText(item, n);
      // The output is split on newlines, and a JSONL line cannot hold one anyway.
      if (text.find('\n') != std::string_view::npos) {
        throw nb::value_error(
            fmt::format("lines[{}]: contains a newline; each item is one JSON object on one line",
                        n)
                .c_str());
      }
      const bool too_long = text.size() > line_options_.max_line_bytes;
      batch.Add(too_long ? std::string_view() : text, n + 1, too_long);
      ++n;
    }

    std::string out;
    {
      nb::gil_scoped_release release;
      const internal::LineScorer scorer(*engine_, line_options_);
      internal::Summary summary(engine_->ComponentNames());
      scorer.Parse(batch);
      scorer.ScoreAndFormat(batch, batch.size(), out, summary);
    }

    nb::list result;
    std::size_t begin = 0;
    while (begin < out.size()) {
      const std::size_t end = std::min(out.find('\n', begin), out.size());
      // Invalid UTF-8 cannot come out (the parser validates, the writer escapes), but a
      // replacement character is better than an exception if it ever did.
      PyObject* line =
          PyUnicode_DecodeUTF8(out.data() + begin, static_cast<Py_ssize_t>(end - begin), "replace");
      if (line == nullptr)
        throw nb::python_error();
      result.append(nb::steal(line));
      begin = end + 1;
    }
    if (result.size() != n) {
      RaiseStatus(
          InternalError(fmt::format("scored {} lines into {} output lines", n, result.size())));
    }
    return result;
  }

  const std::string& config_hash() const { return engine_->config_hash(); }

  std::vector<std::string> component_names() const { return engine_->ComponentNames(); }

  std::size_t threads() const { return engine_->threads(); }

  bool has_advantages() const { return engine_->has_advantages(); }

  bool group_level() const { return engine_->state().tree.has_group_level(); }

  const std::string& source() const { return engine_->state().config.source; }

  // The whole config as JSON text (YAML files included), enough to rebuild this engine
  // elsewhere: pickling sends this, not the file path.
  std::string config_json() const { return engine_->state().config.root.Dump(); }

  // The top-level input keys the field mapping reads, so that adapters serialise only those
  // (a trainer's dataset columns may hold images or tensors merit never looks at).
  std::vector<std::string> input_keys() const {
    const internal::FieldMapping& f = engine_->state().fields;
    std::set<std::string> keys;
    for (const auto* paths :
         {&f.id, &f.prompt, &f.completion, &f.reference, &f.group, &f.data_source, &f.metadata,
          &f.num_tokens, &f.logprobs, &f.ref_logprobs}) {
      for (const std::string& path : *paths)
        keys.insert(TopLevelKey(path));
    }
    return {keys.begin(), keys.end()};
  }

 private:
  PyEngine(std::unique_ptr<const Registry> registry, std::unique_ptr<const Engine> engine)
      : registry_(std::move(registry)), engine_(std::move(engine)) {}

  static PyEngine Build(Config config, std::size_t threads) {
    auto registry = std::make_unique<const Registry>(BuiltinRegistry());
    StatusOr<Engine> engine = Engine::Create(config, *registry, {.threads = threads});
    if (!engine.ok())
      RaiseStatus(engine.status());
    return PyEngine(std::move(registry), std::make_unique<const Engine>(*std::move(engine)));
  }

  // Heap-allocated so that the engine never moves: LineScorer holds references into it.
  std::unique_ptr<const Registry> registry_;
  std::unique_ptr<const Engine> engine_;
  internal::LineScorerOptions line_options_;
};

nb::list ListRegistry() {
  const Registry registry = BuiltinRegistry();
  nb::list out;
  for (NodeKind kind : {NodeKind::kReward, NodeKind::kAggregator, NodeKind::kAdvantage}) {
    for (const Registry::Entry* entry : registry.List(kind))
      out.append(EntryToDict(*entry));
  }
  return out;
}

nb::dict Describe(const std::string& name) {
  const Registry registry = BuiltinRegistry();
  const StatusOr<const Registry::Entry*> entry = registry.Lookup(name);
  if (!entry.ok())
    RaiseStatus(entry.status());
  return EntryToDict(**entry);
}

// The config file as JSON text, for adapters that adjust `fields:` before building an engine.
std::string LoadConfigJson(const std::string& path) {
  StatusOr<Config> config = LoadConfigFile(path);
  if (!config.ok())
    RaiseStatus(config.status(), ErrorSite::kConfigFile, path);
  return config->root.Dump();
}

}  // namespace
}  // namespace merit::python

NB_MODULE(_merit, m) {
  using merit::python::PyEngine;
  m.doc() = "merit's C++ engine. Use the `merit` package; this module is its implementation.";
  m.attr("__version__") = std::string(merit::MeritVersion());

  // style.md B4's merit-specific exceptions; every other code maps to a builtin.
  m.attr("ResourceExhausted") = nb::steal(PyErr_NewExceptionWithDoc(
      "merit.ResourceExhausted", "An input exceeded one of merit's documented limits.",
      PyExc_RuntimeError, nullptr));
  m.attr("Cancelled") = nb::steal(PyErr_NewExceptionWithDoc(
      "merit.Cancelled", "The call was cancelled.", PyExc_RuntimeError, nullptr));

  nb::class_<PyEngine>(m, "Engine")
      .def_static("from_file", &PyEngine::FromFile, nb::arg("path"), nb::arg("threads"),
                  "Loads and compiles a YAML or JSON config file.")
      .def_static("from_json", &PyEngine::FromJson, nb::arg("text"), nb::arg("source"),
                  nb::arg("threads"),
                  "Compiles a config given as JSON text; `source` labels error messages.")
      .def("score_lines", &PyEngine::ScoreLines, nb::arg("lines"),
           "JSON lines in (str or bytes, one object each), `merit score` output lines out. "
           "Releases the GIL while scoring.")
      .def_prop_ro("config_hash", &PyEngine::config_hash)
      .def_prop_ro("component_names", &PyEngine::component_names)
      .def_prop_ro("threads", &PyEngine::threads)
      .def_prop_ro("has_advantages", &PyEngine::has_advantages)
      .def_prop_ro("group_level", &PyEngine::group_level,
                   "True when rewards depend on the other samples of the call "
                   "(group-normalising aggregators such as normalize_then_sum).")
      .def_prop_ro("source", &PyEngine::source)
      .def_prop_ro("config_json", &PyEngine::config_json)
      .def_prop_ro("input_keys", &PyEngine::input_keys);

  m.def("list_registry", &merit::python::ListRegistry,
        "Every reward, aggregator and advantage estimator, as dicts.");
  m.def("describe", &merit::python::Describe, nb::arg("name"),
        "One registry entry as a dict; KeyError for an unknown name.");
  m.def("load_config_json", &merit::python::LoadConfigJson, nb::arg("path"),
        "A config file (YAML or JSON) as JSON text.");
}
