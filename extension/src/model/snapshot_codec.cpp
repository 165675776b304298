// The stored form of a snapshot (see snapshot_codec.hpp for the layout).
#include "pg_squash/model/snapshot_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace squash::model {

namespace {

constexpr std::string_view kMagic = "pgsqsnap";

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void varint(std::uint64_t n) {
    while (n >= 0x80) {
      out_.push_back(static_cast<char>((n & 0x7F) | 0x80));
      n >>= 7;
    }
    out_.push_back(static_cast<char>(n));
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s.data(), s.size());
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  std::size_t left() const { return in_.size() - at_; }

  std::uint64_t varint(const char* what) {
    std::uint64_t n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ == in_.size()) fail(std::string("truncated in ") + what);
      const auto byte = static_cast<unsigned char>(in_[at_++]);
      if (shift == 63 && byte > 1) fail(std::string("number out of range in ") + what);
      n |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return n;
    }
    fail(std::string("number out of range in ") + what);
  }

  // A count of items that each take at least min_bytes: never more than the bytes left.
  std::size_t count(const char* what, std::size_t min_bytes) {
    const std::uint64_t n = varint(what);
    if (n > left() / min_bytes)
      fail(std::string("impossible ") + what + " (" + std::to_string(n) + ")");
    return static_cast<std::size_t>(n);
  }

  std::string_view str(const char* what) {
    const std::uint64_t n = varint(what);
    if (n > left()) fail(std::string("truncated in ") + what);
    std::string_view s = in_.substr(at_, static_cast<std::size_t>(n));
    at_ += static_cast<std::size_t>(n);
    return s;
  }

  std::string_view raw(std::size_t n) {
    if (n > left()) fail("truncated header");
    std::string_view s = in_.substr(at_, n);
    at_ += n;
    return s;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError("stored snapshot: " + what + " (at byte " + std::to_string(at_) + ")");
  }

 private:
  std::string_view in_;
  std::size_t at_ = 0;
};

// The kind or key table: names, distinct and non-empty.
std::vector<std::string_view> names(Reader& in, const char* what) {
  const std::size_t n = in.count(what, 1);
  std::vector<std::string_view> out;
  out.reserve(n);
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < n; i++) {
    std::string_view name = in.str(what);
    if (name.empty()) in.fail(std::string("an empty name in ") + what);
    if (!seen.insert(name).second) in.fail(std::string("a duplicate name in ") + what);
    out.push_back(name);
  }
  return out;
}

}  // namespace

std::string encode(const FlatSnapshot& snapshot) {
  if (!snapshot.normalized()) throw ModelError("encode: the snapshot is not normalized");
  const auto& objects = snapshot.objects();
  const auto& attrs = snapshot.attrs();
  std::string out;
  {
    std::size_t estimate = 64 + snapshot.server_version.size() + objects.size() * 8;
    for (const auto& a : attrs) estimate += a.size + 3;
    out.reserve(estimate);
  }
  Writer w(out);
  out.append(kMagic.data(), kMagic.size());
  w.varint(kSnapshotCodecVersion);
  w.str(snapshot.server_version);
  w.varint(snapshot.kinds().size());
  for (const std::string& k : snapshot.kinds()) w.str(k);
  w.varint(snapshot.keys().size());
  for (const std::string& k : snapshot.keys()) w.str(k);
  w.varint(objects.size());
  std::vector<std::string_view> last(snapshot.keys().size());  // each key's last value
  std::vector<bool> seen(snapshot.keys().size(), false);
  std::string_view previous;
  for (std::uint32_t i : snapshot.order()) {
    const FlatSnapshot::Obj& o = objects[i];
    const std::string_view identity(o.identity, o.identity_size);
    std::size_t shared = 0;
    const std::size_t most = std::min(previous.size(), identity.size());
    while (shared < most && previous[shared] == identity[shared]) shared++;
    w.varint(o.kind);
    w.varint(shared);
    w.str(identity.substr(shared));
    w.varint(o.count);
    for (std::uint32_t a = o.first; a < o.first + o.count; a++) {
      const std::uint32_t key = attrs[a].key;
      const std::string_view value(attrs[a].value, attrs[a].size);
      if (seen[key] && last[key] == value) {
        w.varint(std::uint64_t(key) * 2 + 1);
        continue;
      }
      w.varint(std::uint64_t(key) * 2);
      w.str(value);
      last[key] = value;
      seen[key] = true;
    }
    previous = identity;
  }
  return out;
}

