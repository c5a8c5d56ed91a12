// The only user of yaml-cpp: YAML (and JSON, a subset of YAML) becomes a neutral Json tree here.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "merit/config.h"

namespace merit {
namespace {

// Anchors and aliases can make a small file expand exponentially ("billion laughs"): cap the
// number of nodes we are willing to materialise, and the depth.
constexpr std::size_t kMaxConfigNodes = 1'000'000;
constexpr std::size_t kMaxConfigDepth = 128;

bool IsYamlNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// YAML 1.2 core schema for plain scalars: null, booleans, integers, floats; the rest are strings.
Json PlainScalar(const std::string& s) {
  if (IsYamlNull(s)) {
    return Json();
  }
  if (s == "true" || s == "True" || s == "TRUE") {
    return Json::Bool(true);
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return Json::Bool(false);
  }
  std::string_view text = s;
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty() &&
      std::isfinite(value) && text.find_first_of("0123456789") != std::string_view::npos) {
    return Json::Num(value, std::string(text));
  }
  if (s == ".inf" || s == ".Inf" || s == "+.inf") {
    return Json::Num(HUGE_VAL, s);
  }
  if (s == "-.inf" || s == "-.Inf") {
    return Json::Num(-HUGE_VAL, s);
  }
  return Json::Str(s);
}

struct Converter {
  std::size_t nodes = 0;
  std::string error;

  Json Convert(const YAML::Node& node, std::size_t depth) {
    if (!error.empty()) {
      return Json();
    }
    if (++nodes > kMaxConfigNodes) {
      error = "config too large (alias expansion?)";
      return Json();
    }
    if (depth > kMaxConfigDepth) {
      error = fmt::format("config nested deeper than {} levels", kMaxConfigDepth);
      return Json();
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Json();
      case YAML::NodeType::Scalar:
        // Quoted scalars carry the "!" tag and are always strings.
        if (node.Tag() == "!") {
          return Json::Str(node.Scalar());
        }
        return PlainScalar(node.Scalar());
      case YAML::NodeType::Sequence: {
        Json::Array items;
        for (const YAML::Node& item : node) {
          items.push_back(Convert(item, depth + 1));
        }
        return Json::Arr(std::move(items));
      }
      case YAML::NodeType::Map: {
        Json out = Json::Obj();
        for (const auto& item : node) {
          const YAML::Node& key = item.first;
          if (!key.IsScalar()) {
            error = fmt::format("line {}: mapping keys must be strings", key.Mark().line + 1);
            return Json();
          }
          if (out.Find(key.Scalar()) != nullptr) {
            error = fmt::format("line {}: duplicate key \"{}\"", key.Mark().line + 1, key.Scalar());
            return Json();
          }
          out.object().emplace_back(key.Scalar(), Convert(item.second, depth + 1));
        }
        return out;
      }
    }
    return Json();
  }
};

// Keys sorted, so that reordering a mapping does not change the hash.
void CanonicalDump(const Json& value, std::string& out) {
  if (value.is_object()) {
    std::vector<const std::pair<std::string, Json>*> members;
    for (const auto& member : value.object()) {
      members.push_back(&member);
    }
    std::sort(members.begin(), members.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      AppendJsonString(members[i]->first, out);
      out += ':';
      CanonicalDump(members[i]->second, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < value.array().size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      CanonicalDump(value.array()[i], out);
    }
    out += ']';
  } else if (value.is_number()) {
    AppendJsonNumber(value.number(), out);  // 1.0e-6 and 0.000001 hash alike.
  } else {
    value.DumpTo(out);
  }
}

std::string StableHash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64: stable across platforms and runs.
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace

std::string_view MeritVersion() {
  return "0.1.0";
}

StatusOr<Config> ConfigFromJson(Json root, std::string source) {
  if (!root.is_object()) {
    return InvalidArgumentError(
        fmt::format("{}: expected a mapping at the top level (with a `reward:` key), got {}",
                    source, Json::TypeName(root.type())));
  }
  std::string canonical;
  CanonicalDump(root, canonical);
  canonical += "\nmerit ";
  canonical += MeritVersion();
  return Config{
      .source = std::move(source), .root = std::move(root), .hash = StableHash(canonical)};
}

StatusOr<Config> ParseConfig(std::string_view text, std::string source) {
  YAML::Node document;
  try {
    document = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(fmt::format("{}: line {}, column {}: {}", source, e.mark.line + 1,
                                            e.mark.column + 1, e.msg));
  } catch (const std::exception& e) {
    return InvalidArgumentError(fmt::format("{}: cannot parse: {}", source, e.what()));
  }
  Converter converter;
  Json root;
  try {
    root = converter.Convert(document, 0);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(fmt::format("{}: line {}: {}", source, e.mark.line + 1, e.msg));
  }
  if (!converter.error.empty()) {
    return InvalidArgumentError(fmt::format("{}: {}", source, converter.error));
  }
  return ConfigFromJson(std::move(root), std::move(source));
}

StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(fmt::format("{}: cannot open config file", path));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), path);
}

}  // namespace merit
