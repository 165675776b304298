// Internals of the generator: the plan of steps that ddl_objects.cpp fills from a snapshot
// and ddl_output.cpp orders and writes out (see ddl.hpp).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pg_squash/generator/ddl.hpp"

namespace squash::generator {

// Creation priority: among steps whose dependencies are all created, the lowest phase goes
// first. Dependencies (pg_depend and the snapshot's own references) always win.
enum Phase : int {
  kRoles = 0,  // the check that the roles the revision names exist
  kSchemas,
  kExtensions,
  kCollations,
  kTypesAndRoutines,  // enums, domains, composite types, functions, procedures, sequences
  kTables,            // tables with columns, partitions attached, RLS flags, comments
  kSeeds,             // include_data rows, before constraints and triggers (as pg_dump does)
  kConstraints,       // primary keys, unique, check, exclusion; indexes
  kSqlBodyRoutines,   // BEGIN ATOMIC / RETURN bodies: checked at creation
  kForeignKeys,
  kViews,
  kAttachments,        // triggers, policies
  kOwnership,          // ALTER SEQUENCE ... OWNED BY
  kDefaultPrivileges,  // ALTER DEFAULT PRIVILEGES: after every object, whose ACLs they would change
  kEventTriggers,      // last: they must not fire while the schema is built
};

struct Step {
  Phase phase = kTables;
  std::string label;              // "table public.genes", for comments
  std::vector<std::string> sql;   // statements, without the terminating semicolon
  std::vector<std::string> undo;  // downgrade statements, run in this order
  // A view or materialized view: sql[0] creates it; the Alembic file goes through its
  // ReplaceableObject helper for that statement and for the drop.
  const model::Object* view = nullptr;
  std::vector<size_t> after;  // steps that must come first
  // Set when sql is the one statement "ALTER TABLE <alter_table> <clause>": the script
  // joins such steps that follow each other on one table into one ALTER TABLE (one
  // statement, one lock, one pass over the table).
  std::string alter_table;
};

class Plan {
 public:
  Plan(const model::Snapshot& snapshot, const CatalogFacts& facts, const Options& options);

  // Builds the steps from the snapshot.
  void build();
  // The steps in creation order.
  std::vector<size_t> order() const;

  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<std::string>& not_expressible() const { return not_expressible_; }
  // Snapshot object -> the step that creates it (columns belong to their table's step).
  const std::map<ObjectKey, size_t>& claims() const { return claims_; }

  // Attributes of view steps, for the Alembic helper.
  static std::string view_options(const model::Object& view);
  static std::string view_create(const model::Object& view);
  static std::string view_drop(const model::Object& view);

 private:
  const model::Object* find(std::string_view kind, std::string_view identity) const;
  size_t add_step(Phase phase, const model::Object& o);
  void claim(const std::string& kind, const std::string& identity, size_t step);
  void need(size_t step, const std::string& kind, const std::string& identity);
  void need_schema(size_t step, const std::string& identity);
  std::string role(const std::string& name) const;
  // grant_target: what GRANT names when it differs from target (an aggregate's grants
  // name it as a function).
  void owner_and_acl(Step& s, const model::Object& o, const std::string& object_word,
                     const std::string& target, const char* grant_word,
                     const std::string& grant_target = {});
  void grants_to_others(Step& s, const model::Object& o, const std::string& on,
                        const std::string& column = {},
                        const model::Object* column_object = nullptr);
  void comment(Step& s, const model::Object& o, const std::string& target);

