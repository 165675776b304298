// Ordering the plan's steps and writing them out as an SQL script or an Alembic revision
// file (see ddl.hpp).
#include <algorithm>
#include <chrono>
#include <set>

#include "ddl_plan.hpp"
#include "pg_squash/model/printable.hpp"

namespace squash::generator {

std::vector<size_t> Plan::order() const {
  const size_t n = steps_.size();
  std::vector<std::vector<size_t>> dependents(n);
  std::vector<size_t> waiting(n, 0);
  for (size_t i = 0; i < n; i++) {
    std::vector<size_t> after = steps_[i].after;
    std::sort(after.begin(), after.end());
    after.erase(std::unique(after.begin(), after.end()), after.end());
    for (size_t d : after) {
      if (d == i || d >= n) continue;
      dependents[d].push_back(i);
      waiting[i]++;
    }
  }
  // Ready steps by (phase, position): the same plan always gives the same order.
  std::set<std::pair<int, size_t>> ready, pending;
  for (size_t i = 0; i < n; i++) (waiting[i] == 0 ? ready : pending).insert({steps_[i].phase, i});
  std::vector<size_t> out;
  out.reserve(n);
  std::vector<bool> done(n, false);
  while (out.size() < n) {
    std::pair<int, size_t> next;
    if (!ready.empty()) {
      next = *ready.begin();
      ready.erase(ready.begin());
    } else {
      // A cycle (the catalogs allow a few, e.g. a default calling a function that returns
      // the table's row type): go on with the first waiting step.
      next = *pending.begin();
      pending.erase(pending.begin());
    }
    const size_t i = next.second;
    done[i] = true;
    out.push_back(i);
    for (size_t d : dependents[i]) {
      if (done[d] || waiting[d] == 0) continue;
      if (--waiting[d] == 0) {
        pending.erase({steps_[d].phase, d});
        ready.insert({steps_[d].phase, d});
      }
    }
  }
  return out;
}

namespace {

const char* const kPythonHelpers = R"PY(

class ReplaceableObject:
    """A view or materialized view by name: its query and how it is created.

    Later revisions replace one by name, e.g. with a new query:
        replace_view(ReplaceableObject('public.v', 'SELECT ...'))
    """

    def __init__(self, name, sqltext, materialized=False, options=None, using=None):
        self.name = name
        self.sqltext = sqltext
        self.materialized = materialized
        self.options = options
        self.using = using

    @property
    def kind(self):
        return 'MATERIALIZED VIEW' if self.materialized else 'VIEW'

