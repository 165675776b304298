// The schema fingerprint: SHA-256 over a canonical encoding of a normalized snapshot.
#pragma once

#include <string>

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

// True when text looks like a fingerprint (64 lowercase hex digits).
bool is_fingerprint(const std::string& text);

}  // namespace squash::model
