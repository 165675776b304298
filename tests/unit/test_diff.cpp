// diff(): rows, details, renames, order, and the "empty exactly when the fingerprints are
// equal" guarantee.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>

#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "test_support.hpp"

namespace squash::model {
namespace {

using testing::make;
using testing::snapshot_of;

std::string row(const Difference& d) {
  return d.kind + " | " + d.identity + " | " + d.change + " | " + d.detail;
}

std::vector<std::string> rows(const Snapshot& a, const Snapshot& b) {
  std::vector<std::string> out;
  for (const Difference& d : diff(a, b)) out.push_back(row(d));
  return out;
}

using Rows = std::vector<std::string>;

TEST(Diff, IdenticalSnapshotsHaveNoRows) {
  std::mt19937_64 rng(1);
  Snapshot a = testing::random_snapshot(rng, 25);
  Snapshot b = a;
  b.server_version = "16.1";  // not schema
  EXPECT_TRUE(diff(a, b).empty());
  EXPECT_TRUE(diff(Snapshot{}, Snapshot{}).empty());
}

TEST(Diff, AddedAndRemovedSummarizeAttributes) {
  Snapshot a = snapshot_of({make("table", "public.t")});
  Snapshot b = snapshot_of(
      {make("table", "public.t"),
       make("column", "public.t.c", {{"type", "integer"}, {"not_null", "true"}, {"default", "0"}}),
       make("column", "public.t.d", {{"type", "text"}, {"not_null", "false"}, {"collation", ""}})});
  EXPECT_EQ(rows(a, b), (Rows{"column | public.t.c | added | type integer, default 0, not null",
                              "column | public.t.d | added | type text, collation \"\""}));
  EXPECT_EQ(rows(b, a), (Rows{"column | public.t.c | removed | type integer, default 0, not null",
                              "column | public.t.d | removed | type text, collation \"\""}));
}

TEST(Diff, SummaryStaysShort) {
  std::string body(5000, 'x');
  Object f = make("function", "public.f(integer)", {{"language", "plpgsql"}});
  f.set("body", body);
  for (int i = 0; i < 40; i++)
    f.set("option_" + std::to_string(i), "value number " + std::to_string(i));
  std::vector<Difference> d = diff(Snapshot{}, snapshot_of({f}));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_LT(d[0].detail.size(), 300u);
  EXPECT_EQ(d[0].detail.rfind("body " + std::string(60, 'x') + "...", 0), 0u) << d[0].detail;
  EXPECT_NE(d[0].detail.find(", ..."), std::string::npos) << d[0].detail;
}

TEST(Diff, LostDefault) {
  Snapshot a = snapshot_of(
      {make("column", "public.genes.active", {{"type", "boolean"}, {"default", "true"}})});
  Snapshot b = snapshot_of({make("column", "public.genes.active", {{"type", "boolean"}})});
  EXPECT_EQ(rows(a, b), (Rows{"column | public.genes.active | changed | default: true → (none)"}));
  EXPECT_EQ(rows(b, a), (Rows{"column | public.genes.active | changed | default: (none) → true"}));
}

TEST(Diff, ForeignKeyOnDeleteChange) {
  Snapshot a = snapshot_of({make(
      "constraint", "public.variant.variant_gene_fkey",
      {{"type", "FOREIGN KEY"}, {"references", "public.genes(id)"}, {"on_delete", "CASCADE"}})});
  Snapshot b = snapshot_of({make(
      "constraint", "public.variant.variant_gene_fkey",
      {{"type", "FOREIGN KEY"}, {"references", "public.genes(id)"}, {"on_delete", "NO ACTION"}})});
  EXPECT_EQ(rows(a, b), (Rows{"constraint | public.variant.variant_gene_fkey | changed | "
                              "on_delete: CASCADE → NO ACTION"}));
}

TEST(Diff, SeveralAttributesInKeyOrder) {
  Snapshot a = snapshot_of(
      {make("column", "public.t.c",
            {{"type", "integer"}, {"not_null", "true"}, {"default", "0"}, {"comment", ""}})});
  Snapshot b = snapshot_of(
      {make("column", "public.t.c", {{"type", "bigint"}, {"default", "1"}, {"collation", "C"}})});
  EXPECT_EQ(rows(a, b),
            (Rows{"column | public.t.c | changed | collation: (none) → C; comment: \"\" → (none); "
                  "default: 0 → 1; not_null: true → (none); type: integer → bigint"}));
}

TEST(Diff, ValuesThatWouldReadAmbiguouslyAreQuoted) {
  Snapshot a =
      snapshot_of({make("column", "public.t.c", {{"comment", "x "}, {"default", "(none)"}})});
  Snapshot b = snapshot_of({make("column", "public.t.c", {{"comment", "x"}, {"default", ""}})});
  EXPECT_EQ(rows(a, b), (Rows{"column | public.t.c | changed | comment: \"x \" → x; "
                              "default: \"(none)\" → \"\""}));
}

TEST(Diff, ControlCharactersInValuesAreEscaped) {
  Snapshot a = snapshot_of({make("function", "public.f()", {{"body", "BEGIN\n\tRETURN 1;\nEND"}})});
  Snapshot b = snapshot_of({make("function", "public.f()", {{"body", "BEGIN\n\tRETURN 2;\nEND"}})});
  EXPECT_EQ(rows(a, b),
            (Rows{"function | public.f() | changed | body: BEGIN\\n\\tRETURN 1;\\nEND → "
                  "BEGIN\\n\\tRETURN 2;\\nEND"}));
}

TEST(Diff, LongValueShowsWhereItFirstDiffers) {
  const std::string old_def = std::string(300, 'a') + "OLD" + std::string(200, 'b');
  const std::string new_def = std::string(300, 'a') + "NEW" + std::string(200, 'b');
  Object a = make("view", "public.v"), b = make("view", "public.v");
  a.set("definition", old_def);
  b.set("definition", new_def);
  std::vector<Difference> d = diff(snapshot_of({a}), snapshot_of({b}));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].change, "changed");
  EXPECT_EQ(d[0].detail, "definition: changed at character 301: \"..." + std::string(40, 'a') +
                             "OLD" + std::string(37, 'b') + "...\" → \"..." + std::string(40, 'a') +
                             "NEW" + std::string(37, 'b') + "...\"");
}

