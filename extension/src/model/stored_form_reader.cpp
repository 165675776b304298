// See stored_form_reader.hpp; the layout is in snapshot_codec.hpp.
#include "pg_squash/model/stored_form_reader.hpp"

#include <unordered_set>

#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/sha256.hpp"
#include "pg_squash/model/snapshot_codec.hpp"

namespace squash::model {

StoredFormReader::StoredFormReader(std::string_view bytes) : bytes_(bytes) {
  if (bytes.size() < kStoredFormMagic.size() ||
      bytes.substr(0, kStoredFormMagic.size()) != kStoredFormMagic)
    throw FormatError("stored snapshot: not in pg_squash's stored form (wrong header)");
  at_ = kStoredFormMagic.size();
  const std::uint64_t version = varint("the version");
  if (version != 1 && version != 2)
    fail("unknown stored form version " + std::to_string(version) + " (this build reads 1 and 2)");
  if (version == 2) {
    if (left() < kStoredFormChecksumBytes) fail("truncated before the checksum");
    const std::size_t end = bytes_.size() - kStoredFormChecksumBytes;
    checksum_ok_ = sha256_bytes(bytes_.substr(0, end)) == bytes_.substr(end);
    bytes_ = bytes_.substr(0, end);
    fingerprint_ = str("the fingerprint");
    if (!is_fingerprint(std::string(fingerprint_))) fail("the fingerprint is not 64 hex digits");
  }
  server_version_ = str("server_version");
  kinds_ = names("the kind table");
  keys_ = names("the key table");
  // Each object takes at least 4 bytes (kind, prefix, suffix length, attribute count).
  count_ = count("the object count", 4);
  if (count_ > kMaxDocumentObjects)
    fail("more than " + std::to_string(kMaxDocumentObjects) + " objects");
  last_.resize(keys_.size());
  seen_.resize(keys_.size(), false);
}

bool StoredFormReader::next() {
  if (read_ == count_) {
    if (left() != 0) fail(std::to_string(left()) + " bytes after the last object");
    if (!checksum_ok_) fail("the checksum does not match the bytes");
    return false;
  }
  read_++;
  const std::uint64_t kind = varint("an object's kind");
  if (kind >= kinds_.size()) fail("kind index " + std::to_string(kind) + " out of range");
  kind_ = static_cast<std::uint32_t>(kind);
  const std::uint64_t shared = varint("an identity");
  if (shared > identity_.size()) fail("identity prefix longer than the previous identity");
  identity_.resize(static_cast<std::size_t>(shared));
  const std::string_view suffix = str("an identity");
  identity_.append(suffix.data(), suffix.size());
  if (identity_.empty()) fail("an empty identity");
  const std::size_t attributes = count("an attribute count", 1);
  attrs_.clear();
  for (std::size_t a = 0; a < attributes; a++) {
    const std::uint64_t code = varint("an attribute key");
    const std::uint64_t key = code / 2;
    if (key >= keys_.size()) fail("key index " + std::to_string(key) + " out of range");
    const auto k = static_cast<std::size_t>(key);
    if (code % 2 == 1) {
      if (!seen_[k]) fail("a repeated value of key " + std::to_string(key) + " before any");
      attrs_.push_back({static_cast<std::uint32_t>(k), last_[k], true});
    } else {
      last_[k] = str("an attribute value");
      seen_[k] = true;
      attrs_.push_back({static_cast<std::uint32_t>(k), last_[k], false});
    }
  }
  return true;
}

void StoredFormReader::fail(const std::string& what) const {
  throw FormatError("stored snapshot: " + what + " (at byte " + std::to_string(at_) + ")");
}

std::uint64_t StoredFormReader::varint(const char* what) {
  std::uint64_t n = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at_ == bytes_.size()) fail(std::string("truncated in ") + what);
    const auto byte = static_cast<unsigned char>(bytes_[at_++]);
    if (shift == 63 && byte > 1) fail(std::string("number out of range in ") + what);
    n |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return n;
  }
  fail(std::string("number out of range in ") + what);
}

// A count of items that each take at least min_bytes: never more than the bytes left.
std::size_t StoredFormReader::count(const char* what, std::size_t min_bytes) {
  const std::uint64_t n = varint(what);
  if (n > left() / min_bytes)
    fail(std::string("impossible ") + what + " (" + std::to_string(n) + ")");
  return static_cast<std::size_t>(n);
}

std::string_view StoredFormReader::str(const char* what) {
  const std::uint64_t n = varint(what);
  if (n > left()) fail(std::string("truncated in ") + what);
  std::string_view s = bytes_.substr(at_, static_cast<std::size_t>(n));
  at_ += static_cast<std::size_t>(n);
  return s;
}

// The kind or key table: names, distinct and non-empty.
std::vector<std::string_view> StoredFormReader::names(const char* what) {
  const std::size_t n = count(what, 1);
  std::vector<std::string_view> out;
  out.reserve(n);
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < n; i++) {
    std::string_view name = str(what);
    if (name.empty()) fail(std::string("an empty name in ") + what);
    if (!seen.insert(name).second) fail(std::string("a duplicate name in ") + what);
    out.push_back(name);
  }
  return out;
}

}  // namespace squash::model
