// Snapshot::normalize, Object::get, identities and message text.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "pg_squash/model/identity.hpp"
#include "pg_squash/model/printable.hpp"
#include "pg_squash/model/snapshot.hpp"
#include "test_support.hpp"

namespace squash::model {
namespace {

using testing::make;

std::vector<std::string> identities(const Snapshot& s) {
  std::vector<std::string> out;
  for (const Object& o : s.objects) out.push_back(o.kind + " " + o.identity);
  return out;
}

TEST(Normalize, SortsObjectsByKindThenIdentityBytewise) {
  Snapshot s;
  s.objects = {
      make("table", "public.b"),        make("column", "public.b.x"), make("table", "public.a"),
      make("table", "public.\xc3\xa9"),  // é: bytes above ASCII sort last
      make("table", "public.Z"),         // uppercase before lowercase
      make("column", "public.a.y")};
  s.normalize();
  EXPECT_EQ(identities(s), (std::vector<std::string>{"column public.a.y", "column public.b.x",
                                                     "table public.Z", "table public.a",
                                                     "table public.b", "table public.\xc3\xa9"}));
  EXPECT_TRUE(is_normalized(s));
}

TEST(Normalize, SortsAttributesByKey) {
  Snapshot s;
  s.objects = {
      make("column", "public.t.c", {{"type", "integer"}, {"default", "0"}, {"not_null", "true"}})};
  s.normalize();
  const auto& attrs = s.objects[0].attrs;
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs[0].key, "default");
  EXPECT_EQ(attrs[1].key, "not_null");
  EXPECT_EQ(attrs[2].key, "type");
}

TEST(Normalize, IsIdempotentAndIndependentOfInputOrder) {
  std::mt19937_64 rng(7);
  Snapshot a = testing::random_snapshot(rng, 20);
  Snapshot b = a;
  std::shuffle(b.objects.begin(), b.objects.end(), rng);
  for (Object& o : b.objects) std::shuffle(o.attrs.begin(), o.attrs.end(), rng);
  EXPECT_FALSE(is_normalized(b));
  b.normalize();
  EXPECT_EQ(a.objects, b.objects);
  Snapshot c = a;
  c.normalize();
  EXPECT_EQ(a.objects, c.objects);
}

TEST(Normalize, RejectsDuplicateObjectNamingIt) {
  Snapshot s;
  s.objects = {make("index", "public.t.i", {{"method", "btree"}}), make("table", "public.t"),
               make("index", "public.t.i", {{"method", "hash"}})};
  try {
    s.normalize();
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()), "duplicate object in snapshot: index \"public.t.i\"");
  }
}

TEST(Normalize, SameIdentityDifferentKindIsNoDuplicate) {
  Snapshot s;
  s.objects = {make("table", "public.t"), make("column order", "public.t")};
  EXPECT_NO_THROW(s.normalize());
}

TEST(Normalize, RejectsDuplicateAttributeNamingIt) {
  Snapshot s;
  s.objects = {make("column", "public.t.c", {{"default", "1"}, {"type", "int"}, {"default", "2"}})};
  try {
    s.normalize();
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()), "duplicate attribute \"default\" on column \"public.t.c\"");
  }
}

TEST(Normalize, EmptySnapshot) {
  Snapshot s;
  EXPECT_NO_THROW(s.normalize());
  EXPECT_TRUE(is_normalized(s));
}

TEST(IsNormalized, DetectsUnsortedAttributesAndDuplicates) {
  Snapshot s;
  s.objects = {make("column", "public.t.c", {{"type", "int"}, {"default", "1"}})};
  EXPECT_FALSE(is_normalized(s));
  s.objects = {make("table", "public.t"), make("table", "public.t")};
  EXPECT_FALSE(is_normalized(s));
}

TEST(ObjectGet, FindsAttributes) {
  Object o = make("column", "public.t.c", {{"type", "integer"}, {"default", ""}});
  ASSERT_NE(o.get("type"), nullptr);
  EXPECT_EQ(*o.get("type"), "integer");
  ASSERT_NE(o.get("default"), nullptr);
  EXPECT_EQ(*o.get("default"), "");
  EXPECT_EQ(o.get("not_null"), nullptr);
  EXPECT_EQ(o.get(""), nullptr);
}

TEST(Identity, SplitsOnDotsOutsideQuotesAndParentheses) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_identity("public.genes.symbol"), (V{"public", "genes", "symbol"}));
  EXPECT_EQ(split_identity("public.\"a.b\".c"), (V{"public", "\"a.b\"", "c"}));
  EXPECT_EQ(split_identity("\"x\"\".y\".\"z\""), (V{"\"x\"\".y\"", "\"z\""}));
  EXPECT_EQ(split_identity("public.f(integer, public.t, \"a.b\")"),
            (V{"public", "f(integer, public.t, \"a.b\")"}));
  EXPECT_EQ(split_identity("public"), (V{"public"}));
  EXPECT_EQ(split_identity(""), (V{""}));
}

TEST(Identity, SplitLast) {
  IdentityTail t = split_last("public.\"odd.table\".\"col.x\"");
  EXPECT_EQ(t.parent, "public.\"odd.table\"");
  EXPECT_EQ(t.name, "\"col.x\"");
  t = split_last("public");
  EXPECT_EQ(t.parent, "");
  EXPECT_EQ(t.name, "public");
  t = split_last("s.f(s.t)");
  EXPECT_EQ(t.parent, "s");
  EXPECT_EQ(t.name, "f(s.t)");
  t = split_last("unbalanced\".x");  // an unterminated quote swallows the rest
  EXPECT_EQ(t.parent, "");
}

TEST(Printable, EscapesAndBounds) {
  EXPECT_EQ(printable("a\nb\tc\x01"), "a\\nb\\tc\\x01");
  EXPECT_EQ(printable("\xff\xc3(", 80), "\\xff\\xc3(");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printable(std::string(100, 'x'), 10), std::string(10, 'x') + "...");
  // Never cut inside a character.
  EXPECT_EQ(printable("\xc3\xa9\xc3\xa9\xc3\xa9", 3), "\xc3\xa9...");
  EXPECT_EQ(quoted_text("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9\xe2\x86\x92\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

}  // namespace
}  // namespace squash::model
