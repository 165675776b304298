// squashctl revisions: the Python subset tokenizer, revision files, the graph Alembic
// would build, and squash plans (refusals, rewrites, dry-run output, applying).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "revisions/alembic_ini.hpp"
#include "revisions/commands.hpp"
#include "revisions/graph.hpp"
#include "revisions/python_lexer.hpp"
#include "revisions/revision_file.hpp"
#include "revisions/squash.hpp"

namespace squash::revisions {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- helpers

// A revision file; `extra` follows the assignments, replacing those it makes itself (a
// name assigned twice is refused).
std::string rev(const std::string& id, const std::string& down, const std::string& extra = "") {
  auto unless_in_extra = [&](const std::string& name) {
    return extra.starts_with(name + " =") || extra.find("\n" + name + " =") != std::string::npos
               ? ""
               : name + " = None\n";
  };
  return "\"\"\"message of " + id + "\n\nRevision ID: " + id +
         "\n\"\"\"\nfrom alembic import op\n\n" + "revision = '" + id +
         "'\ndown_revision = " + down + "\n" + unless_in_extra("branch_labels") +
         unless_in_extra("depends_on") + extra + "\n\ndef upgrade():\n    pass\n";
}

Folder folder_of(const std::vector<std::pair<std::string, std::string>>& files) {
  Folder folder;
  folder.dir = "mem";
  std::vector<std::pair<std::string, std::string>> digests;
  for (const auto& [name, text] : files) {
    auto f = parse_revision_file(name, text);
    f.sha256 = sha256_hex(text);
    digests.emplace_back(name, f.sha256);
    (name.find('/') == std::string::npos ? folder.loaded : folder.not_loaded).push_back(f);
  }
  folder.digest = folder_digest(digests);
  return folder;
}

std::vector<std::string> ids(const Graph& g, const std::vector<int>& nodes) {
  std::vector<std::string> out;
  for (int n : nodes) out.push_back(g.nodes[n].id);
  std::sort(out.begin(), out.end());
  return out;
}

bool has_problem(const Graph& g, const std::string& needle, Problem::Severity s = Problem::Error) {
  return std::any_of(g.problems.begin(), g.problems.end(), [&](const Problem& p) {
    return p.severity == s && p.message.find(needle) != std::string::npos;
  });
}

bool refused_for(const SquashPlan& p, const std::string& needle) {
  return std::any_of(p.refusals.begin(), p.refusals.end(),
                     [&](const std::string& r) { return r.find(needle) != std::string::npos; });
}

SquashPlan plan(const Folder& folder, const std::string& generated_text,
                std::optional<std::string> upto = std::nullopt,
                std::optional<std::string> digest = std::nullopt) {
  Graph g = analyze(folder.loaded, folder.not_loaded);
  return plan_squash(folder, g, parse_revision_file("000_squashed.py", generated_text),
                     "000_squashed.py", upto, digest);
}

const std::string kSquashed = rev("000_squashed", "None");

// ---------------------------------------------------------------- tokenizer

TEST(revisions_lexer, StringQuotingStyles) {
  auto r = tokenize(R"(a = 'one' "two" '''three''' """four""" r'\d' u'x' b'\x41' Rb"\n")");
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::vector<std::string> values;
  for (const auto& t : r.tokens)
    if (t.kind == TokenKind::String) values.push_back(t.text);
  EXPECT_EQ(values,
            (std::vector<std::string>{"one", "two", "three", "four", "\\d", "x", "A", "\\n"}));
  EXPECT_TRUE(r.tokens[8].bytes);
  EXPECT_EQ(r.tokens[9].prefix, "Rb");
}

TEST(revisions_lexer, Escapes) {
  auto r = tokenize("x = 'a\\'b\\\"c\\\\d\\x41\\101\\u00e9\\n\\q\\\ne'\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.tokens[2].text, "a'b\"c\\dAA\xC3\xA9\n\\qe");
  auto named = tokenize("x = '\\N{DASH}'");
  EXPECT_FALSE(named.tokens[2].decoded);
}

TEST(revisions_lexer, CommentsAndHashesInStrings) {
  auto r = tokenize("x = '#not a comment'  # a comment 'with quote\ny = 1\n");
  ASSERT_TRUE(r.error.empty());
  ASSERT_GE(r.tokens.size(), 4u);
  EXPECT_EQ(r.tokens[2].text, "#not a comment");
  EXPECT_EQ(r.tokens[3].kind, TokenKind::Newline);
  EXPECT_EQ(r.tokens[4].text, "y");
}

TEST(revisions_lexer, LogicalLines) {
  // Brackets and backslashes join physical lines; ';' splits statements.
  auto r = tokenize("x = (\n  'a',\n  'b',\n)\ny = \\\n  1; z = 2\n");
  ASSERT_TRUE(r.error.empty());
  int newlines = 0;
  for (const auto& t : r.tokens) newlines += t.kind == TokenKind::Newline;
  EXPECT_EQ(newlines, 3);
  EXPECT_EQ(r.tokens.back().kind, TokenKind::Newline);
}

TEST(revisions_lexer, IndentationAndOperators) {
  auto r = tokenize("def f():\n    revision = 'x'\nif a == b: pass\n(y := 1)\n");
  ASSERT_TRUE(r.error.empty());
  auto it = std::find_if(r.tokens.begin(), r.tokens.end(),
                         [](const Token& t) { return t.text == "revision"; });
  ASSERT_NE(it, r.tokens.end());
  EXPECT_GT(it->indent, 0);
  EXPECT_TRUE(
      std::any_of(r.tokens.begin(), r.tokens.end(), [](const Token& t) { return t.text == "=="; }));
  EXPECT_TRUE(
      std::any_of(r.tokens.begin(), r.tokens.end(), [](const Token& t) { return t.text == ":="; }));
  // The only lone '=' is the assignment inside f().
  EXPECT_EQ(
      std::count_if(r.tokens.begin(), r.tokens.end(), [](const Token& t) { return t.text == "="; }),
      1);
}

TEST(revisions_lexer, UnterminatedStringsAreErrors) {
  auto r = tokenize("x = 1\ny = 'open\n");
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.error_line, 2);
  EXPECT_FALSE(tokenize("x = '''open\n\n").error.empty());
}

TEST(revisions_lexer, LiteralWriter) {
  EXPECT_EQ(python_string_literal("abc", '\'', ""), "'abc'");
  EXPECT_EQ(python_string_literal("a'b", '\'', "r"), "'a\\'b'");
  EXPECT_EQ(python_string_literal("abc", '"', "r"), "r\"abc\"");
  auto back = tokenize("x = " + python_string_literal("q\"\\\n", '"', ""));
  EXPECT_EQ(back.tokens[2].text, "q\"\\\n");
}

// ---------------------------------------------------------------- revision files

TEST(revisions_file, ClassicStyleAndDocstring) {
  auto f = parse_revision_file("a.py", rev("abc", "'xyz'"));
  ASSERT_TRUE(f.id());
  EXPECT_EQ(*f.id(), "abc");
  EXPECT_EQ(f.down_revision.values(), std::vector<std::string>{"xyz"});
  EXPECT_EQ(f.branch_labels.shape, Shape::None);
  EXPECT_EQ(f.message, "message of abc");
  const auto& lit = f.down_revision.items.front();
  EXPECT_EQ(f.text.substr(lit.begin, lit.end - lit.begin), "'xyz'");
}

TEST(revisions_file, Annotations) {
  auto f = parse_revision_file("a.py",
                               "revision: str = \"abc\"\n"
                               "down_revision: Union[str, None] = \"x\"\n"
                               "branch_labels: Union[str, Sequence[str], None] = ('l1', 'l2')\n"
                               "depends_on: Sequence[str] | None = None\n");
  EXPECT_EQ(*f.id(), "abc");
  EXPECT_EQ(f.down_revision.values(), std::vector<std::string>{"x"});
  EXPECT_EQ(f.branch_labels.values(), (std::vector<std::string>{"l1", "l2"}));
  EXPECT_EQ(f.depends_on.shape, Shape::None);
  auto bare = parse_revision_file("b.py", "revision: str\n");
  EXPECT_FALSE(bare.is_revision());
}

TEST(revisions_file, MultiLineTuplesListsAndTrailingCommas) {
  auto f = parse_revision_file("a.py",
                               "revision = 'm'\n"
                               "down_revision = (\n    'a',  # first\n    \"b\",  # second\n)\n"
                               "depends_on = [\n 'c',\n]\nbranch_labels = 'x', 'y',\n");
  EXPECT_EQ(f.down_revision.shape, Shape::Sequence);
  EXPECT_EQ(f.down_revision.values(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.depends_on.values(), std::vector<std::string>{"c"});
  EXPECT_EQ(f.branch_labels.values(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(f.down_revision.items[1].line, 4);
}

TEST(revisions_file, ParenthesesTuplesOfOneAndEmpty) {
  auto one = parse_revision_file("a.py", "revision = ('a')\ndown_revision = ('b',)\n");
  EXPECT_EQ(one.revision.shape, Shape::String);
  EXPECT_EQ(one.down_revision.shape, Shape::Sequence);
  auto empty = parse_revision_file("a.py", "revision = 'a'\ndown_revision = ()\ndepends_on = ''\n");
  EXPECT_TRUE(empty.down_revision.values().empty());
  EXPECT_TRUE(empty.depends_on.values().empty());
}

TEST(revisions_file, ConcatenationAndChains) {
  auto f = parse_revision_file("a.py",
                               "revision = u'ab' \"cd\"\ndown_revision = \\\n"
                               "  None\nbranch_labels = depends_on = None\n");
  EXPECT_EQ(*f.id(), "abcd");
  EXPECT_EQ(f.down_revision.shape, Shape::None);
  EXPECT_EQ(f.branch_labels.shape, Shape::None);
  EXPECT_EQ(f.depends_on.shape, Shape::None);
}

// Neighbours of the hostile forms below that must still be read exactly.
TEST(revisions_file, CommentsDocstringsStringsAndReadsAreNotAssignments) {
  auto f =
      parse_revision_file("a.py",
                          "'''doc; down_revision = 'x'\nrevision = 'fake'; if False: pass\n'''\n"
                          "# down_revision = 'comment'; revision = 'c'\n"
                          "from alembic import op, context\n"
                          "revision = 'real'  # ; not a statement\n"
                          "down_revision = (\n    'a1',  # first ; parent\n    \"b1\",\n)\n"
                          "branch_labels = \\\n    None;\n"
                          "depends_on: Optional[str] = None\n"
                          "note = \"a; down_revision = 'b2'\"\n"
                          "x = revision == 'real'\n"
                          "if down_revision is None:\n    print(revision, context.revision)\n"
                          "def upgrade():\n"
                          "    op.execute(\"SELECT 1; SELECT 2\")\n"
                          "    op.f(revision='kw', down_revision=None)\n"
                          "    for row in [revision]:\n        print(row)\n");
  ASSERT_TRUE(f.id());
  EXPECT_EQ(*f.id(), "real");
  EXPECT_EQ(f.down_revision.values(), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_EQ(f.branch_labels.shape, Shape::None) << f.branch_labels.error;
  EXPECT_EQ(f.depends_on.shape, Shape::None) << f.depends_on.error;
  EXPECT_EQ(f.message, "doc; down_revision = 'x'");
}

// `revision = 'c3'` and `down_revision = 'a1'` on lines 1-2, then `tail`: down_revision
// must be refused (Python may bind something else), naming `line` and `why`.
void expect_refused(const std::string& tail, int line, const std::string& why,
                    const char* field = "down_revision") {
  auto f = parse_revision_file("c.py", "revision = 'c3'\ndown_revision = 'a1'\n" + tail);
  const Field& got = std::string(field) == "revision" ? f.revision : f.down_revision;
  EXPECT_EQ(got.shape, Shape::Unsupported) << tail;
  EXPECT_EQ(got.line, line) << tail << "\n" << got.error;
  EXPECT_NE(got.error.find(why), std::string::npos) << tail << "\n" << got.error;
}

TEST(revisions_file, SeveralStatementsOnALineAreRefused) {
  expect_refused("if False: pass; down_revision = 'b2'\n", 3, "one-line `if` statement (';')");
  expect_refused("x = 1; down_revision = 'b2'\n", 3, "several statements share its line");
  expect_refused("x = 1; print(down_revision)\n", 3, "several statements share its line");
  auto f = parse_revision_file("c.py", "revision = 'c3'; down_revision = 'a1'\n");
  EXPECT_EQ(f.revision.shape, Shape::Unsupported);
  EXPECT_EQ(f.down_revision.shape, Shape::Unsupported);
  // A backslash continues the logical line: still one line of two statements.
  expect_refused("x = 1; \\\n  down_revision = 'b2'\n", 4, "several statements");
}

struct Refusal {
  const char* tail;
  int line;
  const char* why;
};

TEST(revisions_file, AssignmentsUnderCompoundStatementsAreRefused) {
  for (auto c : std::vector<Refusal>{
           {"if x: down_revision = 'b2'\n", 3, "in a one-line `if` statement"},
           {"if x:\n    down_revision = 'b2'\n", 4, "inside the `if` block at line 3"},
           {"if x:\n    pass\nelif y:\n    down_revision = 'b2'\n", 6, "`elif` block at line 5"},
           {"if x:\n    pass\nelse:\n    down_revision = 'b2'\n", 6, "`else` block at line 5"},
           {"if x:\n    pass\nelse: down_revision = 'b2'\n", 5, "one-line `else` statement"},
           {"for i in []:\n    down_revision = 'b2'\n", 4, "`for` block at line 3"},
           {"while False:\n    down_revision = 'b2'\n", 4, "`while` block at line 3"},
           {"try:\n    down_revision = 'b2'\nexcept Exception:\n    pass\n", 4, "`try` block"},
           {"try:\n    import x\nexcept ImportError:\n    down_revision = 'b2'\n", 6,
            "`except` block at line 5"},
           {"try: import x\nexcept ImportError: down_revision = 'b2'\n", 4,
            "one-line `except` statement"},
           {"try:\n    pass\nfinally:\n    down_revision = 'b2'\n", 6, "`finally` block"},
           {"with ctx():\n    down_revision = 'b2'\n", 4, "`with` block at line 3"},
           {"def f():\n    down_revision = 'b2'\n", 4, "`def` block at line 3"},
           {"class C:\n    down_revision = 'b2'\n", 4, "`class` block at line 3"},
           {"if x:\n    if y:\n        pass\n    down_revision = 'b2'\n", 6,
            "`if` block at line 3"},
           {"if x:\n    down_revision: str = 'b2'\n", 4, "inside the `if` block"},
       })
    expect_refused(c.tail, c.line, c.why);
}

TEST(revisions_file, OtherBindingsAreRefused) {
  for (auto c : std::vector<Refusal>{
           {"down_revision += 'b2'\n", 3, "changed with '+='"},
           {"revision_, down_revision = 'x', 'b2'\n", 3, "part of a tuple"},
           {"[down_revision] = ['b2']\n", 3, "part of a tuple, list"},
           {"(down_revision) = 'b2'\n", 3, "part of a tuple"},
           {"x = y, down_revision = 1, 'b2'\n", 3, "part of a tuple"},
           {"down_revision: str = x = 'b2'\n", 3, "assigned"},
           {"x = (down_revision := 'b2')\n", 3, "assigned with ':='"},
           {"for down_revision in ['b2']: pass\n", 3, "a for-loop target"},
           {"x = [0 for down_revision in 'b2']\n", 3, "a for-loop target"},
           {"with ctx() as down_revision: pass\n", 3, "bound by 'as'"},
           {"import os as down_revision\n", 3, "bound by 'as'"},
           {"from m import down_revision\n", 3, "bound by an import"},
           {"def down_revision(): pass\n", 3, "defined by 'def'"},
           {"class down_revision: pass\n", 3, "defined by 'class'"},
           {"del down_revision\n", 3, "deleted with 'del'"},
           {"sys.modules[__name__].down_revision = 'b2'\n", 3, "assigned as an attribute"},
           {"def f():\n    global down_revision\n", 4, "declared 'global'"},
           {"match 'b2':\n    case down_revision:\n        pass\n", 4, "`case` pattern"},
       })
    expect_refused(c.tail, c.line, c.why);
}

TEST(revisions_file, CodeThatRebindsNamesAtRunTimeIsRefused) {
  for (const char* tail :
       {"globals()['down_revision'] = 'b2'\n", "globals().update(down_revision='b2')\n",
        "vars()['down_revision'] = 'b2'\n",
        "setattr(sys.modules[__name__], 'down_revision', 'b2')\n",
        "exec(\"down_revision = 'b2'\")\n",
        "sys.modules[__name__].__dict__['down_revision'] = 'b2'\n",
        "x = f\"{globals().update(down_revision='b2')}\"\n", "x = f\"{(down_revision := 'b2')}\"\n",
        "from m import *\n"}) {
    expect_refused(tail, 3, "");
    expect_refused(tail, 3, "", "revision");
  }
}

TEST(revisions_file, IndentationErrorsAreSyntaxErrors) {
  // Python cannot compile these: Alembic fails to load them, whatever a reader sees.
  for (auto [text, line, error] :
       {std::tuple{"revision = 'c3'\nif x:\ndown_revision = 'a1'\n", 3,
                   "expected an indented block after the `if` at line 2"},
        std::tuple{"revision = 'c3'\n  down_revision = 'a1'\n", 2, "unexpected indent"},
        std::tuple{"revision = 'c3'\ndown_revision = 'a1'\nclass A:\n", 3,
                   "expected an indented block after the `class`"}}) {
    auto f = parse_revision_file("c.py", text);
    EXPECT_EQ(f.lex_error, error) << text;
    EXPECT_EQ(f.lex_error_line, line) << text;
  }
}

TEST(revisions_file, AssignedTwiceIsRefused) {
  expect_refused("down_revision = 'b2'\n", 3, "assigned twice (lines 2 and 3)");
  expect_refused("depends_on = down_revision = None\n", 3, "assigned twice");
  auto bare = parse_revision_file("c.py", "revision: str\nrevision = 'c3'\n");
  EXPECT_EQ(*bare.id(), "c3");  // a bare annotation binds nothing
}

TEST(revisions_file, NonLiteralsAreUnsupported) {
  for (const char* value : {"f'abc'", "b'abc'", "make_id()", "'a' + 'b'", "OTHER", "('a', None)",
                            "'abc'.upper()", "(('a',),)"}) {
    auto f =
        parse_revision_file("a.py", std::string("revision = 'r'\ndown_revision = ") + value + "\n");
    EXPECT_EQ(f.down_revision.shape, Shape::Unsupported) << value;
    EXPECT_FALSE(f.down_revision.error.empty()) << value;
  }
}

TEST(revisions_file, NoRevisionIsNotARevision) {
  auto f = parse_revision_file("helpers.py", "def helper():\n    return 1\n");
  EXPECT_FALSE(f.is_revision());
}

// ---------------------------------------------------------------- graph

TEST(revisions_graph, StraightChain) {
  auto folder =
      folder_of({{"c.py", rev("c", "'b'")}, {"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}});
  auto g = analyze(folder.loaded);
  EXPECT_TRUE(g.accepted());
  EXPECT_EQ(ids(g, g.heads), std::vector<std::string>{"c"});
  EXPECT_EQ(ids(g, g.bases), std::vector<std::string>{"a"});
  ASSERT_EQ(g.order.size(), 3u);
  EXPECT_EQ(g.nodes[g.order[0]].id, "a");
  EXPECT_EQ(g.nodes[g.order[2]].id, "c");
  EXPECT_TRUE(g.merge_points.empty());
  EXPECT_TRUE(g.branch_points.empty());
}

TEST(revisions_graph, MergesAndBranchPoints) {
  auto folder = folder_of({{"a.py", rev("a", "None")},
                           {"b1.py", rev("b1", "'a'")},
                           {"b2.py", rev("b2", "'a'")},
                           {"m.py", rev("m", "('b1', 'b2')")},
                           {"n.py", rev("n", "['m']")}});
  auto g = analyze(folder.loaded);
  EXPECT_TRUE(g.accepted());
  EXPECT_EQ(ids(g, g.merge_points), std::vector<std::string>{"m"});
  EXPECT_EQ(ids(g, g.branch_points), std::vector<std::string>{"a"});
  EXPECT_EQ(ids(g, g.heads), std::vector<std::string>{"n"});
}

TEST(revisions_graph, BranchLabelsAndDependsOn) {
  auto folder = folder_of({{"a.py", rev("a", "None")},
                           {"s.py", rev("s", "None", "branch_labels = ('side',)")},
                           {"b.py", rev("b", "'a'", "depends_on = 'side'")}});
  auto g = analyze(folder.loaded);
  EXPECT_TRUE(g.accepted());
  EXPECT_EQ(g.by_label.at("side"), g.by_id.at("s"));
  ASSERT_EQ(g.depends_edges.size(), 1u);
  EXPECT_EQ(g.nodes[g.depends_edges[0].second].id, "s");
  // Alembic's heads follow down_revision only: s is still a head.
  EXPECT_EQ(ids(g, g.heads), (std::vector<std::string>{"b", "s"}));
}

TEST(revisions_graph, BranchLabelClashes) {
  auto folder = folder_of({{"a.py", rev("a", "None", "branch_labels = 'x'")},
                           {"b.py", rev("b", "'a'", "branch_labels = ('x', 'a')")}});
  auto g = analyze(folder.loaded);
  EXPECT_FALSE(g.accepted());
  EXPECT_TRUE(has_problem(g, "branch label 'x' is used by a and b"));
  EXPECT_TRUE(has_problem(g, "branch label 'a' of b is also a revision id"));
}

TEST(revisions_graph, DuplicatesAreRefused) {
  auto folder = folder_of({{"a.py", rev("a", "None")}, {"a_copy.py", rev("a", "None")}});
  auto g = analyze(folder.loaded);
  EXPECT_FALSE(g.accepted());
  ASSERT_EQ(g.duplicates.count("a"), 1u);
  EXPECT_EQ(g.duplicates.at("a"), (std::vector<std::string>{"a.py", "a_copy.py"}));
}

TEST(revisions_graph, DuplicatesInSubfoldersOnlyWarn) {
  auto folder = folder_of({{"a.py", rev("a", "None")}, {"old/a.py", rev("a", "None")}});
  auto g = analyze(folder.loaded, folder.not_loaded);
  EXPECT_TRUE(g.accepted());
  EXPECT_TRUE(has_problem(g, "old/a.py repeats revision id 'a'", Problem::Warning));
}

TEST(revisions_graph, DanglingReferences) {
  auto folder = folder_of(
      {{"a.py", rev("a", "'gone'")}, {"b.py", rev("b", "None", "depends_on = ('nope',)")}});
  auto g = analyze(folder.loaded);
  EXPECT_FALSE(g.accepted());
  ASSERT_EQ(g.dangling.size(), 2u);
  EXPECT_EQ(g.dangling[0].target, "gone");
  EXPECT_EQ(g.dangling[1].field, "depends_on");
}

TEST(revisions_graph, Cycles) {
  auto two = analyze(folder_of({{"a.py", rev("a", "'b'")}, {"b.py", rev("b", "'a'")}}).loaded);
  EXPECT_FALSE(two.accepted());
  EXPECT_EQ(two.cycles.size(), 1u);
  auto self = analyze(folder_of({{"a.py", rev("a", "'a'")}}).loaded);
  EXPECT_EQ(self.cycles.size(), 1u);
  auto via_depends =
      analyze(folder_of({{"a.py", rev("a", "None", "depends_on = 'b'")}, {"b.py", rev("b", "'a'")}})
                  .loaded);
  EXPECT_EQ(via_depends.cycles.size(), 1u);
}

TEST(revisions_graph, FilesAlembicCannotLoad) {
  auto g = analyze(folder_of({{"helpers.py", "X = 1\n"},
                              {"nodown.py", "revision = 'n'\n"},
                              {"bad.py", "revision = 'a-b'\ndown_revision = None\n"},
                              {"broken.py", "revision = 'q\n"}})
                       .loaded);
  EXPECT_FALSE(g.accepted());
  EXPECT_TRUE(has_problem(g, "helpers.py: not a revision"));
  EXPECT_TRUE(has_problem(g, "nodown.py: no module-level down_revision"));
  EXPECT_TRUE(has_problem(g, "'@', '-' or '+'"));
  EXPECT_TRUE(has_problem(g, "broken.py: line 1"));
}

TEST(revisions_graph, DigestDependsOnNamesAndContent) {
  auto a = folder_of({{"a.py", "x"}, {"b.py", "y"}}).digest;
  EXPECT_EQ(a, folder_of({{"b.py", "y"}, {"a.py", "x"}}).digest);
  EXPECT_NE(a, folder_of({{"a.py", "x"}, {"c.py", "y"}}).digest);
  EXPECT_NE(a, folder_of({{"a.py", "x"}, {"b.py", "z"}}).digest);
}

// ---------------------------------------------------------------- squash plans

TEST(revisions_squash, WholeChainIntoOneRevision) {
  auto folder = folder_of({{"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}});
  auto p = plan(folder, kSquashed);
  ASSERT_TRUE(p.ok()) << p.refusals.front();
  EXPECT_EQ(p.upto, "b");
  EXPECT_EQ(p.replaced, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(p.moves.size(), 2u);
  EXPECT_EQ(p.moves[0].to, "../archived_revisions/000_squashed/a.py");
  EXPECT_EQ(p.archive_dir, (fs::current_path() / "archived_revisions/000_squashed").string());
  EXPECT_TRUE(p.rewrites.empty());
  EXPECT_EQ(p.heads_after, std::vector<std::string>{"000_squashed"});
}

TEST(revisions_squash, LaterRevisionsAreRewiredMinimally) {
  std::string c =
      "revision: str = \"c\"\ndown_revision: Union[str, None] = \"b\"  # keep me\n"
      "branch_labels = None\ndepends_on = None\n";
  auto folder = folder_of({{"a.py", rev("a", "None")},
                           {"b.py", rev("b", "'a'")},
                           {"c.py", c},
                           {"d.py", rev("d", "'c'")}});
  auto p = plan(folder, kSquashed, "b");
  ASSERT_TRUE(p.ok()) << p.refusals.front();
  EXPECT_EQ(p.replaced, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.remaining, (std::vector<std::string>{"c", "d"}));
  ASSERT_EQ(p.rewrites.size(), 1u);
  EXPECT_EQ(p.rewrites[0].file, "c.py");
  EXPECT_EQ(p.rewrites[0].old_literal, "\"b\"");
  EXPECT_EQ(p.rewrites[0].new_literal, "\"000_squashed\"");
  ASSERT_EQ(p.new_texts.size(), 1u);
  std::string expected = c;
  expected.replace(expected.find("\"b\""), 3, "\"000_squashed\"");
  EXPECT_EQ(p.new_texts[0].second, expected);
  EXPECT_EQ(p.heads_after, std::vector<std::string>{"d"});
}

TEST(revisions_squash, TuplesAreRewiredElementByElement) {
  // b is REV; c sits on b; m merges b and c.
  auto folder = folder_of({{"a.py", rev("a", "None")},
                           {"b.py", rev("b", "'a'")},
                           {"c.py", rev("c", "'b'")},
                           {"m.py", rev("m", "(\n    'b',  # squashed\n    'c',\n)")}});
  auto p = plan(folder, kSquashed, "b");
  ASSERT_TRUE(p.ok()) << p.refusals.front();
  ASSERT_EQ(p.rewrites.size(), 2u);
  auto m = std::find_if(p.new_texts.begin(), p.new_texts.end(),
                        [](auto& t) { return t.first == "m.py"; });
  ASSERT_NE(m, p.new_texts.end());
  EXPECT_NE(m->second.find("(\n    '000_squashed',  # squashed\n    'c',\n)"), std::string::npos);
}

TEST(revisions_squash, MergesInsideTheReplacedSet) {
  auto folder = folder_of({{"a.py", rev("a", "None")},
                           {"b1.py", rev("b1", "'a'")},
                           {"b2.py", rev("b2", "'a'")},
                           {"m.py", rev("m", "('b1', 'b2')")},
                           {"n.py", rev("n", "'m'")}});
  auto p = plan(folder, kSquashed, "m");
  ASSERT_TRUE(p.ok()) << p.refusals.front();
  EXPECT_EQ(p.moves.size(), 4u);
  EXPECT_EQ(p.rewrites.size(), 1u);
}

TEST(revisions_squash, SeveralHeadsNeedUpto) {
  auto folder =
      folder_of({{"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}, {"c.py", rev("c", "'a'")}});
  auto p = plan(folder, kSquashed);
  EXPECT_TRUE(refused_for(p, "2 heads (b, c)"));
  EXPECT_TRUE(p.moves.empty());
}

TEST(revisions_squash, BranchStartedBeforeRevIsRefused) {
  // c branches off a, REV is b: c would lose its parent.
  auto folder =
      folder_of({{"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}, {"c.py", rev("c", "'a'")}});
  auto p = plan(folder, kSquashed, "b");
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(refused_for(p, "c (c.py, line 8): down_revision names a"));
  EXPECT_TRUE(refused_for(p, "not closed"));
}

TEST(revisions_squash, DependencyIntoTheMiddleIsRefused) {
  auto folder = folder_of({{"a.py", rev("a", "None")},
                           {"b.py", rev("b", "'a'")},
                           {"c.py", rev("c", "'b'", "depends_on = 'a'")}});
  auto p = plan(folder, kSquashed, "b");
  EXPECT_TRUE(refused_for(p, "depends_on names a"));
}

TEST(revisions_squash, IndependentBaseIsRefused) {
  auto folder = folder_of(
      {{"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}, {"x.py", rev("x", "None")}});
  auto p = plan(folder, kSquashed, "b");
  EXPECT_TRUE(refused_for(p, "x (x.py) does not descend from b"));
}

TEST(revisions_squash, GeneratedFileMustBeABase) {
  auto folder = folder_of({{"a.py", rev("a", "None")}});
  EXPECT_TRUE(refused_for(plan(folder, rev("000_squashed", "'a'")), "down_revision must be None"));
  EXPECT_TRUE(refused_for(plan(folder, "x = 1\n"), "no module-level `revision`"));
  EXPECT_TRUE(refused_for(plan(folder, "revision = 'z'\n"), "no module-level down_revision"));
  EXPECT_TRUE(
      refused_for(plan(folder, rev("z", "None", "depends_on = 'a'")), "depends_on must be None"));
  EXPECT_TRUE(refused_for(plan(folder, "revision = 'z\n"), "line 1"));
}

TEST(revisions_squash, GeneratedIdMustNotClashWithARemainingRevision) {
  auto folder = folder_of({{"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}});
  EXPECT_TRUE(refused_for(plan(folder, rev("b", "None"), "a"), "already used by b"));
  // Reusing REV's own id is fine: nothing needs rewiring.
  auto same = plan(folder, rev("a", "None"), "a");
  ASSERT_TRUE(same.ok()) << same.refusals.front();
  EXPECT_TRUE(same.rewrites.empty());
}

TEST(revisions_squash, KeptBranchLabelNeedsNoRewrite) {
  auto folder = folder_of({{"a.py", rev("a", "None", "branch_labels = 'core'")},
                           {"b.py", rev("b", "'a'", "depends_on = 'core'")}});
  auto p = plan(folder, rev("000_squashed", "None", "branch_labels = ('core',)"), "a");
  ASSERT_TRUE(p.ok()) << p.refusals.front();
  EXPECT_EQ(p.rewrites.size(), 1u);  // down_revision 'a' only
  EXPECT_EQ(p.rewrites[0].field, "down_revision");
  // Without the label on the squashed revision, the depends_on literal is rewired too.
  auto q = plan(folder, kSquashed, "a");
  ASSERT_TRUE(q.ok()) << q.refusals.front();
  EXPECT_EQ(q.rewrites.size(), 2u);
}

TEST(revisions_squash, DigestMismatchIsRefused) {
  auto folder = folder_of({{"a.py", rev("a", "None")}});
  EXPECT_TRUE(
      refused_for(plan(folder, kSquashed, std::nullopt, "0000"), "changed since it was inspected"));
  EXPECT_TRUE(plan(folder, kSquashed, std::nullopt, folder.digest).ok());
}

TEST(revisions_squash, ArchiveInsideAVersionLocationIsRefused) {
  auto folder = folder_of({{"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}});
  Graph g = analyze(folder.loaded);
  auto gen = parse_revision_file("000_squashed.py", kSquashed);
  for (const char* archive : {"mem/archived", "mem", "./mem/x/../y"})
    EXPECT_TRUE(refused_for(
        plan_squash(folder, g, gen, "000_squashed.py", std::nullopt, std::nullopt, archive),
        "is inside the version location"))
        << archive;
  EXPECT_TRUE(
      plan_squash(folder, g, gen, "000_squashed.py", std::nullopt, std::nullopt, "memory").ok());
}

// The case of the report: Alembic reads down_revision 'a1', a reader that took the
// last assignment would see 'b2' and squash up to b2 leaving c3 on an archived a1.
TEST(revisions_squash, AFileThatCannotBeReadExactlyIsRefused) {
  auto folder = folder_of({{"a1.py", rev("a1", "None")},
                           {"b2.py", rev("b2", "'a1'")},
                           {"c3.py",
                            "revision = 'c3'\ndown_revision = 'a1'\n"
                            "if False: pass; down_revision = 'b2'\n"}});
  Graph g = analyze(folder.loaded, folder.not_loaded);
  EXPECT_FALSE(g.accepted());
  EXPECT_TRUE(has_problem(g,
                          "c3.py: line 3: down_revision cannot be read: it shares its line "
                          "with a one-line `if` statement"));
  auto p = plan(folder, kSquashed, "b2");
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(refused_for(p, "c3.py: line 3: down_revision cannot be read"));
  auto gen = plan(folder_of({{"a1.py", rev("a1", "None")}}),
                  rev("000_squashed", "None", "if x:\n    depends_on = 'a1'\n"));
  EXPECT_TRUE(refused_for(gen, "depends_on cannot be read: assigned inside the `if` block"));
}

TEST(revisions_squash, InvalidFolderIsRefused) {
  auto folder = folder_of({{"a.py", rev("a", "'gone'")}});
  EXPECT_TRUE(refused_for(plan(folder, kSquashed), "not a history Alembic accepts"));
}

TEST(revisions_squash, DryRunOutputListsEveryChange) {
  auto folder =
      folder_of({{"a.py", rev("a", "None")}, {"b.py", rev("b", "'a'")}, {"c.py", rev("c", "'b'")}});
  auto p = plan(folder, kSquashed, "b");
  ASSERT_TRUE(p.ok());
  auto text = format_plan(p, true);
  EXPECT_NE(text.find("would move a.py -> ../archived_revisions/000_squashed/a.py"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("would move b.py -> ../archived_revisions/000_squashed/b.py"),
            std::string::npos);
  EXPECT_NE(text.find("archive: " + p.archive_dir), std::string::npos);
  EXPECT_NE(text.find("would rewrite c.py line 8: down_revision 'b' -> '000_squashed'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("would write 000_squashed.py"), std::string::npos);
  EXPECT_NE(text.find("dry run: nothing was changed"), std::string::npos);
  auto json = plan_json(p, true);
  EXPECT_EQ(json["moves"].size(), 2u);
  EXPECT_FALSE(json["applied"].get<bool>());
}

// ---------------------------------------------------------------- on disk

class revisions_on_disk : public ::testing::Test {
 protected:
  // base_ stands for script_location; dir_ is its versions folder.
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("revisions_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = base_ / "versions";
    fs::remove_all(base_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(base_); }
  void write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path base_, dir_;
};

TEST_F(revisions_on_disk, ReadFolderSeparatesLoadedAndSubfolderFiles) {
  write("a.py", rev("a", "None"));
  write("__init__.py", "");
  write("notes.txt", "not python");
  write("old/a.py", rev("a", "None"));
  write("__pycache__/a.cpython-311.py", "x");
  auto folder = read_folder(dir_.string());
  ASSERT_EQ(folder.loaded.size(), 1u);
  EXPECT_EQ(folder.not_loaded.size(), 1u);
  EXPECT_EQ(folder.not_loaded[0].name, "old/a.py");
  EXPECT_EQ(folder.ignored, std::vector<std::string>{"__init__.py"});
  EXPECT_EQ(folder.digest, folder_digest({{"a.py", sha256_hex(rev("a", "None"))},
                                          {"__init__.py", sha256_hex("")},
                                          {"old/a.py", sha256_hex(rev("a", "None"))}}));
  EXPECT_THROW(read_folder((dir_ / "missing").string()), std::runtime_error);
}

TEST_F(revisions_on_disk, ApplyMovesRewiresAndWrites) {
  write("a.py", rev("a", "None"));
  write("b.py", rev("b", "'a'"));
  write("c.py", rev("c", "'b'"));
  auto folder = read_folder(dir_.string());
  auto g = analyze(folder.loaded, folder.not_loaded);
  auto p =
      plan_squash(folder, g, parse_revision_file("s.py", kSquashed), "s.py", "b", std::nullopt);
  ASSERT_TRUE(p.ok());
  apply_squash(p, dir_.string());
  EXPECT_TRUE(fs::exists(base_ / "archived_revisions/000_squashed/a.py"));
  EXPECT_TRUE(fs::exists(base_ / "archived_revisions/000_squashed/b.py"));
  EXPECT_FALSE(fs::exists(dir_ / "a.py"));
  EXPECT_EQ(read("s.py"), kSquashed);
  EXPECT_NE(read("c.py").find("down_revision = '000_squashed'"), std::string::npos);
  auto after = read_folder(dir_.string());
  auto g2 = analyze(after.loaded, after.not_loaded);
  EXPECT_TRUE(g2.accepted());
  EXPECT_EQ(after.loaded.size(), 2u);  // no temp files left behind
  // Applying the same plan again: the folder changed.
  EXPECT_THROW(apply_squash(p, dir_.string()), std::runtime_error);
}

TEST_F(revisions_on_disk, FailedApplyIsUndone) {
  write("a.py", rev("a", "None"));
  write("b.py", rev("b", "'a'"));
  write("c.py", rev("c", "'b'"));
  auto folder = read_folder(dir_.string());
  auto g = analyze(folder.loaded, folder.not_loaded);
  auto p =
      plan_squash(folder, g, parse_revision_file("s.py", kSquashed), "s.py", "b", std::nullopt);
  ASSERT_TRUE(p.ok());
  // Taken after planning: a folder where b.py would go blocks the second move.
  fs::create_directories(base_ / "archived_revisions/000_squashed/b.py");
  EXPECT_THROW(apply_squash(p, dir_.string()), std::runtime_error);
  EXPECT_EQ(read_folder(dir_.string()).digest, folder.digest);
  EXPECT_TRUE(fs::exists(dir_ / "a.py"));
  EXPECT_FALSE(fs::exists(dir_ / "s.py"));
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 3);  // a.py b.py c.py
  EXPECT_FALSE(fs::exists(base_ / "archived_revisions/000_squashed/a.py"));
}

TEST_F(revisions_on_disk, InspectCommandExitStatus) {
  write("a.py", rev("a", "None"));
  std::ostringstream out, err;
  EXPECT_EQ(run_inspect(dir_.string(), false, out, err), kExitAccepted);
  EXPECT_NE(out.str().find("Alembic would accept this folder: 1 revision, 1 head."),
            std::string::npos);
  write("b.py", rev("b", "'zzz'"));
  std::ostringstream out2;
  EXPECT_EQ(run_inspect(dir_.string(), true, out2, err), kExitRefused);
  auto json = nlohmann::json::parse(out2.str());
  EXPECT_FALSE(json["accepted"].get<bool>());
  EXPECT_EQ(json["dangling"][0]["target"], "zzz");
}

// ---------------------------------------------------------------- alembic.ini

TEST(revisions_ini, ReadsWhatConfigparserReads) {
  auto ini = parse_ini(
      "# a comment\n"
      "[DEFAULT]\nroot = /srv\n\n"
      "[alembic]\n"
      "Script_Location = %(here)s/migrations\n"
      "; another comment\n"
      "version_locations =\n"
      "    %(root)s/a\n"
      "    # a comment inside the value is skipped\n"
      "    %(root)s/b ; not an inline comment\n"
      "sqlalchemy.url: postgresql://u@h/db?x=100%%\n"
      "\n[other]\nscript_location = x\n");
  ASSERT_EQ(ini.sections.count("alembic"), 1u);
  ini.sections["DEFAULT"]["here"] = "/ini";
  EXPECT_EQ(ini.get("alembic", "script_location"), "/ini/migrations");
  EXPECT_EQ(ini.get("alembic", "version_locations"), "\n/srv/a\n/srv/b ; not an inline comment");
  EXPECT_EQ(ini.get("alembic", "sqlalchemy.url"), "postgresql://u@h/db?x=100%");
  EXPECT_EQ(ini.get("other", "script_location"), "x");
  EXPECT_EQ(ini.get("other", "missing"), std::nullopt);
  EXPECT_EQ(ini.get("other", "root"), "/srv");  // from [DEFAULT]
}

TEST(revisions_ini, RefusesWhatConfigparserRefuses) {
  EXPECT_THROW(parse_ini("key = value\n"), std::runtime_error);  // before any section
  EXPECT_THROW(parse_ini("[a]\nk = 1\nK = 2\n"), std::runtime_error);
  EXPECT_THROW(parse_ini("[a]\n[a]\n"), std::runtime_error);
  EXPECT_THROW(parse_ini("[a]\njust words\n"), std::runtime_error);
  auto ini = parse_ini("[a]\nbad = 50%\nloop = %(loop)s\nunknown = %(nope)s\n");
  EXPECT_THROW(ini.get("a", "bad"), std::runtime_error);
  EXPECT_THROW(ini.get("a", "loop"), std::runtime_error);
  EXPECT_THROW(ini.get("a", "unknown"), std::runtime_error);
}

TEST(revisions_ini, SplitsVersionLocationsAsAlembic) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_version_locations("a, b c", std::nullopt), (V{"a", "b", "c"}));
  EXPECT_EQ(split_version_locations("a:b::c", "os"), (V{"a", "b", "c"}));
  EXPECT_EQ(split_version_locations("a b;c", ";"), (V{"a b", "c"}));
  EXPECT_EQ(split_version_locations("a  b", "space"), (V{"a", "b"}));
  EXPECT_EQ(split_version_locations("a dir\nb", "newline"), (V{"a dir", "b"}));
  EXPECT_THROW(split_version_locations("a", "comma"), std::runtime_error);
}

TEST(revisions_ini, AlembicConfig) {
  auto cfg = alembic_config_from(parse_ini("[alembic]\nscript_location = migrations\n"), "alembic",
                                 "/app");
  EXPECT_EQ(cfg.script_location, "/app/migrations");
  EXPECT_EQ(cfg.version_locations, std::vector<std::string>{"/app/migrations/versions"});
  EXPECT_FALSE(cfg.version_locations_given);
  EXPECT_FALSE(cfg.recursive);
  auto two = alembic_config_from(
      parse_ini("[alembic]\nscript_location = %(here)s/m/\nversion_path_separator = os\n"
                "version_locations = %(here)s/m/v1:/abs/v2/\nrecursive_version_locations = true\n"
                "[second]\nscript_location = /s\nrecursive_version_locations = True\n"),
      "alembic", "/app");
  EXPECT_EQ(two.script_location, "/app/m");
  EXPECT_EQ(two.version_locations, (std::vector<std::string>{"/app/m/v1", "/abs/v2"}));
  EXPECT_TRUE(two.recursive);
  auto second = alembic_config_from(parse_ini("[second]\nscript_location = /s\n"
                                              "recursive_version_locations = True\n"),
                                    "second", "/app");
  EXPECT_FALSE(second.recursive);  // Alembic compares with "true" exactly
  EXPECT_THROW(alembic_config_from(parse_ini("[x]\na = 1\n"), "alembic", "/app"),
               std::runtime_error);
  EXPECT_THROW(alembic_config_from(parse_ini("[alembic]\na = 1\n"), "alembic", "/app"),
               std::runtime_error);
  EXPECT_THROW(
      alembic_config_from(parse_ini("[alembic]\nscript_location = pkg:m\n"), "alembic", "/app"),
      std::runtime_error);
}

TEST_F(revisions_on_disk, TwoVersionLocationsSquashedFromTheIni) {
  // Two locations beside the fixture's versions/ folder, in base_ (script_location).
  write("../v1/a.py", rev("a", "None"));
  write("../v2/b.py", rev("b", "'a'"));
  write("../v1/c.py", rev("c", "'b'"));
  write("../v2/sub/d.py", rev("d", "'c'"));
  std::ofstream(base_ / "alembic.ini")
      << "[alembic]\nscript_location = %(here)s\nversion_path_separator = space\n"
         "version_locations = %(here)s/v1 %(here)s/v2\n";
  Source source;
  source.config = (base_ / "alembic.ini").string();
  auto folder = read_source(source);
  EXPECT_EQ(folder.dir, base_.string());
  EXPECT_EQ(folder.locations, (std::vector<std::string>{"v1", "v2"}));
  ASSERT_EQ(folder.loaded.size(), 3u);
  EXPECT_EQ(folder.loaded[1].name, "v1/c.py");
  ASSERT_EQ(folder.not_loaded.size(), 1u);  // not recursive: v2/sub/d.py is not loaded

  fs::path gen = base_ / "000_squashed.py";
  std::ofstream(gen) << kSquashed;
  SquashRequest request;
  request.config = source.config;
  request.generated_file = gen.string();
  request.upto = "b";
  std::ostringstream out, err;
  ASSERT_EQ(run_squash(request, false, out, err), kExitAccepted) << err.str();
  EXPECT_NE(out.str().find("moved v2/b.py -> archived_revisions/000_squashed/v2/b.py"),
            std::string::npos)
      << out.str();
  EXPECT_TRUE(fs::exists(base_ / "archived_revisions/000_squashed/v1/a.py"));
  EXPECT_TRUE(fs::exists(base_ / "v2/000_squashed.py"));  // beside b.py, the squashed head
  auto after = read_source(source);
  auto g = analyze(after.loaded, after.not_loaded);
  EXPECT_TRUE(g.accepted());
  EXPECT_EQ(ids(g, g.bases), std::vector<std::string>{"000_squashed"});

  // Recursive: subfolders load, and an archive inside a location is refused.
  std::ofstream(base_ / "alembic.ini", std::ios::app) << "recursive_version_locations = true\n";
  auto recursive = read_source(source);
  EXPECT_EQ(recursive.loaded.size(), 3u);  // 000_squashed c d
  EXPECT_TRUE(recursive.not_loaded.empty());
  request.upto = std::nullopt;
  request.archive_dir = (base_ / "v1/old").string();
  std::ofstream(gen) << rev("001_squashed", "None");
  std::ostringstream out2, err2;
  EXPECT_EQ(run_squash(request, false, out2, err2), kExitRefused);
  EXPECT_NE(err2.str().find("is inside the version location " + (base_ / "v1").string()),
            std::string::npos)
      << err2.str();
}

}  // namespace
}  // namespace squash::revisions
