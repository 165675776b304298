// The schema model: normalization and lookups (see snapshot.hpp).
#include "pg_squash/model/snapshot.hpp"

#include <algorithm>

#include "pg_squash/model/printable.hpp"

namespace squash::model {

namespace {

// Bytewise order: std::string compares through char_traits<char>, which compares as
// unsigned char, so this does not depend on the platform's char signedness or locale.
bool object_less(const Object& a, const Object& b) {
  int c = a.kind.compare(b.kind);
  if (c != 0) return c < 0;
  return a.identity.compare(b.identity) < 0;
}

bool same_object(const Object& a, const Object& b) {
  return a.kind == b.kind && a.identity == b.identity;
}

bool attr_less(const Attribute& a, const Attribute& b) {
  return a.key < b.key;
}

std::string describe(const Object& o) {
  return (o.kind.empty() ? std::string("object") : printable(o.kind)) + " " +
         quoted_text(o.identity);
}

}  // namespace

const std::string* Object::get(std::string_view key) const {
  // Objects have a handful of attributes; a scan is as fast as a search and works before
  // normalize() too.
  for (const Attribute& a : attrs)
    if (a.key == key) return &a.value;
  return nullptr;
}

void Snapshot::normalize() {
  // Fast path: a reader that emits objects and attributes in order pays one pass of
  // comparisons here (strictly increasing means sorted and free of duplicates).
  bool strictly_sorted = true;
  for (std::size_t i = 1; i < objects.size() && strictly_sorted; i++)
    strictly_sorted = object_less(objects[i - 1], objects[i]);
  if (!strictly_sorted) {
    if (!std::is_sorted(objects.begin(), objects.end(), object_less))
      std::sort(objects.begin(), objects.end(), object_less);
    for (std::size_t i = 1; i < objects.size(); i++)
      if (same_object(objects[i - 1], objects[i]))
        throw ModelError("duplicate object in snapshot: " + describe(objects[i]));
  }
  for (Object& o : objects) {
    bool attrs_sorted = true;
    for (std::size_t i = 1; i < o.attrs.size() && attrs_sorted; i++)
      attrs_sorted = attr_less(o.attrs[i - 1], o.attrs[i]);
    if (attrs_sorted) continue;
    if (!std::is_sorted(o.attrs.begin(), o.attrs.end(), attr_less))
      std::sort(o.attrs.begin(), o.attrs.end(), attr_less);
    for (std::size_t i = 1; i < o.attrs.size(); i++)
      if (o.attrs[i - 1].key == o.attrs[i].key)
        throw ModelError("duplicate attribute " + quoted_text(o.attrs[i].key) + " on " +
                         describe(o));
  }
}

bool is_normalized(const Snapshot& snapshot) {
  const std::vector<Object>& objects = snapshot.objects;
  for (std::size_t i = 0; i < objects.size(); i++) {
    if (i > 0 && !object_less(objects[i - 1], objects[i])) return false;
    const std::vector<Attribute>& attrs = objects[i].attrs;
    for (std::size_t j = 1; j < attrs.size(); j++)
      if (!(attrs[j - 1].key < attrs[j].key)) return false;
  }
  return true;
}

}  // namespace squash::model
