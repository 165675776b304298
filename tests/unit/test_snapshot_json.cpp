// to_json / from_json: exact bytes, round trips, every malformed-document case, limits, and
// a fuzz run over mutated documents.
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/snapshot_json.hpp"
#include "test_support.hpp"

namespace squash::model {
namespace {

using testing::make;
using testing::snapshot_of;

// The message of the FormatError that from_json(text) throws ("" when it parses).
std::string error_of(std::string_view text) {
  try {
    from_json(text);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_FORMAT_ERROR(text, expected)                                           \
  do {                                                                                \
    std::string message_ = error_of(text);                                            \
    EXPECT_FALSE(message_.empty()) << "parsed without error";                         \
    EXPECT_NE(message_.find(expected), std::string::npos) << "message: " << message_; \
  } while (0)

const std::string kFp(64, '0');

// A document with the given objects JSON, right header fields, and the right fingerprint
// unless fp is given.
std::string doc(const std::string& objects, int count, const std::string& fp = kFp) {
  return "{\"format\":\"pg_squash.snapshot\",\"version\":1,\"server_version\":\"15.20\","
         "\"fingerprint\":\"" +
         fp + "\",\"object_count\":" + std::to_string(count) + ",\"objects\":[" + objects + "]}";
}

std::string one_table() {
  return R"({"kind":"table","identity":"public.t","attrs":{}})";
}

TEST(SnapshotJson, ExactBytes) {
  Snapshot s =
      snapshot_of({make("table", "public.t", {{"owner", "app"}}),
                   make("column", "public.t.c", {{"type", "integer"}, {"default", "'a\"b'\n\\"}})});
  const std::string expected =
      "{\"format\":\"pg_squash.snapshot\",\"version\":1,\"server_version\":\"15.20\","
      "\"fingerprint\":\"" +
      fingerprint(s) +
      "\",\"object_count\":2,\"objects\":["
      "{\"kind\":\"column\",\"identity\":\"public.t.c\",\"attrs\":{\"default\":\"'a\\\"b'\\n\\\\\","
      "\"type\":\"integer\"}},"
      "{\"kind\":\"table\",\"identity\":\"public.t\",\"attrs\":{\"owner\":\"app\"}}]}";
  EXPECT_EQ(to_json(s), expected);
}

TEST(SnapshotJson, EscapesControlCharactersAndKeepsUnicode) {
  Object o = make("function", "public.f()");
  o.set("body", std::string("a\x01\x1f\x7f\r\b\f\t\xc3\xa9\xe2\x86\x92", 13));
  Snapshot s = snapshot_of({o});
  std::string json = to_json(s);
  EXPECT_NE(json.find(R"("body":"a\u0001\u001f)"
                      "\x7f"
                      R"(\r\b\f\t)"
                      "\xc3\xa9\xe2\x86\x92\""),
            std::string::npos)
      << json;
  Snapshot back = from_json(json);
  EXPECT_EQ(back.objects, s.objects);
}

TEST(SnapshotJson, RoundTrip) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 50; round++) {
    Snapshot s = testing::random_snapshot(rng, 1 + round % 15);
    s.server_version = round % 2 ? "15.20 (Debian 15.20-0+deb12u1)" : "";
    const std::string json = to_json(s);
    Snapshot back = from_json(json);
    EXPECT_EQ(back.objects, s.objects);
    EXPECT_EQ(back.server_version, s.server_version);
    EXPECT_EQ(fingerprint(back), fingerprint(s));
    EXPECT_EQ(to_json(back), json);  // deterministic bytes
  }
}

TEST(SnapshotJson, EmptySnapshotRoundTrips) {
  Snapshot s;
  Snapshot back = from_json(to_json(s));
  EXPECT_TRUE(back.objects.empty());
}

TEST(SnapshotJson, AcceptsJsonbLayout) {
  // jsonb reorders keys (shorter first) and adds spaces; the result is normalized even
  // when the document lists objects out of order.
  Snapshot s =
      snapshot_of({make("table", "public.b", {{"x", "1"}, {"a", "2"}}), make("table", "public.a")});
  const std::string text =
      "{\"format\": \"pg_squash.snapshot\", \"objects\": [{\"kind\": \"table\", \"attrs\": {\"x\": "
      "\"1\", "
      "\"a\": \"2\"}, \"identity\": \"public.b\"}, {\"kind\": \"table\", \"attrs\": {}, "
      "\"identity\": "
      "\"public.a\"}], \"version\": 1, \"fingerprint\": \"" +
      fingerprint(s) + "\", \"object_count\": 2, \"server_version\": \"15.20\"}";
  Snapshot back = from_json(text);
  EXPECT_EQ(back.objects, s.objects);
  EXPECT_TRUE(is_normalized(back));
}

TEST(SnapshotJson, ToJsonRejectsInvalidUtf8) {
  Snapshot s = snapshot_of({make("table", "public.t", {{"comment", "caf\xe9"}})});  // Latin-1
  try {
    to_json(s);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("public.t"), std::string::npos) << e.what();
  }
}