    def create_sql(self, replace=False):
        sql = ('CREATE OR REPLACE ' if replace else 'CREATE ') + self.kind + ' ' + self.name
        if self.using:
            sql += ' USING ' + self.using
        if self.options:
            sql += ' WITH (' + self.options + ')'
        return sql + ' AS\n' + self.sqltext


def _run(sql):
    """Runs one statement exactly as written: no bind parameters, so '%' and ':name' in
    bodies and literals stay what they are."""
    context = op.get_context()
    if context.as_sql:  # alembic upgrade --sql
        context.impl.static_output(sql + ';\n')
    else:
        op.get_bind().execution_options(no_parameters=True).exec_driver_sql(sql)


def create_view(view):
    _run(view.create_sql())


def replace_view(view):
    """CREATE OR REPLACE VIEW; a materialized view is dropped and created again."""
    if view.materialized:
        drop_view(view)
        create_view(view)
    else:
        _run(view.create_sql(replace=True))


def drop_view(view):
    _run('DROP ' + view.kind + ' ' + view.name)


def _begin():
    """Every name below is qualified: build with an empty search_path and unchecked function
    bodies, as the SQL form of this revision does. Restored by _end()."""
    _run("SELECT pg_catalog.set_config('squash_migration.search_path',"
         " pg_catalog.current_setting('search_path'), true),"
         " pg_catalog.set_config('squash_migration.check_function_bodies',"
         " pg_catalog.current_setting('check_function_bodies'), true),"
         " pg_catalog.set_config('squash_migration.standard_conforming_strings',"
         " pg_catalog.current_setting('standard_conforming_strings'), true),"
         " pg_catalog.set_config('search_path', '', true),"
         " pg_catalog.set_config('check_function_bodies', 'off', true),"
         " pg_catalog.set_config('standard_conforming_strings', 'on', true)")


def _end():
    _run("SELECT pg_catalog.set_config('search_path',"
         " pg_catalog.current_setting('squash_migration.search_path'), true),"
         " pg_catalog.set_config('check_function_bodies',"
         " pg_catalog.current_setting('squash_migration.check_function_bodies'), true),"
         " pg_catalog.set_config('standard_conforming_strings',"
         " pg_catalog.current_setting('squash_migration.standard_conforming_strings'), true)")
)PY";

// Text for a Python docstring line: no quotes or backslashes that could end or alter it.
std::string docstring_text(const std::string& text) {
  std::string out;
  for (char c : model::printable(text, 200)) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

// What the script writes for one step, or for a run of steps joined into one statement.
struct Block {
  const Step* step;    // the step, or the first of the run
  std::string label;   // for the comment above it
  std::string joined;  // the run's one ALTER TABLE; empty for a single step
  size_t size() const { return joined.empty() ? step->sql.size() : 1; }
  const std::string& sql(size_t k) const { return joined.empty() ? step->sql[k] : joined; }
};

// The steps in order, with each run of one-statement ALTER TABLEs on the same table in the
// same phase joined, as long as no step of the run waits for another one of it.
std::vector<Block> blocks(const Plan& plan, const std::vector<size_t>& order) {
  const std::vector<Step>& steps = plan.steps();
  std::vector<Block> out;
  out.reserve(order.size());
  std::vector<size_t> run;
  for (size_t k = 0; k < order.size(); k++) {
    const Step& s = steps[order[k]];
    if (s.sql.empty()) continue;
    out.push_back({&s, s.label, {}});
    if (s.alter_table.empty()) continue;
    const std::string prefix = "ALTER TABLE " + s.alter_table + " ";
    if (s.sql[0].compare(0, prefix.size(), prefix) != 0) continue;
    run.assign(1, order[k]);
    while (k + 1 < order.size()) {
      const Step& t = steps[order[k + 1]];
      if (t.alter_table != s.alter_table || t.phase != s.phase || t.sql.size() != 1 ||
          t.sql[0].compare(0, prefix.size(), prefix) != 0)
        break;
      const bool waits = std::any_of(t.after.begin(), t.after.end(), [&](size_t d) {
        return std::find(run.begin(), run.end(), d) != run.end();
      });
      if (waits) break;
      run.push_back(order[++k]);
    }
    if (run.size() == 1) continue;
    Block& b = out.back();
    b.joined = s.sql[0];
    for (size_t i = 1; i < run.size(); i++) {
      b.joined += ",\n    ";
      b.joined.append(steps[run[i]].sql[0], prefix.size(), std::string::npos);
      b.label += "; " + steps[run[i]].label;
    }
  }
  return out;
}

std::string sql_script(const Plan& plan, const std::vector<size_t>& order, const Options& opt,
                       size_t& statements) {
  std::string out;
  out += "-- pg_squash squashed revision " + comment_text(opt.revision) + "\n";
  out += "-- Builds the schema with fingerprint " + opt.fingerprint + "\n";
  out += "-- in an empty database. Generated by squash_generate_migration() from the live\n";
  out += "-- schema: the same schema always gives the same script.\n";
  const auto& missing = plan.not_expressible();
  if (!missing.empty()) {
    out += "--\n-- WARNING: " + std::to_string(missing.size()) +
           " object(s) cannot be expressed and are NOT created by this script:\n";
    for (const std::string& m : missing) out += "--   " + comment_text(m) + "\n";
  }
  out += "\nSET search_path = '';\n";
  out += "SET check_function_bodies = off;\n";
  out += "SET standard_conforming_strings = on;\n";
  out += "SET client_min_messages = warning;\n";
  for (const Block& b : blocks(plan, order)) {
    out += "\n-- ";
    out += comment_text(b.label);
    out += "\n";
    for (size_t k = 0; k < b.size(); k++) {
      out += b.sql(k);
      out += ";\n";
      statements++;
    }
  }
  return out;
}

std::string alembic_file(const Plan& plan, const std::vector<size_t>& order, const Options& opt,
                         size_t& statements) {
  std::string out;
  out += "\"\"\"squashed baseline: the complete schema\n\n";
  out += "Generated by pg_squash (squash_generate_migration) from the live schema. Applied to\n";
  out += "an empty database it builds the schema with fingerprint\n" + opt.fingerprint + ".\n";
  out += "Existing databases move to this revision in place (squash_stamp, guarded by that\n";
  out += "fingerprint), never by running this upgrade.\n\n";
  out += "Revision ID: " + docstring_text(opt.revision) + "\n";
  out += "Revises: " + (opt.down_revision ? docstring_text(*opt.down_revision) : "") + "\n";
  out += "\"\"\"\n";
  out += "from alembic import op\n";
  out += "import sqlalchemy as sa  # noqa: F401 (the DDL below is raw SQL)\n\n";
  out += "# revision identifiers, used by Alembic.\n";
  out += "revision = " + python_literal(opt.revision) + "\n";
  out += "down_revision = " +
         (opt.down_revision ? python_literal(*opt.down_revision) : std::string("None")) + "\n";
  out += "branch_labels = None\n";
  out += "depends_on = None\n";
  const auto& missing = plan.not_expressible();
  if (!missing.empty()) {
    out += "\n# WARNING: " + std::to_string(missing.size()) +
           " object(s) cannot be expressed and are NOT created by this revision:\n";
    for (const std::string& m : missing) out += "#   " + comment_text(m) + "\n";
  }
  out += kPythonHelpers;

  // The views, in creation order.
  out += "\n\n# Views and materialized views, in dependency order.\nVIEWS = {\n";
  out += "    view.name: view\n    for view in [\n";
  for (size_t i : order) {
    const Step& s = plan.steps()[i];
    if (!s.view) continue;
    const model::Object& v = *s.view;
    out += "        ReplaceableObject(\n";
    out += "            " + python_literal(v.identity) + ",\n";
    const std::string* def = v.get("definition");
    out += "            " + python_literal(def ? reparseable(*def) : std::string()) + ",\n";
    if (v.kind == "materialized view") out += "            materialized=True,\n";
    const std::string opts = Plan::view_options(v);
    if (!opts.empty()) out += "            options=" + python_literal(opts) + ",\n";
    if (const std::string* am = v.get("access_method"))
      out += "            using=" + python_literal(*am) + ",\n";
    out += "        ),\n";
  }
  out += "    ]\n}\n";

  out += "\n\ndef upgrade():\n    _begin()\n";
  for (const Block& b : blocks(plan, order)) {
    out += "\n    # ";
    out += comment_text(b.label);
    out += "\n";
    for (size_t k = 0; k < b.size(); k++) {
      if (k == 0 && b.step->view) {
        out += "    create_view(VIEWS[";
        out += python_literal(b.step->view->identity);
        out += "])\n";
      } else {
        out += "    _run(";
        out += python_literal(b.sql(k));
        out += ")\n";
      }
      statements++;
    }
  }
  out += "\n    _end()\n";

  out += "\n\ndef downgrade():\n";
  bool any = false;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Step& s = plan.steps()[*it];
    for (const std::string& stmt : s.undo) {
      if (s.view)
        out += "    drop_view(VIEWS[" + python_literal(s.view->identity) + "])\n";
      else
        out += "    _run(" + python_literal(stmt) + ")\n";
      any = true;
    }
  }
  if (!any) out += "    pass\n";
  return out;
}

}  // namespace

const char* alembic_python_helpers() {
  return kPythonHelpers;
}
std::string docstring_line(const std::string& text) {
  return docstring_text(text);
}

Generated generate(const model::Snapshot& snapshot, const CatalogFacts& facts,
                   const Options& options) {
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  Generated g;
  auto t = Clock::now();
  Plan plan(snapshot, facts, options);
  plan.build();
  g.plan_ms = ms_since(t);
  t = Clock::now();
  const std::vector<size_t> order = plan.order();
  g.order_ms = ms_since(t);
  t = Clock::now();
  g.not_expressible = plan.not_expressible();
  if (options.format == "sql")
    g.text = sql_script(plan, order, options, g.statements);
  else
    g.text = alembic_file(plan, order, options, g.statements);
  g.text_ms = ms_since(t);
  return g;
}

}  // namespace squash::generator
