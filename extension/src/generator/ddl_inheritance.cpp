// Inheritance trees whose column orders CREATE TABLE ... INHERITS cannot write: a child
// whose own columns come before a column it only inherits got that column when the parent
// was given it after the child existed (ALTER TABLE parent ADD COLUMN appends it to every
// child). The history is replayed: such columns are left out of the CREATE TABLEs and
// added once every table of the tree exists, in an order that gives each table its own
// column order. The plan is checked first by playing PostgreSQL's rules for INHERITS,
// INHERIT and ADD COLUMN over it; a tree it would not rebuild exactly is made as before
// (see README, "Guarantees and their limits").
#include <algorithm>
#include <functional>

#include "ddl_plan.hpp"
#include "pg_squash/model/identity.hpp"

namespace squash::generator {

namespace {

std::string last_part(const std::string& identity) {
  return std::string(model::split_last(identity).name);
}

struct Column {
  bool local = true, inherited = false;
};

struct Table {
  std::vector<std::string> parents, children;
  std::vector<std::string> order;  // column names
  std::map<std::string, Column> columns;
  bool attach = false;  // made without INHERITS, attached after (all columns its own)
  size_t split = 0;     // the columns its CREATE TABLE makes (with what INHERITS brings)
  size_t position(const std::string& name) const {
    return static_cast<size_t>(std::find(order.begin(), order.end(), name) - order.begin());
  }
};

using Tree = std::map<std::string, Table>;
using Event = std::pair<std::string, std::string>;  // ALTER TABLE first ADD COLUMN second

// Where ADD COLUMN made a column: the table that has it as its own only, reached through
// the parents it inherits it from; empty when two parents have it from different places.
std::string origin(const Tree& tree, const std::string& table, const std::string& column) {
  const Table& t = tree.at(table);
  if (!t.columns.at(column).inherited) return table;
  std::string found;
  for (const std::string& p : t.parents) {
    const Table& pt = tree.at(p);
    if (!pt.columns.count(column)) continue;
    const std::string o = origin(tree, p, column);
    if (o.empty() || (!found.empty() && o != found)) return {};
    found = o;
  }
  return found;
}

struct Replay {
  std::vector<Event> events;                          // in order
  std::map<Event, std::vector<std::string>> reached;  // tables an event appends the column to
};

// The tables in an order that has each table's parents before it (false on a cycle).
bool creation_order(const Tree& tree, std::vector<std::string>& out) {
  std::map<std::string, size_t> waiting;
  for (const auto& [name, t] : tree) waiting[name] = t.parents.size();
  std::vector<std::string> ready;
  for (const auto& [name, n] : waiting)
    if (n == 0) ready.push_back(name);
  while (!ready.empty()) {
    const std::string name = ready.front();
    ready.erase(ready.begin());
    out.push_back(name);
    for (const std::string& c : tree.at(name).children)
      if (--waiting[c] == 0) ready.push_back(c);
  }
  return out.size() == tree.size();
}

// PostgreSQL's rules played over the plan: true when every table ends up with its own
// column order and each column local or inherited as it is.
bool simulate(const Tree& tree, Replay& replay) {
  std::vector<std::string> created;
  if (!creation_order(tree, created)) return false;
  struct Have {
    std::vector<std::string> order;
    std::map<std::string, std::pair<bool, int>> flags;  // local, inheritance count
  };
  std::map<std::string, Have> have;
  for (const std::string& name : created) {
    const Table& t = tree.at(name);
    Have& h = have[name];
    if (t.attach) {
      // All its own; ALTER TABLE ... INHERIT needs every column of the parent.
      for (const std::string& c : t.order) h.order.push_back(c), h.flags[c] = {true, 0};
      for (const std::string& p : t.parents)
        for (const std::string& c : have[p].order) {
          if (!h.flags.count(c)) return false;
          h.flags[c].second++;
        }
      continue;
    }
    for (const std::string& p : t.parents)  // INHERITS: the parents' columns, merged
      for (const std::string& c : have[p].order) {
        if (h.flags.count(c)) {
          h.flags[c].second++;
        } else {
          h.order.push_back(c);
          h.flags[c] = {false, 1};
        }
      }
    for (size_t k = 0; k < t.split; k++) {
      const std::string& c = t.order[k];
      if (!t.columns.at(c).local) {
        if (!h.flags.count(c)) return false;  // only inherited, but no parent has it yet
      } else if (h.flags.count(c)) {
        h.flags[c].first = true;  // merged with the parents' column
      } else {
        h.order.push_back(c);
        h.flags[c] = {true, 0};
      }
    }
  }
  for (const Event& e : replay.events) {
    Have& h = have[e.first];
    if (h.flags.count(e.second)) return false;  // ADD COLUMN of a column it has
    h.order.push_back(e.second);
    h.flags[e.second] = {true, 0};
    std::vector<std::string>& reached = replay.reached[e];
    // The column reaches each child; one that has it already merges it and stops there.
    std::function<void(const std::string&)> recurse = [&](const std::string& table) {
      for (const std::string& c : tree.at(table).children) {
        Have& ch = have[c];
        if (ch.flags.count(e.second)) {
          ch.flags[e.second].second++;
          continue;
        }
        ch.order.push_back(e.second);
        ch.flags[e.second] = {false, 1};
        reached.push_back(c);
        recurse(c);
      }
    };
    recurse(e.first);
  }
  for (const auto& [name, t] : tree) {
    const Have& h = have[name];
    if (h.order != t.order) return false;
    for (const auto& [c, col] : t.columns) {
      const auto& f = h.flags.at(c);
      if (f.first != col.local || (f.second > 0) != col.inherited) return false;
    }
  }
  return true;
}

// Which columns each table's CREATE TABLE leaves out, and the ADD COLUMNs in an order
// that appends them to every table as its order has them. False when there is none.
bool solve(Tree& tree, Replay& replay) {
  for (auto& [name, t] : tree) t.split = t.order.size();
  std::set<Event> late;
  bool ok = true, changed = true;
  auto lower = [&](Table& t, size_t position) {
    if (position >= t.split) return;
    if (t.attach) ok = false;
    t.split = position;
    changed = true;
  };
  auto make_late = [&](const Event& e) {
    if (e.first.empty()) ok = false;
    if (ok && late.insert(e).second) changed = true;
  };
  while (ok && changed) {
    changed = false;
    for (auto& [name, t] : tree) {
      if (t.attach || t.parents.empty()) continue;
      // INHERITS puts the parents' columns first: after a column of its own, a column the
      // table inherits did not come from a parent that had it when the table was made.
      size_t first_own = t.order.size();
      for (size_t k = 0; k < t.order.size() && first_own == t.order.size(); k++)
        if (!t.columns[t.order[k]].inherited) first_own = k;
      for (size_t k = first_own; k < t.order.size(); k++) {
        const Column& c = t.columns[t.order[k]];
        if (!c.inherited) continue;
        if (!c.local)
          lower(t, k);  // it came later
        else if (k < t.split)
          make_late({origin(tree, name, t.order[k]), t.order[k]});  // its own, merged later
      }
    }
    for (auto& [name, t] : tree)
      for (size_t k = t.split; k < t.order.size(); k++) {
        const Column& c = t.columns[t.order[k]];
        if (!c.inherited)
          make_late({name, t.order[k]});
        else if (c.local)
          ok = false;  // its own column added before a parent's: not replayed
        else
          make_late({origin(tree, name, t.order[k]), t.order[k]});
      }
    // A column added late is added late to every table it reaches.
    for (const Event& e : late) {
      lower(tree.at(e.first), tree.at(e.first).position(e.second));
      for (auto& [name, t] : tree) {
        auto c = t.columns.find(e.second);
        if (c != t.columns.end() && c->second.inherited && !c->second.local &&
            origin(tree, name, e.second) == e.first)
          lower(t, t.position(e.second));
      }
    }
  }
  if (!ok) return false;

  // The events in an order that keeps each table's late columns in its order.
  std::map<Event, std::set<Event>> next;
  std::map<Event, size_t> waiting;
  for (const Event& e : late) waiting[e] = 0;
  for (const auto& [name, t] : tree) {
    const Event* prev = nullptr;
    std::vector<Event> arrivals;
    for (size_t k = t.split; k < t.order.size(); k++) {
      const std::string& c = t.order[k];
      arrivals.push_back(t.columns.at(c).inherited ? Event{origin(tree, name, c), c}
                                                   : Event{name, c});
    }
    for (const Event& e : arrivals) {
      if (!waiting.count(e)) return false;
      if (prev && *prev != e && next[*prev].insert(e).second) waiting[e]++;
      prev = &e;
    }
  }
  std::set<Event> ready;
  for (const auto& [e, n] : waiting)
    if (n == 0) ready.insert(e);
  while (!ready.empty()) {
    const Event e = *ready.begin();
    ready.erase(ready.begin());
    replay.events.push_back(e);
    for (const Event& n : next[e])
      if (--waiting[n] == 0) ready.insert(n);
  }
  if (replay.events.size() != late.size()) return false;  // a cycle
  return simulate(tree, replay);
}

}  // namespace

void Plan::plan_inheritance_history() {
  // The inheritance trees: tables joined by INHERITS (a foreign table in one leaves it as
  // it is).
  std::map<std::string, std::string> root;  // union-find over table identities
  std::function<std::string(const std::string&)> find_root = [&](const std::string& x) {
    auto it = root.find(x);
    if (it == root.end() || it->second == x) return x;
    return it->second = find_root(it->second);
  };
  std::set<std::string> blocked;
  std::vector<const model::Object*> children;
  for (const model::Object& o : snapshot_.objects) {
    if (o.kind != "table" && o.kind != "foreign table") continue;
    const std::string* inherits = o.get("inherits");
    if (!inherits) continue;
    if (o.kind == "table") children.push_back(&o);
    for (const std::string& p : split_list(*inherits)) {
      if (o.kind != "table" || !find("table", p)) blocked.insert(p), blocked.insert(o.identity);
      root.emplace(p, p);
      root.emplace(o.identity, o.identity);
      root[find_root(o.identity)] = find_root(p);
    }
  }
  std::map<std::string, Tree> trees;
  for (const auto& [name, r] : root) {
    const model::Object* o = find("table", name);
    Table t;
    if (o) {
      if (o->get("of_type") || o->get("partition_of") || o->get("partition_key"))
        blocked.insert(name);
      std::vector<const model::Object*> columns = table_columns(name);
      t.attach = attaches_parents(*o, columns);
      if (const std::string* inherits = o->get("inherits")) t.parents = split_list(*inherits);
      for (const model::Object* c : columns) {
        const std::string n = last_part(c->identity);
        t.order.push_back(n);
        Column& col = t.columns[n];
        col.inherited = is_true(*c, "inherited");
        col.local = !col.inherited || is_true(*c, "local");
      }
    }
    trees[find_root(name)].emplace(name, std::move(t));
  }
  for (auto& [r, tree] : trees) {
    bool usable = true, needed = false;
    for (auto& [name, t] : tree) {
      usable = usable && !blocked.count(name) && find("table", name);
      for (const std::string& p : t.parents) {
        auto pt = tree.find(p);
        if (pt == tree.end())
          usable = false;
        else
          pt->second.children.push_back(name);
      }
      // Replayed only where INHERITS falls short: a column only inherited after one of the
      // table's own.
      bool own = false;
      for (const std::string& c : t.order) {
        const Column& col = t.columns[c];
        if (!col.inherited) own = true;
        if (own && col.inherited && !t.attach && !t.parents.empty()) needed = true;
      }
    }
    if (!usable || !needed) continue;
    Replay replay;
    if (!solve(tree, replay)) continue;
    std::vector<std::string> names;
    for (const auto& [name, t] : tree) {
      names.push_back(name);
      for (size_t k = t.split; k < t.order.size(); k++) late_columns_[name].insert(t.order[k]);
    }
    // An identity column cannot be added to a table that has children.
    bool identity = false;
    for (const Event& e : replay.events)
      if (const model::Object* c = find("column", e.first + "." + e.second))
        identity = identity || (c->get("identity") && !tree[e.first].children.empty());
    if (identity) {
      for (const std::string& n : names) late_columns_.erase(n);
      continue;
    }
    for (const Event& e : replay.events)
      late_events_.push_back({e.first, e.second, replay.reached[e], names});
  }
}

void Plan::add_late_columns() {
  std::map<std::string, size_t> table_step;
  for (size_t i : table_steps_) table_step[steps_[i].label.substr(6)] = i;  // "table ..."
  std::map<std::vector<std::string>, size_t> previous;  // tree -> its last ADD COLUMN step
  for (const LateColumn& e : late_events_) {
    const model::Object* table = find("table", e.table);
    const model::Object* column = find("column", e.table + "." + e.column);
    if (!table || !column) continue;
    Step s;
    s.phase = kTables;
    s.label = "column " + column->identity + " (added once its inheritance children exist)";
    s.sql.push_back("ALTER TABLE " + e.table + " ADD COLUMN " +
                    column_definition(*column, true, false));
    std::vector<const model::Object*> deferred;
    auto complete = [&](const model::Object& t, const model::Object& c, bool reached) {
      if (reached)
        for (std::string& a : column_differences(t.identity, c, column)) s.sql.push_back(a);
      for (std::string& a : column_settings(t.identity, c)) s.sql.push_back(a);
      comment(s, c, "COLUMN " + c.identity);
      column_grants(s, t, c);
      if (c.get("default") && deferred_defaults_.count(c.identity)) deferred.push_back(&c);
    };
    complete(*table, *column, false);
    for (const std::string& r : e.reached) {
      const model::Object* t = find("table", r);
      const model::Object* c = find("column", r + "." + e.column);
      if (t && c) complete(*t, *c, true);
    }
    for (const std::string& n : e.tree)
      if (auto it = table_step.find(n); it != table_step.end()) s.after.push_back(it->second);
    auto prev = previous.find(e.tree);
    if (prev != previous.end()) s.after.push_back(prev->second);
    steps_.push_back(std::move(s));
    const size_t i = steps_.size() - 1;
    previous[e.tree] = i;
    replay_steps_.insert(i);
    for (const std::string& n : e.tree)
      if (auto it = table_step.find(n); it != table_step.end()) replay_steps_.insert(it->second);
    auto claim_default = [&](const std::string& t) {
      const model::Object* c = find("column", t + "." + e.column);
      if (c && c->get("default") && !deferred_defaults_.count(c->identity))
        claim("column default", c->identity, i);
    };
    claim_default(e.table);
    if (auto it = table_step.find(e.table); it != table_step.end())
      late_steps_[it->second].push_back(i);
    for (const std::string& r : e.reached) {
      claim_default(r);
      if (auto it = table_step.find(r); it != table_step.end())
        late_steps_[it->second].push_back(i);
    }
    for (const model::Object* c : deferred) add_deferred_default(i, *c);
  }
}

// What uses a table (its constraints, indexes, views, rows, ...) waits for the columns it
// gets late.
void Plan::wait_for_late_columns() {
  if (late_steps_.empty()) return;
  for (size_t i = 0; i < steps_.size(); i++) {
    if (steps_[i].phase < kTables || replay_steps_.count(i)) continue;
    std::vector<size_t> more;
    for (size_t d : steps_[i].after)
      if (auto it = late_steps_.find(d); it != late_steps_.end())
        for (size_t l : it->second)
          if (l != i) more.push_back(l);
    for (size_t l : more) steps_[i].after.push_back(l);
  }
}

}  // namespace squash::generator