TEST(SnapshotJson, ToJsonRejectsUnnormalized) {
  Snapshot s;
  s.objects = {make("table", "b"), make("table", "a")};
  EXPECT_THROW(to_json(s), ModelError);
}

// ---- malformed documents -----------------------------------------------------------------

TEST(SnapshotJsonErrors, NotJson) {
  EXPECT_FORMAT_ERROR("", "empty document");
  EXPECT_FORMAT_ERROR("  \n", "empty document");
  EXPECT_FORMAT_ERROR("{]", "not valid JSON at byte 2");
  EXPECT_FORMAT_ERROR("{\"format\" \"x\"}", "not valid JSON at byte");
  EXPECT_FORMAT_ERROR("{} trailing", "not valid JSON at byte");
  EXPECT_FORMAT_ERROR("{\"a\":NaN}", "not valid JSON");
  EXPECT_FORMAT_ERROR("{\"a\":1} // comment", "not valid JSON");
  EXPECT_FORMAT_ERROR("{\"a\":1e999}", "not valid JSON");
  EXPECT_FORMAT_ERROR("{'a':1}", "not valid JSON");
}

TEST(SnapshotJsonErrors, TruncatedGivesByteOffset) {
  Snapshot s = snapshot_of({make("table", "public.t", {{"owner", "app"}})});
  const std::string json = to_json(s);
  const std::string cut = json.substr(0, 100);
  EXPECT_FORMAT_ERROR(cut, "the document ends early, after 100 bytes (truncated?)");
  EXPECT_FORMAT_ERROR("{", "ends early, after 1 byte (truncated?)");
  EXPECT_FORMAT_ERROR(json.substr(0, json.size() - 1), "truncated?");
}

TEST(SnapshotJsonErrors, InvalidUtf8AndEscapes) {
  std::string bad = doc(R"({"kind":"table","identity":"public.)"
                        "\xff"
                        R"(","attrs":{}})",
                        1);
  EXPECT_FORMAT_ERROR(bad, "ill-formed UTF-8");
  EXPECT_FORMAT_ERROR(bad, "\\xff");  // the stray byte is shown escaped, not raw
  EXPECT_EQ(error_of(bad).find('\xff'), std::string::npos);
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":"\ud800","attrs":{}})", 1),
                      "not valid JSON");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":"a)"
                          "\x01"
                          R"(","attrs":{}})",
                          1),
                      "not valid JSON");  // raw control characters are not JSON
}

TEST(SnapshotJsonErrors, TopLevelNotAnObject) {
  EXPECT_FORMAT_ERROR("[]", "top level: expected an object, got array");
  EXPECT_FORMAT_ERROR("42", "top level: expected an object, got number");
  EXPECT_FORMAT_ERROR("\"x\"", "top level: expected an object, got string");
  EXPECT_FORMAT_ERROR("null", "top level: expected an object, got null");
}

TEST(SnapshotJsonErrors, Format) {
  EXPECT_FORMAT_ERROR("{}", "top level: missing field \"format\"");
  EXPECT_FORMAT_ERROR(R"({"version":1,"objects":[]})",
                      "missing field \"format\" (not a pg_squash snapshot document)");
  EXPECT_FORMAT_ERROR(R"({"format":"pg_dump","version":1})",
                      "format: expected \"pg_squash.snapshot\", got \"pg_dump\"");
  EXPECT_FORMAT_ERROR(R"({"format":5})", "format: expected a string, got number");
  EXPECT_FORMAT_ERROR(R"({"format":{"a":[1]}})", "format: expected a string, got object");
}

