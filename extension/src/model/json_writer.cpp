// Writing snapshot documents (see snapshot_json.hpp): hand-rolled for deterministic bytes
// and speed.
#include "pg_squash/model/snapshot_json.hpp"

#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/printable.hpp"

namespace squash::model {

namespace {

// The object a field belongs to, for messages.
struct Owner {
  std::string_view kind, identity;
};

// Appends s as a JSON string. Throws ModelError when s is not valid UTF-8 (where says which
// field, for the message).
void append_string(std::string& out, std::string_view s, const char* where, const Owner* object) {
  static const char digits[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t pos = 0;
  while (pos < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[pos]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      pos++;
      continue;
    }
    if (c >= 0x80) {
      std::size_t n = utf8_sequence_length(s, pos);
      if (n == 0) {
        std::string message = std::string("cannot write snapshot document: ") + where;
        if (object)
          message += " of " + printable(object->kind) + " " + quoted_text(object->identity);
        throw ModelError(message + " is not valid UTF-8 (byte " + std::to_string(pos) + ")");
      }
      pos += n;
      continue;
    }
    out.append(s.data() + run, pos - run);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += digits[c >> 4];
        out += digits[c & 0xF];
    }
    run = ++pos;
  }
  out.append(s.data() + run, pos - run);
  out += '"';
}

}  // namespace

std::string to_json(const Snapshot& snapshot) {
  const std::string fp = fingerprint(snapshot);  // also checks that it is normalized
  std::string out;
  std::size_t estimate = 256;
  for (const Object& o : snapshot.objects) {
    estimate += o.kind.size() + o.identity.size() + 40;
    for (const Attribute& a : o.attrs) estimate += a.key.size() + a.value.size() + 6;
  }
  out.reserve(estimate + estimate / 16);
  out += "{\"format\":\"";
  out += kFormatName;
  out += "\",\"version\":" + std::to_string(kSnapshotFormatVersion) + ",\"server_version\":";
  append_string(out, snapshot.server_version, "server_version", nullptr);
  out += ",\"fingerprint\":\"" + fp +
         "\",\"object_count\":" + std::to_string(snapshot.objects.size()) + ",\"objects\":[";
  bool first = true;
  for (const Object& o : snapshot.objects) {
    const Owner owner{o.kind, o.identity};
    out += first ? "{\"kind\":" : ",{\"kind\":";
    first = false;
    append_string(out, o.kind, "kind", &owner);
    out += ",\"identity\":";
    append_string(out, o.identity, "identity", &owner);
    out += ",\"attrs\":{";
    bool first_attr = true;
    for (const Attribute& a : o.attrs) {
      if (!first_attr) out += ',';
      first_attr = false;
      append_string(out, a.key, "an attribute key", &owner);
      out += ':';
      append_string(out, a.value, "an attribute value", &owner);
    }
    out += "}}";
  }
  out += "]}";
  return out;
}

std::string to_json(const FlatSnapshot& snapshot, const std::string& fp) {
  if (!snapshot.normalized()) throw ModelError("cannot write snapshot document: not normalized");
  const std::vector<std::string>& kinds = snapshot.kinds();
  const std::vector<std::string>& keys = snapshot.keys();
  const auto& objects = snapshot.objects();
  const auto& attrs = snapshot.attrs();
  // Kinds and keys as JSON strings, once ("an attribute key" is checked here too).
  std::vector<std::string> kind_json(kinds.size()), key_json(keys.size());
  std::vector<bool> kind_done(kinds.size()), key_done(keys.size());
  std::size_t estimate = 256;
  for (const FlatSnapshot::Obj& o : objects) estimate += o.identity_size + 40;
  for (const FlatSnapshot::Attr& a : attrs) estimate += a.size + 24;
  std::string out;
  out.reserve(estimate + estimate / 16);
  out += "{\"format\":\"";
  out += kFormatName;
  out += "\",\"version\":" + std::to_string(kSnapshotFormatVersion) + ",\"server_version\":";
  append_string(out, snapshot.server_version, "server_version", nullptr);
  out += ",\"fingerprint\":\"" + fp + "\",\"object_count\":" + std::to_string(objects.size()) +
         ",\"objects\":[";
  bool first = true;
  for (std::uint32_t i : snapshot.order()) {
    const FlatSnapshot::Obj& o = objects[i];
    const Owner owner{kinds[o.kind], std::string_view(o.identity, o.identity_size)};
    out += first ? "{\"kind\":" : ",{\"kind\":";
    first = false;
    if (!kind_done[o.kind]) {
      append_string(kind_json[o.kind], kinds[o.kind], "kind", &owner);
      kind_done[o.kind] = true;
    }
    out += kind_json[o.kind];
    out += ",\"identity\":";
    append_string(out, owner.identity, "identity", &owner);
    out += ",\"attrs\":{";
    for (std::uint32_t a = o.first; a < o.first + o.count; a++) {
      if (a != o.first) out += ',';
      const std::uint32_t k = attrs[a].key;
      if (!key_done[k]) {
        append_string(key_json[k], keys[k], "an attribute key", &owner);
        key_done[k] = true;
      }
      out += key_json[k];
      out += ':';
      append_string(out, std::string_view(attrs[a].value, attrs[a].size), "an attribute value",
                    &owner);
    }
    out += "}}";
  }
  out += "]}";
  return out;
}

std::string with_schemas(std::string document, const std::vector<std::string>& schemas) {
  if (document.size() < 2 || document.back() != '}')
    throw ModelError("cannot add schemas to a snapshot document: not an object");
  std::string field = ",\"schemas\":[";
  for (std::size_t i = 0; i < schemas.size(); i++) {
    if (i) field += ',';
    append_string(field, schemas[i], "a schema name", nullptr);
  }
  document.insert(document.size() - 1, field + "]");
  return document;
}

}  // namespace squash::model
