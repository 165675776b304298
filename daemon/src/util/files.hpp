// Small file helpers with the durability rules squashd relies on: a file that matters
// (journal record, manifest) is written to a temporary name, fsync'ed, renamed over the
// final name, and its directory fsync'ed, so a crash leaves the old or the new content,
// never a torn one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

namespace squash::util {

// Writes content to path atomically and durably (temp file, fsync, rename, fsync dir).
// Throws std::runtime_error naming the path and the errno text.
void write_file_atomic(const std::string& path, const std::string& content, mode_t mode = 0600);

// fsync(2) on a directory, so a rename or unlink inside it is durable. Throws.
void fsync_dir(const std::string& dir);

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path);

// Removes a directory tree; never throws. Returns false when something stayed.
bool remove_tree(const std::string& path) noexcept;

// Creates the directory (and parents) with mode 0700 when missing. Throws.
void ensure_dir(const std::string& path);

struct FileDigest {
  std::string sha256;  // lowercase hex
  std::uint64_t size = 0;
};

// SHA-256 of a file (OpenSSL EVP), read in 1 MiB blocks. Throws std::runtime_error.
FileDigest sha256_file(const std::string& path);
std::string sha256_hex(const std::string& data);

}  // namespace squash::util
