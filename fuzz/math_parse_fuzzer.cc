// The math answer parser on arbitrary bytes: never crashes, never recurses on the input's
// nesting; whatever parses has a well-formed tree that dumps, and evaluating it stays within its
// budget.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rewards/math/expr.h"
#include "rewards/math/value.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Answers are capped at 4 KiB by math.verify; longer inputs add no parse paths.
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const merit::math::ParseResult parsed = merit::math::Parse(text, {.max_nodes = 512});
  if (!parsed.ok()) return 0;
  const merit::math::Expr& e = parsed.expr;
  if (e.root >= e.nodes.size()) std::abort();
  for (const merit::math::Node& n : e.nodes) {
    if (n.first + n.count > e.kids.size() || n.depth > 200) std::abort();
  }
  if (merit::math::ToDebugString(e).empty()) std::abort();
  merit::math::Budget budget;
  merit::math::Value value;
  (void)merit::math::Evaluate(e, e.root, {}, {}, budget, value);
  return 0;
}
