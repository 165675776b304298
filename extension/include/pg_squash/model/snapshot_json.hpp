// Snapshot documents: the export/import format (JSON) and the compact stored form.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg_squash/model/snapshot.hpp"

namespace squash::model {

constexpr int kSnapshotFormatVersion = 1;

// Limits on documents from_json() accepts.
// The document's "format" field.
constexpr const char* kFormatName = "pg_squash.snapshot";
constexpr std::size_t kMaxDocumentBytes = std::size_t(512) << 20;  // 512 MiB
constexpr int kMaxDocumentDepth = 8;                               // nested arrays/objects
constexpr std::size_t kMaxDocumentObjects = 2'000'000;             // 10x the 10,000-table benchmark
constexpr std::size_t kMaxDocumentSchemas = 10'000;

// {"format": "pg_squash.snapshot", "version": 1, "server_version": ..., "fingerprint": ...,
//  "object_count": N,
//  "objects": [{"kind":..., "identity":..., "attrs": {key: value, ...}}, ...]}
// Compact, fields in exactly this order, objects and attributes in normalized order: the
// same snapshot always gives the same bytes. The snapshot must be normalized, and its
// text valid UTF-8 (ModelError otherwise: JSON cannot carry other bytes).
std::string to_json(const Snapshot& snapshot);

// Parses and validates a document; throws FormatError with a precise message (path of the
// bad element) on anything malformed: truncated, wrong types, unknown version, too deep,
// too large, a fingerprint that does not match the objects, duplicates. Every field above
// is required ("schemas", below, is optional) and no other is allowed (fields may come in any
// order, as jsonb reorders them). kind and identity are non-empty without control characters other
// than tab and newline; attribute keys are non-empty without control characters; attribute values
// are strings without NUL. The result is normalized. Parsing uses no recursion and stops at the
// first limit exceeded, so hostile input costs at most its own size.
Snapshot from_json(std::string_view text);
// The same, and the optional "schemas" field: the scope the snapshot was taken with (a
// non-empty list of distinct schema names; null or absent: every user schema). It is not
// part of the fingerprint, which covers the objects.
Snapshot from_json(std::string_view text, std::optional<std::vector<std::string>>* schemas);

// document (from to_json) with "schemas": [...] added, for a snapshot taken of some schemas.
std::string with_schemas(std::string document, const std::vector<std::string>& schemas);

class FormatError : public ModelError {
 public:
  using ModelError::ModelError;
};

}  // namespace squash::model
