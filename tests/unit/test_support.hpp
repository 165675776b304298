// Helpers shared by the model unit tests: building objects tersely, generating random
// snapshots, and an independent SHA-256 for known-value checks.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>

#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/snapshot.hpp"

namespace squash::model::testing {

Object make(std::string kind, std::string identity,
            std::initializer_list<std::pair<const char*, const char*>> attrs = {});

// A normalized snapshot of the given objects.
Snapshot snapshot_of(std::initializer_list<Object> objects);

// A random but plausible normalized snapshot: schemas, tables, columns, indexes,
// constraints, views (long definitions), functions, column orders; identities with
// quoted parts, non-ASCII text, empty values.
Snapshot random_snapshot(std::mt19937_64& rng, std::size_t tables);

// A large normalized snapshot shaped like the benchmark schema: `tables` tables with
// columns, constraints, indexes and column orders, about 50 objects per table.
Snapshot large_snapshot(std::size_t tables);

// Lowercase hex SHA-256 of bytes (OpenSSL, one shot).
std::string sha256_hex(const std::string& bytes);

// A diff row as one line, "kind|identity|change|detail", for comparing row lists.
std::string row_text(const Difference& d);

// A stored form (version 2, as encode() writes it) rewritten as version 1: no fingerprint
// and no checksum, as documents stored before version 2 are.
std::string as_version_1(const std::string& v2);

// u64 big-endian length prefix + bytes, as the fingerprint encoding defines str(s).
std::string encoded(const std::string& s);
std::string encoded_u64(std::uint64_t n);

// Wall and CPU time since construction, as "0.123 s (CPU 0.101 s)": the CPU time is the
// steadier number on a busy machine.
class Stopwatch {
 public:
  std::string elapsed() const;

 private:
  std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
  std::clock_t cpu_ = std::clock();
};

}  // namespace squash::model::testing
