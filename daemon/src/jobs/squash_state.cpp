#include "jobs/squash_state.hpp"

#include <fmt/format.h>

namespace squash::jobs {

using nlohmann::json;

namespace {

// The extension's own relations of one kind in schema squash, minus those pg_dump dumps.
std::vector<std::string> state_relations(db::Connection& conn, const char* relkind,
                                         process::Stop* stop) {
  auto rows = conn.query(
      "SELECT c.relname FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
      "  AND d.objid = c.oid AND d.deptype = 'e' "
      "JOIN pg_catalog.pg_extension e ON d.refclassid = "
      "'pg_catalog.pg_extension'::pg_catalog.regclass "
      "  AND d.refobjid = e.oid AND e.extname = 'pg_squash' "
      "WHERE n.nspname = 'squash' AND c.relkind = $1 AND c.relname <> 'install_info' "
      "  AND c.oid <> ALL (COALESCE(e.extconfig, '{}')) ORDER BY 1",
      {std::string(relkind)}, stop);
  std::vector<std::string> out;
  for (auto& r : rows.rows)
    if (r[0]) out.push_back(*r[0]);
  return out;
}

std::string qualified(const std::string& name) {
  std::string out = "squash.\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

json read_squash_state(db::Connection& conn, process::Stop* stop) {
  json state = {{"format", 1}, {"tables", json::array()}, {"sequences", json::array()}};
  for (auto& t : state_relations(conn, "r", stop)) {
    auto text = conn.scalar(fmt::format("SELECT COALESCE(pg_catalog.json_agg(t::text ORDER BY "
                                        "t::text), '[]')::text FROM {} t",
                                        qualified(t)),
                            {}, stop);
    state["tables"].push_back({{"name", t}, {"rows", json::parse(text.value_or("[]"))}});
  }
  for (auto& s : state_relations(conn, "S", stop)) {
    auto rows = conn.query(
        fmt::format("SELECT last_value::text, is_called::text FROM {}", qualified(s)), {}, stop);
    if (rows.rows.empty()) continue;
    state["sequences"].push_back(
        {{"name", s},
         {"last_value", rows.rows[0][0].value_or("1")},
         {"is_called", rows.rows[0][1] == std::optional<std::string>("true")}});
  }
  // pg_squash 0.2.0 marks all of its state for pg_dump: nothing left to carry.
  if (state["tables"].empty() && state["sequences"].empty()) return json();
  return state;
}

std::string describe_squash_state(const json& state) {
  std::size_t rows = 0, tables = 0;
  if (state.is_object() && state.contains("tables"))
    for (auto& t : state["tables"]) {
      ++tables;
      rows += t.value("rows", json::array()).size();
    }
  return fmt::format("{} row(s) in {} table(s)", rows, tables);
}

std::string write_squash_state(db::Connection& conn, const json& state, process::Stop* stop) {
  if (!state.is_object() || state.value("format", 0) != 1)
    throw std::runtime_error("pg_squash state: unknown format");
  conn.query("BEGIN");
  try {
    conn.query("SET LOCAL session_replication_role = replica");
    for (auto& t : state.at("tables")) {
      auto name = t.at("name").get<std::string>();
      auto table = qualified(name);
      if (!conn.scalar("SELECT pg_catalog.to_regclass($1)::text", {table}, stop))
        throw std::runtime_error(fmt::format("pg_squash state: table {} does not exist", table));
      // Columns a row may be given: not dropped, not generated.
      auto cols = conn.query(
          "SELECT pg_catalog.quote_ident(attname) FROM pg_catalog.pg_attribute WHERE attrelid = "
          "$1::pg_catalog.regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' "
          "ORDER BY attnum",
          {table}, stop);
      std::string list, select;
      for (auto& c : cols.rows) {
        list += (list.empty() ? "" : ", ") + c[0].value_or("");
        select += (select.empty() ? "" : ", ") + fmt::format("(x).{}", c[0].value_or(""));
      }
      conn.query(fmt::format("DELETE FROM {}", table), {}, stop);
      if (t.at("rows").empty() || list.empty()) continue;
      conn.query(
          fmt::format("INSERT INTO {0} ({1}) OVERRIDING SYSTEM VALUE SELECT {2} FROM "
                      "(SELECT r::{0} AS x FROM pg_catalog.json_array_elements_text($1::json) r) s",
                      table, list, select),
          {t.at("rows").dump()}, stop);
    }
    for (auto& s : state.at("sequences"))
      conn.query("SELECT pg_catalog.setval($1::pg_catalog.regclass, $2::bigint, $3::boolean)",
                 {qualified(s.at("name").get<std::string>()), s.at("last_value").get<std::string>(),
                  s.at("is_called").get<bool>() ? "true" : "false"},
                 stop);
    conn.query("COMMIT");
  } catch (...) {
    try {
      conn.query("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  return describe_squash_state(state);
}

}  // namespace squash::jobs
