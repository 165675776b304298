// Reading snapshot documents (see snapshot_json.hpp): nlohmann's SAX parser, which keeps
// its own state in a flat stack (no recursion), straight into the model with no
// intermediate tree. The handler is a small state machine that knows the document's fixed
// shape, so it can name the path of every bad element and stop at the first nesting level
// past the limit.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/printable.hpp"
#include "pg_squash/model/snapshot_json.hpp"

namespace squash::model {

namespace {

using Json = nlohmann::json;

enum class Type { kNull, kBoolean, kInteger, kNumber, kString, kObject, kArray };

const char* type_name(Type t) {
  switch (t) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kInteger:
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kObject:
      return "object";
    case Type::kArray:
      return "array";
  }
  return "value";
}

// Top-level fields and object fields, as bits for "seen" sets.
enum TopField : unsigned {
  kFormat = 1,
  kVersion = 2,
  kServerVersion = 4,
  kFingerprint = 8,
  kObjectCount = 16,
  kObjects = 32,
  kSchemas = 64,  // optional: the scope the snapshot was taken with
  kUnknownTop = 0,
};
enum ObjectField : unsigned { kKind = 1, kIdentity = 2, kAttrs = 4, kUnknownObject = 0 };

struct FieldName {
  const char* name;
  unsigned bit;
};
const FieldName kTopFields[] = {{"format", kFormat},
                                {"version", kVersion},
                                {"server_version", kServerVersion},
                                {"fingerprint", kFingerprint},
                                {"object_count", kObjectCount},
                                {"objects", kObjects},
                                {"schemas", kSchemas}};
const FieldName kObjectFields[] = {{"kind", kKind}, {"identity", kIdentity}, {"attrs", kAttrs}};

template <std::size_t N>
unsigned lookup(const FieldName (&fields)[N], const std::string& key) {
  for (const FieldName& f : fields)
    if (key == f.name) return f.bit;
  return 0;
}

template <std::size_t N>
const char* field_name(const FieldName (&fields)[N], unsigned bit) {
  for (const FieldName& f : fields)
    if (f.bit == bit) return f.name;
  return "?";
}

// A path component for an attribute key: .key when it reads as a name, else ["key"].
std::string key_path(const std::string& key) {
  bool simple = !key.empty() && key.size() <= 64;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      simple = false;
  return simple ? "." + key : "[" + quoted_text(key, 64) + "]";
}

[[noreturn]] void fail(const std::string& message) {
  throw FormatError(message);
}

class Reader final : public nlohmann::json_sax<Json> {
 public:
  explicit Reader(std::size_t document_size) : document_size_(document_size) {}

  Snapshot finish();

  // nlohmann::json_sax
  bool null() override { return scalar(Type::kNull); }
  bool boolean(bool) override { return scalar(Type::kBoolean); }
  bool number_integer(number_integer_t v) override {
    return integer(v < 0 ? 0 : static_cast<std::uint64_t>(v), v >= 0);
  }
  bool number_unsigned(number_unsigned_t v) override { return integer(v, v <= kMaxInteger); }
  bool number_float(number_float_t, const string_t&) override { return scalar(Type::kNumber); }
  bool binary(binary_t&) override { return scalar(Type::kNull); }  // not produced from JSON text
  bool string(string_t& value) override;
  bool start_object(std::size_t) override { return open(Type::kObject); }
  bool start_array(std::size_t) override { return open(Type::kArray); }
  bool key(string_t& key) override;
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override;

 private:
  static constexpr std::uint64_t kMaxInteger = std::uint64_t(1) << 62;

  enum class State {
    kStart,        // before the document
    kTop,          // in the top-level object: a key or its end
    kTopValue,     // the value of top_field_
    kObjects,      // in "objects": an element or the end
    kObject,       // in objects[index_]: a key or its end
    kObjectValue,  // the value of object_field_
    kAttrs,        // in objects[index_].attrs: a key or its end
    kAttrValue,    // the value of attr_key_
    kSchemas,      // in "schemas": a schema name or the end
    kSkip,         // inside a value of the wrong type, skip_ levels deep
    kDone,         // after the top-level object
  };

  // The path of the value expected in the current state, for messages.
  std::string path() const;
  std::string object_path() const { return "objects[" + std::to_string(index_ - 1) + "]"; }

