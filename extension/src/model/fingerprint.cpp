// The schema fingerprint (see fingerprint.hpp for the exact bytes hashed).
#include "pg_squash/model/fingerprint.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/printable.hpp"

namespace squash::model {

namespace {

constexpr char kTag[] = "pg_squash fingerprint 1\n";

// Streams many small fields into SHA-256 through a buffer, so a 500k-object snapshot
// costs a few thousand EVP_DigestUpdate calls rather than millions, and no giant string.
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) throw ModelError("fingerprint: cannot allocate an OpenSSL digest context");
    if (EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw ModelError("fingerprint: cannot initialize SHA-256 (OpenSSL)");
  }

  void bytes(const char* data, std::size_t size) {
    if (size >= sizeof(buffer_)) {
      flush();
      update(data, size);
      return;
    }
    if (used_ + size > sizeof(buffer_)) flush();
    std::memcpy(buffer_ + used_, data, size);
    used_ += size;
  }

  void u64(std::uint64_t n) {
    char b[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = static_cast<char>(n & 0xFF);
      n >>= 8;
    }
    bytes(b, sizeof(b));
  }

  void str(const std::string& s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }

  std::string hex() {
    flush();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1 || length != 32)
      throw ModelError("fingerprint: cannot finish SHA-256 (OpenSSL)");
    static const char digits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (unsigned int i = 0; i < length; i++) {
      out[2 * i] = digits[digest[i] >> 4];
      out[2 * i + 1] = digits[digest[i] & 0xF];
    }
    return out;
  }

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };

  void update(const char* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1)
      throw ModelError("fingerprint: SHA-256 update failed (OpenSSL)");
  }
  void flush() {
    update(buffer_, used_);
    used_ = 0;
  }

  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
  char buffer_[64 * 1024];
  std::size_t used_ = 0;
};

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

std::string fingerprint(const FlatSnapshot& snapshot) {
  if (!snapshot.normalized()) throw ModelError("fingerprint: snapshot is not normalized");
  auto stream = std::make_unique<Sha256Stream>();
  Sha256Stream& h = *stream;
  // str() of every kind and key, once.
  auto encode = [](const std::vector<std::string>& names) {
    std::vector<std::string> out;
    out.reserve(names.size());
    for (const std::string& n : names) {
      std::string e(8, '\0');
      std::uint64_t size = n.size();
      for (int i = 7; i >= 0; i--) {
        e[i] = static_cast<char>(size & 0xFF);
        size >>= 8;
      }
      out.push_back(e + n);
    }
    return out;
  };
  const std::vector<std::string> kinds = encode(snapshot.kinds());
  const std::vector<std::string> keys = encode(snapshot.keys());
  const auto& objects = snapshot.objects();
  const auto& attrs = snapshot.attrs();
  h.bytes(kTag, sizeof(kTag) - 1);
  h.u64(objects.size());
  for (std::uint32_t i : snapshot.order()) {
    const FlatSnapshot::Obj& o = objects[i];
    const std::string& kind = kinds[o.kind];
    h.bytes(kind.data(), kind.size());
    h.u64(o.identity_size);
    h.bytes(o.identity, o.identity_size);
    h.u64(o.count);
    for (std::uint32_t a = o.first; a < o.first + o.count; a++) {
      const std::string& key = keys[attrs[a].key];
      h.bytes(key.data(), key.size());
      h.u64(attrs[a].size);
      h.bytes(attrs[a].value, attrs[a].size);
    }
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
