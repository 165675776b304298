// squash_diff_sql(): the repair script from a stored or live schema (target) to a stored
// snapshot's (source). The two sides load as for squash_diff; the live side's order comes
// from pg_depend, as for the generator; the DDL from the generator's plans (repair.cpp).
#include <optional>
#include <string>
#include <vector>

#include "order_facts.hpp"
#include "pg_squash/generator/repair.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/printable.hpp"
#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/srf.hpp"
#include "pg_squash/snapshot/diff_sides.hpp"
#include "pg_squash/stamp/version_table.hpp"

using namespace squash;

namespace {

std::string listed(const std::vector<std::string>& list, std::string& detail, size_t shown_max) {
  std::string shown;
  for (size_t i = 0; i < list.size(); i++) {
    detail += (i ? "\n" : "") + model::printable(list[i], 300);
    if (i < shown_max) shown += (i ? "; " : "") + model::printable(list[i], 120);
  }
  if (list.size() > shown_max)
    shown += "; ... (" + std::to_string(list.size() - shown_max) + " more)";
  return shown;
}

}  // namespace

// squash_diff_sql(source text, target text DEFAULT NULL, allow_destructive boolean DEFAULT
//   false, format text DEFAULT 'sql', down_revision text DEFAULT NULL,
//   revision text DEFAULT NULL) -> text
SQUASH_FUNCTION(squash_diff_sql) {
  DiffLabels labels = diff_labels(fcinfo);
  generator::RepairOptions opt;
  opt.allow_destructive = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
  std::optional<std::string> format = PG_NARGS() > 3 ? text_arg(fcinfo, 3) : std::string("sql");
  if (!format || (*format != "sql" && *format != "alembic"))
    throw Error("pg_squash: unknown format " +
                    (format ? quote_literal(model::printable(*format)) : std::string("NULL")),
                ERRCODE_INVALID_PARAMETER_VALUE, {}, "format is 'sql' or 'alembic'.");
  opt.format = *format;
  if (PG_NARGS() > 4) opt.down_revision = text_arg(fcinfo, 4);
  if (opt.down_revision) check_revision(opt.down_revision, 32);
  std::optional<std::string> revision = PG_NARGS() > 5 ? text_arg(fcinfo, 5) : std::nullopt;
  if (revision) check_revision(revision, 32);
  if (opt.format == "sql" && (opt.down_revision || revision))
    throw Error("pg_squash: revision and down_revision are for format => 'alembic'",
                ERRCODE_INVALID_PARAMETER_VALUE);
  opt.quote_ident = [](const std::string& name) { return quote_ident(name); };
  opt.server_version = PG_VERSION_NUM;
  opt.source_name = "snapshot " + model::printable(quote_literal(labels.source));
  opt.target_name = labels.target ? "snapshot " + model::printable(quote_literal(*labels.target))
                                  : std::string("the live schema");

  generator::Repair r;
  {
    Spi spi;
    DiffSides<model::Snapshot> sides = load_sides(spi, labels);
    opt.source_fingerprint = sides.source.fingerprint;
    opt.target_fingerprint = model::fingerprint(sides.target);
    opt.revision = revision ? *revision : "repair_" + opt.source_fingerprint.substr(0, 12);
    generator::CatalogFacts source_facts, target_facts;
    if (!labels.target) {
      GucScope guc;
      pin_output_settings(guc);
      generator::read_order_facts(spi, target_facts);
    }
    generator::infer_dependencies(sides.source.snapshot, source_facts);
    generator::infer_dependencies(sides.target, target_facts);
    r = generator::repair(sides.source.snapshot, source_facts, sides.target, target_facts, opt);
  }
  if (!r.not_expressible.empty()) {
    std::string detail;
    std::string shown = listed(r.not_expressible, detail, 10);
    throw Error("pg_squash: " + std::to_string(r.not_expressible.size()) +
                    " object(s) of the source cannot be created by a script: " + shown,
                ERRCODE_FEATURE_NOT_SUPPORTED, detail,
                "They are not modelled yet; create them by hand, then compare again.");
  }
  if (!r.unsupported.empty()) {
    std::string detail;
    std::string shown = listed(r.unsupported, detail, 5);
    throw Error("pg_squash: " + std::to_string(r.unsupported.size()) +
                    " difference(s) cannot be repaired by a script yet: " + shown,
                ERRCODE_FEATURE_NOT_SUPPORTED, detail,
                "Change those columns by hand (or rebuild their tables), then compare again.");
  }
  if (!r.destructive.empty() && !opt.allow_destructive) {
    std::string detail;
    std::string shown = listed(r.destructive, detail, 5);
    throw Error("pg_squash: refusing to write a script that loses data: " +
                    std::to_string(r.destructive.size()) + " destructive statement(s): " + shown,
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, detail,
                "Pass allow_destructive => true to include them; each is marked in the script.");
  }
  return text_datum(r.text);
}
