// Object-level differences and the machine-readable diff (see changes.hpp).
#include "pg_squash/model/changes.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "pg_squash/model/identity.hpp"

namespace squash::model {

namespace {

int compare_objects(const Object& a, const Object& b) {
  int c = a.kind.compare(b.kind);
  return c != 0 ? c : a.identity.compare(b.identity);
}

// Everything a rename must keep: kind, parent and attributes.
std::string rename_key(const Object& o) {
  std::string key = o.kind;
  key += '\0';
  key += split_last(o.identity).parent;
  for (const Attribute& a : o.attrs) {
    key += '\0';
    key += a.key;
    key += '\x01';
    key += a.value;
  }
  return key;
}

void append_json_string(std::string& out, const std::string& s) {
  static const char digits[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += digits[c >> 4];
      out += digits[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

void append_json_value(std::string& out, const std::string* s) {
  if (s)
    append_json_string(out, *s);
  else
    out += "null";
}

}  // namespace

const char* change_name(ChangeKind change) {
  switch (change) {
    case ChangeKind::kAdded:
      return "added";
    case ChangeKind::kRemoved:
      return "removed";
    case ChangeKind::kChanged:
      return "changed";
    case ChangeKind::kRenamed:
      return "renamed";
  }
  return "";
}

std::vector<ObjectChange> object_changes(const Snapshot& source, const Snapshot& target) {
  if (!is_normalized(source) || !is_normalized(target))
    throw ModelError("object_changes: the snapshots must be normalized");
  std::vector<ObjectChange> out;
  std::vector<const Object*> removed, added;
  const std::vector<Object>& a = source.objects;
  const std::vector<Object>& b = target.objects;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int c = i == a.size() ? 1 : j == b.size() ? -1 : compare_objects(a[i], b[j]);
    if (c < 0) {
      removed.push_back(&a[i++]);
    } else if (c > 0) {
      added.push_back(&b[j++]);
    } else {
      if (a[i].attrs != b[j].attrs) out.push_back({ChangeKind::kChanged, &a[i], &b[j]});
      i++;
      j++;
    }
  }
  // Renames: candidates grouped by key; a pair only when each side has exactly one.
  std::map<std::string, std::pair<std::vector<size_t>, std::vector<size_t>>> groups;
  for (size_t k = 0; k < removed.size(); k++) groups[rename_key(*removed[k])].first.push_back(k);
  for (size_t k = 0; k < added.size(); k++) {
    auto it = groups.find(rename_key(*added[k]));
    if (it != groups.end()) it->second.second.push_back(k);
  }
  std::vector<bool> removed_paired(removed.size()), added_paired(added.size());
  for (const auto& [key, g] : groups) {
    if (g.first.size() != 1 || g.second.size() != 1) continue;
    removed_paired[g.first[0]] = added_paired[g.second[0]] = true;
    out.push_back({ChangeKind::kRenamed, removed[g.first[0]], added[g.second[0]]});
  }
  for (size_t k = 0; k < removed.size(); k++)
    if (!removed_paired[k]) out.push_back({ChangeKind::kRemoved, removed[k], nullptr});
  for (size_t k = 0; k < added.size(); k++)
    if (!added_paired[k]) out.push_back({ChangeKind::kAdded, nullptr, added[k]});
  auto shown = [](const ObjectChange& c) { return c.target ? c.target : c.source; };
  std::vector<std::pair<std::string, size_t>> keys;
  for (size_t k = 0; k < out.size(); k++)
    keys.push_back({identity_sort_key(shown(out[k])->identity) + '\0' + shown(out[k])->kind, k});
  std::sort(keys.begin(), keys.end());
  std::vector<ObjectChange> sorted;
  for (const auto& key : keys) sorted.push_back(out[key.second]);
  return sorted;
}

std::string changes_json(const std::vector<ObjectChange>& changes, const std::string& source_label,
                         const std::optional<std::string>& target_label,
                         const std::string& source_fingerprint,
                         const std::string& target_fingerprint) {
  std::string out = "{\"source\": ";
  append_json_string(out, source_label);
  out += ", \"target\": ";
  append_json_value(out, target_label ? &*target_label : nullptr);
  out += ", \"source_fingerprint\": ";
  append_json_string(out, source_fingerprint);
  out += ", \"target_fingerprint\": ";
  append_json_string(out, target_fingerprint);
  out += ", \"changes\": [";
  bool first = true;
  for (const ObjectChange& c : changes) {
    const Object& shown = c.target ? *c.target : *c.source;
    out += first ? "\n" : ",\n";
    first = false;
    out += "{\"kind\": ";
    append_json_string(out, shown.kind);
    out += ", \"identity\": ";
    append_json_string(out, shown.identity);
    out += ", \"change\": ";
    append_json_string(out, change_name(c.change));
    if (c.change == ChangeKind::kRenamed) {
      out += ", \"from\": ";
      append_json_string(out, c.source->identity);
    }
    out += ", \"attributes\": [";
    bool first_attr = true;
    auto add = [&](const std::string& key, const std::string* old_value,
                   const std::string* new_value) {
      out += first_attr ? "" : ", ";
      first_attr = false;
      out += "{\"attribute\": ";
      append_json_string(out, key);
      out += ", \"old\": ";
      append_json_value(out, old_value);
      out += ", \"new\": ";
      append_json_value(out, new_value);
      out += "}";
    };
    static const std::vector<Attribute> kNone;
    const std::vector<Attribute>& from = c.source ? c.source->attrs : kNone;
    const std::vector<Attribute>& to = c.target ? c.target->attrs : kNone;
    if (c.change != ChangeKind::kRenamed) {
      size_t i = 0, j = 0;
      while (i < from.size() || j < to.size()) {
        if (j == to.size() || (i < from.size() && from[i].key < to[j].key)) {
          add(from[i].key, &from[i].value, nullptr);
          i++;
        } else if (i == from.size() || to[j].key < from[i].key) {
          add(to[j].key, nullptr, &to[j].value);
          j++;
        } else {
          if (from[i].value != to[j].value) add(from[i].key, &from[i].value, &to[j].value);
          i++;
          j++;
        }
      }
    }
    out += "]}";
  }
  out += first ? "]}" : "\n]}";
  return out;
}

}  // namespace squash::model
