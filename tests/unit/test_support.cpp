#include "test_support.hpp"

#include "pg_squash/model/snapshot_codec.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <stdexcept>

namespace squash::model::testing {

Object make(std::string kind, std::string identity,
            std::initializer_list<std::pair<const char*, const char*>> attrs) {
  Object o;
  o.kind = std::move(kind);
  o.identity = std::move(identity);
  for (const auto& [k, v] : attrs) o.set(k, v);
  return o;
}

std::string row_text(const Difference& d) {
  return d.kind + "|" + d.identity + "|" + d.change + "|" + d.detail;
}

std::string as_version_1(const std::string& v2) {
  const std::size_t header = kStoredFormMagic.size() + 1 + 1 + 64;  // version, str(fingerprint)
  return std::string(kStoredFormMagic) + '\x01' +
         v2.substr(header, v2.size() - header - kStoredFormChecksumBytes);
}

Snapshot snapshot_of(std::initializer_list<Object> objects) {
  Snapshot s;
  s.server_version = "15.20";
  s.objects = objects;
  s.normalize();
  return s;
}

namespace {

std::string pick(std::mt19937_64& rng, std::initializer_list<const char*> options) {
  std::uniform_int_distribution<std::size_t> d(0, options.size() - 1);
  return *(options.begin() + d(rng));
}

std::string random_text(std::mt19937_64& rng, std::size_t max_length) {
  static const std::string pieces[] = {"a", "b", "z",  "0",  "_", " ", "'",    "\"", ".", "(",
                                       ")", ",", "\n", "\t", "é", "→", "日本", "\\", "::"};
  std::uniform_int_distribution<std::size_t> len(0, max_length);
  std::uniform_int_distribution<std::size_t> piece(0, std::size(pieces) - 1);
  std::string out;
  for (std::size_t n = len(rng); out.size() < n;) out += pieces[piece(rng)];
  return out;
}

}  // namespace

Snapshot random_snapshot(std::mt19937_64& rng, std::size_t tables) {
  Snapshot s;
  s.server_version = "15.20";
  std::uniform_int_distribution<int> coin(0, 1), small(0, 5), schemas_d(1, 3);
  const int schemas = schemas_d(rng);
  for (int si = 0; si < schemas; si++) {
    std::string schema = si == 2 ? "\"odd.schema\"" : "s" + std::to_string(si);
    s.objects.push_back(make("schema", schema, {{"owner", "app"}}));
  }
  for (std::size_t t = 0; t < tables; t++) {
    std::string schema = "s" + std::to_string(t % 2 == 0 || schemas == 1 ? 0 : 1);
    std::string table =
        schema + "." + (t % 5 == 3 ? "\"T." + std::to_string(t) + "\"" : "t" + std::to_string(t));
    Object tab = make("table", table, {{"persistence", "permanent"}});
    if (coin(rng)) tab.set("comment", random_text(rng, 20));
    s.objects.push_back(tab);
    std::string order;
    const int columns = 1 + small(rng);
    for (int c = 0; c < columns; c++) {
      std::string col = "c" + std::to_string(c);
      order += (c ? ", " : "") + col;
      Object o = make("column", table + "." + col,
                      {{"type", pick(rng, {"integer", "text", "numeric(12,2)", "jsonb"}).c_str()}});
      if (coin(rng)) o.set("not_null", "true");
      if (coin(rng)) o.set("default", random_text(rng, 12).c_str());
      s.objects.push_back(o);
    }
    s.objects.push_back(make("column order", table, {{"columns", order.c_str()}}));
    s.objects.push_back(make("constraint", table + "." + "pk" + std::to_string(t),
                             {{"type", "PRIMARY KEY"}, {"columns", "c0"}}));
    if (coin(rng))
      s.objects.push_back(make("index", table + ".idx" + std::to_string(t),
                               {{"method", "btree"}, {"columns", "c0"}, {"unique", "false"}}));
    if (t > 0 && coin(rng))
      s.objects.push_back(
          make("constraint", table + ".fk" + std::to_string(t),
               {{"type", "FOREIGN KEY"},
                {"on_delete", pick(rng, {"CASCADE", "SET NULL", "NO ACTION"}).c_str()},
                {"references", "s0.t0"}}));
    if (t % 4 == 0) {
      std::string def = "SELECT " + random_text(rng, 40);
      while (def.size() < 300) def += " UNION ALL SELECT " + std::to_string(def.size());
      s.objects.push_back(
          make("view", schema + ".v" + std::to_string(t), {{"definition", def.c_str()}}));
    }
    if (t % 3 == 0)
      s.objects.push_back(make("function", schema + ".f" + std::to_string(t) + "(integer, s0.t0)",
                               {{"language", "sql"}, {"body", random_text(rng, 30).c_str()}}));
  }
  s.normalize();
  return s;
}

Snapshot large_snapshot(std::size_t tables) {
  Snapshot s;
  s.server_version = "15.20";
  s.objects.reserve(tables * 50);
  for (std::size_t i = 0; i < 10; i++)
    s.objects.push_back(make("schema", "s" + std::to_string(i), {{"owner", "app"}}));
  for (std::size_t t = 0; t < tables; t++) {
    const std::string table = "s" + std::to_string(t % 10) + ".table_" + std::to_string(t);
    s.objects.push_back(make("table", table, {{"persistence", "permanent"}, {"owner", "app"}}));
    std::string order;
    for (int c = 0; c < 30; c++) {
      const std::string col = "column_" + std::to_string(c);
      order += (c ? ", " : "") + col;
      Object o =
          make("column", table + "." + col, {{"type", "numeric(12,2)"}, {"not_null", "true"}});
      o.set("default", "(" + std::to_string(c * 7 + t) + ")::numeric");
      s.objects.push_back(std::move(o));
    }
    s.objects.push_back(make("column order", table, {{"columns", order.c_str()}}));
    for (int k = 0; k < 10; k++)
      s.objects.push_back(
          make("constraint", table + ".check_" + std::to_string(k),
               {{"type", "CHECK"},
                {"definition", ("CHECK (column_" + std::to_string(k) + " >= 0)").c_str()},
                {"deferrable", "false"}}));
    for (int k = 0; k < 8; k++)
      s.objects.push_back(make("index", table + ".index_" + std::to_string(k),
                               {{"method", "btree"},
                                {"columns", ("column_" + std::to_string(k)).c_str()},
                                {"predicate", k % 2 ? "column_1 > 0" : ""}}));
  }
  s.normalize();
  return s;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; i++) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 0xF];
  }
  return out;
}

std::string encoded_u64(std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; i--, n >>= 8) out[i] = static_cast<char>(n & 0xFF);
  return out;
}

std::string encoded(const std::string& s) {
  return encoded_u64(s.size()) + s;
}

std::string Stopwatch::elapsed() const {
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
  const double cpu = static_cast<double>(std::clock() - cpu_) / CLOCKS_PER_SEC;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.3f s (CPU %.3f s)", wall, cpu);
  return buffer;
}

}  // namespace squash::model::testing