std::size_t decoded_limit(std::size_t input_bytes) {
  const std::size_t relative =
      input_bytes > (kMaxDecodedBytes - kDecodedBaseBytes) / kDecodedBytesPerByte
          ? kMaxDecodedBytes
          : kDecodedBaseBytes + input_bytes * kDecodedBytesPerByte;
  return std::min(relative, kMaxDecodedBytes);
}

FlatSnapshot decode(std::string_view bytes) {
  Reader in(bytes);
  if (in.left() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic)
    throw FormatError("stored snapshot: not in pg_squash's stored form (wrong header)");
  in.raw(kMagic.size());
  const std::uint64_t version = in.varint("the version");
  if (version != kSnapshotCodecVersion)
    in.fail("unknown stored form version " + std::to_string(version) + " (this build reads " +
            std::to_string(kSnapshotCodecVersion) + ")");
  FlatSnapshot out;
  out.server_version = std::string(in.str("server_version"));
  const std::vector<std::string_view> kinds = names(in, "the kind table");
  const std::vector<std::string_view> keys = names(in, "the key table");
  // Each object takes at least 4 bytes (kind, prefix, suffix length, attribute count);
  // each attribute at least 1.
  const std::size_t count = in.count("the object count", 4);
  if (count > kMaxDocumentObjects)
    in.fail("more than " + std::to_string(kMaxDocumentObjects) + " objects");
  out.reserve(count, std::min(in.left(), count * 8));
  // Names interned once; each key's last value kept once in the snapshot's text.
  std::vector<std::uint32_t> kind_ids, key_ids;
  for (std::string_view k : kinds) kind_ids.push_back(out.intern_kind(k));
  for (std::string_view k : keys) key_ids.push_back(out.intern_key(k));
  std::string identity;
  std::vector<std::string_view> last(keys.size());  // each key's last value, as stored
  std::vector<bool> seen(keys.size(), false);
  const std::size_t limit = decoded_limit(bytes.size());
  std::size_t built = 0;
  auto grow = [&](std::size_t n) {
    built += n;
    if (built > limit)
      in.fail("it decodes to more than " + std::to_string(limit >> 20) + " MiB (from " +
              std::to_string(bytes.size()) + " bytes stored)");
  };
  for (std::size_t i = 0; i < count; i++) {
    const std::uint64_t kind = in.varint("an object's kind");
    if (kind >= kinds.size()) in.fail("kind index " + std::to_string(kind) + " out of range");
    const std::uint64_t shared = in.varint("an identity");
    if (shared > identity.size()) in.fail("identity prefix longer than the previous identity");
    identity.resize(static_cast<std::size_t>(shared));
    std::string_view suffix = in.str("an identity");
    identity.append(suffix.data(), suffix.size());
    if (identity.empty()) in.fail("an empty identity");
    grow(identity.size() + kDecodedObjectOverhead);
    out.add_interned(kind_ids[static_cast<std::size_t>(kind)], identity);
    const std::size_t attributes = in.count("an attribute count", 1);
    for (std::size_t a = 0; a < attributes; a++) {
      const std::uint64_t code = in.varint("an attribute key");
      const std::uint64_t key = code / 2;
      if (key >= keys.size()) in.fail("key index " + std::to_string(key) + " out of range");
      const auto k = static_cast<std::size_t>(key);
      if (code % 2 == 1) {
        if (!seen[k]) in.fail("a repeated value of key " + std::to_string(key) + " before any");
        grow(last[k].size() + kDecodedAttributeOverhead);
        out.set_stored(key_ids[k], last[k]);
      } else {
        const std::string_view value = in.str("an attribute value");
        grow(value.size() + kDecodedAttributeOverhead);
        last[k] = out.set_interned(key_ids[k], value);
        seen[k] = true;
      }
    }
  }
  if (in.left() != 0) in.fail(std::to_string(in.left()) + " bytes after the last object");
  try {
    out.normalize();
  } catch (const FormatError&) {
    throw;
  } catch (const ModelError& e) {
    throw FormatError(std::string("stored snapshot: ") + e.what());
  }
  return out;
}

}  // namespace squash::model
