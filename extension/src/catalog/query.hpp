// Internals of the catalog reader: Query results: rows straight from the executor (query.cpp).
#pragma once

// C++ standard and model headers before any PostgreSQL header (see pg/boundary.hpp).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pg_squash/catalog/catalog_reader.hpp"

namespace squash::catalog {

// Where read_catalog spends its time (reported at DEBUG1).
struct Profile {
  double execute_ms = 0;  // running catalog queries, handling their rows
  double deparse_ms = 0;  // the server's deparser
  uint64_t rows = 0;
};
Profile& profile();

// One row of a streamed catalog query (scan), read straight from the executor's slot.
// Valid only inside the callback; view() of a computed cell until the next call for the
// same column.
class Row {
 public:
  struct State;
  explicit Row(State* state) : state_(state) {}
  int columns() const;
  bool null(int c) const;
  Oid oid(int c) const;                // 0 for NULL
  int64_t num(int c) const;            // 0 for NULL
  bool flag(int c) const;              // false for NULL
  char ch(int c) const;                // '\0' for NULL
  std::string_view view(int c) const;  // the cell as text; "" for NULL
  std::string str(int c) const { return std::string(view(c)); }
  Value value(int c) const { return null(c) ? Value() : Value(str(c)); }

 private:
  State* state_;
};

// Runs a read-only query in the caller's snapshot and calls fn for every row as the
// executor produces it (values go into the SQL text, quoted: no parameters). fn must not
// run catalog queries itself. A permission error on a catalog becomes a clear pg_squash
// error naming the role.
void scan(Spi& spi, const std::string& sql, const std::function<void(const Row&)>& fn);

// Rows of a catalog query, every cell as text (SQL NULL distinguishable), stored in one
// buffer: for the smaller queries whose rows are needed more than once.
class Rows {
 public:
  size_t size() const { return nrows_; }
  bool empty() const { return nrows_ == 0; }
  int columns() const { return ncols_; }

  bool null(size_t r, int c) const { return len_[r * ncols_ + c] < 0; }
  std::string_view view(size_t r, int c) const {
    const int32_t n = len_[r * ncols_ + c];
    return n < 0 ? std::string_view() : std::string_view(buf_.data() + off_[r * ncols_ + c], n);
  }
  std::string str(size_t r, int c) const { return std::string(view(r, c)); }
  Value value(size_t r, int c) const {
    return null(r, c) ? Value() : Value(std::string(view(r, c)));
  }
  Oid oid(size_t r, int c) const;      // 0 for NULL
  int64_t num(size_t r, int c) const;  // 0 for NULL
  bool flag(size_t r, int c) const { return view(r, c) == "t"; }
  char ch(size_t r, int c) const {
    std::string_view v = view(r, c);
    return v.empty() ? '\0' : v[0];
  }

 private:
  friend Rows query(Spi& spi, const std::string& sql);
  size_t nrows_ = 0;
  int ncols_ = 0;
  std::string buf_;
  std::vector<uint32_t> off_;
  std::vector<int32_t> len_;
};

// scan() into Rows.
Rows query(Spi& spi, const std::string& sql);

// A system catalog read straight from its heap in the caller's snapshot, as a read-only
// query sees it, without planner or executor: for the large catalogs (pg_class,
// pg_attribute, ...), whose rows the reader filters itself. The fixed part of the current
// row is read through fixed() (the catalog's Form_ struct); the variable part by
// attribute number.
class CatalogScan {
 public:
  // deform: rows whose cells are read several at a time are taken apart once per row
  // rather than walked from the start for each cell.
  explicit CatalogScan(Oid catalog, bool deform = false);
  ~CatalogScan();
  CatalogScan(const CatalogScan&) = delete;
  CatalogScan& operator=(const CatalogScan&) = delete;

  bool next();                    // to the next visible row; false at the end
  size_t estimated_rows() const;  // the catalog's reltuples (0 when never counted)
  template <typename Form>
  const Form& row() const {
    return *static_cast<const Form*>(fixed());
  }
  bool null(int attnum) const;
  // The cell as text (as Row::view); "" for NULL. Valid until the next call for the column.
  std::string_view view(int attnum);
  // The numbers of an int2vector / oidvector cell appended to out; how many (0 for NULL).
  size_t append_numbers(int attnum, std::vector<int64_t>& out);
  Value value(int attnum) { return null(attnum) ? Value() : Value(std::string(view(attnum))); }

 private:
  struct State;
  const void* fixed() const;
  std::unique_ptr<State> st_;
};

}  // namespace squash::catalog