  void add_schema(const model::Object& o);
  void add_extension(const model::Object& o);
  void add_sequence(const model::Object& o);
  void add_enum(const model::Object& o);
  void add_range_type(const model::Object& o);
  // ddl_base_types.cpp
  void add_base_type(const model::Object& o);
  void add_shell_type(const model::Object& o);
  // Orders each base type after its support functions, and meets the input/output
  // functions' need of the type with its shell step (once every step exists).
  void link_base_types();
  void add_domain(const model::Object& o);
  void add_composite(const model::Object& o);
  void add_routine(const model::Object& o);
  void add_table(const model::Object& o);
  // A table's columns in their recorded order (by name without a usable order).
  std::vector<const model::Object*> table_columns(const std::string& table);
  // Whether an inheritance child is made without INHERITS and attached after: its columns
  // are all its own, in an order INHERITS would not give.
  bool attaches_parents(const model::Object& table,
                        const std::vector<const model::Object*>& columns) const;
  // A column as CREATE TABLE or ADD COLUMN defines it; inherits_generated: a parent gives
  // it its generation expression.
  std::string column_definition(const model::Object& c, bool with_default,
                                bool inherits_generated) const;
  // ALTERs for a column that came from a parent or type (`from`: the column it came with):
  // what its own definition differs in. Then its storage and other settings.
  std::vector<std::string> column_differences(const std::string& table, const model::Object& c,
                                              const model::Object* from) const;
  std::vector<std::string> column_settings(const std::string& table, const model::Object& c) const;
  void column_grants(Step& s, const model::Object& table, const model::Object& c);
  // ddl_inheritance.cpp: inheritance trees whose column orders need the parents' columns
  // added after the children exist (see there).
  void plan_inheritance_history();
  void add_late_columns();
  void wait_for_late_columns();
  void add_constraint(const model::Object& o);
  void add_index(const model::Object& o);
  void add_view(const model::Object& o);
  void add_trigger(const model::Object& o);
  void add_policy(const model::Object& o);
  void add_event_trigger(const model::Object& o);
  // ddl_kinds.cpp
  void add_aggregate(const model::Object& o);
  void add_operator(const model::Object& o);
  void add_cast(const model::Object& o);
  void add_collation(const model::Object& o);
  // ddl_opclasses.cpp, ddl_text_search.cpp, ddl_languages.cpp
  void add_access_method(const model::Object& o);
  void add_operator_family(const model::Object& o);
  void add_operator_class(const model::Object& o);
  void add_text_search(const model::Object& o);
  void add_conversion(const model::Object& o);
  void add_language(const model::Object& o);
  void add_transform(const model::Object& o);
  // ddl_foreign.cpp, ddl_rules.cpp, ddl_publications.cpp, ddl_default_privileges.cpp,
  // ddl_statistics.cpp
  void add_foreign_data_wrapper(const model::Object& o);
  void add_foreign_server(const model::Object& o);
  void add_user_mapping(const model::Object& o);
  void add_foreign_table(const model::Object& o);
  void add_rule(const model::Object& o);
  void add_publication(const model::Object& o);
  void add_subscription(const model::Object& o);
  void add_default_privileges(const model::Object& o);
  void add_statistics(const model::Object& o);
  void add_seeds();
  void add_catalog_dependencies();
  // Column defaults that cannot be written with their table: what they call depends on the
  // table itself (a function returning its row type). Set after the table and that object.
  void find_deferred_defaults();
  // ddl_roles.cpp
  std::vector<std::string> required_roles() const;
  void add_role_check();
  void add_deferred_default(size_t table_step, const model::Object& column);