TEST(SnapshotJsonErrors, Version) {
  EXPECT_FORMAT_ERROR(R"({"format":"pg_squash.snapshot"})", "top level: missing field \"version\"");
  EXPECT_FORMAT_ERROR(
      R"({"format":"pg_squash.snapshot","version":2})",
      "version: unsupported snapshot format version 2 (this pg_squash reads version 1)");
  EXPECT_FORMAT_ERROR(R"({"format":"pg_squash.snapshot","version":"1"})",
                      "version: expected an integer, got string");
  EXPECT_FORMAT_ERROR(R"({"format":"pg_squash.snapshot","version":1.5})",
                      "version: expected an integer, got number");
  EXPECT_FORMAT_ERROR(R"({"format":"pg_squash.snapshot","version":-1})",
                      "unsupported snapshot format version");
  EXPECT_FORMAT_ERROR(R"({"format":"pg_squash.snapshot","version":99999999999999999999999})",
                      "version: expected an integer, got number");
  EXPECT_FORMAT_ERROR(R"({"format":"pg_squash.snapshot","version":[1]})",
                      "version: expected an integer, got array");
}

TEST(SnapshotJsonErrors, VersionIsReportedBeforeObjectErrorsWhateverTheKeyOrder) {
  // jsonb puts "objects" before "version": a version 2 document whose objects look
  // different still gets "unsupported version", not a complaint about its objects.
  EXPECT_FORMAT_ERROR(
      R"({"format":"pg_squash.snapshot","objects":[{"name":"x","attributes":[]}],"version":2})",
      "unsupported snapshot format version 2");
  EXPECT_FORMAT_ERROR(R"({"objects":[7],"version":1,"format":"other"})",
                      "format: expected \"pg_squash.snapshot\"");
}

TEST(SnapshotJsonErrors, TopLevelFields) {
  const std::string head = R"({"format":"pg_squash.snapshot","version":1,)";
  EXPECT_FORMAT_ERROR(
      head + R"("server_version":"15","fingerprint":")" + kFp + R"(","object_count":0})",
      "top level: missing field \"objects\"");
  EXPECT_FORMAT_ERROR(head + R"("fingerprint":")" + kFp + R"(","object_count":0,"objects":[]})",
                      "top level: missing field \"server_version\"");
  EXPECT_FORMAT_ERROR(head + R"("server_version":"15","object_count":0,"objects":[]})",
                      "top level: missing field \"fingerprint\"");
  EXPECT_FORMAT_ERROR(
      head + R"("server_version":"15","fingerprint":")" + kFp + R"(","objects":[]})",
      "top level: missing field \"object_count\"");
  EXPECT_FORMAT_ERROR(head + R"("server_version":15})",
                      "server_version: expected a string, got number");
  EXPECT_FORMAT_ERROR(head + R"("fingerprint":null})", "fingerprint: expected a string, got null");
  EXPECT_FORMAT_ERROR(head + R"("fingerprint":"ABC"})",
                      "fingerprint: expected 64 lowercase hex digits, got \"ABC\"");
  EXPECT_FORMAT_ERROR(head + R"("object_count":"2"})",
                      "object_count: expected an integer, got string");
  EXPECT_FORMAT_ERROR(head + R"("object_count":-2})", "object_count: expected a count of objects");
  EXPECT_FORMAT_ERROR(head + R"("objects":{}})", "objects: expected an array, got object");
  EXPECT_FORMAT_ERROR(head + R"("objects":"x"})", "objects: expected an array, got string");
  EXPECT_FORMAT_ERROR(head + R"("extra":[1,2]})", "top level: unknown field \"extra\"");
  EXPECT_FORMAT_ERROR(head + R"("version":1})", "top level: duplicate field \"version\"");
}

