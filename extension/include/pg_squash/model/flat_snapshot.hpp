// A snapshot as the catalog reader builds it: the same objects as model::Snapshot (kind,
// identity, attributes), stored compactly for the path that only fingerprints and stores
// them. Kinds and attribute keys are interned; identities and values live in a few large
// text blocks; objects and attributes are entries of two flat arrays. Building one costs a
// few allocations per megabyte instead of several per object, and freeing it a handful.
//
// fingerprint(), to_json() and to_snapshot() give exactly what the same functions give for
// the equivalent model::Snapshot (the same bytes hashed, the same document).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pg_squash/model/big_allocator.hpp"
#include "pg_squash/model/snapshot.hpp"

namespace squash::model {

class FlatSnapshot {
 public:
  FlatSnapshot();
  ~FlatSnapshot();
  FlatSnapshot(FlatSnapshot&&) noexcept;
  FlatSnapshot& operator=(FlatSnapshot&&) noexcept;
  FlatSnapshot(const FlatSnapshot&) = delete;
  FlatSnapshot& operator=(const FlatSnapshot&) = delete;

  std::string server_version;  // informational only: not part of the fingerprint

  // Room for this many more objects and attributes (an estimate; nothing breaks beyond).
  void reserve(std::size_t objects, std::size_t attributes);

  // Starts an object; the attributes added next belong to it, until the next add().
  void add(std::string_view kind, std::string_view identity);
  // An attribute of the object added last (ModelError when there is none).
  void set(std::string_view key, std::string_view value);

  // The same, for a decoder that knows its names up front: kinds and keys interned once,
  // and a value repeated from an earlier attribute of this snapshot kept once (set_stored
  // with the text set_interned returned).
  std::uint32_t intern_kind(std::string_view kind);
  std::uint32_t intern_key(std::string_view key);
  void add_interned(std::uint32_t kind, std::string_view identity);
  std::string_view set_interned(std::uint32_t key, std::string_view value);
  void set_stored(std::uint32_t key, std::string_view stored);

  std::size_t size() const { return objects_.size(); }

  // Orders objects by (kind, identity) and each object's attributes by key, bytewise, as
  // Snapshot::normalize() does; throws ModelError (with the same message) on a duplicate
  // object or attribute. Objects emitted already in order cost one pass of comparisons.
  void normalize();
  bool normalized() const { return normalized_; }

  // A normalized snapshot only (ModelError otherwise).
  Snapshot to_snapshot() const;

  // Visits the objects in order (normalized only): fn(kind, identity, attributes), where
  // attributes is a range of {key, value} pairs of string_views.
  struct AttrView {
    std::string_view key, value;
  };
  template <typename Fn>
  void for_each(Fn&& fn) const;

  // Internals, shared with fingerprint.cpp and json_writer.cpp.
  struct Obj {
    std::uint32_t kind;   // index into kinds()
    std::uint32_t first;  // index of the first attribute in attrs()
    std::uint32_t count;  // number of attributes
    std::uint32_t identity_size;
    const char* identity;
  };
  struct Attr {
    std::uint32_t key;  // index into keys()
    std::uint32_t size;
    const char* value;
  };
  const std::vector<std::string>& kinds() const { return kinds_; }
  const std::vector<std::string>& keys() const { return keys_; }
  template <typename T>
  using Array = std::vector<T, BigAllocator<T>>;
  const Array<Obj>& objects() const { return objects_; }
  const Array<Attr>& attrs() const { return attrs_; }
  const Array<std::uint32_t>& order() const { return order_; }  // after normalize()

 private:
  struct Interned;  // a name -> index table for kinds and keys
  const char* store(std::string_view text);
  [[noreturn]] void not_normalized() const;

  std::vector<std::string> kinds_, keys_;
  std::unique_ptr<Interned> kind_index_, key_index_;
  Array<Obj> objects_;
  Array<Attr> attrs_;
  Array<std::uint32_t> order_;
  std::vector<std::unique_ptr<char[], BigDelete>> blocks_;
  char* free_ = nullptr;  // the unused rest of the current block
  std::size_t left_ = 0;  // its size
  std::size_t block_size_ = 0;
  bool normalized_ = false;
};

template <typename Fn>
void FlatSnapshot::for_each(Fn&& fn) const {
  if (!normalized_) not_normalized();
  std::vector<AttrView> attrs;
  for (std::uint32_t i : order_) {
    const Obj& o = objects_[i];
    attrs.clear();
    for (std::uint32_t a = o.first; a < o.first + o.count; a++)
      attrs.push_back({keys_[attrs_[a].key], std::string_view(attrs_[a].value, attrs_[a].size)});
    fn(std::string_view(kinds_[o.kind]), std::string_view(o.identity, o.identity_size),
       static_cast<const std::vector<AttrView>&>(attrs));
  }
}

// The compact form of a snapshot (normalized; ModelError on duplicates).
FlatSnapshot to_flat(const Snapshot& snapshot);

// The fingerprint of the equivalent model::Snapshot (see fingerprint.hpp); normalized only.
std::string fingerprint(const FlatSnapshot& snapshot);

// The document to_json() writes for the equivalent model::Snapshot, byte for byte, given
// that snapshot's fingerprint (as fingerprint() returns it: it is not computed again).
std::string to_json(const FlatSnapshot& snapshot, const std::string& fingerprint);

}  // namespace squash::model
