// fingerprint() and is_fingerprint().
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "pg_squash/model/fingerprint.hpp"
#include "test_support.hpp"

namespace squash::model {
namespace {

using testing::encoded;
using testing::encoded_u64;
using testing::make;
using testing::snapshot_of;

const std::string kTag = "pg_squash fingerprint 1\n";

TEST(Fingerprint, IsLowercaseHexSha256) {
  std::string fp = fingerprint(snapshot_of({make("table", "public.t")}));
  EXPECT_EQ(fp.size(), 64u);
  EXPECT_TRUE(is_fingerprint(fp));
}

TEST(Fingerprint, KnownValues) {
  // Pinned: these change only if the canonical encoding changes, which would make every
  // stored fingerprint stale. The values were computed outside this code base from the
  // encoding documented in fingerprint.hpp.
  EXPECT_EQ(fingerprint(Snapshot{}),
            "a1b38e1f3bb7c38965beac69ff7d6c109ed0fc67f5cc82cde6100487b73785c2");
  Snapshot s = snapshot_of({make("table", "public.genes"),
                            make("column", "public.genes.symbol",
                                 {{"type", "text"}, {"not_null", "true"}, {"default", ""}})});
  EXPECT_EQ(fingerprint(s), "3510f730db7cad8d05cd18aecc827cf0ddfd334f5f5597e0a3d2eb7bd6e01942");
}

TEST(Fingerprint, MatchesTheDocumentedEncoding) {
  Snapshot s = snapshot_of(
      {make("index", "s.t.i", {{"method", "btree"}, {"columns", "a, b"}}), make("schema", "s")});
  std::string bytes = kTag + encoded_u64(2);
  bytes += encoded("index") + encoded("s.t.i") + encoded_u64(2) + encoded("columns") +
           encoded("a, b") + encoded("method") + encoded("btree");
  bytes += encoded("schema") + encoded("s") + encoded_u64(0);
  EXPECT_EQ(fingerprint(s), testing::sha256_hex(bytes));
}

TEST(Fingerprint, EmptySnapshotHashesTagAndZeroCount) {
  EXPECT_EQ(fingerprint(Snapshot{}), testing::sha256_hex(kTag + encoded_u64(0)));
}

TEST(Fingerprint, IndependentOfInputOrder) {
  std::mt19937_64 rng(42);
  Snapshot a = testing::random_snapshot(rng, 30);
  const std::string expected = fingerprint(a);
  for (int round = 0; round < 20; round++) {
    Snapshot b = a;
    std::shuffle(b.objects.begin(), b.objects.end(), rng);
    for (Object& o : b.objects) std::shuffle(o.attrs.begin(), o.attrs.end(), rng);
    b.normalize();
    EXPECT_EQ(fingerprint(b), expected);
  }
}

TEST(Fingerprint, IgnoresServerVersion) {
  Snapshot a = snapshot_of({make("table", "public.t")});
  Snapshot b = a;
  b.server_version = "16.4";
  EXPECT_EQ(fingerprint(a), fingerprint(b));
}

TEST(Fingerprint, EncodingIsUnambiguous) {
  // Moving a byte across a field boundary changes the fingerprint.
  EXPECT_NE(fingerprint(snapshot_of({make("ab", "c")})),
            fingerprint(snapshot_of({make("a", "bc")})));
  EXPECT_NE(fingerprint(snapshot_of({make("t", "x", {{"ab", "c"}})})),
            fingerprint(snapshot_of({make("t", "x", {{"a", "bc"}})})));
  EXPECT_NE(fingerprint(snapshot_of({make("t", "x", {{"k", "v"}})})),
            fingerprint(snapshot_of({make("t", "xk", {{"", "v"}})})));
  // An attribute moved from one object to the next.
  EXPECT_NE(fingerprint(snapshot_of({make("t", "a", {{"k", "v"}}), make("t", "b")})),
            fingerprint(snapshot_of({make("t", "a"), make("t", "b", {{"k", "v"}})})));
  // An empty attribute is not a missing one; an empty object list is not one empty object.
  EXPECT_NE(fingerprint(snapshot_of({make("t", "a", {{"k", ""}})})),
            fingerprint(snapshot_of({make("t", "a")})));
  EXPECT_NE(fingerprint(snapshot_of({make("t", "a")})), fingerprint(Snapshot{}));
  // Field separators inside values cannot forge structure.
  Object forged = make("t", "a");
  forged.set("k", std::string("v\0\0\0\0\0\0\0\0", 9));
  EXPECT_NE(fingerprint(snapshot_of({forged})),
            fingerprint(snapshot_of({make("t", "a", {{"k", "v"}})})));
}

TEST(Fingerprint, EverySingleByteChangeChangesIt) {
  Snapshot base =
      snapshot_of({make("column", "public.t.c", {{"type", "integer"}, {"default", "0"}})});
  const std::string fp = fingerprint(base);
  for (std::size_t i = 0; i < base.objects[0].attrs[1].value.size(); i++) {
    Snapshot s = base;
    s.objects[0].attrs[1].value[i] ^= 1;
    EXPECT_NE(fingerprint(s), fp);
  }
  Snapshot s = base;
  s.objects[0].identity.back() ^= 1;
  EXPECT_NE(fingerprint(s), fp);
}

TEST(Fingerprint, RejectsUnnormalizedSnapshot) {
  Snapshot s;
  s.objects = {make("table", "public.b"), make("table", "public.a")};
  EXPECT_THROW(fingerprint(s), ModelError);
  s.objects = {make("table", "public.a", {{"z", "1"}, {"a", "2"}})};
  EXPECT_THROW(fingerprint(s), ModelError);
  s.objects = {make("table", "public.a"), make("table", "public.a")};
  EXPECT_THROW(fingerprint(s), ModelError);
}

TEST(Fingerprint, LargeValuesStreamCorrectly) {
  // Values larger than the internal buffer take the direct path; the result must equal
  // the one-shot hash of the encoding.
  std::string big(200000, 'x');
  big[123456] = 'y';
  Snapshot s = snapshot_of({make("view", "public.v", {{"definition", big.c_str()}})});
  std::string bytes = kTag + encoded_u64(1) + encoded("view") + encoded("public.v") +
                      encoded_u64(1) + encoded("definition") + encoded(big);
  EXPECT_EQ(fingerprint(s), testing::sha256_hex(bytes));
}

TEST(IsFingerprint, AcceptsOnly64LowercaseHexDigits) {
  EXPECT_TRUE(is_fingerprint(std::string(64, 'a')));
  EXPECT_TRUE(is_fingerprint("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(is_fingerprint(std::string(63, 'a')));
  EXPECT_FALSE(is_fingerprint(std::string(65, 'a')));
  EXPECT_FALSE(is_fingerprint(std::string(64, 'A')));
  EXPECT_FALSE(is_fingerprint(std::string(64, 'g')));
  EXPECT_FALSE(is_fingerprint(""));
  EXPECT_FALSE(is_fingerprint(std::string(63, 'a') + " "));
}

}  // namespace
}  // namespace squash::model
