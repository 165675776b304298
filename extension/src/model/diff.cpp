// Differences between two normalized snapshots (see diff.hpp for the rows and their order).
#include "pg_squash/model/diff.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>

#include "pg_squash/model/identity.hpp"
#include "pg_squash/model/printable.hpp"

namespace squash::model {

namespace {

constexpr std::size_t kLongValue = 200;      // longer values are shown around the change
constexpr std::size_t kContext = 40;         // bytes of context either side of a change
constexpr std::size_t kSummaryValue = 60;    // per value in an added/removed summary
constexpr std::size_t kSummaryLength = 240;  // whole added/removed summary
constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();
constexpr const char* kArrow = " \u2192 ";  // " → "

int compare_objects(const Object& a, const Object& b) {
  int c = a.kind.compare(b.kind);
  return c != 0 ? c : a.identity.compare(b.identity);
}

// ---- value rendering ------------------------------------------------------------------

bool is_continuation(std::string_view s, std::size_t pos) {
  return pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80;
}

// Moves pos back to the start of the character it is in.
std::size_t floor_char(std::string_view s, std::size_t pos) {
  while (pos > 0 && is_continuation(s, pos)) pos--;
  return pos;
}

// Moves pos forward to the start of the next character (or the end).
std::size_t ceil_char(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_continuation(s, pos)) pos++;
  return pos;
}

std::size_t count_chars(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); i++)
    if (!is_continuation(s, i)) n++;
  return n;
}

// Escaped text between double quotes, without the quotes.
std::string inner(std::string_view s) {
  std::string q = quoted_text(s, kUnbounded);
  return q.substr(1, q.size() - 2);
}

// A value up to kLongValue bytes, in double quotes when it would not read unambiguously
// bare: empty, "(none)", or with spaces at either end.
std::string short_value(const std::string& v) {
  if (v.empty() || v == "(none)" || v.front() == ' ' || v.back() == ' ')
    return quoted_text(v, kLongValue);
  return printable(v, kLongValue);
}

// `"...context around pos..."` for a long value.
std::string context(std::string_view s, std::size_t pos) {
  std::size_t begin = floor_char(s, pos > kContext ? pos - kContext : 0);
  std::size_t end = ceil_char(s, std::min(s.size(), pos + kContext));
  std::string out = "\"";
  if (begin > 0) out += "...";
  out += inner(s.substr(begin, end - begin));
  if (end < s.size()) out += "...";
  out += "\"";
  return out;
}

// `"beginning..." (N characters)` for a long value that has no counterpart.
std::string head(std::string_view s) {
  std::size_t end = ceil_char(s, std::min(s.size(), kSummaryValue));
  std::string out = "\"" + inner(s.substr(0, end));
  if (end < s.size()) out += "...";
  return out + "\" (" + std::to_string(count_chars(s)) + " characters)";
}

// "key: old → new" for one differing attribute.
std::string change_detail(const std::string& key, const std::string* old_value,
                          const std::string* new_value) {
  std::string out = printable(key) + ": ";
  const bool long_old = old_value && old_value->size() > kLongValue;
  const bool long_new = new_value && new_value->size() > kLongValue;
  if (!long_old && !long_new) {
    out += old_value ? short_value(*old_value) : "(none)";
    out += kArrow;
    out += new_value ? short_value(*new_value) : "(none)";
    return out;
  }
  if (!old_value || !new_value) {
    out += old_value ? head(*old_value) : "(none)";
    out += kArrow;
    out += new_value ? head(*new_value) : "(none)";
    return out;
  }
  const std::string& a = *old_value;
  const std::string& b = *new_value;
  std::size_t pos =
      std::mismatch(a.begin(), a.begin() + std::min(a.size(), b.size()), b.begin()).first -
      a.begin();
  // Back to the start of the character the difference is in (the same in both: the bytes
  // before pos are).
  while (pos > 0 && (is_continuation(a, pos) || is_continuation(b, pos))) pos--;
  out +=
      "changed at character " + std::to_string(count_chars(std::string_view(a).substr(0, pos)) + 1);
  out += ": " + context(a, pos) + kArrow + context(b, pos);
  return out;
}

// "renamed: old → new"
std::string rename_detail(const Object& from, const Object& to) {
  return "renamed: " + printable(split_last(from.identity).name, kLongValue) + kArrow +
         printable(split_last(to.identity).name, kLongValue);
}

