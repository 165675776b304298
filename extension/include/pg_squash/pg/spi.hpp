// SPI through the boundary: every SPI call goes through pg_call, results are copied into
// C++ values, and the connection is closed by a destructor. While connected, the caller's
// memory context stays current (SPI would leave its own, which SPI_finish frees): Datums
// built for the function's result and errors copied by pg_call survive SPI_finish.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg_squash/pg/boundary.hpp"
#include "pg_squash/pg/detoast.hpp"

namespace squash {

using Value = std::optional<std::string>;  // nullopt is SQL NULL
using Row = std::vector<Value>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  uint64 processed = 0;
};

class Spi {
 public:
  Spi();
  ~Spi();
  Spi(const Spi&) = delete;
  Spi& operator=(const Spi&) = delete;

  // Runs sql with $1.. bound as text (cast in SQL where another type is meant); read_only
  // queries see the calling query's snapshot.
  QueryResult query(const std::string& sql, const std::vector<Value>& params = {},
                    bool read_only = true);
  // Runs a statement; returns the number of rows processed.
  uint64 execute(const std::string& sql, const std::vector<Value>& params = {});
  // The first column of the first row, or nullopt (no rows, or NULL).
  Value scalar(const std::string& sql, const std::vector<Value>& params = {},
               bool read_only = true);

  // Raw bytes bound as bytea, for large binary values (no hex text on the way).
  struct Bytes {
    std::string_view data;
  };
  // A statement with params as above and bytes as its last parameter, $(params.size() + 1).
  uint64 execute(const std::string& sql, const std::vector<Value>& params, Bytes bytes);
  // The first column of the first row (bytea or text) as its raw bytes, or nullopt.
  Value scalar_bytes(const std::string& sql, const std::vector<Value>& params = {});
  // The same bytes in memory of their own (see detoast.hpp): large values cost a few page
  // faults, and they outlive this Spi.
  std::optional<OwnedBytes> scalar_owned_bytes(const std::string& sql,
                                               const std::vector<Value>& params = {});

 private:
  int run(const std::string& sql, const std::vector<Value>& params, bool read_only,
          const Bytes* bytes = nullptr);
  // Rows a statement processed; frees its result.
  uint64 processed();
  bool connected_ = false;
  MemoryContext caller_context_;
};

// Quotes an identifier or a literal exactly as PostgreSQL would (quote_identifier /
// quote_literal rules), without a server round trip.
std::string quote_ident(const std::string& name);
std::string quote_literal(const std::string& text);

}  // namespace squash
