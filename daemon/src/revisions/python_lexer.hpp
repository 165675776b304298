// A small tokenizer for the subset of Python that Alembic revision files use for their
// identifiers: string literals (any quoting, r/u/b prefixes, escapes), names, numbers,
// brackets, commas, operators, comments and logical lines. It does not evaluate
// anything; revision_file.cpp reads the module-level assignments from the tokens.
//
// What it knows about Python's lexical rules:
// - a logical line ends at a newline outside brackets and not after a backslash
//   continuation; a ';' at bracket depth 0 also ends a statement (same indentation);
// - the indentation of a logical line is the column of its first token (tabs count as
//   one column: only "zero or not" matters here);
// - comments run from '#' to the end of the line, outside strings;
// - string literals: '...', "...", '''...''', """...""", with prefixes r, u, b, f and
//   their combinations (rb, br, fr, rf, any case). Escapes are decoded (\n, \t, \\, \',
//   \", \xhh, \ooo, \uXXXX, \UXXXXXXXX, backslash-newline); an unknown escape keeps the
//   backslash, as Python does. Raw strings keep everything. \N{name} cannot be decoded
//   without Unicode's name table: such a literal is marked !decoded.
// - f-strings are tokenized but marked, since their value is not a constant.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace squash::revisions {

enum class TokenKind { Name, String, Number, Op, Newline };

struct Token {
  TokenKind kind = TokenKind::Op;
  // Name/Number/Op: the source text. String: the decoded value (UTF-8).
  std::string text;
  std::size_t begin = 0;  // byte offset of the token (a string: its prefix) in the source
  std::size_t end = 0;    // one past its last byte (a string: past the closing quote)
  int line = 0;           // 1-based line of `begin`
  int indent = 0;         // indentation of the token's logical line (0: module level)
  // Newline only: the statement ended at a ';' and another follows on its logical line.
  bool semicolon = false;
  // Strings only.
  std::string prefix;  // as written, e.g. "r", "Rb", ""
  char quote = '"';    // ' or "
  bool triple = false;
  bool bytes = false;    // b"..."
  bool fstring = false;  // f"...": not a constant
  bool decoded = true;   // false: an escape (\N{...}) could not be decoded
};

struct LexResult {
  std::vector<Token> tokens;  // always ends with a Newline token when non-empty
  std::string error;          // empty when the whole source was tokenized
  int error_line = 0;
};

LexResult tokenize(std::string_view source);

// A string literal that Python reads as `value`, written with the given quote and a
// prefix reduced to what is still valid (r is dropped when the value needs escapes).
std::string python_string_literal(std::string_view value, char quote = '"',
                                  std::string_view prefix = "");

}  // namespace squash::revisions