TEST(Diff, LongValueCountsCharactersNotBytes) {
  std::string prefix;
  for (int i = 0; i < 150; i++) prefix += "\xc3\xa9";  // é, 2 bytes each
  Object a = make("view", "public.v"), b = make("view", "public.v");
  a.set("definition", prefix + "\xc3\xa9 tail");  // differs inside the 151st character
  b.set("definition", prefix + "\xc3\xa8 tail");
  std::vector<Difference> d = diff(snapshot_of({a}), snapshot_of({b}));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].detail.rfind("definition: changed at character 151: \"...", 0), 0u) << d[0].detail;
  // The context starts and ends on character boundaries: é twenty times, then the change.
  std::string twenty;
  for (int i = 0; i < 20; i++) twenty += "\xc3\xa9";
  EXPECT_NE(
      d[0].detail.find("\"..." + twenty + "\xc3\xa9 tail\" → \"..." + twenty + "\xc3\xa8 tail\""),
      std::string::npos)
      << d[0].detail;
}

TEST(Diff, LongValueAppendedAtTheEnd) {
  const std::string base(250, 'q');
  Object a = make("view", "public.v"), b = make("view", "public.v");
  a.set("definition", base);
  b.set("definition", base + " WHERE x");
  std::vector<Difference> d = diff(snapshot_of({a}), snapshot_of({b}));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].detail, "definition: changed at character 251: \"..." + std::string(40, 'q') +
                             "\" → \"..." + std::string(40, 'q') + " WHERE x\"");
}

TEST(Diff, LongValueAgainstMissing) {
  Object a = make("function", "public.f()"), b = make("function", "public.f()");
  a.set("body", std::string(500, 'z'));
  std::vector<Difference> d = diff(snapshot_of({a}), snapshot_of({b}));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].detail, "body: \"" + std::string(60, 'z') + "...\" (500 characters) → (none)");
}

