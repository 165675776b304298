// One Alembic revision file as text: the module-level assignments Alembic reads
// (revision, down_revision, branch_labels, depends_on), where each literal sits in the
// text (so it can be rewritten in place), and the docstring's first line.
//
// Accepted forms (the last module-level assignment wins, as when Python runs the file):
//   NAME = VALUE                      NAME: ANNOTATION = VALUE
// where ANNOTATION is anything up to the '=' (str, Union[str, None], Sequence[str] | None,
// ...) and VALUE is None, a string literal (adjacent literals concatenate), a tuple
// ("a", "b"), ("a",), a bare tuple "a", "b", a list ["a", "b"], or a parenthesized one of
// these; multi-line, trailing commas and comments allowed. Anything else (a name, a call,
// an f-string, bytes, arithmetic) makes the field "unsupported": we do not guess.
// Assignments inside blocks (indented) are not module level and are ignored.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace squash::revisions {

// A string literal in the file (concatenated pieces count as one).
struct Literal {
  std::string value;
  std::size_t begin = 0;  // byte range of the literal in the file text
  std::size_t end = 0;
  int line = 0;
  std::string prefix;  // of the first piece
  char quote = '"';
};

enum class Shape { Absent, None, String, Sequence, Unsupported };

struct Field {
  Shape shape = Shape::Absent;
  std::vector<Literal> items;  // String: one; Sequence: its elements
  std::string error;           // Unsupported: why
  int line = 0;                // the assignment's line

  bool present() const { return shape != Shape::Absent; }
  // The identifiers Alembic reads (util.to_tuple): None, "" and () give none.
  std::vector<std::string> values() const;
};

struct RevisionFile {
  std::string name;  // relative to the versions folder: "a.py", "sub/b.py"
  std::string text;
  std::string sha256;  // of the file's bytes, lowercase hex
  std::string lex_error;
  int lex_error_line = 0;
  Field revision, down_revision, branch_labels, depends_on;
  std::string message;  // the docstring's first non-empty line, if any

  bool is_revision() const { return revision.present(); }
  // The revision id, when `revision` is one usable string literal.
  const std::string* id() const {
    return revision.shape == Shape::String ? &revision.items.front().value : nullptr;
  }
};

RevisionFile parse_revision_file(std::string name, std::string text);

}  // namespace squash::revisions