// "type integer, not null, default 0" for an added or removed object: the type first (it
// reads best there), then the other attributes in key order; "true" ones by their name
// alone, "false" ones left out (a summary lists what an object has).
std::string summary(const Object& o) {
  std::string out;
  out.reserve(96);
  bool full = false;
  auto add = [&](const Attribute& a) {
    if (full || a.value == "false") return;
    const std::size_t before = out.size();
    if (before > 0) out += ", ";
    const std::size_t key_at = out.size();
    append_printable(out, a.key, kSummaryValue);
    std::replace(out.begin() + key_at, out.end(), '_', ' ');
    if (a.value != "true") {
      out += ' ';
      if (a.value.empty()) {
        out += "\"\"";
      } else {
        std::size_t end = ceil_char(a.value, std::min(a.value.size(), kSummaryValue));
        append_printable(out, std::string_view(a.value).substr(0, end), kUnbounded);
        if (end < a.value.size()) out += "...";
      }
    }
    if (before > 0 && out.size() > kSummaryLength) {
      out.resize(before);
      out += ", ...";
      full = true;
    }
  };
  for (const Attribute& a : o.attrs)
    if (a.key == "type") add(a);
  for (const Attribute& a : o.attrs)
    if (a.key != "type") add(a);
  return out;
}

std::string attrs_detail(const Object& from, const Object& to) {
  std::string out;
  auto add = [&](const std::string& key, const std::string* a, const std::string* b) {
    if (!out.empty()) out += "; ";
    out += change_detail(key, a, b);
  };
  // Both attribute lists are sorted by key: merge them.
  std::size_t i = 0, j = 0;
  while (i < from.attrs.size() || j < to.attrs.size()) {
    if (j == to.attrs.size() || (i < from.attrs.size() && from.attrs[i].key < to.attrs[j].key)) {
      add(from.attrs[i].key, &from.attrs[i].value, nullptr);
      i++;
    } else if (i == from.attrs.size() || to.attrs[j].key < from.attrs[i].key) {
      add(to.attrs[j].key, nullptr, &to.attrs[j].value);
      j++;
    } else {
      if (from.attrs[i].value != to.attrs[j].value)
        add(from.attrs[i].key, &from.attrs[i].value, &to.attrs[j].value);
      i++;
      j++;
    }
  }
  return out;
}

// ---- rename pairing ---------------------------------------------------------------------

// A removed or added object that could be one side of a rename: the other side must have
// the same kind, parent and attributes.
struct Candidate {
  std::uint64_t hash;  // of kind, parent and attributes
  std::string_view parent;
  const Object* object;
  std::size_t index;  // in the removed or added list
  bool added;
};

std::uint64_t rename_hash(const Object& o, std::string_view parent) {
  std::hash<std::string_view> h;
  std::uint64_t seed = h(o.kind);
  auto mix = [&](std::string_view s) {
    seed ^= h(s) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
  };
  mix(parent);
  for (const Attribute& a : o.attrs) {
    mix(a.key);
    mix(a.value);
  }
  return seed;
}

bool same_rename_key(const Candidate& a, const Candidate& b) {
  return a.parent == b.parent && a.object->kind == b.object->kind &&
         a.object->attrs == b.object->attrs;
}

// Pairs (removed index, added index) that are each other's only candidate. Grouping by
// sorting hashes keeps this O(n log n) with few cache misses; equal hashes are checked.
std::vector<std::pair<std::size_t, std::size_t>> pair_renames(
    const std::vector<const Object*>& removed, const std::vector<const Object*>& added) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  if (removed.empty() || added.empty()) return pairs;
  std::vector<Candidate> all;
  all.reserve(removed.size() + added.size());
  for (int side = 0; side < 2; side++) {
    const std::vector<const Object*>& list = side ? added : removed;
    for (std::size_t k = 0; k < list.size(); k++) {
      std::string_view parent = split_last(list[k]->identity).parent;
      all.push_back({rename_hash(*list[k], parent), parent, list[k], k, side == 1});
    }
  }
  std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (a.added != b.added) return b.added;
    return a.index < b.index;
  });
  std::vector<bool> done(all.size());
  for (std::size_t g = 0; g < all.size();) {
    std::size_t end = g + 1;
    while (end < all.size() && all[end].hash == all[g].hash) end++;
    if (end - g < 2) {  // alone: no rename (and no need to touch the object)
      g = end;
      continue;
    }
    // Within a group of equal hashes, each class of equal keys (nearly always one).
    for (std::size_t first = g; first < end; first++) {
      if (done[first]) continue;
      std::size_t removed_count = 0, added_count = 0, removed_at = 0, added_at = 0;
      for (std::size_t k = first; k < end; k++) {
        if (done[k] || !same_rename_key(all[first], all[k])) continue;
        done[k] = true;
        if (all[k].added) {
          added_count++;
          added_at = all[k].index;
        } else {
          removed_count++;
          removed_at = all[k].index;
        }
      }
      if (removed_count == 1 && added_count == 1) pairs.emplace_back(removed_at, added_at);
    }
    g = end;
  }
  return pairs;
}

