// A JSON Schema validator for the common keywords of draft 2020-12, used by format.json.
//
// Supported: type (one name or a list; "integer" accepts 1.0), enum, const, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, multipleOf, minLength / maxLength (in Unicode code points),
// pattern (RE2 syntax, searched anywhere as ECMA-262's is), properties, required,
// additionalProperties (boolean or schema), minProperties, maxProperties, items (one schema for
// every element), prefixItems, minItems, maxItems, uniqueItems, allOf, anyOf, oneOf, not, boolean
// schemas, and $ref to "#", "#/$defs/<name>" or "#/definitions/<name>". Other keywords are
// annotations and ignored, as the specification allows. Equality (enum, const, uniqueItems) is
// JSON equality: 1 == 1.0, true != 1.
//
// Limits: validation recurses along the schema with a depth counter (max_depth levels of
// subschema application, $ref included) and stops after max_steps subschema applications, so a
// self-referencing or combinatorial schema cannot run away; hitting a limit is a violation.
//
// Thread safety: a compiled JsonSchema is immutable; Validate may be called concurrently.
#ifndef MERIT_REWARDS_FORMAT_JSON_SCHEMA_H_
#define MERIT_REWARDS_FORMAT_JSON_SCHEMA_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "merit/json.h"
#include "merit/status.h"

namespace merit::format {

struct SchemaLimits {
  std::size_t max_depth = 64;        // Nested subschema applications.
  std::size_t max_steps = 100'000;   // Subschema applications per Validate call.
  std::size_t max_nodes = 10'000;    // Subschemas in one schema.
};

struct SchemaViolation {
  std::string instance_pointer;  // JSON Pointer (RFC 6901) to the failing value; "" is the root.
  std::string schema_pointer;    // JSON Pointer to the failing keyword in the schema.
  std::string message;
};

class JsonSchema {
 public:
  // Errors: kInvalidArgument naming the schema pointer, for a keyword with a value of the wrong
  // type, a pattern RE2 rejects, a $ref that is not local or names no definition, or a schema
  // with more than max_nodes subschemas.
  static StatusOr<JsonSchema> Compile(const Json& schema, SchemaLimits limits = {});

  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;
  ~JsonSchema();

  // nullopt when `instance` is valid; otherwise the first violation found (depth-first, keywords
  // in a fixed order).
  std::optional<SchemaViolation> Validate(const Json& instance) const;

 private:
  struct Compiled;
  explicit JsonSchema(std::unique_ptr<const Compiled> compiled);
  std::unique_ptr<const Compiled> compiled_;
};

}  // namespace merit::format

#endif  // MERIT_REWARDS_FORMAT_JSON_SCHEMA_H_
