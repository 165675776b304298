// The schema fingerprint: SHA-256 over a canonical encoding of a normalized snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pg_squash/model/snapshot.hpp"

namespace squash::model {

// Lowercase hex SHA-256 (64 characters). The snapshot must be normalized (ModelError
// otherwise: an unsorted list would hash differently). server_version is not hashed.
//
// The hashed bytes (canonical encoding, version 1), where u64(n) is n as 8 bytes
// big-endian and str(s) is u64(byte length of s) followed by the bytes of s:
//   "pg_squash fingerprint 1\n" u64(object count)
//   for each object in order: str(kind) str(identity) u64(attribute count)
//     for each attribute in order: str(key) str(value)
// Every field is length-prefixed, so no two different snapshots share an encoding.
std::string fingerprint(const Snapshot& snapshot);

class Sha256Stream;

// The same bytes written object by object, for a reader that never builds a snapshot (the
// stored diff). Objects and attributes must come in normalized order; nothing checks it.
class FingerprintWriter {
 public:
  explicit FingerprintWriter(std::uint64_t objects);
  ~FingerprintWriter();
  FingerprintWriter(const FingerprintWriter&) = delete;
  FingerprintWriter& operator=(const FingerprintWriter&) = delete;

  // str(name) of a kind or key: made once per name, passed to object() and attribute().
  static std::string encode_name(std::string_view name);
  void object(std::string_view encoded_kind, std::string_view identity, std::uint64_t attributes);
  void attribute(std::string_view encoded_key, std::string_view value);
  std::string hex();

 private:
  std::unique_ptr<Sha256Stream> h_;
};

// True when text looks like a fingerprint (64 lowercase hex digits).
bool is_fingerprint(const std::string& text);

}  // namespace squash::model
