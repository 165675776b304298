// One Alembic revision file as text: the module-level assignments Alembic reads
// (revision, down_revision, branch_labels, depends_on), where each literal sits in the
// text (so it can be rewritten in place), and the docstring's first line.
//
// The one form read, at module level, unconditional and alone on its logical line:
//   NAME = VALUE        NAME = OTHER = VALUE        NAME: ANNOTATION = VALUE
// where ANNOTATION is anything up to the '=' (str, Union[str, None], Sequence[str] | None,
// ...) and VALUE is None, a string literal (adjacent literals concatenate), a tuple
// ("a", "b"), ("a",), a bare tuple "a", "b", a list ["a", "b"], or a parenthesized one of
// these; multi-line, trailing commas and comments allowed. Anything else (a name, a call,
// an f-string, bytes, arithmetic) makes the field "unsupported": we do not guess.
//
// What Python might bind differently is refused too (the field is unsupported, with the
// line and why), so the reader never disagrees with Alembic silently:
// - a logical line of several statements (';') that mentions the name: after a one-line
//   `if x: pass;` the rest of the line belongs to the if;
// - a binding under if/elif/else/for/while/try/except/finally/with/def/class/match, in a
//   block or a one-line compound statement;
// - any other binding: augmented (+=), tuple, list, attribute or subscript targets,
//   ':=', for targets, `as`, imports, def/class names, del, global, case patterns;
// - the name assigned twice (Python keeps the last);
// - code that can rebind module names while the module runs: calls of globals, locals,
//   vars, exec, eval, setattr, delattr, any __dict__, `from m import *`, and f-strings
//   holding ':=' or such calls. This part is best effort: code reached through another
//   module (a call that edits sys.modules) is not seen.
// Indentation Python cannot compile (a block without a body, an unexpected indent) is
// reported as lex_error, like a file that does not tokenize.
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
