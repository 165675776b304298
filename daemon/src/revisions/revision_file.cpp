#include "revisions/revision_file.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "revisions/python_lexer.hpp"

namespace squash::revisions {

std::vector<std::string> Field::values() const {
  std::vector<std::string> out;
  if (shape == Shape::String) {
    if (!items.front().value.empty()) out.push_back(items.front().value);
  } else if (shape == Shape::Sequence) {
    for (const auto& item : items) out.push_back(item.value);
  }
  return out;
}

namespace {

// Parses one VALUE (see the header) from tokens [pos, end).
class ValueParser {
 public:
  ValueParser(const std::vector<Token>& tokens, std::size_t pos, std::size_t end)
      : t_(tokens), pos_(pos), end_(end) {}

  Field parse() {
    Field f;
    if (pos_ >= end_) return unsupported("no value after '='");
    auto first = atom();
    if (!first) return unsupported(error_);
    if (pos_ == end_) return to_field(*first);
    // A bare tuple: a, b, c
    std::vector<Literal> items;
    if (!add_element(items, *first)) return unsupported(error_);
    while (pos_ < end_) {
      if (!is_op(",")) return unsupported(unexpected());
      ++pos_;
      if (pos_ == end_) break;  // trailing comma
      auto next = atom();
      if (!next || !add_element(items, *next)) return unsupported(error_);
    }
    f.shape = Shape::Sequence;
    f.items = std::move(items);
    return f;
  }

 private:
  struct Atom {
    Shape shape = Shape::None;
    std::vector<Literal> items;
  };

  bool is_op(std::string_view op) const {
    return pos_ < end_ && t_[pos_].kind == TokenKind::Op && t_[pos_].text == op;
  }

  std::string unexpected() const {
    if (pos_ >= end_) return "unexpected end of the value";
    const auto& tok = t_[pos_];
    return fmt::format("not a literal at line {}: '{}'", tok.line,
                       tok.kind == TokenKind::String ? "string" : tok.text);
  }

  Field unsupported(std::string why) const {
    Field f;
    f.shape = Shape::Unsupported;
    f.error = std::move(why);
    return f;
  }

  static Field to_field(Atom a) {
    Field f;
    f.shape = a.shape;
    f.items = std::move(a.items);
    return f;
  }

  bool add_element(std::vector<Literal>& items, const Atom& a) {
    if (a.shape != Shape::String) {
      error_ = a.shape == Shape::None ? "None inside a tuple or list" : "a nested tuple or list";
      return false;
    }
    items.push_back(a.items.front());
    return true;
  }

  // None | STRING+ | ( ... ) | [ ... ]
  std::optional<Atom> atom() {
    if (pos_ >= end_) {
      error_ = unexpected();
      return std::nullopt;
    }
    const Token& tok = t_[pos_];
    std::optional<Atom> result;
    if (tok.kind == TokenKind::Name && tok.text == "None") {
      ++pos_;
      result = Atom{};
    } else if (tok.kind == TokenKind::String) {
      result = strings();
    } else if (tok.kind == TokenKind::Op && (tok.text == "(" || tok.text == "[")) {
      result = bracketed(tok.text == "(" ? ")" : "]");
    } else {
      error_ = unexpected();
      return std::nullopt;
    }
    if (!result) return std::nullopt;
    // What may follow an atom: a comma, a closing bracket, or the end.
    if (pos_ < end_ && !is_op(",") && !is_op(")") && !is_op("]")) {
      error_ = unexpected();
      return std::nullopt;
    }
    return result;
  }

  std::optional<Atom> strings() {
    Literal lit;
    const Token& first = t_[pos_];
    lit.begin = first.begin;
    lit.line = first.line;
    lit.prefix = first.prefix;
    lit.quote = first.quote;
    while (pos_ < end_ && t_[pos_].kind == TokenKind::String) {
      const Token& s = t_[pos_];
      if (s.fstring) {
        error_ = fmt::format("an f-string at line {} is not a constant", s.line);
        return std::nullopt;
      }
      if (s.bytes) {
        error_ = fmt::format("a bytes literal at line {}: Alembic needs str", s.line);
        return std::nullopt;
      }
      if (!s.decoded) {
        error_ = fmt::format("a \\N{{...}} escape at line {} is not supported", s.line);
        return std::nullopt;
      }
      lit.value += s.text;
      lit.end = s.end;
      ++pos_;
    }
    Atom a;
    a.shape = Shape::String;
    a.items.push_back(std::move(lit));
    return a;
  }