  const model::Snapshot& snapshot_;
  // Roles the default privileges grant to (build()): a repair creates objects where those
  // are in force already, so each object's ACL is cleared of them before its own grants.
  std::vector<std::string> default_grantees_;
  const CatalogFacts& facts_;
  const Options& options_;
  std::vector<Step> steps_;
  std::vector<std::string> not_expressible_;
  std::map<ObjectKey, size_t> claims_;  // snapshot object -> the step that creates it
  // Deferred references: (step, kind, identity), resolved once every step exists.
  struct Need {
    size_t step;
    std::string kind, identity;
  };
  std::vector<Need> needs_;
  std::unordered_map<std::string, std::vector<const model::Object*>> columns_;  // by relation
  std::vector<size_t> table_steps_;
  // Partitioned table -> its partitions that are tables; partitioned index -> the indexes
  // attached to it.
  std::unordered_map<std::string, std::vector<std::string>> table_partitions_;
  std::unordered_map<std::string, std::vector<const model::Object*>> index_partitions_;
  std::set<std::string> deferred_defaults_;  // column identities
  // The inheritance history replayed: table -> its columns that its CREATE TABLE leaves out
  // (added by ALTER TABLE ... ADD COLUMN on it or an ancestor, once the tree exists).
  std::map<std::string, std::set<std::string>> late_columns_;
  struct LateColumn {
    std::string table, column;         // ALTER TABLE table ADD COLUMN column
    std::vector<std::string> reached;  // the descendants it adds the column to
    std::vector<std::string> tree;     // every table of its inheritance tree
  };
  std::vector<LateColumn> late_events_;  // in replay order
  // Table step -> the steps that complete its columns; the tree's table and ADD COLUMN
  // steps (which must not wait for those).
  std::map<size_t, std::vector<size_t>> late_steps_;
  std::set<size_t> replay_steps_;
  struct BaseType {
    const model::Object* object;  // a base type, or a range type with a canonical function
    size_t shell_step, type_step;
  };
  std::vector<BaseType> base_types_;
  // (function identity, base type identity) -> the type's shell step, for the type's
  // input, output, receive and send functions (and a range type's canonical function).
  std::map<std::pair<std::string, std::string>, size_t> io_shells_;
};

// The claim of a base type's shell step (ddl_base_types.cpp): not an object of the
// snapshot, but the same in both plans of a repair.
inline const std::string kBaseTypeShell = "base type shell";
// The support functions a base type names (regprocedure text); with naming_type, only
// those whose signature names the type (input, output, receive, send).
std::vector<std::string> base_type_functions(const model::Object& base_type, bool naming_type);

// The Alembic revision's Python helpers (_run, _begin, _end, the view helpers) and a text
// made safe for its docstring (ddl_output.cpp), for other revisions (repair.cpp).
const char* alembic_python_helpers();
std::string docstring_line(const std::string& text);

// Splits "a, b, \"c, d\", 'e, f'" at ", " outside double quotes, string literals and parentheses.
std::vector<std::string> split_list(std::string_view text);

// A statement whose text needs secrets that never entered the snapshot: a DO block that
// reads each from the setting named with it (pg_squash_secret.*) into v0, v1, ... at
// upgrade time, fails naming the setting and what it is for when one is not set, and
// EXECUTEs expr (an SQL text expression over v0, v1, ...).
struct Secret {
  std::string setting;  // pg_squash_secret.<...>
  std::string what;     // for the error message
};
std::string secret_statement(const std::vector<Secret>& secrets, const std::string& expr);
// The text expression pieces[0] || v0 || pieces[1] || v1 ... with each secret as an SQL
// literal (libpq = false) or as a connection string value (libpq = true).
std::string secret_expr(const std::vector<std::string>& pieces, bool libpq);
// The setting that carries one secret: pg_squash_secret.<prefix>.<part>.<part>..., e.g.
// pg_squash_secret.um.alice.s1.password (see ddl_foreign.cpp for the spelling).
std::string secret_setting(const std::string& prefix, const std::vector<std::string>& parts);

// Attribute helpers shared by the ddl_*.cpp files.
std::string attr_or(const model::Object& o, std::string_view key, const std::string& fallback);
bool is_true(const model::Object& o, std::string_view key);
// "public.f(integer, text)" -> "public.f"
std::string routine_name(const std::string& identity);
// The spelling of regoperator / regprocedure: "public.f(integer, text)" ->
// "public.f(integer,text)".
std::string compact_signature(const std::string& identity);
// "public.p(integer, text)" -> "public.p(IN integer, text)": a procedure's argument list
// without a mode may also match another procedure's list with its OUT arguments; an
// explicit IN matches input arguments only.
std::string procedure_ref(const std::string& identity);

}  // namespace squash::generator