TEST(Diff, RenameIsOneRow) {
  Snapshot a =
      snapshot_of({make("table", "public.t"),
                   make("index", "public.t.ix_old", {{"method", "btree"}, {"columns", "a"}}),
                   make("index", "public.t.ix_other", {{"method", "btree"}, {"columns", "b"}})});
  Snapshot b =
      snapshot_of({make("table", "public.t"),
                   make("index", "public.t.ix_new", {{"method", "btree"}, {"columns", "a"}}),
                   make("index", "public.t.ix_other", {{"method", "btree"}, {"columns", "b"}})});
  EXPECT_EQ(rows(a, b), (Rows{"index | public.t.ix_new | changed | renamed: ix_old → ix_new"}));
  EXPECT_EQ(rows(b, a), (Rows{"index | public.t.ix_old | changed | renamed: ix_new → ix_old"}));
}

TEST(Diff, RenameRespectsQuotedDots) {
  Snapshot a = snapshot_of({make("column", "public.\"my.table\".\"a.b\"", {{"type", "text"}})});
  Snapshot b = snapshot_of({make("column", "public.\"my.table\".\"c.d\"", {{"type", "text"}})});
  EXPECT_EQ(rows(a, b),
            (Rows{"column | public.\"my.table\".\"c.d\" | changed | renamed: \"a.b\" → \"c.d\""}));
}

TEST(Diff, RenameOfFunctionKeepsArgumentsInTheName) {
  Snapshot a = snapshot_of({make("function", "s.old_name(integer, s.t)", {{"body", "x"}})});
  Snapshot b = snapshot_of({make("function", "s.new_name(integer, s.t)", {{"body", "x"}})});
  EXPECT_EQ(rows(a, b), (Rows{"function | s.new_name(integer, s.t) | changed | "
                              "renamed: old_name(integer, s.t) → new_name(integer, s.t)"}));
}

TEST(Diff, AmbiguousRenamesAreNotPaired) {
  Snapshot a = snapshot_of({make("index", "public.t.a", {{"columns", "x"}}),
                            make("index", "public.t.b", {{"columns", "x"}})});
  Snapshot b = snapshot_of({make("index", "public.t.c", {{"columns", "x"}}),
                            make("index", "public.t.d", {{"columns", "x"}})});
  EXPECT_EQ(
      rows(a, b),
      (Rows{"index | public.t.a | removed | columns x", "index | public.t.b | removed | columns x",
            "index | public.t.c | added | columns x", "index | public.t.d | added | columns x"}));
  // One removed, two added candidates: still ambiguous.
  Snapshot c = snapshot_of({make("index", "public.t.a", {{"columns", "x"}})});
  EXPECT_EQ(diff(c, b).size(), 3u);
}

TEST(Diff, RenameNeedsSameParentKindAndAttributes) {
  Snapshot a = snapshot_of({make("index", "public.t1.i", {{"columns", "x"}})});
  Snapshot other_parent = snapshot_of({make("index", "public.t2.j", {{"columns", "x"}})});
  Snapshot other_attrs = snapshot_of({make("index", "public.t1.j", {{"columns", "y"}})});
  Snapshot other_kind = snapshot_of({make("constraint", "public.t1.j", {{"columns", "x"}})});
  EXPECT_EQ(diff(a, other_parent).size(), 2u);
  EXPECT_EQ(diff(a, other_attrs).size(), 2u);
  EXPECT_EQ(diff(a, other_kind).size(), 2u);
}

TEST(Diff, ColumnOrderReadsWell) {
  Snapshot a = snapshot_of({make("column order", "public.t", {{"columns", "id, name, created"}})});
  Snapshot b = snapshot_of({make("column order", "public.t", {{"columns", "id, created, name"}})});
  EXPECT_EQ(
      rows(a, b),
      (Rows{"column order | public.t | changed | columns: id, name, created → id, created, name"}));
  EXPECT_EQ(rows(Snapshot{}, a),
            (Rows{"column order | public.t | added | columns id, name, created"}));
}