  std::optional<Atom> bracketed(std::string_view close) {
    bool paren = close == ")";
    ++pos_;  // the opening bracket
    std::vector<Atom> elements;
    bool comma = false;
    while (!is_op(close)) {
      auto a = atom();
      if (!a) return std::nullopt;
      elements.push_back(std::move(*a));
      if (is_op(",")) {
        comma = true;
        ++pos_;
      } else if (!is_op(close)) {
        error_ = unexpected();
        return std::nullopt;
      }
    }
    ++pos_;  // the closing bracket
    if (paren && elements.size() == 1 && !comma) return std::move(elements.front());
    Atom seq;
    seq.shape = Shape::Sequence;
    for (const auto& e : elements) {
      if (!add_element(seq.items, e)) return std::nullopt;
    }
    return seq;
  }

  const std::vector<Token>& t_;
  std::size_t pos_, end_;
  std::string error_;
};

Field* field_for(RevisionFile& file, const std::string& name) {
  if (name == "revision") return &file.revision;
  if (name == "down_revision") return &file.down_revision;
  if (name == "branch_labels") return &file.branch_labels;
  if (name == "depends_on") return &file.depends_on;
  return nullptr;
}

std::string first_line(const std::string& doc) {
  std::size_t start = 0;
  while (start <= doc.size()) {
    auto nl = doc.find('\n', start);
    std::string line = doc.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    auto b = line.find_first_not_of(" \t\r");
    if (b != std::string::npos) {
      auto e = line.find_last_not_of(" \t\r");
      return line.substr(b, e - b + 1);
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return "";
}

constexpr std::string_view kFieldNames[] = {"revision", "down_revision", "branch_labels",
                                            "depends_on"};

// Names through which code can rebind module globals while the module runs.
constexpr std::string_view kDynamicNames[] = {"globals", "locals",  "vars",    "exec",
                                              "eval",    "setattr", "delattr", "__dict__"};

constexpr std::string_view kCompoundKeywords[] = {"if",    "elif", "else",   "for",
                                                  "while", "try",  "except", "finally",
                                                  "with",  "def",  "class",  "async"};

constexpr std::string_view kAugmented[] = {
    "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^=", ">>=", "<<="};

template <std::size_t N>
bool one_of(std::string_view s, const std::string_view (&set)[N]) {
  for (auto x : set)
    if (s == x) return true;
  return false;
}

bool is_op(const Token& t, std::string_view op) {
  return t.kind == TokenKind::Op && t.text == op;
}

// +1 for an opening bracket, -1 for a closing one.
int depth_change(const Token& t) {
  if (t.kind != TokenKind::Op || t.text.size() != 1) return 0;
  if (t.text == "(" || t.text == "[" || t.text == "{") return 1;
  if (t.text == ")" || t.text == "]" || t.text == "}") return -1;
  return 0;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// A call of one of kDynamicNames (or __dict__) inside an f-string's text.
std::optional<std::string_view> dynamic_in(std::string_view text) {
  for (std::string_view n : kDynamicNames)
    for (auto at = text.find(n); at != std::string_view::npos; at = text.find(n, at + 1)) {
      auto after = text.find_first_not_of(" \t", at + n.size());
      if ((at == 0 || !is_word_char(text[at - 1])) && after != std::string_view::npos &&
          (n == "__dict__" ? !is_word_char(text[after]) : text[after] == '('))
        return n;
    }
  return std::nullopt;
}

// Reads the module-level assignments, refusing (field Unsupported, with the line and why)
// every binding of a field name that is not one plain top-level assignment of a literal.
class Reader {
 public:
  Reader(RevisionFile& file, const std::vector<Token>& tokens) : file_(file), t_(tokens) {}

  void run() {
    bool first_statement = true;
    std::size_t i = 0;
    while (i < t_.size()) {
      // One logical line: statements up to a Newline that is not a ';'.
      std::size_t line_end = i;
      int statements = 0;
      for (; line_end < t_.size(); ++line_end) {
        if (t_[line_end].kind != TokenKind::Newline) continue;
        ++statements;
        if (!t_[line_end].semicolon) break;
      }
      for (std::size_t b = i; b < line_end;) {
        std::size_t e = b;
        while (e < t_.size() && t_[e].kind != TokenKind::Newline) ++e;
        if (e > b) {
          if (first_statement) docstring(b, e);
          first_statement = false;
          statement(b, e, statements > 1 ? &t_[i] : nullptr);
        }
        b = e + 1;
      }
      i = line_end + 1;
    }
    if (open_header_)
      syntax_error(open_header_->line,
                   fmt::format("expected an indented block after the `{}`", open_header_->keyword));
  }

 private:
  void docstring(std::size_t b, std::size_t e) {
    bool all_strings = true;
    for (std::size_t k = b; k < e; ++k) all_strings &= t_[k].kind == TokenKind::String;
    if (!all_strings || t_[b].bytes || t_[b].fstring) return;
    std::string doc;
    for (std::size_t k = b; k < e; ++k) doc += t_[k].text;
    file_.message = first_line(doc);
  }

  // What Python would refuse to compile (the lexer does not see indentation errors).
  void syntax_error(int line, std::string message) {
    if (!file_.lex_error.empty()) return;
    file_.lex_error = std::move(message);
    file_.lex_error_line = line;
  }

  // Marks a field unreadable; the first reason stays.
  void refuse(Field* f, int line, std::string why) {
    if (!f || f->shape == Shape::Unsupported) return;
    f->shape = Shape::Unsupported;
    f->items.clear();
    f->error = std::move(why);
    f->line = line;
  }
  void refuse_all(int line, const std::string& why) {
    for (auto name : kFieldNames) refuse(field_for(file_, std::string(name)), line, why);
  }

  // Where the statement runs, when that is not unconditionally at module level; sets
  // enclosing_ to the keyword of the block it is in.
  std::string context(std::size_t b, std::size_t e) {
    const Token& head = t_[b];
    if (open_header_ && head.indent <= open_header_->indent)
      syntax_error(head.line, fmt::format("expected an indented block after the `{}` at line {}",
                                          open_header_->keyword, open_header_->line));
    open_header_.reset();
    while (!blocks_.empty() && blocks_.back().indent >= head.indent) blocks_.pop_back();
    if (head.indent > 0 && blocks_.empty()) syntax_error(head.line, "unexpected indent");
    enclosing_ = head.indent > 0 && !blocks_.empty() ? blocks_.back().keyword : "";
    bool header = is_op(t_[e - 1], ":");
    std::string where;
    if (head.indent > 0)
      where = blocks_.empty() ? std::string("in an indented statement")
                              : fmt::format("inside the `{}` block at line {}",
                                            blocks_.back().keyword, blocks_.back().line);
    else if (head.kind == TokenKind::Name && one_of(head.text, kCompoundKeywords))
      where =
          fmt::format("in {} `{}` statement", header ? "the header of a" : "a one-line", head.text);
    if (header) {
      blocks_.push_back({head.indent, head.text, head.line});
      open_header_ = blocks_.back();
    }
    return where;
  }

  // line_head: the first token of the logical line when it holds several statements.
  void statement(std::size_t b, std::size_t e, const Token* line_head) {
    const Token& head = t_[b];
    std::string where = context(b, e);
    bool several = line_head != nullptr;

    // Code that can rebind module names at run time: nothing in the file can be trusted.
    for (std::size_t k = b; k < e; ++k) {
      const Token& tok = t_[k];
      std::optional<std::string_view> dynamic;
      if (tok.kind == TokenKind::Name && one_of(tok.text, kDynamicNames) &&
          (tok.text == "__dict__" || (k + 1 < e && is_op(t_[k + 1], "("))))
        dynamic = tok.text;
      else if (tok.kind == TokenKind::String && tok.fstring)
        dynamic = dynamic_in(tok.text);
      if (dynamic)
        refuse_all(tok.line, fmt::format("`{}` can change it while the module runs; files that "
                                         "use it are not read",
                                         *dynamic));
      if (tok.kind == TokenKind::String && tok.fstring && tok.text.find(":=") != std::string::npos)
        refuse_all(tok.line,
                   "an f-string holds an assignment expression (:=), which can change it");
      if (is_op(tok, "*") && head.kind == TokenKind::Name && head.text == "from" && k > b &&
          t_[k - 1].kind == TokenKind::Name && t_[k - 1].text == "import")
        refuse_all(tok.line, "`from ... import *` can bind it");
    }

    // The one form read: NAME [= NAME]... = VALUE or NAME: ANNOTATION = VALUE, at module
    // level, alone on its line, VALUE without a further '='.
    std::size_t body = b;
    if (head.kind == TokenKind::Name && one_of(head.text, kCompoundKeywords))
      body = after_header_colon(b, e);
    std::vector<std::size_t> eqs;  // depth-0 '=' in the body
    int depth = 0;
    for (std::size_t k = body; k < e; ++k) {
      depth += depth_change(t_[k]);
      if (depth == 0 && is_op(t_[k], "=")) eqs.push_back(k);
    }
    bool annotated = body + 1 < e && t_[body].kind == TokenKind::Name && is_op(t_[body + 1], ":");
    std::vector<std::size_t> plain_targets;  // token indices
    std::size_t value_start = 0;
    if (!eqs.empty()) {
      if (annotated) {
        if (eqs.size() == 1) plain_targets.push_back(body);
      } else {
        std::size_t k = body;
        for (std::size_t q : eqs) {
          if (q != k + 1 || t_[k].kind != TokenKind::Name) {
            plain_targets.clear();
            break;
          }
          plain_targets.push_back(k);
          k = q + 1;
        }
      }
      value_start = eqs.back() + 1;
    }
    bool readable = where.empty() && !several && !plain_targets.empty();

    // Every binding of a field name that is not a plain target of a readable statement.
    std::vector<int> for_depths;  // depths of `for` waiting for their `in`
    depth = 0;
    for (std::size_t k = b; k < e; ++k) {
      const Token& tok = t_[k];
      depth += depth_change(tok);
      if (tok.kind != TokenKind::Name) continue;
      if (tok.text == "for") for_depths.push_back(depth);
      if (tok.text == "in" && !for_depths.empty() && for_depths.back() == depth)
        for_depths.pop_back();
      Field* field = field_for(file_, tok.text);
      if (!field) continue;
      if (several) {
        bool compound =
            line_head->kind == TokenKind::Name && one_of(line_head->text, kCompoundKeywords);
        refuse(field, tok.line,
               compound ? fmt::format("it shares its line with a one-line `{}` statement (';'), "
                                      "so it runs only when that statement's body does",
                                      line_head->text)
                        : std::string("several statements share its line (';'); write its "
                                      "assignment on a line of its own"));
        continue;
      }
      bool plain = std::find(plain_targets.begin(), plain_targets.end(), k) != plain_targets.end();
      std::string how = binding(b, e, k, body, eqs, annotated, !for_depths.empty());
      if (how.empty() || (readable && plain)) continue;
      refuse(field, tok.line,
             fmt::format("{}{}; only a top-level `{} = <literal>` on a line of its own is read",
                         how, where.empty() ? "" : " " + where, tok.text));
    }
    if (!readable) return;

    Field value = ValueParser(t_, value_start, e).parse();
    value.line = head.line;
    for (std::size_t k : plain_targets) {
      Field* field = field_for(file_, t_[k].text);
      if (!field || field->shape == Shape::Unsupported) continue;
      if (field->present()) {
        refuse(field, head.line,
               fmt::format("assigned twice (lines {} and {}); Python keeps the last: keep one",
                           field->line, head.line));
        continue;
      }
      *field = value;
    }
  }

  // How the name at k is bound by the statement [b, e), or "" when it is only read.
  std::string binding(std::size_t b, std::size_t e, std::size_t k, std::size_t body,
                      const std::vector<std::size_t>& eqs, bool annotated, bool in_for) const {
    const Token& head = t_[b];
    const Token* prev = k > b ? &t_[k - 1] : nullptr;
    const Token* next = k + 1 < e ? &t_[k + 1] : nullptr;
    if (next && is_op(*next, ":=")) return "assigned with ':='";
    if (next && next->kind == TokenKind::Op && one_of(next->text, kAugmented))
      return fmt::format("changed with '{}'", next->text);
    if (prev && prev->kind == TokenKind::Name && prev->text == "as") return "bound by 'as'";
    if (prev && prev->kind == TokenKind::Name && (prev->text == "def" || prev->text == "class"))
      return fmt::format("defined by '{}'", prev->text);
    if (in_for) return "a for-loop target";
    if (head.kind == TokenKind::Name) {
      if (head.text == "import" || head.text == "from") {
        for (std::size_t j = b; j < k; ++j)
          if (t_[j].kind == TokenKind::Name && t_[j].text == "import") return "bound by an import";
      }
      if (head.text == "del") return "deleted with 'del'";
      if (head.text == "global" || head.text == "nonlocal")
        return fmt::format("declared '{}'", head.text);
      if (head.text == "case" && enclosing_ == "match")
        return "named in a `case` pattern (which can bind it)";
    }
    if (!eqs.empty() && k >= body && k < eqs.back()) {
      if (annotated) return k == body ? "assigned" : "";
      if (prev && is_op(*prev, ".")) return "assigned as an attribute";
      bool alone = (k == body || is_op(t_[k - 1], "=")) && is_op(t_[k + 1], "=");
      return alone ? "assigned" : "assigned as part of a tuple, list or subscript target";
    }
    return "";
  }

  // The first token after a compound statement's header colon (e when there is none).
  std::size_t after_header_colon(std::size_t b, std::size_t e) const {
    int depth = 0;
    for (std::size_t k = b; k < e; ++k) {
      depth += depth_change(t_[k]);
      if (depth == 0 && is_op(t_[k], ":")) return k + 1;
    }
    return e;
  }

  struct Block {
    int indent;
    std::string keyword;
    int line;
  };

  RevisionFile& file_;
  const std::vector<Token>& t_;
  std::vector<Block> blocks_;
  std::optional<Block> open_header_;  // the last statement opened a block
  std::string enclosing_;
};

}  // namespace

RevisionFile parse_revision_file(std::string name, std::string text) {
  RevisionFile file;
  file.name = std::move(name);
  file.text = std::move(text);
  auto lexed = tokenize(file.text);
  file.lex_error = lexed.error;
  file.lex_error_line = lexed.error_line;
  Reader(file, lexed.tokens).run();
  return file;
}

}  // namespace squash::revisions