  // Records the first content error; parsing goes on so that the format and version
  // (which jsonb may place after "objects") are checked first in finish().
  // Callers test error_ first, so that a document with millions of bad elements does not
  // build millions of messages.
  void error(const std::string& message) {
    if (!error_) error_ = message;
  }
  void type_error(const char* expected, Type got) {
    if (!error_) error(path() + ": expected " + expected + ", got " + type_name(got));
  }

  // The state after the current value.
  State after_value() const {
    switch (state_) {
      case State::kTopValue:
        return State::kTop;
      case State::kObjects:
        return State::kObjects;
      case State::kObjectValue:
        return State::kObject;
      case State::kAttrValue:
        return State::kAttrs;
      case State::kSchemas:
        return State::kSchemas;
      default:
        return State::kDone;
    }
  }

  bool scalar(Type t);
  bool integer(std::uint64_t value, bool in_range);
  bool open(Type t);
  bool close();
  void begin_skip(const char* expected, Type got);
  void top_type_error(Type t);  // a top-level field's value has the wrong type
  void finish_object();
  // Reports a control character in text (the value at path()); false when there is one.
  bool check_text(const std::string& text, bool allow_tab_newline);

  std::size_t document_size_;
  State state_ = State::kStart;
  State resume_ = State::kDone;  // where kSkip returns to
  int depth_ = 0;
  int skip_ = 0;
  unsigned top_field_ = 0, top_seen_ = 0;
  unsigned object_field_ = 0, object_seen_ = 0;
  std::string top_key_, object_key_, attr_key_;  // as written, for messages
  std::string skip_path_;                        // the value being skipped
  std::size_t index_ = 0;                        // objects seen so far (current is index_-1)
  Object object_;
  bool object_ok_ = true;
  std::optional<std::string> error_;

  // Top-level fields.
  std::optional<std::string> format_error_, version_error_;
  std::string server_version_, fingerprint_;
  std::uint64_t object_count_ = 0;
  Snapshot snapshot_;
  std::optional<std::vector<std::string>> schemas_;

