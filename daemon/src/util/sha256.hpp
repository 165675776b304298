// SHA-256 (OpenSSL EVP) of bytes as they stream past: a dump hashed while it is written.
// util/files.hpp's sha256_file() and sha256_hex() use it too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

struct evp_md_ctx_st;

namespace squash::util {

class Sha256 {
 public:
  Sha256();  // throws std::runtime_error when OpenSSL cannot set it up
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, std::size_t size);
  std::uint64_t size() const { return size_; }
  // Lowercase hex of everything passed to update(); the object is spent afterwards.
  std::string finish();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* c) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
  std::uint64_t size_ = 0;
};

}  // namespace squash::util
