// The schema fingerprint (see fingerprint.hpp for the exact bytes hashed).
#include "pg_squash/model/fingerprint.hpp"

#include <memory>

#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/printable.hpp"
#include "pg_squash/model/sha256.hpp"

namespace squash::model {

constexpr char kTag[] = "pg_squash fingerprint 1\n";

namespace {

[[noreturn]] void not_normalized(const Object& o) {
  throw ModelError("fingerprint: snapshot is not normalized (at " + printable(o.kind) + " " +
                   quoted_text(o.identity) + ")");
}

}  // namespace

std::string fingerprint(const Snapshot& snapshot) {
  auto stream = std::make_unique<Sha256Stream>();  // 64 KiB buffer: not on the stack
  Sha256Stream& h = *stream;
  h.bytes(kTag, sizeof(kTag) - 1);
  h.u64(snapshot.objects.size());
  const Object* previous = nullptr;
  for (const Object& o : snapshot.objects) {
    if (previous) {
      int c = previous->kind.compare(o.kind);
      if (c > 0 || (c == 0 && previous->identity.compare(o.identity) >= 0)) not_normalized(o);
    }
    previous = &o;
    h.str(o.kind);
    h.str(o.identity);
    h.u64(o.attrs.size());
    const std::string* previous_key = nullptr;
    for (const Attribute& a : o.attrs) {
      if (previous_key && !(*previous_key < a.key)) not_normalized(o);
      previous_key = &a.key;
      h.str(a.key);
      h.str(a.value);
    }
  }
  return h.hex();
}

FingerprintWriter::FingerprintWriter(std::uint64_t objects) : h_(std::make_unique<Sha256Stream>()) {
  h_->bytes(kTag, sizeof(kTag) - 1);
  h_->u64(objects);
}

FingerprintWriter::~FingerprintWriter() = default;

std::string FingerprintWriter::encode_name(std::string_view name) {
  std::string e(8, '\0');
  std::uint64_t size = name.size();
  for (int i = 7; i >= 0; i--) {
    e[i] = static_cast<char>(size & 0xFF);
    size >>= 8;
  }
  e.append(name.data(), name.size());
  return e;
}

void FingerprintWriter::object(std::string_view encoded_kind, std::string_view identity,
                               std::uint64_t attributes) {
  h_->bytes(encoded_kind.data(), encoded_kind.size());
  h_->u64(identity.size());
  h_->bytes(identity.data(), identity.size());
  h_->u64(attributes);
}

void FingerprintWriter::attribute(std::string_view encoded_key, std::string_view value) {
  h_->bytes(encoded_key.data(), encoded_key.size());
  h_->u64(value.size());
  h_->bytes(value.data(), value.size());
}

std::string FingerprintWriter::hex() {
  return h_->hex();
}

std::string fingerprint(const FlatSnapshot& snapshot) {
  if (!snapshot.normalized()) throw ModelError("fingerprint: snapshot is not normalized");
  // str() of every kind and key, once.
  auto encode = [](const std::vector<std::string>& names) {
    std::vector<std::string> out;
    out.reserve(names.size());
    for (const std::string& n : names) out.push_back(FingerprintWriter::encode_name(n));
    return out;
  };
  const std::vector<std::string> kinds = encode(snapshot.kinds());
  const std::vector<std::string> keys = encode(snapshot.keys());
  const auto& objects = snapshot.objects();
  const auto& attrs = snapshot.attrs();
  FingerprintWriter h(objects.size());
  for (std::uint32_t i : snapshot.order()) {
    const FlatSnapshot::Obj& o = objects[i];
    h.object(kinds[o.kind], std::string_view(o.identity, o.identity_size), o.count);
    for (std::uint32_t a = o.first; a < o.first + o.count; a++)
      h.attribute(keys[attrs[a].key], std::string_view(attrs[a].value, attrs[a].size));
  }
  return h.hex();
}

bool is_fingerprint(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace squash::model