 public:
  std::optional<std::vector<std::string>> take_schemas() { return std::move(schemas_); }
};

std::string Reader::path() const {
  switch (state_) {
    case State::kStart:
      return "top level";
    case State::kTop:
    case State::kDone:
      return "top level";
    case State::kTopValue:
      return top_field_ ? field_name(kTopFields, top_field_) : printable(top_key_, 64);
    case State::kObjects:
      return "objects[" + std::to_string(index_) + "]";
    case State::kObject:
      return object_path();
    case State::kObjectValue:
      return object_path() + "." +
             (object_field_ ? field_name(kObjectFields, object_field_)
                            : printable(object_key_, 64));
    case State::kAttrs:
      return object_path() + ".attrs";
    case State::kAttrValue:
      return object_path() + ".attrs" + key_path(attr_key_);
    case State::kSchemas:
      return "schemas[" + std::to_string(schemas_ ? schemas_->size() : 0) + "]";
    case State::kSkip:
      return "?";
  }
  return "?";
}

void Reader::begin_skip(const char* expected, Type got) {
  if (expected) type_error(expected, got);
  skip_path_ = path();
  resume_ = after_value();
  if (state_ == State::kObjects) index_++;
  state_ = State::kSkip;
  skip_ = 1;
}

bool Reader::open(Type t) {
  if (++depth_ > kMaxDocumentDepth) {
    std::string where = " (at " + (state_ == State::kSkip ? skip_path_ : path()) + ")";
    fail("document nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels" + where);
  }
  switch (state_) {
    case State::kSkip:
      skip_++;
      return true;
    case State::kStart:
      if (t != Type::kObject)
        fail(std::string("top level: expected an object, got ") + type_name(t) +
             " (not a pg_squash snapshot document)");
      state_ = State::kTop;
      return true;
    case State::kTopValue:
      if (top_field_ == kObjects && t == Type::kArray) {
        state_ = State::kObjects;
        return true;
      }
      if (top_field_ == kSchemas && t == Type::kArray) {
        schemas_.emplace();
        state_ = State::kSchemas;
        return true;
      }
      top_type_error(t);
      begin_skip(nullptr, t);
      return true;
    case State::kObjects:
      if (t != Type::kObject) {
        begin_skip("an object", t);
        return true;
      }
      if (index_ >= kMaxDocumentObjects)
        fail("objects: more than " + std::to_string(kMaxDocumentObjects) + " objects");
      index_++;
      object_ = Object();
      object_seen_ = 0;
      object_ok_ = true;
      state_ = State::kObject;
      return true;
    case State::kObjectValue:
      if (object_field_ == kAttrs && t == Type::kObject) {
        state_ = State::kAttrs;
        return true;
      }
      begin_skip(object_field_ == 0        ? nullptr
                 : object_field_ == kAttrs ? "an object"
                                           : "a string",
                 t);
      return true;
    case State::kAttrValue:
    case State::kSchemas:
      begin_skip("a string", t);
      return true;
    default:
      fail("internal error: unexpected container in snapshot document");
  }
}

bool Reader::close() {
  depth_--;
  switch (state_) {
    case State::kSkip:
      if (--skip_ == 0) state_ = resume_;
      return true;
    case State::kTop:
      state_ = State::kDone;
      return true;
    case State::kObjects:
      state_ = State::kTop;
      return true;
    case State::kObject:
      finish_object();
      state_ = State::kObjects;
      return true;
    case State::kAttrs:
      state_ = State::kObject;
      return true;
    case State::kSchemas:
      state_ = State::kTop;
      return true;
    default:
      fail("internal error: unexpected end of container in snapshot document");
  }
}

bool Reader::scalar(Type t) {
  switch (state_) {
    case State::kSkip:
      return true;
    case State::kStart:
      fail(std::string("top level: expected an object, got ") + type_name(t) +
           " (not a pg_squash snapshot document)");
    case State::kTopValue:
      if (!(top_field_ == kSchemas && t == Type::kNull)) top_type_error(t);  // null: every schema
      state_ = State::kTop;
      return true;
    case State::kSchemas:
      type_error("a string", t);
      return true;
    case State::kObjects:
      type_error("an object", t);
      index_++;
      return true;
    case State::kObjectValue:
      if (object_field_ != 0) type_error(object_field_ == kAttrs ? "an object" : "a string", t);
      object_ok_ = false;
      state_ = State::kObject;
      return true;
    case State::kAttrValue:
      type_error("a string", t);
      object_ok_ = false;
      state_ = State::kAttrs;
      return true;
    default:
      fail("internal error: unexpected value in snapshot document");
  }
}

void Reader::top_type_error(Type t) {
  switch (top_field_) {
    case kFormat:
      format_error_ = std::string("format: expected a string, got ") + type_name(t) +
                      " (not a pg_squash snapshot document)";
      break;
    case kVersion:
      version_error_ = std::string("version: expected an integer, got ") + type_name(t);
      break;
    case kObjects:
    case kSchemas:
      type_error("an array", t);
      break;
    case kObjectCount:
      type_error("an integer", t);
      break;
    case 0:
      break;  // unknown field, already reported
    default:
      type_error("a string", t);
  }
}

bool Reader::integer(std::uint64_t value, bool in_range) {
  if (state_ != State::kTopValue || (top_field_ != kVersion && top_field_ != kObjectCount))
    return scalar(Type::kInteger);
  if (top_field_ == kVersion) {
    if (!in_range || value != static_cast<std::uint64_t>(kSnapshotFormatVersion))
      version_error_ = "version: unsupported snapshot format version " +
                       (in_range ? std::to_string(value) : std::string("(out of range)")) +
                       " (this pg_squash reads version " + std::to_string(kSnapshotFormatVersion) +
                       ")";
  } else if (!in_range) {
    if (!error_) error("object_count: expected a count of objects, got a negative or huge number");
  } else {
    object_count_ = value;
  }
  state_ = State::kTop;
  return true;
}

bool Reader::check_text(const std::string& text, bool allow_tab_newline) {
  for (std::size_t i = 0; i < text.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7F) continue;
    if (allow_tab_newline && (c == '\t' || c == '\n')) continue;
    static const char digits[] = "0123456789abcdef";
    if (!error_)
      error(path() + ": control character \\x" + digits[c >> 4] + digits[c & 0xF] + " at byte " +
            std::to_string(i) + " of " + quoted_text(text));
    object_ok_ = false;
    return false;
  }
  return true;
}

