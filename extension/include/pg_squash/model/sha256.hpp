// SHA-256 through OpenSSL, for the fingerprint (fingerprint.hpp) and the stored form's
// checksum (snapshot_codec.hpp).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "pg_squash/model/snapshot.hpp"

namespace squash::model {

// Streams many small fields into SHA-256 through a buffer, so a 500k-object snapshot
// costs a few thousand EVP_DigestUpdate calls rather than millions, and no giant string.
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) throw ModelError("SHA-256: cannot allocate an OpenSSL digest context");
    if (EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw ModelError("SHA-256: cannot initialize (OpenSSL)");
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

  // The digest as 32 raw bytes, or as 64 lowercase hex digits (once: the stream is finished).
  std::string raw() {
    flush();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1 || length != 32)
      throw ModelError("SHA-256: cannot finish (OpenSSL)");
    return std::string(reinterpret_cast<const char*>(digest), length);
  }
  std::string hex() {
    static const char digits[] = "0123456789abcdef";
    const std::string digest = raw();
    std::string out(64, '0');
    for (std::size_t i = 0; i < digest.size(); i++) {
      const auto byte = static_cast<unsigned char>(digest[i]);
      out[2 * i] = digits[byte >> 4];
      out[2 * i + 1] = digits[byte & 0xF];
    }
    return out;
  }

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };

  void update(const char* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1)
      throw ModelError("SHA-256: update failed (OpenSSL)");
  }
  void flush() {
    update(buffer_, used_);
    used_ = 0;
  }

  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
  char buffer_[64 * 1024];
  std::size_t used_ = 0;
};

// The 32 raw bytes of SHA-256(data).
std::string sha256_bytes(std::string_view data);

}  // namespace squash::model
