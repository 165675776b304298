// The stored diff: diff_stored() of two stored forms gives exactly the rows diff() gives for
// the snapshots, and each document's fingerprint; damage is a StoredFormError naming the
// document, and an unsorted document is handed back for decode() to sort.
#include <gtest/gtest.h>

#include <random>

#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/snapshot_codec.hpp"
#include "pg_squash/model/stored_diff.hpp"
#include "test_support.hpp"

namespace squash::model {
namespace {

using testing::as_version_1;
using testing::make;
using testing::row_text;
using testing::snapshot_of;

std::string stored(const Snapshot& s) {
  return encode(to_flat(s));
}

void expect_same_as_diff(const Snapshot& a, const Snapshot& b, const std::string& what) {
  std::optional<StoredDiff> d = diff_stored(stored(a), stored(b));
  ASSERT_TRUE(d.has_value()) << what;
  const std::vector<Difference> full = diff(a, b);
  ASSERT_EQ(d->rows.size(), full.size()) << what;
  for (std::size_t i = 0; i < full.size(); i++)
    EXPECT_EQ(row_text(d->rows[i]), row_text(full[i])) << what;
  EXPECT_EQ(d->source_fingerprint, fingerprint(a)) << what;
  EXPECT_EQ(d->target_fingerprint, fingerprint(b)) << what;
}

TEST(StoredDiff, SameRowsAndFingerprintsAsDecoding) {
  expect_same_as_diff(Snapshot{}, Snapshot{}, "two empty snapshots");
  std::mt19937_64 rng(29);
  for (int round = 0; round < 200; round++) {
    Snapshot a = testing::random_snapshot(rng, 1 + round % 8);
    Snapshot b = round % 3 == 0 ? a : testing::random_snapshot(rng, 1 + round % 8);
    if (round % 3 == 0 && !b.objects.empty()) {
      b.objects[rng() % b.objects.size()].identity += "_x";  // a rename candidate
      if (!b.objects[0].attrs.empty()) b.objects[0].attrs[0].value += "!";
      b.objects.push_back(make("zz kind", "s.new", {{"a", "1"}}));
      b.normalize();
    }
    expect_same_as_diff(a, b, "round " + std::to_string(round));
    expect_same_as_diff(a, Snapshot{}, "against empty, round " + std::to_string(round));
    expect_same_as_diff(Snapshot{}, b, "from empty, round " + std::to_string(round));
  }
}

TEST(StoredDiff, Version1DocumentsAreFingerprintedOnTheWay) {
  std::mt19937_64 rng(37);
  for (int round = 0; round < 40; round++) {
    Snapshot a = testing::random_snapshot(rng, 1 + round % 6);
    Snapshot b = testing::random_snapshot(rng, 1 + round % 6);
    std::optional<StoredDiff> d = diff_stored(as_version_1(stored(a)), stored(b));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->source_fingerprint, fingerprint(a));
    EXPECT_EQ(d->target_fingerprint, fingerprint(b));
    ASSERT_EQ(d->rows.size(), diff(a, b).size());
  }
}

TEST(StoredDiff, EqualLargeSnapshotsGiveNoRows) {
  Snapshot s = testing::large_snapshot(300);
  std::optional<StoredDiff> d = diff_stored(stored(s), stored(s));
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->rows.empty());
  EXPECT_EQ(d->source_fingerprint, d->target_fingerprint);
  // One value changed in the middle: one row.
  Snapshot t = s;
  t.objects[t.objects.size() / 2].attrs.push_back({"zz_extra", "1"});
  t.normalize();
  expect_same_as_diff(s, t, "one attribute added");
}

TEST(StoredDiff, KeysInternedDifferentlyOnEachSide) {
  // The kind and key tables list names in the order they were first met: different here.
  Snapshot a = snapshot_of({make("column", "s.t.a", {{"type", "int"}, {"default", "1"}}),
                            make("table", "s.t", {{"owner", "x"}})});
  FlatSnapshot fa;
  fa.add("table", "s.t");
  fa.set("owner", "x");
  fa.add("column", "s.t.a");
  fa.set("type", "int");
  fa.set("default", "2");
  fa.normalize();
  std::optional<StoredDiff> d = diff_stored(stored(a), encode(fa));
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->rows.size(), 1u);
  EXPECT_EQ(row_text(d->rows[0]), row_text(diff(a, fa.to_snapshot())[0]));
}

TEST(StoredDiff, DamageNamesTheDocument) {
  const std::string good = stored(snapshot_of({make("table", "s.t", {{"owner", "x"}})}));
  try {
    diff_stored(good, "garbage");
    FAIL() << "no error";
  } catch (const StoredFormError& e) {
    EXPECT_EQ(e.side(), StoredFormError::kTarget);
    EXPECT_NE(std::string(e.what()).find("wrong header"), std::string::npos) << e.what();
  }
  try {
    diff_stored(good.substr(0, good.size() - 2), good);
    FAIL() << "no error";
  } catch (const StoredFormError& e) {
    EXPECT_EQ(e.side(), StoredFormError::kSource);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  try {
    diff_stored(good, good + "x");
    FAIL() << "no error";
  } catch (const StoredFormError& e) {
    EXPECT_EQ(e.side(), StoredFormError::kTarget);
    EXPECT_NE(std::string(e.what()).find("after the last object"), std::string::npos) << e.what();
  }
}

TEST(StoredDiff, RandomCorruptionNeverCrashes) {
  std::mt19937_64 rng(31);
  const Snapshot s = testing::random_snapshot(rng, 5);
  const std::string good = as_version_1(stored(s));  // no checksum: bytes that still parse
  int refused = 0, read = 0;
  for (int round = 0; round < 2000; round++) {
    std::string bad = good;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; k++)
      bad[rng() % bad.size()] = static_cast<char>(rng());
    try {
      std::optional<StoredDiff> d = diff_stored(good, bad);
      if (!d) continue;  // unsorted: decode() would sort it
      read++;
      // Read to the end: the fingerprint decode() gives for the same bytes.
      EXPECT_EQ(d->target_fingerprint, fingerprint(decode(bad)));
    } catch (const StoredFormError& e) {
      EXPECT_EQ(e.side(), StoredFormError::kTarget);
      refused++;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(read, 0);
}

TEST(StoredDiff, UnsortedDocumentIsHandedBack) {
  // Two objects written out of order (a crafted document; encode() never does this).
  auto doc = [](const std::string& objects) {
    return std::string("pgsqsnap") + '\x01' + '\x00' + '\x01' + '\x01' + 't' + '\x01' + '\x01' +
           'k' + '\x02' + objects;
  };
  const std::string unsorted =
      doc(std::string("\x00\x00\x01"
                      "b"
                      "\x00"
                      "\x00\x00\x01"
                      "a"
                      "\x00",
                      10));
  EXPECT_FALSE(diff_stored(unsorted, unsorted).has_value());
  const std::string sorted =
      doc(std::string("\x00\x00\x01"
                      "a"
                      "\x00"
                      "\x00\x00\x01"
                      "b"
                      "\x00",
                      10));
  EXPECT_TRUE(diff_stored(sorted, sorted).has_value());
  EXPECT_EQ(fingerprint(decode(unsorted)), fingerprint(decode(sorted)));
}

}  // namespace
}  // namespace squash::model