bool Reader::string(string_t& value) {
  switch (state_) {
    case State::kTopValue:
      switch (top_field_) {
        case kFormat:
          if (value != kFormatName)
            format_error_ = "format: expected \"" + std::string(kFormatName) + "\", got " +
                            quoted_text(value) + " (not a pg_squash snapshot document)";
          break;
        case kServerVersion:
          server_version_ = std::move(value);
          break;
        case kFingerprint:
          if (!is_fingerprint(value))
            if (!error_)
              error("fingerprint: expected 64 lowercase hex digits, got " + quoted_text(value));
          fingerprint_ = std::move(value);
          break;
        default:
          top_type_error(Type::kString);
      }
      state_ = State::kTop;
      return true;
    case State::kObjectValue: {
      switch (object_field_) {
        case kKind:
        case kIdentity:
          if (value.empty()) {
            if (!error_) error(path() + ": must not be empty");
            object_ok_ = false;
          } else if (object_field_ == kKind) {
            check_text(value, true);
          } else if (value.find('\0') != std::string::npos) {
            // A quoted identifier may hold any character but NUL, control characters too.
            if (!error_) error(path() + ": contains a NUL character");
            object_ok_ = false;
          }
          (object_field_ == kKind ? object_.kind : object_.identity) = std::move(value);
          break;
        case kAttrs:
          type_error("an object", Type::kString);
          object_ok_ = false;
          break;
        default:
          break;  // unknown field, already reported
      }
      state_ = State::kObject;
      return true;
    }
    case State::kAttrValue:
      if (value.find('\0') != std::string::npos) {
        if (!error_) error(path() + ": contains a NUL character");
        object_ok_ = false;
      }
      if (object_ok_ && !error_) object_.attrs.push_back({std::move(attr_key_), std::move(value)});
      state_ = State::kAttrs;
      return true;
    case State::kSchemas:
      // A schema name as PostgreSQL allows it: 1-63 bytes, no NUL.
      if (value.empty() || value.size() > 63 || value.find('\0') != std::string::npos) {
        if (!error_)
          error(path() + ": expected a schema name (1-63 bytes, no NUL), got " +
                quoted_text(value));
      } else if (schemas_->size() >= kMaxDocumentSchemas) {
        if (!error_)
          error("schemas: more than " + std::to_string(kMaxDocumentSchemas) + " schemas");
      } else if (std::find(schemas_->begin(), schemas_->end(), value) != schemas_->end()) {
        if (!error_) error(path() + ": duplicate schema " + quoted_text(value));
      } else {
        schemas_->push_back(std::move(value));
      }
      return true;
    default:
      return scalar(Type::kString);
  }
}

bool Reader::key(string_t& key) {
  switch (state_) {
    case State::kTop:
      top_field_ = lookup(kTopFields, key);
      top_key_ = key;
      if (top_field_ == 0) {
        if (!error_) error("top level: unknown field " + quoted_text(key));
      } else if (top_seen_ & top_field_) {
        if (!error_) error("top level: duplicate field " + quoted_text(key));
        top_field_ = 0;  // ignore the second value
      } else {
        top_seen_ |= top_field_;
      }
      state_ = State::kTopValue;
      return true;
    case State::kObject:
      object_field_ = lookup(kObjectFields, key);
      object_key_ = key;
      if (object_field_ == 0) {
        if (!error_) error(object_path() + ": unknown field " + quoted_text(key));
        object_ok_ = false;
      } else if (object_seen_ & object_field_) {
        if (!error_) error(object_path() + ": duplicate field " + quoted_text(key));
        object_ok_ = false;
        object_field_ = 0;
      } else {
        object_seen_ |= object_field_;
      }
      state_ = State::kObjectValue;
      return true;
    case State::kAttrs:
      attr_key_ = std::move(key);
      state_ = State::kAttrValue;
      if (attr_key_.empty()) {
        if (!error_) error(object_path() + ".attrs: empty attribute key");
        object_ok_ = false;
      } else {
        check_text(attr_key_, false);  // path() names the key now
      }
      return true;
    default:
      return true;  // keys inside skipped values
  }
}

