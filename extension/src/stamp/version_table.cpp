// The Alembic version table (see version_table.hpp).
#include "pg_squash/stamp/version_table.hpp"

#include "pg_squash/pg/privileges.hpp"

namespace squash {

VersionTable resolve_version_table(Spi& spi, const std::string& setting,
                                   const std::vector<std::string>& caller_schemas) {
  // PostgreSQL's own quoting rules: a hostile name stays a name.
  QualifiedName parts = parse_qualified_name(setting, "pg_squash.version_table");
  VersionTable t;
  t.name = parts.name;
  std::vector<std::string> candidates =
      parts.schema.empty() ? caller_schemas : std::vector<std::string>{parts.schema};
  if (candidates.empty())
    throw Error("pg_squash: no schema to put the version table in", ERRCODE_INVALID_SCHEMA_NAME,
                "search_path names no existing schema; qualify pg_squash.version_table.");
  for (const std::string& schema : candidates) {
    QueryResult r = spi.query(
        "SELECT c.relkind::text, "
        "  (SELECT a.atttypmod - 4 FROM pg_catalog.pg_attribute a"
        "    WHERE a.attrelid = c.oid AND a.attname = 'version_num' AND NOT a.attisdropped),"
        "  c.oid::text, c.relowner::text"
        "  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1 AND c.relname = $2",
        {schema, t.name});
    if (r.rows.empty()) continue;
    t.schema = schema;
    t.exists = true;
    t.oid = static_cast<Oid>(std::stoul(r.rows[0][2].value_or("0")));
    t.owner = static_cast<Oid>(std::stoul(r.rows[0][3].value_or("0")));
    if (r.rows[0][0].value_or("") != "r" && r.rows[0][0].value_or("") != "p")
      throw Error("pg_squash: version table " + t.qualified() + " is not a table",
                  ERRCODE_WRONG_OBJECT_TYPE);
    if (!r.rows[0][1])
      throw Error("pg_squash: version table " + t.qualified() + " has no column version_num",
                  ERRCODE_UNDEFINED_COLUMN);
    int width = std::stoi(*r.rows[0][1]);
    t.width = width > 0 ? width : 1 << 20;  // text or unconstrained varchar
    return t;
  }
  t.schema = candidates.front();
  if (!spi.scalar("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {t.schema}))
    throw Error(
        "pg_squash: schema " + quote_ident(t.schema) + " of the version table does not exist",
        ERRCODE_INVALID_SCHEMA_NAME);
  return t;
}

void create_version_table(Spi& spi, VersionTable& table) {
  spi.execute("CREATE TABLE " + table.qualified() +
              " (version_num VARCHAR(32) NOT NULL, CONSTRAINT " + quote_ident(table.name + "_pkc") +
              " PRIMARY KEY (version_num))");
  table.exists = true;
  table.width = 32;
  std::optional<CatalogRelation> rel = find_relation(table.schema, table.name);
  if (!rel) throw Error("pg_squash: the version table just created is not there");
  table.oid = rel->oid;
  table.owner = rel->owner;
}

std::vector<std::string> read_revisions(Spi& spi, const VersionTable& table) {
  std::vector<std::string> out;
  if (!table.exists) return out;
  // Read as the owner (its policies run as it), but only for a caller who may read it.
  std::optional<CatalogRelation> rel = relation_by_oid(table.oid);
  if (!rel) throw Error("pg_squash: version table " + table.qualified() + " disappeared");
  if (!caller_has_privilege(*rel, "SELECT"))
    throw Error(
        "pg_squash: permission denied: SELECT on version table " + rel->qualified() + " is needed",
        ERRCODE_INSUFFICIENT_PRIVILEGE);
  QueryResult r;
  {
    AsOwner owner(table.owner);
    r = spi.query("SELECT version_num::text FROM " + table.qualified() +
                      " ORDER BY version_num::text COLLATE pg_catalog.\"C\"",
                  {}, false);
  }
  for (Row& row : r.rows)
    if (row[0]) out.push_back(*row[0]);
  return out;
}

void write_revisions(Spi& spi, const VersionTable& table,
                     const std::vector<std::string>& revisions) {
  std::optional<CatalogRelation> rel = relation_by_oid(table.oid);
  if (!rel) throw Error("pg_squash: version table " + table.qualified() + " disappeared");
  for (const char* privilege : {"SELECT", "INSERT", "DELETE"})
    if (!caller_has_privilege(*rel, privilege))
      throw Error("pg_squash: permission denied: " + std::string(privilege) + " on version table " +
                      rel->qualified() + " is needed",
                  ERRCODE_INSUFFICIENT_PRIVILEGE);
  // Triggers, defaults and policies of the table run as its owner, never as the caller.
  AsOwner owner(rel->owner);
  spi.execute("DELETE FROM " + rel->qualified());
  for (const std::string& revision : revisions)
    spi.execute("INSERT INTO " + rel->qualified() + " (version_num) VALUES ($1)", {revision});
}

std::optional<VersionTable> stored_version_table(const std::string& stored) {
  std::optional<CatalogRelation> rel =
      resolve_stored_relation(stored, "the recorded version table");
  if (!rel) return std::nullopt;
  if (rel->relkind != 'r' && rel->relkind != 'p')
    throw Error("pg_squash: version table " + rel->qualified() + " is not a table",
                ERRCODE_WRONG_OBJECT_TYPE);
  VersionTable t;
  t.schema = rel->schema;
  t.name = rel->name;
  t.exists = true;
  t.oid = rel->oid;
  t.owner = rel->owner;
  return t;
}

void check_revision(const std::optional<std::string>& revision, int width) {
  auto bad = [](const std::string& why) {
    throw Error("pg_squash: invalid revision id: " + why, ERRCODE_INVALID_PARAMETER_VALUE, {},
                "A revision id is 1 to version_num's width characters with no whitespace or "
                "control characters, e.g. '000_squashed_complete'.");
  };
  if (!revision) bad("it is NULL");
  const std::string& r = *revision;
  if (r.empty()) bad("it is empty");
  size_t chars = 0;
  for (unsigned char c : r) {
    if (c < 0x21 || c == 0x7F) bad("it contains whitespace or a control character");
    if ((c & 0xC0) != 0x80) chars++;
  }
  // Non-ASCII whitespace (NBSP, U+2028...) is whitespace too.
  for (const char* ws :
       {"\xC2\xA0", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE3\x80\x80", "\xEF\xBB\xBF"})
    if (r.find(ws) != std::string::npos) bad("it contains whitespace or a control character");
  if (r.find("\xE2\x80") != std::string::npos) {
    for (unsigned char k = 0x80; k <= 0x8B; k++)
      if (r.find(std::string("\xE2\x80") + static_cast<char>(k)) != std::string::npos)
        bad("it contains whitespace or a control character");
  }
  if (chars > static_cast<size_t>(width))
    bad("it is " + std::to_string(chars) + " characters long; version_num holds " +
        std::to_string(width));
}

}  // namespace squash
