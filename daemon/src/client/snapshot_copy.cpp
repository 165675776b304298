#include "client/snapshot_copy.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "db/connection.hpp"

namespace squash::client {

namespace {

db::Connection open(const std::string& conninfo) {
  db::ConnectOptions o;
  o.conninfo = conninfo;
  o.application_name = "squashctl";
  return db::Connection::open(o);
}

// The schema pg_squash is installed in, quoted; an error when it is not installed.
std::string extension_schema(db::Connection& conn, const char* side) {
  auto schema = conn.scalar(
      "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
      " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_squash'");
  if (!schema)
    throw db::PgError(fmt::format("pg_squash is not installed in the {} database", side));
  return *schema;
}

struct Exported {
  std::string document;
  std::string fingerprint;
};

Exported export_from(const SnapshotCopy& c) {
  auto conn = open(c.from);
  const std::string schema = extension_schema(conn, "source");
  auto fp =
      conn.scalar("SELECT fingerprint FROM squash.snapshot_store WHERE label = $1", {c.label});
  if (!fp)
    throw db::PgError(fmt::format("no snapshot labelled '{}' in the source database", c.label));
  auto doc =
      conn.scalar(fmt::format("SELECT {}.squash_snapshot_export($1)::text", schema), {c.label});
  return {doc.value_or(""), *fp};
}

// Imports document under label; returns the fingerprint the destination computed.
std::string import_into(const std::string& conninfo, const std::string& document,
                        const std::string& label) {
  auto conn = open(conninfo);
  const std::string schema = extension_schema(conn, "destination");
  auto fp = conn.scalar(fmt::format("SELECT {}.squash_snapshot_import($1::jsonb, $2)", schema),
                        {document, label});
  return fp.value_or("");
}

template <typename F>
int guarded(std::ostream& err, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    err << "squashctl: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace

int run_snapshot_copy(const SnapshotCopy& c, std::ostream& out, std::ostream& err) {
  return guarded(err, [&] {
    const Exported e = export_from(c);
    const std::string label = c.as.value_or(c.label);
    const std::string fp = import_into(c.to, e.document, label);
    if (fp != e.fingerprint)
      throw std::runtime_error(fmt::format(
          "the copy's fingerprint {} differs from the source's {}: the snapshot was changed on "
          "the way (drop it with squash_snapshot_drop('{}'))",
          fp, e.fingerprint, label));
    out << fmt::format("copied snapshot '{}' as '{}', fingerprint {}\n", c.label, label, fp);
    return 0;
  });
}

int run_snapshot_export(const SnapshotCopy& c, std::ostream& out, std::ostream& err) {
  return guarded(err, [&] {
    const Exported e = export_from(c);
    if (!c.file) {
      out << e.document << '\n';
      return 0;
    }
    const std::string tmp = *c.file + ".partial";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << e.document << '\n';
      f.close();
      if (!f) throw std::runtime_error(fmt::format("cannot write {}", tmp));
    }
    if (std::rename(tmp.c_str(), c.file->c_str()) != 0)
      throw std::runtime_error(fmt::format("cannot rename {} to {}", tmp, *c.file));
    err << fmt::format("exported snapshot '{}' (fingerprint {}) to {}\n", c.label, e.fingerprint,
                       *c.file);
    return 0;
  });
}

int run_snapshot_import(const SnapshotCopy& c, std::ostream& out, std::ostream& err) {
  return guarded(err, [&] {
    std::string document;
    if (!c.file || *c.file == "-") {
      document.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      std::ifstream f(*c.file, std::ios::binary);
      if (!f) throw std::runtime_error(fmt::format("cannot read {}", *c.file));
      document.assign(std::istreambuf_iterator<char>(f), {});
    }
    const std::string fp = import_into(c.to, document, c.label);
    out << fmt::format("imported snapshot '{}', fingerprint {}\n", c.label, fp);
    return 0;
  });
}

}  // namespace squash::client