void Reader::finish_object() {
  if (error_) return;  // only the first error is reported: save the work
  for (unsigned bit : {kKind, kIdentity, kAttrs})
    if (!(object_seen_ & bit)) {
      if (!error_)
        error(object_path() + ": missing field \"" + field_name(kObjectFields, bit) + "\"");
      return;
    }
  if (!object_ok_) return;
  std::vector<Attribute>& attrs = object_.attrs;
  std::sort(attrs.begin(), attrs.end(),
            [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < attrs.size(); i++)
    if (attrs[i - 1].key == attrs[i].key) {
      if (!error_) error(object_path() + ".attrs: duplicate key " + quoted_text(attrs[i].key));
      return;
    }
  snapshot_.objects.push_back(std::move(object_));
}

bool Reader::parse_error(std::size_t position, const std::string&,
                         const nlohmann::detail::exception& ex) {
  // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 5:
  // syntax error while parsing value - ...; last read: '...'". Keep what follows the
  // location; printable() escapes the raw bytes it may quote.
  std::string what = ex.what();
  std::string location, detail = what;
  std::size_t at = what.find(" at line ");
  std::size_t colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
  if (colon != std::string::npos) {
    location = what.substr(at + 4, colon - at - 4);  // "line 1, column 5"
    detail = what.substr(colon + 2);
  } else if (std::size_t bracket = what.find("] "); bracket != std::string::npos) {
    detail = what.substr(bracket + 2);
  }
  // position counts the bytes read, the one in error included; reading past the end
  // counts one more.
  if (position > document_size_)
    fail("not valid JSON: the document ends early, after " + std::to_string(document_size_) +
         (document_size_ == 1 ? " byte" : " bytes") + " (truncated?): " + printable(detail, 200));
  std::string where = "at byte " + std::to_string(position);
  if (!location.empty()) where += " (" + location + ")";
  fail("not valid JSON " + where + ": " + printable(detail, 200));
}

Snapshot Reader::finish() {
  if (state_ != State::kDone) fail("not valid JSON: the document ends early (truncated?)");
  if (format_error_) fail(*format_error_);
  if (!(top_seen_ & kFormat))
    fail("top level: missing field \"format\" (not a pg_squash snapshot document)");
  if (version_error_) fail(*version_error_);
  if (!(top_seen_ & kVersion)) fail("top level: missing field \"version\"");
  if (error_) fail(*error_);
  for (const FieldName& f : kTopFields)
    if (f.bit != kSchemas && !(top_seen_ & f.bit))
      fail(std::string("top level: missing field \"") + f.name + "\"");
  if (schemas_ && schemas_->empty()) fail("schemas: an empty list (write null for every schema)");
  if (object_count_ != index_)
    fail("object_count: the document says " + std::to_string(object_count_) +
         " objects, but \"objects\" has " + std::to_string(index_));

  // Normalize, naming duplicates by their places in the document.
  std::vector<Object>& objects = snapshot_.objects;
  std::vector<std::uint32_t> order(objects.size());
  for (std::size_t i = 0; i < order.size(); i++) order[i] = static_cast<std::uint32_t>(i);
  auto less = [&](std::uint32_t a, std::uint32_t b) {
    int c = objects[a].kind.compare(objects[b].kind);
    if (c != 0) return c < 0;
    c = objects[a].identity.compare(objects[b].identity);
    return c != 0 ? c < 0 : a < b;
  };
  if (!std::is_sorted(order.begin(), order.end(), less))
    std::sort(order.begin(), order.end(), less);
  for (std::size_t i = 1; i < order.size(); i++) {
    const Object& a = objects[order[i - 1]];
    const Object& b = objects[order[i]];
    if (a.kind == b.kind && a.identity == b.identity)
      fail("objects[" + std::to_string(order[i - 1]) + "] and objects[" + std::to_string(order[i]) +
           "]: duplicate object: " + printable(a.kind) + " " + quoted_text(a.identity));
  }
  Snapshot result;
  result.server_version = std::move(server_version_);
  result.objects.reserve(objects.size());
  for (std::uint32_t i : order) result.objects.push_back(std::move(objects[i]));
  objects.clear();

  std::string actual = fingerprint(result);
  if (actual != fingerprint_)
    fail("fingerprint: the document says " + fingerprint_ + " but its objects hash to " + actual +
         " (the document was altered or is corrupt)");
  return result;
}

}  // namespace

Snapshot from_json(std::string_view text) {
  return from_json(text, nullptr);
}

Snapshot from_json(std::string_view text, std::optional<std::vector<std::string>>* schemas) {
  if (text.size() > kMaxDocumentBytes)
    throw FormatError("document is " + std::to_string(text.size()) + " bytes, more than the " +
                      std::to_string(kMaxDocumentBytes >> 20) + " MiB limit");
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw FormatError("empty document (expected a pg_squash snapshot JSON object)");
  Reader reader(text.size());
  const char* begin = text.data();
  Json::sax_parse(begin, begin + text.size(), &reader, nlohmann::json::input_format_t::json,
                  /*strict=*/true, /*ignore_comments=*/false);
  Snapshot snapshot = reader.finish();
  if (schemas) *schemas = reader.take_schemas();
  return snapshot;
}

}  // namespace squash::model
