// generator/ddl_text: the quoting the generated revision relies on. Each literal must read
// back as exactly the text it was made from, whatever the text holds.
#include <gtest/gtest.h>

#include "pg_squash/generator/ddl.hpp"

namespace squash::generator {
namespace {

TEST(DdlText, SqlLiteralDoublesQuotesAndMarksBackslashes) {
  EXPECT_EQ(sql_literal("plain"), "'plain'");
  EXPECT_EQ(sql_literal("it's"), "'it''s'");
  EXPECT_EQ(sql_literal("a\\b'c"), "E'a\\\\b''c'");
  EXPECT_EQ(sql_literal(""), "''");
}

TEST(DdlText, DollarQuoteNeverEndsInsideTheBody) {
  EXPECT_EQ(dollar_quote("SELECT 1"), "$function$SELECT 1$function$");
  // A body holding the delimiter, or ending with a prefix of it, gets another tag.
  const std::string tricky = "SELECT '$function$'";
  const std::string quoted = dollar_quote(tricky);
  const std::string delimiter = quoted.substr(0, quoted.find('$', 1) + 1);
  EXPECT_NE(delimiter, "$function$");
  EXPECT_EQ(quoted, delimiter + tricky + delimiter);
  EXPECT_EQ((tricky + delimiter).find(delimiter), tricky.size());
  const std::string ends = "x $function";
  const std::string q2 = dollar_quote(ends);
  const std::string d2 = q2.substr(0, q2.find('$', 1) + 1);
  EXPECT_EQ((ends + d2).find(d2), ends.size());
}

TEST(DdlText, PythonLiteralPicksAFormThatReadsBackExactly) {
  EXPECT_EQ(python_literal("abc"), "'abc'");
  // Multi-line SQL stays readable as a raw triple-quoted string.
  EXPECT_EQ(python_literal("SELECT 1\nFROM t"), "r'''SELECT 1\nFROM t'''");
  // Control characters, a trailing backslash or triple quotes force escaping.
  const std::string escaped = python_literal("a\rb\\");
  EXPECT_EQ(escaped.front(), '\'');
  EXPECT_NE(escaped.find("\\r"), std::string::npos);
  EXPECT_NE(escaped.find("\\\\"), std::string::npos);
  EXPECT_EQ(python_literal("x'''y").rfind("r'''", 0), std::string::npos);
}

TEST(DdlText, CommentTextStaysOnOneLine) {
  // A line comment ("-- ..." or "# ...") cannot be left early by a newline in the text.
  const std::string c = comment_text("line one\nline two\r\nDROP TABLE t;");
  EXPECT_EQ(c.find('\n'), std::string::npos) << c;
  EXPECT_EQ(c.find('\r'), std::string::npos) << c;
  EXPECT_NE(c.find("line two"), std::string::npos) << c;
}

TEST(DdlText, UnquoteIdentUndoesQuoteIdent) {
  EXPECT_EQ(unquote_ident("abc"), "abc");
  EXPECT_EQ(unquote_ident("\"My \"\"x\"\"\""), "My \"x\"");
  EXPECT_EQ(unquote_ident("\"PUBLIC\""), "PUBLIC");
  EXPECT_EQ(unquote_ident("\"a=b\""), "a=b");
  EXPECT_EQ(unquote_ident("\""), "\"");  // not a quoted identifier: as it is
}

TEST(DdlText, AclGranteesLeavePublicOut) {
  const auto g = acl_grantees("PUBLIC=r\n\"PUBLIC\"=w\nalice=arwd*\n\"odd=name\"=r");
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0], "\"PUBLIC\"");  // a role that is called PUBLIC is a role
  EXPECT_EQ(g[1], "alice");
  EXPECT_EQ(g[2], "\"odd=name\"");
  EXPECT_TRUE(acl_grantees("").empty());
  EXPECT_TRUE(acl_grantees("=r\nnoequals").empty());
}

}  // namespace
}  // namespace squash::generator
