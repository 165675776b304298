// The compact binary form snapshots are stored in (squash.snapshot_store.document).
// JSON (snapshot_json.hpp) stays the form snapshots travel in; this one is for keeping
// dozens of large snapshots and reading them back fast: a fraction of the bytes of the
// document before compression, and no text parsing.
//
// Layout (version 2; version 1 is read too); varint is unsigned LEB128 (at most 10 bytes),
// str is varint length followed by the bytes:
//   "pgsqsnap" varint(version)
//   str(fingerprint)                      version 2: the snapshot's, as 64 hex digits
//   str(server_version)
//   varint(kind count) str(kind)...       the snapshot's kinds, in any order
//   varint(key count)  str(key)...        its attribute keys, in any order
//   varint(object count), then for each object in normalized order:
//     varint(kind index) varint(p) str(suffix) varint(attribute count)
//       for each attribute in key order: varint(key index * 2 + r), then str(value)
//       unless r is 1: r = 1 means "the value this key had last" (types, flags, owners and
//       default ACLs repeat from one object to the next)
//   where the identity is the first p bytes of the previous object's identity followed
//   by suffix (sorted identities share long prefixes).
//   version 2: 32 bytes, the SHA-256 of every byte before them. Nothing else may follow.
// Version 2 carries its fingerprint and a checksum, so a reader checks a document against
// the recorded fingerprint without hashing every object again (SHA-256 of the stored bytes,
// a fraction of the canonical encoding's, instead of fingerprint() of the whole snapshot).
#pragma once

#include <string>
#include <string_view>

#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/snapshot_json.hpp"

namespace squash::model {

constexpr std::string_view kStoredFormMagic = "pgsqsnap";
constexpr int kSnapshotCodecVersion = 2;
constexpr std::size_t kStoredFormChecksumBytes = 32;

// Back-references make the decoded snapshot larger than its stored form, legitimately (a
// long default repeated on every table) or not (a crafted document). What decode builds,
// counted as identity and value bytes plus a fixed overhead per object and attribute, is
// capped at kDecodedBaseBytes + kDecodedBytesPerByte times the input, and at kMaxDecodedBytes.
constexpr std::size_t kDecodedBaseBytes = std::size_t(256) << 20;
constexpr std::size_t kDecodedBytesPerByte = 256;
constexpr std::size_t kMaxDecodedBytes = std::size_t(1) << 30;
constexpr std::size_t kDecodedObjectOverhead = 32;
constexpr std::size_t kDecodedAttributeOverhead = 16;
std::size_t decoded_limit(std::size_t input_bytes);

// The stored form of a normalized snapshot (ModelError otherwise), server_version included;
// fingerprint must be the snapshot's (fingerprint.hpp), as the caller has already computed
// it. The second form computes it.
std::string encode(const FlatSnapshot& snapshot, const std::string& fingerprint);
std::string encode(const FlatSnapshot& snapshot);

// Reads the stored form back, normalized. Any byte sequence is safe: a wrong header,
// unknown version, truncation, an index or length out of range, trailing bytes, duplicate
// or empty names all throw FormatError; counts are checked against the bytes left before
// anything is reserved, and what is built is capped by decoded_limit(bytes.size()), so
// corrupt input costs a bounded amount of memory and time. A version 2 document whose
// checksum does not match its bytes is a FormatError; its fingerprint goes to *fingerprint
// (left empty for version 1, which carries none: compute it).
FlatSnapshot decode(std::string_view bytes, std::string* fingerprint = nullptr);

}  // namespace squash::model
