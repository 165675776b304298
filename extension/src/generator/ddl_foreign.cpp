// Creation steps for foreign-data wrappers, foreign servers, user mappings and foreign
// tables (see ddl_objects.cpp for the pattern). Options are in the snapshot as OPTIONS (...)
// writes them. A secret option's value never entered the snapshot: the revision reads it at
// upgrade time from a setting (pg_squash_secret.*, see secret_statement) and stops, naming
// the setting, when it is not set — never a silent empty or made-up value.
#include "ddl_plan.hpp"
#include "pg_squash/model/identity.hpp"

namespace squash::generator {

namespace {

std::string last_name(const std::string& identity) {
  return std::string(model::split_last(identity).name);
}

const char* const kHex = "0123456789abcdef";

}  // namespace

std::string secret_setting(const std::string& prefix, const std::vector<std::string>& parts) {
  // A custom setting's name: dot-separated parts, each starting with a letter or "_" and
  // going on with letters, digits, "_" or "$". Every other byte (upper case too: setting
  // names fold case) is $xx, a leading digit _$xx: no two names give the same setting.
  std::string out = "pg_squash_secret." + prefix;
  for (const std::string& part : parts) {
    out += '.';
    for (size_t k = 0; k < part.size(); k++) {
      const unsigned char c = static_cast<unsigned char>(part[k]);
      const bool digit = c >= '0' && c <= '9';
      if (((c >= 'a' && c <= 'z') || c == '_' || digit) && !(k == 0 && digit)) {
        out += static_cast<char>(c);
        continue;
      }
      if (k == 0) out += '_';
      out += '$';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string secret_expr(const std::vector<std::string>& pieces, bool libpq) {
  std::string expr = sql_literal(pieces.empty() ? "" : pieces[0]);
  for (size_t k = 0; k + 1 < pieces.size(); k++) {
    const std::string v = "v" + std::to_string(k);
    if (libpq)
      expr += " || '''' || pg_catalog.replace(pg_catalog.replace(" + v +
              ", '\\', '\\\\'), '''', '\\''') || ''''";
    else
      expr += " || pg_catalog.quote_literal(" + v + ")";
    if (!pieces[k + 1].empty()) expr += " || " + sql_literal(pieces[k + 1]);
  }
  return expr;
}

std::string secret_statement(const std::vector<Secret>& secrets, const std::string& expr) {
  std::string declare, checks;
  for (size_t k = 0; k < secrets.size(); k++) {
    const Secret& s = secrets[k];
    const std::string v = "v" + std::to_string(k);
    declare +=
        "    " + v + " text := pg_catalog.current_setting(" + sql_literal(s.setting) + ", true);\n";
    checks +=
        "    IF " + v + " IS NULL THEN\n      RAISE EXCEPTION '%', " +
        sql_literal("pg_squash: the setting " + s.setting + " must hold " + s.what) +
        "\n        USING HINT = " +
        sql_literal("The secret is not in the squashed revision: SET " + s.setting +
                    " in the session first, or pass it in PGOPTIONS (-c " + s.setting + "=...).") +
        ";\n    END IF;\n";
  }
  // An error of the statement is raised again without its context: the context would
  // quote the statement, secret and all, to the client and the server log.
  const std::string body = "\nDECLARE\n" + declare + "BEGIN\n" + checks +
                           "    BEGIN\n      EXECUTE " + expr +
                           ";\n    EXCEPTION WHEN OTHERS THEN\n"
                           "      RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = SQLERRM;\n"
                           "    END;\nEND\n";
  return "DO " + dollar_quote(body, "pg_squash");
}

namespace {

// The OPTIONS (...) clause of an object, or "" without options; secret options read at
// upgrade time from their settings (setting_prefix, setting_parts + the option name).
// Returns the statement pieces around the secrets (see secret_statement).
void options_clause(const model::Object& o, const std::string& prefix,
                    const std::vector<std::string>& parts, const std::string& what,
                    std::vector<std::string>& pieces, std::vector<Secret>& secrets) {
  const std::string plain = attr_or(o, "options", "");
  const std::vector<std::string> secret = split_list(attr_or(o, "secret_options", ""));
  if (plain.empty() && secret.empty()) return;
  pieces.back() += " OPTIONS (" + plain;
  bool first = plain.empty();
  for (const std::string& key : secret) {
    pieces.back() += (first ? "" : ", ") + key + " ";
    first = false;
    std::vector<std::string> p = parts;
    p.push_back(key.size() > 1 && key[0] == '"' ? key.substr(1, key.size() - 2) : key);
    secrets.push_back({secret_setting(prefix, p), "the value of option " + key + " of " + what});
    pieces.push_back("");
  }
  pieces.back() += ")";
}

std::string statement(const std::vector<std::string>& pieces, const std::vector<Secret>& secrets) {
  return secrets.empty() ? pieces[0] : secret_statement(secrets, secret_expr(pieces, false));
}

}  // namespace

void Plan::add_foreign_data_wrapper(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  std::vector<std::string> pieces{"CREATE FOREIGN DATA WRAPPER " + o.identity};
  const std::string handler = attr_or(o, "handler", "NO HANDLER");
  const std::string validator = attr_or(o, "validator", "NO VALIDATOR");
  pieces[0] += handler == "NO HANDLER" ? " NO HANDLER" : " HANDLER " + routine_name(handler);
  pieces[0] +=
      validator == "NO VALIDATOR" ? " NO VALIDATOR" : " VALIDATOR " + routine_name(validator);
  if (handler != "NO HANDLER") need(i, "function", handler);
  if (validator != "NO VALIDATOR") need(i, "function", validator);
  std::vector<Secret> secrets;
  options_clause(o, "fdw", {o.identity}, "foreign-data wrapper " + o.identity, pieces, secrets);
  s.sql.push_back(statement(pieces, secrets));
  s.undo.push_back("DROP FOREIGN DATA WRAPPER " + o.identity);
  comment(s, o, "FOREIGN DATA WRAPPER " + o.identity);
  owner_and_acl(s, o, "FOREIGN DATA WRAPPER", o.identity, "FOREIGN DATA WRAPPER");
}

void Plan::add_foreign_server(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  const std::string wrapper = attr_or(o, "wrapper", "");
  need(i, "foreign-data wrapper", wrapper);
  std::vector<std::string> pieces{"CREATE SERVER " + o.identity};
  if (const std::string* t = o.get("type")) pieces[0] += " TYPE " + sql_literal(*t);
  if (const std::string* v = o.get("version")) pieces[0] += " VERSION " + sql_literal(*v);
  pieces[0] += " FOREIGN DATA WRAPPER " + wrapper;
  std::vector<Secret> secrets;
  options_clause(o, "srv", {o.identity}, "server " + o.identity, pieces, secrets);
  s.sql.push_back(statement(pieces, secrets));
  s.undo.push_back("DROP SERVER " + o.identity);
  comment(s, o, "SERVER " + o.identity);
  owner_and_acl(s, o, "SERVER", o.identity, "FOREIGN SERVER");
}

void Plan::add_user_mapping(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  // "FOR role SERVER server"
  const size_t at = o.identity.rfind(" SERVER ");
  const std::string server = at == std::string::npos ? "" : o.identity.substr(at + 8);
  const std::string user = at == std::string::npos ? "" : o.identity.substr(4, at - 4);
  need(i, "foreign server", server);
  std::vector<std::string> pieces{"CREATE USER MAPPING " + o.identity};
  std::vector<Secret> secrets;
  auto raw = [](const std::string& q) {
    return q.size() > 1 && q[0] == '"' ? q.substr(1, q.size() - 2) : q;
  };
  options_clause(o, "um", {user == "PUBLIC" ? "public" : raw(user), raw(server)},
                 "user mapping " + o.identity, pieces, secrets);
  s.sql.push_back(statement(pieces, secrets));
  s.undo.push_back("DROP USER MAPPING " + o.identity);
}

void Plan::add_foreign_table(const model::Object& o) {
  const size_t i = add_step(kTables, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  const std::string& t = o.identity;
  const std::string server = attr_or(o, "server", "");
  need(i, "foreign server", server);
  std::unordered_map<std::string, const model::Object*> by_name;
  for (const model::Object* c : columns_[t]) by_name[last_name(c->identity)] = c;
  std::vector<const model::Object*> columns;
  if (const model::Object* order = find("column order", t))
    for (const std::string& name : split_list(attr_or(*order, "columns", ""))) {
      auto it = by_name.find(name);
      if (it != by_name.end()) columns.push_back(it->second);
    }
  if (columns.size() != by_name.size()) columns = columns_[t];
  const std::string* inherits = o.get("inherits");
  const std::string* partition_of = o.get("partition_of");
  std::vector<std::string> parents;
  if (inherits) parents = split_list(*inherits);
  for (const std::string& p : parents) need(i, "table", p);
  if (partition_of) need(i, "table", *partition_of);

  std::vector<std::string> definitions, alters;
  const std::string only = "ALTER FOREIGN TABLE ONLY " + t;
  for (const model::Object* cp : columns) {
    const model::Object& c = *cp;
    const std::string name = last_name(c.identity);
    const std::string* def = c.get("default");
    if (is_true(c, "inherited") && !is_true(c, "local")) {
      // From the parent: only what differs is set.
      const model::Object* pc = nullptr;
      for (const std::string& p : parents)
        if (!pc) pc = find("column", p + "." + name);
      const std::string* pdef = pc ? pc->get("default") : nullptr;
      if (def && (!pdef || *pdef != *def))
        alters.push_back(only + " ALTER COLUMN " + name + " SET DEFAULT " + reparseable(*def));
      if (!def && pdef) alters.push_back(only + " ALTER COLUMN " + name + " DROP DEFAULT");
      if (is_true(c, "not_null") && !(pc && is_true(*pc, "not_null")))
        alters.push_back(only + " ALTER COLUMN " + name + " SET NOT NULL");
      if (const std::string* fo = c.get("fdw_options"))
        alters.push_back(only + " ALTER COLUMN " + name + " OPTIONS (ADD " + [&] {
          std::string out;
          for (const std::string& item : split_list(*fo))
            out += (out.empty() ? "" : ", ADD ") + item;
          return out;
        }() + ")");
    } else {
      std::string d = name + " " + attr_or(c, "type", "text");
      if (const std::string* fo = c.get("fdw_options")) d += " OPTIONS (" + *fo + ")";
      if (const std::string* coll = c.get("collation")) d += " COLLATE " + *coll;
      if (const std::string* g = c.get("generated"))
        d += " GENERATED ALWAYS AS (" + reparseable(*g) + ") STORED";
      if (def) d += " DEFAULT " + reparseable(*def);
      if (is_true(c, "not_null")) d += " NOT NULL";
      definitions.push_back(std::move(d));
    }
    if (const std::string* v = c.get("storage"))
      alters.push_back(only + " ALTER COLUMN " + name + " SET STORAGE " + *v);
    if (const std::string* v = c.get("statistics"))
      alters.push_back(only + " ALTER COLUMN " + name + " SET STATISTICS " + *v);
    if (const std::string* v = c.get("options"))
      alters.push_back(only + " ALTER COLUMN " + name + " SET (" + *v + ")");
  }
  std::string sql = "CREATE FOREIGN TABLE " + t + " (";
  for (size_t k = 0; k < definitions.size(); k++)
    sql += (k ? ",\n    " : "\n    ") + definitions[k];
  sql += definitions.empty() ? ")" : "\n)";
  if (inherits) sql += " INHERITS (" + *inherits + ")";
  sql += " SERVER " + server;
  if (const std::string* opts = o.get("options")) sql += " OPTIONS (" + *opts + ")";
  // A secret in a foreign table's or its columns' options (unusual): its value is not in the
  // snapshot, and the revision does not read it from a setting as it does for servers and
  // user mappings.
  bool secret = o.get("secret_options") != nullptr;
  for (const model::Object* c : columns) {
    const std::string* fo = c->get("fdw_options");
    secret = secret || (fo && fo->find(" (secret)") != std::string::npos);
  }
  if (secret) not_expressible_.push_back("foreign table " + t + " (an option with a secret value)");
  s.sql.push_back(std::move(sql));
  for (std::string& a : alters) s.sql.push_back(std::move(a));
  if (partition_of)
    s.sql.push_back("ALTER TABLE " + *partition_of + " ATTACH PARTITION " + t + " " +
                    attr_or(o, "partition_bound", "DEFAULT"));
  comment(s, o, "FOREIGN TABLE " + t);
  for (const model::Object* c : columns) comment(s, *c, "COLUMN " + c->identity);
  owner_and_acl(s, o, "FOREIGN TABLE", t, "TABLE");
  for (const model::Object* c : columns) {
    if (!options_.with_owners)
      grants_to_others(s, o, "TABLE " + t, last_name(c->identity), c);
    else if (c->get("acl"))
      grants_to_others(s, o, "TABLE " + t, last_name(c->identity), c);
  }
  s.undo.push_back("DROP FOREIGN TABLE " + t);
}

}  // namespace squash::generator
