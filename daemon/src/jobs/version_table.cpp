#include "jobs/version_table.hpp"

#include <fmt/format.h>

#include "jobs/run_context.hpp"

namespace squash::jobs {

namespace {

constexpr char kDefaultName[] = "alembic_version";
constexpr char kTextOid[] = "25";
constexpr char kVarcharOid[] = "1043";

std::string kind_name(const std::string& relkind) {
  if (relkind == "v") return "a view";
  if (relkind == "m") return "a materialized view";
  if (relkind == "f") return "a foreign table";
  if (relkind == "S") return "a sequence";
  if (relkind == "c") return "a composite type";
  if (relkind == "i" || relkind == "I") return "an index";
  return fmt::format("a relation of kind '{}'", relkind);
}

bool is_table(const std::string& relkind) {
  return relkind == "r" || relkind == "p";
}

}  // namespace

std::string VersionTable::qualified(const db::Connection& conn) const {
  return conn.identifier(schema) + "." + conn.identifier(name);
}

VersionTable find_version_table(db::Connection& conn, process::Stop* stop) {
  auto setting =
      conn.scalar("SELECT pg_catalog.current_setting('pg_squash.version_table', true)", {}, stop);
  const std::string text = setting && !setting->empty() ? *setting : kDefaultName;
  db::Rows parts;
  try {
    parts = conn.query(
        "SELECT p FROM pg_catalog.unnest(pg_catalog.parse_ident($1)) WITH ORDINALITY AS u(p, i) "
        "ORDER BY i",
        {text}, stop);
  } catch (const db::PgError& e) {
    throw StepFailed(
        fmt::format("pg_squash.version_table '{}' is not a table name: {}", text, e.what()));
  }
  if (parts.rows.empty() || parts.rows.size() > 2)
    throw StepFailed(
        fmt::format("pg_squash.version_table '{}' must be table or schema.table", text));
  VersionTable t;
  t.name = parts.rows.back()[0].value_or("");
  std::optional<std::string> schema;
  if (parts.rows.size() == 2) schema = parts.rows[0][0];

  auto found = conn.query(
      "SELECT n.nspname, c.relkind::text, a.atttypid::text, a.atttypmod::text "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = 'version_num' "
      "  AND NOT a.attisdropped "
      "WHERE c.relname = $1 AND CASE WHEN $2::text IS NULL "
      "  THEN n.nspname <> ALL ('{pg_catalog,information_schema}'::text[]) "
      "    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' "
      "  ELSE n.nspname = $2 END "
      "ORDER BY n.nspname",
      {t.name, schema}, stop);
  std::vector<const std::vector<std::optional<std::string>>*> tables;
  std::vector<std::pair<std::string, std::string>> others;  // relation, what it is
  for (auto& row : found.rows) {
    if (is_table(row[1].value_or("")))
      tables.push_back(&row);
    else
      others.emplace_back(fmt::format("{}.{}", row[0].value_or(""), t.name),
                          kind_name(row[1].value_or("")));
  }
  for (auto& [relation, kind] : others) t.ignored.push_back(fmt::format("{} ({})", relation, kind));
  auto hint = fmt::format(
      "name the table Alembic uses with ALTER DATABASE … SET pg_squash.version_table = "
      "'schema.{}'",
      t.name);
  if (tables.size() > 1) {
    std::vector<std::string> names;
    for (auto* row : tables) names.push_back(fmt::format("{}.{}", (*row)[0].value_or(""), t.name));
    throw StepFailed(
        fmt::format("several tables are named {} ({}): {}", t.name, fmt::join(names, ", "), hint));
  }
  if (tables.empty() && !others.empty())
    throw StepFailed(
        fmt::format("the version table {} is {}, not a table: squashd reads only a plain or "
                    "partitioned table and never runs a view's code; drop it or {}",
                    others.front().first, others.front().second, hint));
  if (tables.empty()) {
    t.schema = schema.value_or("public");
    return t;
  }
  const auto& row = *tables.front();
  t.schema = row[0].value_or("");
  t.exists = true;
  t.partitioned = row[1] == std::optional<std::string>("p");
  if (!row[2])
    throw StepFailed(
        fmt::format("the version table {}.{} has no column version_num", t.schema, t.name));
  if (*row[2] != kTextOid && *row[2] != kVarcharOid)
    throw StepFailed(fmt::format(
        "version_num of the version table {}.{} is not of type varchar or text", t.schema, t.name));
  int typmod = std::stoi(row[3].value_or("-1"));
  t.width = typmod > 4 ? static_cast<std::size_t>(typmod - 4) : std::size_t{1} << 20;
  return t;
}

std::vector<std::string> read_revisions(db::Connection& conn, const VersionTable& table,
                                        process::Stop* stop) {
  std::vector<std::string> out;
  if (!table.exists) return out;
  // ONLY: an inheritance child (a foreign table, say) is not the version table.
  auto rows = conn.query(fmt::format("SELECT version_num::pg_catalog.text FROM {}{} ORDER BY 1",
                                     table.partitioned ? "" : "ONLY ", table.qualified(conn)),
                         {}, stop);
  for (auto& r : rows.rows)
    if (r[0]) out.push_back(*r[0]);
  return out;
}

std::string joined_revisions(db::Connection& conn, process::Stop* stop) {
  auto table = find_version_table(conn, stop);
  if (!table.exists) return "(no alembic_version table)";
  return fmt::format("{}", fmt::join(read_revisions(conn, table, stop), ","));
}

void require_plain_table(db::Connection& conn, const VersionTable& table, process::Stop* stop) {
  if (!table.exists) return;
  auto code = conn.scalar(
      "SELECT pg_catalog.concat_ws(', ', "
      "  CASE WHEN c.relkind <> 'r' THEN 'it is partitioned' END, "
      "  CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid) "
      "    THEN 'a trigger' END, "
      "  CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid) "
      "    THEN 'a rule' END, "
      "  CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_attrdef d WHERE d.adrelid = c.oid) "
      "    THEN 'a default or generated column' END, "
      "  CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid "
      "    AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'version_num') "
      "    THEN 'a column other than version_num' END, "
      "  CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid "
      "    AND k.contype NOT IN ('p', 'u', 'n')) THEN 'a CHECK, exclusion or foreign key' END, "
      "  CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid "
      "    AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)) "
      "    THEN 'an index expression or predicate' END, "
      "  CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_inherits h WHERE h.inhparent = c.oid) "
      "    THEN 'a child table' END) "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2",
      {table.schema, table.name}, stop);
  if (code && !code->empty())
    throw StepFailed(fmt::format(
        "squashd will not write the version table {}.{}: it has {} (code its owner wrote would "
        "run as squashd's superuser)",
        table.schema, table.name, *code));
}

void write_revision(db::Connection& conn, VersionTable& table, const std::string& revision,
                    process::Stop* stop) {
  const std::string q = table.qualified(conn);
  if (!table.exists) {
    conn.query(fmt::format("CREATE TABLE {} (version_num pg_catalog.varchar(32) NOT NULL, "
                           "CONSTRAINT {} PRIMARY KEY (version_num))",
                           q, conn.identifier(table.name + "_pkc")),
               {}, stop);
    table.exists = true;
    table.width = 32;
  }
  require_plain_table(conn, table, stop);
  conn.query("DELETE FROM ONLY " + q, {}, stop);
  conn.query(fmt::format("INSERT INTO {} (version_num) VALUES ($1)", q), {revision}, stop);
}

}  // namespace squash::jobs