TEST(SnapshotJsonErrors, ObjectTypes) {
  EXPECT_FORMAT_ERROR(doc(one_table() + ",5", 2), "objects[1]: expected an object, got number");
  EXPECT_FORMAT_ERROR(doc("[[]]," + one_table(), 2), "objects[0]: expected an object, got array");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":5,"identity":"public.t","attrs":{}})", 1),
                      "objects[0].kind: expected a string, got number");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":["x"],"attrs":{}})", 1),
                      "objects[0].identity: expected a string, got array");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":"public.t","attrs":[]})", 1),
                      "objects[0].attrs: expected an object, got array");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":"public.t","attrs":"x"})", 1),
                      "objects[0].attrs: expected an object, got string");
}

TEST(SnapshotJsonErrors, AttributeValueTypeNamesThePath) {
  std::string objects;
  for (int i = 0; i < 17; i++)
    objects += R"({"kind":"table","identity":"public.t)" + std::to_string(i) + R"(","attrs":{}},)";
  objects += R"({"kind":"column","identity":"public.t.c","attrs":{"type":"integer","default":0}})";
  EXPECT_FORMAT_ERROR(doc(objects, 18), "objects[17].attrs.default: expected a string, got number");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"i","attrs":{"a b":null}})", 1),
                      "objects[0].attrs[\"a b\"]: expected a string, got null");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"i","attrs":{"x":true}})", 1),
                      "objects[0].attrs.x: expected a string, got boolean");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"i","attrs":{"x":{"y":"z"}}})", 1),
                      "objects[0].attrs.x: expected a string, got object");
}

TEST(SnapshotJsonErrors, ObjectFields) {
  EXPECT_FORMAT_ERROR(doc(R"({"identity":"public.t","attrs":{}})", 1),
                      "objects[0]: missing field \"kind\"");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","attrs":{}})", 1),
                      "objects[0]: missing field \"identity\"");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":"x"})", 1),
                      "objects[0]: missing field \"attrs\"");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":"x","attrs":{},"extra":1})", 1),
                      "objects[0]: unknown field \"extra\"");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","kind":"view","identity":"x","attrs":{}})", 1),
                      "objects[0]: duplicate field \"kind\"");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"table","identity":"x","attrs":{"type":"a","type":"b"}})", 1),
                      "objects[0].attrs: duplicate key \"type\"");
}

TEST(SnapshotJsonErrors, TextContent) {
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"","identity":"x","attrs":{}})", 1),
                      "objects[0].kind: must not be empty");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"","attrs":{}})", 1),
                      "objects[0].identity: must not be empty");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"a\u0000b","attrs":{}})", 1),
                      "objects[0].identity: contains a NUL character");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t\r","identity":"a","attrs":{}})", 1),
                      "objects[0].kind: control character \\x0d");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t\u007f","identity":"a","attrs":{}})", 1),
                      "control character \\x7f");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"a","attrs":{"":"v"}})", 1),
                      "objects[0].attrs: empty attribute key");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"a","attrs":{"k\n":"v"}})", 1),
                      "control character \\x0a");
  EXPECT_FORMAT_ERROR(doc(R"({"kind":"t","identity":"a","attrs":{"k":"v\u0000"}})", 1),
                      "objects[0].attrs.k: contains a NUL character");
  // Tab and newline are allowed in kind; an identity (a quoted identifier) may hold any
  // control character; values may too.
  Object o = make("t", "a\tb\nc\x01\x7f");
  o.set("k", "\x01\r");
  Snapshot s = snapshot_of({o});
  EXPECT_EQ(from_json(to_json(s)).objects, s.objects);
}

TEST(SnapshotJsonErrors, DuplicateObjects) {
  const std::string objects =
      one_table() + "," + R"({"kind":"view","identity":"public.t","attrs":{}},)" + one_table();
  EXPECT_FORMAT_ERROR(doc(objects, 3),
                      "objects[0] and objects[2]: duplicate object: table \"public.t\"");
}

TEST(SnapshotJsonErrors, ObjectCountMismatch) {
  EXPECT_FORMAT_ERROR(doc(one_table(), 3),
                      "object_count: the document says 3 objects, but \"objects\" has 1");
}

