// The schema model: plain C++, no PostgreSQL headers, so fingerprint, diff and the
// generators unit-test without a server.
//
// A snapshot is a flat, sorted list of objects. Each object has a kind ("table",
// "column", "index", ...), a schema-qualified identity that does not depend on OIDs
// ("public.genes.symbol"), and attributes: normalized text values keyed by name. Two
// schemas are equal exactly when their object lists are equal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squash::model {

struct Attribute {
  std::string key;
  std::string value;
  bool operator==(const Attribute& o) const { return key == o.key && value == o.value; }
};

struct Object {
  std::string kind;
  std::string identity;
  std::vector<Attribute> attrs;  // sorted by key, keys unique after Snapshot::normalize()

  void set(std::string key, std::string value) {
    attrs.push_back({std::move(key), std::move(value)});
  }
  const std::string* get(std::string_view key) const;
  bool operator==(const Object& o) const {
    return kind == o.kind && identity == o.identity && attrs == o.attrs;
  }
};

struct Snapshot {
  std::string server_version;  // informational only: not part of the fingerprint
  std::vector<Object> objects;

  // Sorts objects by (kind, identity) and attributes by key; throws ModelError on a
  // duplicate object or attribute (a catalog-reader bug, never silently merged).
  void normalize();
};

// True when the objects are sorted by (kind, identity) without duplicates and every
// object's attributes are sorted by key without duplicates (what normalize() makes).
bool is_normalized(const Snapshot& snapshot);

class ModelError : public std::exception {
 public:
  explicit ModelError(std::string m) : message_(std::move(m)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

}  // namespace squash::model
