// The stored form of a snapshot (see snapshot_codec.hpp for the layout).
#include "pg_squash/model/snapshot_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/sha256.hpp"
#include "pg_squash/model/stored_form_reader.hpp"

namespace squash::model {

namespace {

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

}  // namespace

std::string encode(const FlatSnapshot& snapshot) {
  return encode(snapshot, fingerprint(snapshot));
}

std::string encode(const FlatSnapshot& snapshot, const std::string& fingerprint) {
  if (!snapshot.normalized()) throw ModelError("encode: the snapshot is not normalized");
  if (!is_fingerprint(fingerprint)) throw ModelError("encode: not a fingerprint");
  const auto& objects = snapshot.objects();
  const auto& attrs = snapshot.attrs();
  std::string out;
  {
    std::size_t estimate = 64 + snapshot.server_version.size() + objects.size() * 8;
    for (const auto& a : attrs) estimate += a.size + 3;
    out.reserve(estimate);
  }
  Writer w(out);
  out.append(kStoredFormMagic.data(), kStoredFormMagic.size());
  w.varint(kSnapshotCodecVersion);
  w.str(fingerprint);
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
  out += sha256_bytes(out);
  return out;
}

std::size_t decoded_limit(std::size_t input_bytes) {
  const std::size_t relative =
      input_bytes > (kMaxDecodedBytes - kDecodedBaseBytes) / kDecodedBytesPerByte
          ? kMaxDecodedBytes
          : kDecodedBaseBytes + input_bytes * kDecodedBytesPerByte;
  return std::min(relative, kMaxDecodedBytes);
}

FlatSnapshot decode(std::string_view bytes, std::string* fingerprint) {
  StoredFormReader in(bytes);
  if (fingerprint) *fingerprint = std::string(in.fingerprint());
  FlatSnapshot out;
  out.server_version = std::string(in.server_version());
  const std::size_t count = in.object_count();
  out.reserve(count, std::min(bytes.size(), count * 8));
  // Names interned once; each key's last value kept once in the snapshot's text.
  std::vector<std::uint32_t> kind_ids, key_ids;
  for (std::string_view k : in.kinds()) kind_ids.push_back(out.intern_kind(k));
  for (std::string_view k : in.keys()) key_ids.push_back(out.intern_key(k));
  std::vector<std::string_view> last(in.keys().size());  // each key's last value, as stored
  const std::size_t limit = decoded_limit(bytes.size());
  std::size_t built = 0;
  auto grow = [&](std::size_t n) {
    built += n;
    if (built > limit)
      in.fail("it decodes to more than " + std::to_string(limit >> 20) + " MiB (from " +
              std::to_string(bytes.size()) + " bytes stored)");
  };
  while (in.next()) {
    grow(in.identity().size() + kDecodedObjectOverhead);
    out.add_interned(kind_ids[in.kind()], in.identity());
    for (const StoredFormReader::Attr& a : in.attrs()) {
      grow(a.value.size() + kDecodedAttributeOverhead);
      if (a.repeated)
        out.set_stored(key_ids[a.key], last[a.key]);
      else
        last[a.key] = out.set_interned(key_ids[a.key], a.value);
    }
  }
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