TEST(SnapshotJsonErrors, FingerprintMismatch) {
  Snapshot s = snapshot_of({make("column", "public.t.c", {{"type", "integer"}, {"default", "0"}})});
  std::string json = to_json(s);
  std::string tampered = json;
  tampered.replace(tampered.find("\"0\""), 3, "\"1\"");
  EXPECT_FORMAT_ERROR(
      tampered, "fingerprint: the document says " + fingerprint(s) + " but its objects hash to ");
  EXPECT_FORMAT_ERROR(tampered, "(the document was altered or is corrupt)");
  EXPECT_FORMAT_ERROR(doc(one_table(), 1), "fingerprint: the document says " + kFp);
}

TEST(SnapshotJsonErrors, NestingDepth) {
  // Eight levels are fine (rejected for other reasons), nine are not.
  const std::string head =
      R"({"format":"pg_squash.snapshot","version":1,"objects":[{"attrs":{"x":)";
  std::string ok = head + "[[[[]]]]}}]}";  // depth 8
  EXPECT_EQ(error_of(ok).find("nested deeper"), std::string::npos) << error_of(ok);
  EXPECT_FORMAT_ERROR(head + "[[[[[]]]]]}}]}",
                      "document nested deeper than 8 levels (at objects[0].attrs.x)");
  EXPECT_FORMAT_ERROR(std::string(100000, '['), "top level: expected an object, got array");
  EXPECT_FORMAT_ERROR(R"({"objects":)" + std::string(100000, '['),
                      "document nested deeper than 8 levels");
  EXPECT_FORMAT_ERROR(R"({"x":)" + std::string(1000000, '['),
                      "document nested deeper than 8 levels (at x)");
  std::string deep_objects;
  for (int i = 0; i < 100000; i++) deep_objects += "{\"a\":";
  EXPECT_FORMAT_ERROR("{\"objects\":[" + deep_objects, "nested deeper");
}

TEST(SnapshotJsonErrors, DocumentSizeLimit) {
  std::string huge(kMaxDocumentBytes + 1, ' ');
  EXPECT_FORMAT_ERROR(huge, "more than the 512 MiB limit");
}

TEST(SnapshotJsonErrors, ObjectCountLimit) {
  std::string text = R"({"format":"pg_squash.snapshot","version":1,"objects":[)";
  text.reserve(text.size() + 3 * (kMaxDocumentObjects + 1));
  for (std::size_t i = 0; i <= kMaxDocumentObjects; i++) text += i ? ",{}" : "{}";
  text += "]}";
  EXPECT_FORMAT_ERROR(text, "objects: more than 2000000 objects");
}

TEST(SnapshotJsonErrors, MillionsOfBadElementsReportTheFirst) {
  std::string text = R"({"format":"pg_squash.snapshot","version":1,"objects":[)";
  for (int i = 0; i < 5000000; i++) text += i ? ",1" : "1";
  text += "]}";
  EXPECT_FORMAT_ERROR(text, "objects[0]: expected an object, got number");
}

TEST(SnapshotJsonErrors, HugeStringsAreFine) {
  Object o = make("view", "public.v");
  o.set("definition", std::string(20 << 20, 'x'));
  Snapshot s = snapshot_of({o});
  Snapshot back = from_json(to_json(s));
  EXPECT_EQ(back.objects, s.objects);
  // A huge unknown key is reported shortened.
  std::string message = error_of(R"({"format":"pg_squash.snapshot","version":1,")" +
                                 std::string(1 << 20, 'k') + R"(":1})");
  EXPECT_NE(message.find("unknown field \"kkkk"), std::string::npos);
  EXPECT_LT(message.size(), 300u);
}

// ---- fuzz --------------------------------------------------------------------------------

