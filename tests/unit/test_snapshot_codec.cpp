// The stored form: decode(encode(x)) is x (same objects, fingerprint, document), any
// corruption is a FormatError and never a crash, and diff() of two compact snapshots gives
// exactly the rows diff() gives for the same snapshots in full.
#include <gtest/gtest.h>

#include <random>

#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/snapshot_codec.hpp"
#include "test_support.hpp"

namespace squash::model {
namespace {

using testing::as_version_1;
using testing::make;
using testing::row_text;
using testing::snapshot_of;

void expect_round_trip(const Snapshot& s) {
  FlatSnapshot flat = to_flat(s);
  const std::string bytes = encode(flat);
  FlatSnapshot back = decode(bytes);
  EXPECT_EQ(back.server_version, s.server_version);
  EXPECT_EQ(fingerprint(back), fingerprint(s));
  EXPECT_EQ(back.to_snapshot().objects, s.objects);
  EXPECT_EQ(encode(back), bytes) << "the same snapshot always gives the same bytes";
}

void expect_format_error(const std::string& bytes, const std::string& message_part) {
  try {
    decode(bytes);
    FAIL() << "no error for " << message_part;
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

TEST(SnapshotCodec, RoundTrips) {
  expect_round_trip(Snapshot{});
  Snapshot s = snapshot_of({make("table", "s.t", {{"owner", "alice"}, {"acl", ""}}),
                            make("column", "s.t.a", {{"type", "integer"}}),
                            make("column", "s.t.ab", {{"type", "text"}, {"default", "'x\n'"}})});
  s.server_version = "15.20";
  expect_round_trip(s);
  std::mt19937_64 rng(11);
  for (int round = 0; round < 50; round++) expect_round_trip(testing::random_snapshot(rng, 20));
  expect_round_trip(testing::large_snapshot(300));
}

TEST(SnapshotCodec, BinaryValuesAndLongValues) {
  Object o = make("view", "s.v");
  o.set("definition", std::string(200000, 'q'));
  o.set("nul", std::string("a\0b", 3));
  Snapshot s = snapshot_of({o, make("view", "s.v2", {{"definition", "\xff\xfe"}})});
  expect_round_trip(s);
}

TEST(SnapshotCodec, RepeatedValuesAreWrittenOnce) {
  // Three columns of one type: the type is written once, then referred to.
  Snapshot s = snapshot_of({make("column", "s.t.a", {{"type", "character varying(32)"}}),
                            make("column", "s.t.b", {{"type", "character varying(32)"}}),
                            make("column", "s.t.c", {{"type", "character varying(32)"}}),
                            make("column", "s.t.d", {{"type", "text"}})});
  const std::string bytes = encode(to_flat(s));
  std::size_t copies = 0;
  for (std::size_t at = bytes.find("character varying(32)"); at != std::string::npos;
       at = bytes.find("character varying(32)", at + 1))
    copies++;
  EXPECT_EQ(copies, 1u);
  expect_round_trip(s);
}

TEST(SnapshotCodec, IsSmallerThanTheDocument) {
  Snapshot s = testing::large_snapshot(200);
  FlatSnapshot flat = to_flat(s);
  EXPECT_LT(encode(flat).size() * 3, to_json(flat, fingerprint(flat)).size());
}

TEST(SnapshotCodec, RejectsWrongHeaderAndVersion) {
  const std::string good = encode(to_flat(snapshot_of({make("table", "s.t")})));
  expect_format_error("", "wrong header");
  expect_format_error("{\"format\": \"pg_squash.snapshot\"}", "wrong header");
  std::string v3 = good;
  v3[8] = 3;
  expect_format_error(v3, "unknown stored form version 3");
  expect_format_error(good + "x", "1 bytes after the last object");
}

TEST(SnapshotCodec, EveryTruncationIsAnError) {
  Snapshot s = testing::large_snapshot(2);
  const std::string good = encode(to_flat(s));
  for (std::size_t n = 0; n < good.size(); n++)
    EXPECT_THROW(decode(good.substr(0, n)), FormatError) << n;
}

TEST(SnapshotCodec, HostileCountsCostNothing) {
  // A header claiming 2^63 kinds, or 2^40 objects: refused before anything is reserved.
  std::string bytes = "pgsqsnap";
  bytes += '\x01';
  bytes += '\x00';                                                  // server_version ""
  bytes += std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);  // kind count
  expect_format_error(bytes, "impossible the kind table");
  std::string many = std::string("pgsqsnap") + '\x01' + '\x00' + '\x00' + '\x00' +
                     std::string("\x80\x80\x80\x80\x80\x20", 6);
  expect_format_error(many, "impossible the object count");
  expect_format_error(std::string("pgsqsnap") + std::string(11, '\xff'), "out of range");
}

TEST(SnapshotCodec, BadIndexesAndDuplicatesAreErrors) {
  // One kind "t", one key "k", then objects written by hand.
  auto doc = [](const std::string& objects, char count) {
    return std::string("pgsqsnap") + '\x01' + '\x00' + '\x01' + '\x01' + 't' + '\x01' + '\x01' +
           'k' + count + objects;
  };
  expect_format_error(doc(std::string("\x05\x00\x01x\x00", 5), 1), "kind index 5 out of range");
  expect_format_error(doc(std::string("\x00\x03\x01x\x00", 5), 1), "identity prefix longer");
  expect_format_error(doc(std::string("\x00\x00\x00\x00", 4), 1), "an empty identity");
  expect_format_error(doc(std::string("\x00\x00\x01x\x01\x0e\x00", 7), 1),
                      "key index 7 out of range");
  expect_format_error(doc(std::string("\x00\x00\x01x\x01\x01", 6), 1),
                      "a repeated value of key 0 before any");
  expect_format_error(doc(std::string("\x00\x00\x01x\x00\x00\x01\x00\x00", 9), 2),
                      "duplicate object in snapshot");
  expect_format_error(doc(std::string("\x00\x00\x01x\x02\x00\x00\x00\x00", 9), 1),
                      "duplicate attribute");
  const std::string dup_kinds = std::string("pgsqsnap") + '\x01' + '\x00' + '\x02' + '\x01' + 't' +
                                '\x01' + 't' + '\x00' + '\x00';
  expect_format_error(dup_kinds, "a duplicate name in the kind table");
  // Well formed, for contrast.
  FlatSnapshot ok = decode(doc(std::string("\x00\x00\x01x\x01\x00\x01v", 8), 1));
  EXPECT_EQ(ok.size(), 1u);
}

// What decode built, measured the way its cap counts it.
std::size_t decoded_bytes(const FlatSnapshot& f) {
  std::size_t n = 0;
  for (const auto& o : f.objects()) n += o.identity_size + kDecodedObjectOverhead;
  for (const auto& a : f.attrs()) n += a.size + kDecodedAttributeOverhead;
  return n;
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// One kind "t", one key "k": an object with a value of value_size bytes, then `copies`
// objects that each refer back to it with a few bytes.
std::string back_reference_bomb(std::size_t value_size, std::size_t copies) {
  std::string out =
      std::string("pgsqsnap") + '\x01' + '\x00' + '\x01' + '\x01' + 't' + '\x01' + '\x01' + 'k';
  put_varint(out, copies + 1);
  out += std::string(
      "\x00\x00\x01"
      "a"
      "\x01\x00",
      6);
  put_varint(out, value_size);
  out += std::string(value_size, 'x');
  for (std::size_t i = 0; i < copies; i++) {
    // Identities a000000, a000001, ...: the shared "a" and six digits of their own.
    char digits[8];
    snprintf(digits, sizeof digits, "%06zu", i % 1000000);
    out += std::string("\x00\x01\x06", 3) + digits + std::string("\x01\x01", 2);
  }
  return out;
}

TEST(SnapshotCodec, BackReferenceBombIsRefusedAtTheCap) {
  // 1 MiB referred back to 4,000 times would be 4 GiB; refused once past the cap.
  const std::string bomb = back_reference_bomb(std::size_t(1) << 20, 4000);
  ASSERT_LT(bomb.size(), std::size_t(2) << 20);
  expect_format_error(
      bomb, "it decodes to more than " + std::to_string(decoded_limit(bomb.size()) >> 20) + " MiB");
  EXPECT_LE(decoded_limit(std::size_t(1) << 40), kMaxDecodedBytes) << "absolute cap";
  EXPECT_EQ(decoded_limit(0), kDecodedBaseBytes);
}

TEST(SnapshotCodec, IdentityPrefixBombIsRefusedAtTheCap) {
  // Identities a, ab, abb, ... each copy the previous one: quadratic in the object count.
  std::string bomb =
      std::string("pgsqsnap") + '\x01' + '\x00' + '\x01' + '\x01' + 't' + '\x01' + '\x01' + 'k';
  const std::size_t n = 120000;  // about 7 GB of identities
  put_varint(bomb, n);
  bomb += std::string(
      "\x00\x00\x01"
      "a"
      "\x00",
      5);
  for (std::size_t i = 1; i < n; i++) {
    bomb += '\x00';
    put_varint(bomb, i);
    bomb += std::string(
        "\x01"
        "b"
        "\x00",
        3);
  }
  expect_format_error(bomb, "it decodes to more than");
}

TEST(SnapshotCodec, LegitimateRepetitionFitsUnderTheCap) {
  // A 2 KiB value repeated on 50,000 objects (a long default on every table): 100 MiB from
  // a few hundred KiB stored, well inside the cap.
  const std::string doc = back_reference_bomb(2048, 50000);
  FlatSnapshot f = decode(doc);
  EXPECT_EQ(f.size(), 50001u);
  EXPECT_LE(decoded_bytes(f), decoded_limit(doc.size()));
}

TEST(SnapshotCodec, RandomCorruptionNeverCrashes) {
  std::mt19937_64 rng(17);
  Snapshot s = testing::random_snapshot(rng, 5);
  const std::string good = encode(to_flat(s));
  const std::string fp = fingerprint(s);
  int refused = 0, decoded_other = 0;
  for (int round = 0; round < 3000; round++) {
    std::string bad = good;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; k++)
      bad[rng() % bad.size()] = static_cast<char>(rng());
    try {
      FlatSnapshot f = decode(bad);
      // Decoded: a consistent snapshot within the size cap, told apart by its fingerprint.
      EXPECT_TRUE(f.normalized());
      EXPECT_LE(decoded_bytes(f), decoded_limit(bad.size()));
      if (fingerprint(f) != fp) decoded_other++;
    } catch (const FormatError&) {
      refused++;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(refused + decoded_other, 2900);
}

TEST(SnapshotCodec, Version2CarriesItsFingerprintUnderAChecksum) {
  std::mt19937_64 rng(41);
  const Snapshot s = testing::random_snapshot(rng, 6);
  const std::string bytes = encode(to_flat(s));
  std::string carried;
  FlatSnapshot back = decode(bytes, &carried);
  EXPECT_EQ(carried, fingerprint(s));
  EXPECT_EQ(fingerprint(back), carried);
  // Version 1 still reads, and carries none.
  FlatSnapshot old = decode(as_version_1(bytes), &carried);
  EXPECT_EQ(carried, "");
  EXPECT_EQ(fingerprint(old), fingerprint(s));
  // One byte changed anywhere a structure check lets pass: the checksum refuses it.
  for (std::size_t at = 0; at < bytes.size(); at += 7) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    EXPECT_THROW(decode(bad), FormatError) << "byte " << at;
  }
  std::string value_changed = bytes;
  const std::size_t at = value_changed.rfind('x');
  if (at != std::string::npos && at < value_changed.size() - kStoredFormChecksumBytes) {
    value_changed[at] = 'y';
    expect_format_error(value_changed, "the checksum does not match");
  }
  expect_format_error(bytes.substr(0, bytes.size() - 7), "truncated");
  EXPECT_THROW(encode(to_flat(s), "not a fingerprint"), ModelError);
}

TEST(FlatDiff, SameRowsAsTheFullDiff) {
  std::mt19937_64 rng(23);
  for (int round = 0; round < 200; round++) {
    Snapshot a = testing::random_snapshot(rng, 1 + round % 8);
    Snapshot b = round % 4 == 0 ? a : testing::random_snapshot(rng, 1 + round % 8);
    if (round % 4 == 0 && !b.objects.empty()) {
      b.objects[rng() % b.objects.size()].identity += "_x";
      if (!b.objects[0].attrs.empty()) b.objects[0].attrs[0].value += "!";
      b.normalize();
    }
    std::vector<Difference> full = diff(a, b);
    std::vector<Difference> flat = diff(to_flat(a), to_flat(b));
    ASSERT_EQ(flat.size(), full.size()) << "round " << round;
    for (std::size_t i = 0; i < full.size(); i++) EXPECT_EQ(row_text(flat[i]), row_text(full[i]));
    EXPECT_EQ(diff(to_flat(a), to_flat(a)).size(), 0u);
  }
}

TEST(FlatDiff, KeysInternedInDifferentOrders) {
  // The same key gets different indexes in the two snapshots.
  FlatSnapshot a, b;
  a.add("table", "s.t");
  a.set("owner", "x");
  a.set("acl", "y");
  b.add("column", "s.t.c");
  b.set("type", "int");
  b.add("table", "s.t");
  b.set("acl", "y");
  b.set("owner", "z");
  a.normalize();
  b.normalize();
  std::vector<Difference> rows = diff(a, b);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(row_text(rows[0]), "table|s.t|changed|owner: x \u2192 z");
  EXPECT_EQ(row_text(rows[1]), "column|s.t.c|added|type int");
}

TEST(SnapshotCodecScale, LargeSnapshot) {
  using testing::Stopwatch;
  FlatSnapshot flat = to_flat(testing::large_snapshot(10000));
  Stopwatch watch;
  const std::string bytes = encode(flat);
  const std::string encode_time = watch.elapsed();
  watch = Stopwatch();
  FlatSnapshot back = decode(bytes);
  const std::string decode_time = watch.elapsed();
  EXPECT_EQ(back.size(), flat.size());
  watch = Stopwatch();
  EXPECT_TRUE(diff(flat, back).empty());
  const std::string diff_time = watch.elapsed();
  std::cout << "[ timing   ] " << flat.size() << " objects, " << bytes.size() / (1 << 20)
            << " MiB stored form: encode " << encode_time << ", decode " << decode_time
            << ", diff of equal snapshots " << diff_time << "\n";
}

}  // namespace
}  // namespace squash::model