// ---- ordering ---------------------------------------------------------------------------

int kind_rank(const std::string& kind) {
  static const char* const kAttachments[] = {"column order", "comment", "owner", "privileges",
                                             "acl"};
  for (const char* a : kAttachments)
    if (kind == a) return 1;
  return 0;
}

enum class Change { kAdded, kRemoved, kChanged, kRenamed };

// A row before its text is built: sorting these is cheaper than sorting Differences.
struct Entry {
  std::size_t key_at, key_size;  // identity_sort_key(identity), in one shared buffer
  int rank;
  const Object* object;  // the target object, or the source object for kRemoved
  const Object* from;    // the source object for kChanged and kRenamed
  Change change;
};

// Sorts by merging the ascending runs already there. The entries come in a few long runs
// (each kind's objects in identity order, which is nearly always key order), so this does
// n log(runs) comparisons instead of n log n; on arbitrary input it is a plain merge sort.
template <typename T, typename Less>
void natural_merge_sort(std::vector<T>& v, Less less) {
  std::vector<std::size_t> bounds{0};
  for (std::size_t i = 1; i < v.size(); i++)
    if (less(v[i], v[i - 1])) bounds.push_back(i);
  bounds.push_back(v.size());
  while (bounds.size() > 2) {
    const std::size_t runs = bounds.size() - 1;
    std::vector<std::size_t> next{0};
    std::size_t k = 0;
    for (; k + 1 < runs; k += 2) {
      std::inplace_merge(v.begin() + bounds[k], v.begin() + bounds[k + 1],
                         v.begin() + bounds[k + 2], less);
      next.push_back(bounds[k + 2]);
    }
    if (k < runs) next.push_back(bounds[runs]);  // an odd run out waits for the next round
    bounds.swap(next);
  }
}

Difference make_difference(const Entry& e) {
  const Object& o = *e.object;
  switch (e.change) {
    case Change::kAdded:
      return {o.kind, o.identity, "added", summary(o)};
    case Change::kRemoved:
      return {o.kind, o.identity, "removed", summary(o)};
    case Change::kChanged:
      return {o.kind, o.identity, "changed", attrs_detail(*e.from, o)};
    case Change::kRenamed:
      return {o.kind, o.identity, "changed", rename_detail(*e.from, o)};
  }
  return {};
}

}  // namespace

std::vector<Difference> diff(const Snapshot& source, const Snapshot& target) {
  if (!is_normalized(source)) throw ModelError("diff: the source snapshot is not normalized");
  if (!is_normalized(target)) throw ModelError("diff: the target snapshot is not normalized");

  std::vector<Entry> entries;
  std::string keys;  // every entry's sort key: one buffer, not a million small strings
  auto emit = [&](const Object& object, const Object* from, Change change) {
    const std::size_t at = keys.size();
    append_identity_sort_key(keys, object.identity);
    entries.push_back({at, keys.size() - at, kind_rank(object.kind), &object, from, change});
  };

  // Merge join on (kind, identity).
  std::vector<const Object*> removed, added;
  const std::vector<Object>& a = source.objects;
  const std::vector<Object>& b = target.objects;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int c = i == a.size() ? 1 : j == b.size() ? -1 : compare_objects(a[i], b[j]);
    if (c < 0) {
      removed.push_back(&a[i++]);
    } else if (c > 0) {
      added.push_back(&b[j++]);
    } else {
      if (a[i].attrs != b[j].attrs) emit(b[j], &a[i], Change::kChanged);
      i++;
      j++;
    }
  }

  // Renames: pair a removed and an added object when each is the other's only candidate.
  std::vector<bool> removed_paired(removed.size()), added_paired(added.size());
  std::vector<std::pair<std::size_t, std::size_t>> renames = pair_renames(removed, added);
  std::sort(renames.begin(), renames.end(),  // in target order, for natural_merge_sort
            [](const auto& x, const auto& y) { return x.second < y.second; });
  for (const auto& [r, n] : renames) {
    removed_paired[r] = true;
    added_paired[n] = true;
    emit(*added[n], removed[r], Change::kRenamed);
  }
  for (std::size_t k = 0; k < removed.size(); k++)
    if (!removed_paired[k]) emit(*removed[k], nullptr, Change::kRemoved);
  for (std::size_t k = 0; k < added.size(); k++)
    if (!added_paired[k]) emit(*added[k], nullptr, Change::kAdded);

  // (identity, rank, kind) is unique among the rows: a full, deterministic order.
  natural_merge_sort(entries, [&keys](const Entry& x, const Entry& y) {
    int c = std::string_view(keys)
                .substr(x.key_at, x.key_size)
                .compare(std::string_view(keys).substr(y.key_at, y.key_size));
    if (c != 0) return c < 0;
    if (x.rank != y.rank) return x.rank < y.rank;
    c = x.object->kind.compare(y.object->kind);
    if (c != 0) return c < 0;
    return x.object->identity < y.object->identity;
  });
  std::vector<Difference> out;
  out.reserve(entries.size());
  for (const Entry& e : entries) out.push_back(make_difference(e));
  return out;
}

