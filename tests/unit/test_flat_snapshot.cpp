// FlatSnapshot: the compact form the catalog reader builds gives exactly the fingerprint,
// document and objects of the equivalent Snapshot, whatever order it was built in.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/snapshot_json.hpp"
#include "test_support.hpp"

namespace squash::model {
namespace {

using testing::make;
using testing::snapshot_of;

FlatSnapshot flat_of(const std::vector<Object>& objects) {
  FlatSnapshot f;
  for (const Object& o : objects) {
    f.add(o.kind, o.identity);
    for (const Attribute& a : o.attrs) f.set(a.key, a.value);
  }
  return f;
}

void expect_same(FlatSnapshot& flat, const Snapshot& s) {
  flat.server_version = s.server_version;
  flat.normalize();
  const std::string fp = fingerprint(s);
  EXPECT_EQ(fingerprint(flat), fp);
  EXPECT_EQ(to_json(flat, fp), to_json(s));
  Snapshot back = flat.to_snapshot();
  EXPECT_EQ(back.objects, s.objects);
  EXPECT_EQ(back.server_version, s.server_version);
}

TEST(FlatSnapshot, EmptyIsTheEmptySnapshot) {
  FlatSnapshot f;
  expect_same(f, Snapshot{});
}

TEST(FlatSnapshot, SameAsSnapshotInAnyBuildOrder) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; round++) {
    Snapshot s = testing::random_snapshot(rng, 25);
    std::vector<Object> shuffled = s.objects;
    if (round > 0) {
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      for (Object& o : shuffled) std::shuffle(o.attrs.begin(), o.attrs.end(), rng);
    }
    FlatSnapshot f = flat_of(shuffled);
    expect_same(f, s);
  }
}

TEST(FlatSnapshot, LargeSnapshot) {
  Snapshot s = testing::large_snapshot(200);
  FlatSnapshot f = flat_of(s.objects);
  expect_same(f, s);
}

TEST(FlatSnapshot, EmptyKindsIdentitiesAndValues) {
  Snapshot s = snapshot_of({make("", "x", {{"", ""}}), make("t", "", {{"k", ""}})});
  FlatSnapshot f = flat_of({make("t", "", {{"k", ""}}), make("", "x", {{"", ""}})});
  expect_same(f, s);
}

TEST(FlatSnapshot, LongValuesGetBlocksOfTheirOwn) {
  std::string big(3 << 20, 'x');
  Object a = make("view", "s.v");
  a.set("definition", big);
  Object b = make("view", "s.w", {{"definition", "short"}});
  FlatSnapshot f = flat_of({b, a});
  expect_same(f, snapshot_of({a, b}));
}

TEST(FlatSnapshot, ValueLargerThanTheFirstBlocks) {
  // Larger than the first text block, smaller than the size that gets a block of its own.
  for (std::size_t size : {std::size_t(65537), std::size_t(200000), std::size_t(1) << 20}) {
    Object a = make("function", "s.f()");
    a.set("body", std::string(size, 'b'));
    Object b = make("function", "s.g()", {{"body", "x"}});
    FlatSnapshot f = flat_of({b, a});
    expect_same(f, snapshot_of({a, b}));
  }
}

TEST(FlatSnapshot, InternedNamesAndStoredValuesAsByName) {
  // The decoder's path: names interned once, a repeated value kept once.
  Snapshot s = testing::large_snapshot(50);
  FlatSnapshot f;
  std::string_view last;
  for (const Object& o : s.objects) {
    f.add_interned(f.intern_kind(o.kind), o.identity);
    for (const Attribute& a : o.attrs) {
      const std::uint32_t key = f.intern_key(a.key);
      if (!last.empty() && last == a.value)
        f.set_stored(key, last);
      else
        last = f.set_interned(key, a.value);
    }
  }
  expect_same(f, s);
}

TEST(FlatSnapshot, UninternedNamesAreAnError) {
  FlatSnapshot f;
  EXPECT_THROW(f.add_interned(0, "s.t"), ModelError);
  f.add_interned(f.intern_kind("table"), "s.t");
  EXPECT_THROW(f.set_stored(0, "x"), ModelError);
}

TEST(FlatSnapshot, LargeArraysOnHugePagesAreUsable) {
  // 2 MiB and more: the big allocator's aligned path, written and read back in full.
  std::vector<std::uint64_t, BigAllocator<std::uint64_t>> v(std::size_t(3) << 18);
  for (std::size_t i = 0; i < v.size(); i++) v[i] = i * 7;
  std::uint64_t sum = 0;
  for (std::uint64_t x : v) sum += x;
  EXPECT_EQ(sum, 7 * (v.size() * (v.size() - 1) / 2));
}

TEST(FlatSnapshot, DuplicateObjectIsAnError) {
  FlatSnapshot f = flat_of({make("table", "s.t"), make("column", "s.t.a"), make("table", "s.t")});
  try {
    f.normalize();
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "duplicate object in snapshot: table \"s.t\"");
  }
}

TEST(FlatSnapshot, DuplicateAttributeIsAnError) {
  FlatSnapshot f = flat_of({make("table", "s.t", {{"owner", "a"}, {"acl", ""}, {"owner", "b"}})});
  try {
    f.normalize();
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "duplicate attribute \"owner\" on table \"s.t\"");
  }
}

TEST(FlatSnapshot, AttributeBeforeAnyObjectIsAnError) {
  FlatSnapshot f;
  EXPECT_THROW(f.set("k", "v"), ModelError);
}

TEST(FlatSnapshot, NotNormalizedIsAnError) {
  FlatSnapshot f = flat_of({make("table", "s.t")});
  EXPECT_THROW(fingerprint(f), ModelError);
  EXPECT_THROW(f.to_snapshot(), ModelError);
  f.normalize();
  f.add("table", "s.u");
  EXPECT_THROW(fingerprint(f), ModelError);
}

TEST(FlatSnapshot, InvalidUtf8IsAnErrorInTheDocument) {
  FlatSnapshot f = flat_of({make("table", "s.t", {{"comment", "\xff"}})});
  f.normalize();
  EXPECT_THROW(to_json(f, fingerprint(f)), ModelError);
}

}  // namespace
}  // namespace squash::model