TEST(SnapshotJsonFuzz, MutatedDocumentsParseOrThrowFormatError) {
  std::mt19937_64 rng(777);
  const std::string specials[] = {"[",    "]",     "{",   "}",       "\"",   "\\",
                                  ",",    ":",     "\\u", "\\ud800", "\xff", "\xc3",
                                  "\x00", "1e999", "-",   "null",    "true", "\n"};
  int parsed = 0, rejected = 0;
  for (int round = 0; round < 3000; round++) {
    Snapshot s = testing::random_snapshot(rng, 1 + round % 6);
    std::string text = to_json(s);
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; e++) {
      std::size_t pos = text.empty() ? 0 : rng() % (text.size() + 1);
      switch (rng() % 7) {
        case 0:  // flip bits in a byte
          if (pos < text.size()) text[pos] = static_cast<char>(text[pos] ^ (1u << (rng() % 8)));
          break;
        case 1:  // random byte
          if (pos < text.size()) text[pos] = static_cast<char>(rng() % 256);
          break;
        case 2:  // truncate
          text.resize(pos);
          break;
        case 3: {  // insert a special token
          const std::string& sp = specials[rng() % std::size(specials)];
          text.insert(pos, sp.empty() ? std::string(1, '\0') : sp);
          break;
        }
        case 4:  // deep nesting
          text.insert(pos, std::string(1 + rng() % 100000, rng() % 2 ? '[' : '{'));
          break;
        case 5:  // huge string
          text.insert(pos, "\"" + std::string(rng() % (1 << 20), 'h') + "\"");
          break;
        case 6:  // duplicate a slice
          if (pos < text.size()) text.insert(pos, text.substr(pos, rng() % 200));
          break;
      }
    }
    // A document that fails only on its fingerprint gets the right one, so that mutated
    // content also travels the whole accepting path.
    const std::string message = error_of(text);
    const std::string says = "fingerprint: the document says ",
                      hash_to = " but its objects hash to ";
    if (message.rfind(says, 0) == 0 && message.find(hash_to) != std::string::npos) {
      const std::string stated = message.substr(says.size(), 64);
      const std::string actual = message.substr(message.find(hash_to) + hash_to.size(), 64);
      std::size_t at = text.find("\"" + stated + "\"");
      if (at != std::string::npos) text.replace(at + 1, 64, actual);
    }
    try {
      Snapshot back = from_json(text);
      parsed++;
      EXPECT_TRUE(is_normalized(back));
      // Bounded by its input: JSON has no back-references, every text comes from the document.
      std::size_t built = 0;
      for (const Object& o : back.objects) {
        built += o.kind.size() + o.identity.size();
        for (const Attribute& a : o.attrs) built += a.key.size() + a.value.size();
      }
      EXPECT_LE(built, text.size());
      EXPECT_EQ(fingerprint(from_json(to_json(back))), fingerprint(back));
    } catch (const FormatError& e) {
      rejected++;
      EXPECT_GT(std::string(e.what()).size(), 0u);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "round " << round << ": unexpected " << typeid(e).name() << ": " << e.what();
    }
  }
  std::cout << "[ fuzz     ] " << parsed << " parsed, " << rejected << " rejected\n";
  EXPECT_GT(rejected, 0);
}

TEST(SnapshotJsonFuzz, RandomBytes) {
  std::mt19937_64 rng(4242);
  for (int round = 0; round < 3000; round++) {
    std::string text(rng() % 64, '\0');
    for (char& c : text) c = "{}[]\":,01\\ aeflnrstu-.\xff"[rng() % 24];
    if (rng() % 2) text = "{\"format\":\"pg_squash.snapshot\",\"version\":1," + text;
    try {
      from_json(text);
    } catch (const FormatError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected " << e.what();
    }
  }
}

TEST(SnapshotJsonScale, FiveHundredThousandObjects) {
  Snapshot s = testing::large_snapshot(10000);
  testing::Stopwatch watch;
  std::string json = to_json(s);
  const std::string write_time = watch.elapsed();
  watch = testing::Stopwatch();
  Snapshot back = from_json(json);
  const std::string read_time = watch.elapsed();
  EXPECT_EQ(back.objects.size(), s.objects.size());
  EXPECT_TRUE(back.objects == s.objects);
  std::cout << "[ timing   ] " << s.objects.size() << " objects, " << json.size() / (1 << 20)
            << " MiB document:\n"
            << "[ timing   ]   to_json                   " << write_time << "\n"
            << "[ timing   ]   from_json (with checks)   " << read_time << std::endl;
}

}  // namespace
}  // namespace squash::model