std::vector<Difference> diff(const FlatSnapshot& source, const FlatSnapshot& target) {
  if (!source.normalized()) throw ModelError("diff: the source snapshot is not normalized");
  if (!target.normalized()) throw ModelError("diff: the target snapshot is not normalized");
  // Every row comes from an object that is not identical on both sides (pairing renames
  // looks only at removed and added objects): diff just those, as small Snapshots.
  Snapshot from, to;
  auto kind_of = [](const FlatSnapshot& s, const FlatSnapshot::Obj& o) -> std::string_view {
    return s.kinds()[o.kind];
  };
  auto identity_of = [](const FlatSnapshot::Obj& o) {
    return std::string_view(o.identity, o.identity_size);
  };
  auto copy = [](const FlatSnapshot& s, const FlatSnapshot::Obj& o, Snapshot& into) {
    Object& obj = into.objects.emplace_back();
    obj.kind = s.kinds()[o.kind];
    obj.identity.assign(o.identity, o.identity_size);
    obj.attrs.reserve(o.count);
    for (std::uint32_t k = o.first; k < o.first + o.count; k++) {
      const FlatSnapshot::Attr& a = s.attrs()[k];
      obj.attrs.push_back({s.keys()[a.key], std::string(a.value, a.size)});
    }
  };
  // The two snapshots intern keys separately: target key index -> source key index.
  std::vector<std::uint32_t> key_map(target.keys().size(),
                                     std::numeric_limits<std::uint32_t>::max());
  for (std::size_t t = 0; t < target.keys().size(); t++) {
    auto it = std::find(source.keys().begin(), source.keys().end(), target.keys()[t]);
    if (it != source.keys().end())
      key_map[t] = static_cast<std::uint32_t>(it - source.keys().begin());
  }
  auto same_attrs = [&](const FlatSnapshot::Obj& x, const FlatSnapshot::Obj& y) {
    if (x.count != y.count) return false;
    for (std::uint32_t k = 0; k < x.count; k++) {
      const FlatSnapshot::Attr& a = source.attrs()[x.first + k];
      const FlatSnapshot::Attr& b = target.attrs()[y.first + k];
      if (a.key != key_map[b.key] || a.size != b.size || std::memcmp(a.value, b.value, a.size) != 0)
        return false;
    }
    return true;
  };
  const auto& a = source.order();
  const auto& b = target.order();
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int c = 0;
    if (i == a.size()) {
      c = 1;
    } else if (j == b.size()) {
      c = -1;
    } else {
      const FlatSnapshot::Obj& x = source.objects()[a[i]];
      const FlatSnapshot::Obj& y = target.objects()[b[j]];
      c = kind_of(source, x).compare(kind_of(target, y));
      if (c == 0) c = identity_of(x).compare(identity_of(y));
    }
    if (c < 0) {
      copy(source, source.objects()[a[i++]], from);
    } else if (c > 0) {
      copy(target, target.objects()[b[j++]], to);
    } else {
      const FlatSnapshot::Obj& x = source.objects()[a[i++]];
      const FlatSnapshot::Obj& y = target.objects()[b[j++]];
      if (!same_attrs(x, y)) {
        copy(source, x, from);
        copy(target, y, to);
      }
    }
  }
  return diff(from, to);
}

std::string describe(const Difference& d) {
  std::string out = d.kind + " " + d.identity + " " + d.change;
  if (!d.detail.empty()) out += ": " + d.detail;
  return out;
}

}  // namespace squash::model
