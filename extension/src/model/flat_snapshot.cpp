// The compact snapshot the catalog reader builds (see flat_snapshot.hpp).
#include "pg_squash/model/flat_snapshot.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "pg_squash/model/printable.hpp"

namespace squash::model {

namespace {

constexpr std::size_t kFirstBlock = std::size_t(64) << 10;  // 64 KiB, doubling up to
constexpr std::size_t kMaxBlock = std::size_t(4) << 20;     // 4 MiB
const char kEmpty[1] = {'\0'};

std::uint32_t checked_size(std::size_t n, const char* what) {
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw ModelError(std::string("snapshot too large: ") + what + " over 4 GB");
  return static_cast<std::uint32_t>(n);
}

std::string describe(std::string_view kind, std::string_view identity) {
  return (kind.empty() ? std::string("object") : printable(kind)) + " " + quoted_text(identity);
}

}  // namespace

// Names (kinds, keys) to their index: open addressing over FNV-1a, a handful of entries.
struct FlatSnapshot::Interned {
  std::vector<std::uint32_t> slots;  // index + 1; 0 is empty
  std::size_t used = 0;
  // The names last found, by where their text was (readers pass the same literals over
  // and over): a hit is still compared by content, so a reused address costs nothing.
  struct Recent {
    const char* data = nullptr;
    std::uint32_t index = 0;
  };
  Recent recent[64];

  static std::size_t hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }

  std::uint32_t find_or_add(std::string_view name, std::vector<std::string>& names) {
    Recent& r = recent[(reinterpret_cast<std::uintptr_t>(name.data()) >> 3) & 63];
    if (r.data == name.data() && r.data != nullptr && names[r.index] == name) return r.index;
    const std::uint32_t index = find_or_add_slow(name, names);
    r.data = name.data();
    r.index = index;
    return index;
  }

  std::uint32_t find_or_add_slow(std::string_view name, std::vector<std::string>& names) {
    if ((used + 1) * 2 > slots.size()) grow(names);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash(name) & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots[i];
      if (s == 0) {
        names.emplace_back(name);
        slots[i] = checked_size(names.size(), "names");
        used++;
        return slots[i] - 1;
      }
      if (names[s - 1] == name) return s - 1;
    }
  }

  void grow(const std::vector<std::string>& names) {
    slots.assign(slots.empty() ? 64 : slots.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t n = 0; n < names.size(); n++) {
      std::size_t i = hash(names[n]) & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = static_cast<std::uint32_t>(n + 1);
    }
  }
};

FlatSnapshot::FlatSnapshot() : kind_index_(new Interned), key_index_(new Interned) {}
FlatSnapshot::~FlatSnapshot() = default;
FlatSnapshot::FlatSnapshot(FlatSnapshot&&) noexcept = default;
FlatSnapshot& FlatSnapshot::operator=(FlatSnapshot&&) noexcept = default;

void FlatSnapshot::reserve(std::size_t objects, std::size_t attributes) {
  objects_.reserve(objects_.size() + objects);
  attrs_.reserve(attrs_.size() + attributes);
}

const char* FlatSnapshot::store(std::string_view text) {
  if (text.empty()) return kEmpty;
  if (text.size() > left_) {
    if (text.size() > kMaxBlock / 4) {
      // A large value gets a block of its own; the current one stays in use.
      blocks_.emplace_back(static_cast<char*>(big_alloc(text.size())), BigDelete{text.size()});
      std::memcpy(blocks_.back().get(), text.data(), text.size());
      return blocks_.back().get();
    }
    block_size_ = block_size_ == 0 ? kFirstBlock : std::min(block_size_ * 2, kMaxBlock);
    // Early blocks are smaller than the largest value that shares them.
    block_size_ = std::max(block_size_, text.size());
    blocks_.emplace_back(static_cast<char*>(big_alloc(block_size_)), BigDelete{block_size_});
    free_ = blocks_.back().get();
    left_ = block_size_;
  }
  char* at = free_;
  std::memcpy(at, text.data(), text.size());
  free_ += text.size();
  left_ -= text.size();
  return at;
}

void FlatSnapshot::add(std::string_view kind, std::string_view identity) {
  Obj o;
  o.kind = kind_index_->find_or_add(kind, kinds_);
  o.first = checked_size(attrs_.size(), "attribute count");
  o.count = 0;
  o.identity_size = checked_size(identity.size(), "an identity");
  o.identity = store(identity);
  checked_size(objects_.size() + 1, "object count");
  objects_.push_back(o);
  normalized_ = false;
}

void FlatSnapshot::set(std::string_view key, std::string_view value) {
  if (objects_.empty()) throw ModelError("snapshot: an attribute before any object");
  Attr a;
  a.key = key_index_->find_or_add(key, keys_);
  a.size = checked_size(value.size(), "an attribute value");
  a.value = store(value);
  checked_size(attrs_.size() + 1, "attribute count");
  attrs_.push_back(a);
  objects_.back().count++;
  normalized_ = false;
}

std::uint32_t FlatSnapshot::intern_kind(std::string_view kind) {
  return kind_index_->find_or_add(kind, kinds_);
}

std::uint32_t FlatSnapshot::intern_key(std::string_view key) {
  return key_index_->find_or_add(key, keys_);
}

