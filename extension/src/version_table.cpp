// The Alembic version table (see version_table.hpp).
#include <nlohmann/json.hpp>  // before PostgreSQL headers (port.h macros)

#include "pg_squash/version_table.hpp"

namespace squash {

VersionTable resolve_version_table(Spi& spi, const std::string& setting,
                                   const std::vector<std::string>& caller_schemas) {
  // parse_ident applies PostgreSQL's own quoting rules: a hostile name stays a name.
  Value parts_json;
  try {
    parts_json =
        spi.scalar("SELECT pg_catalog.array_to_json(pg_catalog.parse_ident($1))::text", {setting});
  } catch (const PgError& e) {
    throw Error(
        "pg_squash: pg_squash.version_table is not a valid table name: " + quote_literal(setting),
        ERRCODE_INVALID_NAME, e.what());
  }
  auto parts = nlohmann::json::parse(parts_json.value_or("[]")).get<std::vector<std::string>>();
  if (parts.empty() || parts.size() > 2)
    throw Error("pg_squash: pg_squash.version_table must be table or schema.table, got " +
                    quote_literal(setting),
                ERRCODE_INVALID_NAME);

  VersionTable t;
  t.name = parts.back();
  std::vector<std::string> candidates =
      parts.size() == 2 ? std::vector<std::string>{parts[0]} : caller_schemas;
  if (candidates.empty())
    throw Error("pg_squash: no schema to put the version table in", ERRCODE_INVALID_SCHEMA_NAME,
                "search_path names no existing schema; qualify pg_squash.version_table.");
  for (const std::string& schema : candidates) {
    QueryResult r = spi.query(
        "SELECT c.relkind::text, "
        "  (SELECT a.atttypmod - 4 FROM pg_catalog.pg_attribute a"
        "    WHERE a.attrelid = c.oid AND a.attname = 'version_num' AND NOT a.attisdropped)"
        "  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1 AND c.relname = $2",
        {schema, t.name});
    if (r.rows.empty()) continue;
    t.schema = schema;
    t.exists = true;
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
}

std::vector<std::string> read_revisions(Spi& spi, const VersionTable& table) {
  std::vector<std::string> out;
  if (!table.exists) return out;
  for (Row& row : spi.query("SELECT version_num::text FROM " + table.qualified() +
                                " ORDER BY version_num::text COLLATE pg_catalog.\"C\"",
                            {}, false)
                      .rows)
    if (row[0]) out.push_back(*row[0]);
  return out;
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