TEST(Diff, OrderGroupsChildrenAfterTheirTable) {
  Snapshot a;
  Snapshot b = snapshot_of({
      make("table", "public.t"),
      make("table", "public.t2"),
      make("table", "public.t$x"),
      make("column", "public.t.a"),
      make("column", "public.t2.a"),
      make("index", "public.t.i"),
      make("column order", "public.t"),
      make("comment", "public.t"),
      make("schema", "public"),
      make("table", "public.\"t.q\""),
      make("column", "public.\"t.q\".a"),
  });
  std::vector<std::string> order;
  for (const Difference& d : diff(a, b)) order.push_back(d.kind + " " + d.identity);
  EXPECT_EQ(order,
            (std::vector<std::string>{
                "schema public", "table public.\"t.q\"", "column public.\"t.q\".a",
                "table public.t", "column order public.t", "comment public.t", "column public.t.a",
                "index public.t.i", "table public.t$x", "table public.t2", "column public.t2.a"}));
}

TEST(Diff, RejectsUnnormalizedInput) {
  Snapshot bad;
  bad.objects = {make("table", "b"), make("table", "a")};
  EXPECT_THROW(diff(bad, Snapshot{}), ModelError);
  EXPECT_THROW(diff(Snapshot{}, bad), ModelError);
}

// ---- property: empty exactly when the fingerprints are equal ----------------------------

// Applies one random schema change; returns its description.
std::string mutate(Snapshot& s, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> pick_object(0, s.objects.size() - 1);
  for (;;) {
    Object& o = s.objects[pick_object(rng)];
    std::string what;
    switch (rng() % 9) {
      case 0:  // change one byte of a value
        if (o.attrs.empty() || o.attrs[0].value.empty()) continue;
        o.attrs[0].value[rng() % o.attrs[0].value.size()] ^= 0x01;
        what = "value byte";
        break;
      case 1:  // append to a value
        if (o.attrs.empty()) continue;
        o.attrs.back().value += "x";
        what = "value append";
        break;
      case 2:  // drop an attribute
        if (o.attrs.empty()) continue;
        o.attrs.erase(o.attrs.begin() + rng() % o.attrs.size());
        what = "drop attribute";
        break;
      case 3:  // add an attribute (keys never contain '~')
        o.set("~new", rng() % 2 ? "" : "v");
        what = "add attribute";
        break;
      case 4:  // rename an attribute key
        if (o.attrs.empty()) continue;
        o.attrs[0].key += "~";
        what = "rename attribute";
        break;
      case 5:  // drop an object
        s.objects.erase(s.objects.begin() + (&o - s.objects.data()));
        what = "drop object";
        break;
      case 6:  // add an object
        s.objects.push_back(make("table", "s0.~new_" + std::to_string(rng() % 1000)));
        what = "add object";
        break;
      case 7:  // rename an object
        o.identity += "~";
        what = "rename object";
        break;
      case 8:  // change an object's kind
        o.kind += "~";
        what = "change kind";
        break;
    }
    s.normalize();
    return what;
  }
}

TEST(DiffProperty, EverySingleMutationShowsAndIdenticalShowsNothing) {
  std::mt19937_64 rng(20240601);
  for (int round = 0; round < 400; round++) {
    Snapshot a = testing::random_snapshot(rng, 1 + round % 12);
    Snapshot b = a;
    ASSERT_TRUE(diff(a, b).empty());
    std::string what = mutate(b, rng);
    std::vector<Difference> forward = diff(a, b), backward = diff(b, a);
    EXPECT_FALSE(forward.empty()) << "round " << round << ": " << what;
    EXPECT_FALSE(backward.empty()) << "round " << round << ": " << what;
    EXPECT_NE(fingerprint(a), fingerprint(b)) << "round " << round << ": " << what;
    for (const Difference& d : forward) {
      EXPECT_TRUE(d.change == "added" || d.change == "removed" || d.change == "changed");
      EXPECT_FALSE(d.kind.empty());
      EXPECT_FALSE(d.identity.empty());
      if (d.change == "changed") {
        EXPECT_FALSE(d.detail.empty()) << row(d);
      }
    }
  }
}