void FlatSnapshot::add_interned(std::uint32_t kind, std::string_view identity) {
  if (kind >= kinds_.size()) throw ModelError("snapshot: a kind that was never interned");
  Obj o;
  o.kind = kind;
  o.first = checked_size(attrs_.size(), "attribute count");
  o.count = 0;
  o.identity_size = checked_size(identity.size(), "an identity");
  o.identity = store(identity);
  checked_size(objects_.size() + 1, "object count");
  objects_.push_back(o);
  normalized_ = false;
}

std::string_view FlatSnapshot::set_interned(std::uint32_t key, std::string_view value) {
  const char* at = store(value);
  set_stored(key, std::string_view(at, value.size()));
  return std::string_view(at, value.size());
}

void FlatSnapshot::set_stored(std::uint32_t key, std::string_view stored) {
  if (objects_.empty()) throw ModelError("snapshot: an attribute before any object");
  if (key >= keys_.size()) throw ModelError("snapshot: a key that was never interned");
  Attr a;
  a.key = key;
  a.size = checked_size(stored.size(), "an attribute value");
  a.value = stored.empty() ? kEmpty : stored.data();
  checked_size(attrs_.size() + 1, "attribute count");
  attrs_.push_back(a);
  objects_.back().count++;
  normalized_ = false;
}

void FlatSnapshot::normalize() {
  // Ranks of kinds and keys in bytewise order (std::string compares as unsigned char).
  auto ranks = [](const std::vector<std::string>& names) {
    std::vector<std::uint32_t> by_name(names.size()), rank(names.size());
    for (std::uint32_t i = 0; i < by_name.size(); i++) by_name[i] = i;
    std::sort(by_name.begin(), by_name.end(),
              [&](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
    for (std::uint32_t r = 0; r < by_name.size(); r++) rank[by_name[r]] = r;
    return rank;
  };
  const std::vector<std::uint32_t> kind_rank = ranks(kinds_);
  const std::vector<std::uint32_t> key_rank = ranks(keys_);

  // Objects: grouped by kind in kind order (stable: each kind's objects in the order they
  // came), then each group sorted by identity unless it already is.
  std::vector<std::size_t> start(kinds_.size() + 1, 0);
  for (const Obj& o : objects_) start[kind_rank[o.kind] + 1]++;
  for (std::size_t r = 1; r < start.size(); r++) start[r] += start[r - 1];
  order_.assign(objects_.size(), 0);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::uint32_t i = 0; i < objects_.size(); i++)
      order_[next[kind_rank[objects_[i].kind]]++] = i;
  }
  auto identity = [&](std::uint32_t i) {
    return std::string_view(objects_[i].identity, objects_[i].identity_size);
  };
  for (std::size_t r = 0; r + 1 < start.size(); r++) {
    auto first = order_.begin() + start[r], last = order_.begin() + start[r + 1];
    bool strictly_sorted = true;
    for (auto it = first; it != last && it + 1 != last && strictly_sorted; ++it)
      strictly_sorted = identity(*it) < identity(*(it + 1));
    if (strictly_sorted) continue;
    std::sort(first, last,
              [&](std::uint32_t a, std::uint32_t b) { return identity(a) < identity(b); });
    for (auto it = first; it + 1 < last; ++it)
      if (identity(*it) == identity(*(it + 1)))
        throw ModelError("duplicate object in snapshot: " +
                         describe(kinds_[objects_[*(it + 1)].kind], identity(*(it + 1))));
  }

  // Attributes of each object by key.
  for (const Obj& o : objects_) {
    Attr* first = attrs_.data() + o.first;
    Attr* last = first + o.count;
    bool sorted = true;
    for (Attr* a = first; a + 1 < last && sorted; a++)
      sorted = key_rank[a->key] < key_rank[(a + 1)->key];
    if (sorted) continue;
    std::sort(first, last,
              [&](const Attr& a, const Attr& b) { return key_rank[a.key] < key_rank[b.key]; });
    for (Attr* a = first; a + 1 < last; a++)
      if (a->key == (a + 1)->key)
        throw ModelError("duplicate attribute " + quoted_text(keys_[a->key]) + " on " +
                         describe(kinds_[o.kind], std::string_view(o.identity, o.identity_size)));
  }
  normalized_ = true;
}

void FlatSnapshot::not_normalized() const {
  throw ModelError("snapshot: not normalized");
}

Snapshot FlatSnapshot::to_snapshot() const {
  if (!normalized_) not_normalized();
  Snapshot out;
  out.server_version = server_version;
  out.objects.reserve(order_.size());
  for (std::uint32_t i : order_) {
    const Obj& o = objects_[i];
    Object& obj = out.objects.emplace_back();
    obj.kind = kinds_[o.kind];
    obj.identity.assign(o.identity, o.identity_size);
    obj.attrs.reserve(o.count);
    for (std::uint32_t a = o.first; a < o.first + o.count; a++)
      obj.attrs.push_back({keys_[attrs_[a].key], std::string(attrs_[a].value, attrs_[a].size)});
  }
  return out;
}

FlatSnapshot to_flat(const Snapshot& snapshot) {
  FlatSnapshot out;
  out.server_version = snapshot.server_version;
  std::size_t attributes = 0;
  for (const Object& o : snapshot.objects) attributes += o.attrs.size();
  out.reserve(snapshot.objects.size(), attributes);
  for (const Object& o : snapshot.objects) {
    out.add(o.kind, o.identity);
    for (const Attribute& a : o.attrs) out.set(a.key, a.value);
  }
  out.normalize();
  return out;
}

}  // namespace squash::model
