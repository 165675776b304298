// Reads the stored form (snapshot_codec.hpp) one object at a time, in place: identities
// are rebuilt in one reused buffer and values are views into the document, so walking a
// large snapshot allocates nothing per object. decode() builds a FlatSnapshot from it;
// the stored diff (stored_diff.hpp) compares two documents with it without building either.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pg_squash/model/snapshot_json.hpp"

namespace squash::model {

class StoredFormReader {
 public:
  // Checks the header, the version and the kind and key tables (FormatError otherwise).
  // A version 2 document's checksum is checked too, but reported only once every object
  // has been read (so a truncated document says "truncated", as version 1 does).
  explicit StoredFormReader(std::string_view bytes);

  struct Attr {
    std::uint32_t key;       // index into keys()
    std::string_view value;  // into the document
    bool repeated;           // stored as "the value this key had last"
  };

  // Reads the next object: true, or false after the last one (FormatError on anything
  // malformed, including bytes after the last object).
  bool next();

  std::string_view server_version() const { return server_version_; }
  // Version 2: the fingerprint the document says it has (its checksum vouches for it once
  // next() has returned false). Version 1: empty.
  std::string_view fingerprint() const { return fingerprint_; }
  const std::vector<std::string_view>& kinds() const { return kinds_; }
  const std::vector<std::string_view>& keys() const { return keys_; }
  std::size_t object_count() const { return count_; }
  std::size_t size() const { return bytes_.size(); }

  // The object next() read last.
  std::uint32_t kind() const { return kind_; }
  std::string_view identity() const { return identity_; }
  const std::vector<Attr>& attrs() const { return attrs_; }

  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::uint64_t varint(const char* what);
  std::size_t count(const char* what, std::size_t min_bytes);
  std::string_view str(const char* what);
  std::vector<std::string_view> names(const char* what);
  std::size_t left() const { return bytes_.size() - at_; }

  std::string_view bytes_;
  std::size_t at_ = 0;
  std::string_view server_version_, fingerprint_;
  bool checksum_ok_ = true;
  std::vector<std::string_view> kinds_, keys_;
  std::size_t count_ = 0, read_ = 0;
  std::uint32_t kind_ = 0;
  std::string identity_;
  std::vector<Attr> attrs_;
  std::vector<std::string_view> last_;  // each key's last value
  std::vector<bool> seen_;
};

}  // namespace squash::model