TEST(DiffProperty, EmptyExactlyWhenFingerprintsAreEqual) {
  std::mt19937_64 rng(99);
  int equal = 0, different = 0;
  for (int round = 0; round < 400; round++) {
    // Small snapshots from a narrow space, so that equal pairs happen by chance too.
    Snapshot a = testing::random_snapshot(rng, 1);
    Snapshot b = round % 3 == 0 ? a : testing::random_snapshot(rng, 1);
    for (int m = 0, n = static_cast<int>(rng() % 3); round % 3 == 0 && m < n; m++) mutate(b, rng);
    const bool same = fingerprint(a) == fingerprint(b);
    (same ? equal : different)++;
    EXPECT_EQ(diff(a, b).empty(), same) << "round " << round;
    EXPECT_EQ(diff(b, a).empty(), same) << "round " << round;
  }
  EXPECT_GT(equal, 0);
  EXPECT_GT(different, 0);
}

TEST(DiffProperty, OutputIsDeterministicAndSorted) {
  std::mt19937_64 rng(5);
  Snapshot a = testing::random_snapshot(rng, 40);
  Snapshot b = testing::random_snapshot(rng, 40);
  std::vector<Difference> first = diff(a, b), second = diff(a, b);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); i++) EXPECT_EQ(row(first[i]), row(second[i]));
}

// ---- scale -------------------------------------------------------------------------------

TEST(DiffScale, FiveHundredThousandObjects) {
  using testing::Stopwatch;
  Snapshot a = testing::large_snapshot(10000);
  ASSERT_GE(a.objects.size(), 500000u);

  Snapshot shuffled = a;
  std::mt19937_64 rng(3);
  std::shuffle(shuffled.objects.begin(), shuffled.objects.end(), rng);
  Stopwatch watch;
  shuffled.normalize();
  const std::string normalize_time = watch.elapsed();
  ASSERT_EQ(shuffled.objects, a.objects);

  watch = Stopwatch();
  const std::string fp = fingerprint(a);
  const std::string fingerprint_time = watch.elapsed();
  EXPECT_TRUE(is_fingerprint(fp));

  Snapshot b = a;
  watch = Stopwatch();
  std::vector<Difference> none = diff(a, b);
  const std::string equal_time = watch.elapsed();
  EXPECT_TRUE(none.empty());

  // 1% of the objects changed, plus renames and additions.
  for (std::size_t i = 0; i < b.objects.size(); i += 100) {
    Object& o = b.objects[i];
    if (!o.attrs.empty()) o.attrs[0].value += " changed";
  }
  for (std::size_t i = 50; i < b.objects.size(); i += 1000) b.objects[i].identity += "_renamed";
  for (std::size_t i = 0; i < 1000; i++)
    b.objects.push_back(make("table", "s0.added_" + std::to_string(i)));
  b.normalize();
  watch = Stopwatch();
  std::vector<Difference> some = diff(a, b);
  const std::string some_time = watch.elapsed();
  EXPECT_EQ(some.size(), 5001u + 500u + 1000u);

  // Everything different: every object gone and a new one added (no renames: the
  // attributes differ too), a million rows.
  Snapshot c = a;
  for (Object& o : c.objects) {
    o.identity = "x" + o.identity;
    o.set("~", "1");
  }
  c.normalize();
  watch = Stopwatch();
  std::vector<Difference> all = diff(a, c);
  const std::string all_time = watch.elapsed();
  EXPECT_EQ(all.size(), a.objects.size() + c.objects.size());

  std::cout << "[ timing   ] " << a.objects.size() << " objects:\n"
            << "[ timing   ]   normalize (shuffled)      " << normalize_time << "\n"
            << "[ timing   ]   fingerprint               " << fingerprint_time << "\n"
            << "[ timing   ]   diff, equal               " << equal_time << "\n"
            << "[ timing   ]   diff, 1% changed (" << some.size() << " rows) " << some_time << "\n"
            << "[ timing   ]   diff, all different (" << all.size() << " rows) " << all_time
            << std::endl;
}

}  // namespace
}  // namespace squash::model
