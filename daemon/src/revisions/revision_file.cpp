#include "revisions/revision_file.hpp"

#include <optional>

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

}  // namespace

RevisionFile parse_revision_file(std::string name, std::string text) {
  RevisionFile file;
  file.name = std::move(name);
  file.text = std::move(text);
  auto lexed = tokenize(file.text);
  file.lex_error = lexed.error;
  file.lex_error_line = lexed.error_line;
  const auto& tokens = lexed.tokens;
  bool first_statement = true;
  std::size_t i = 0;
  while (i < tokens.size()) {
    std::size_t end = i;
    while (end < tokens.size() && tokens[end].kind != TokenKind::Newline) ++end;
    if (end > i) {
      const Token& head = tokens[i];
      if (first_statement) {
        bool all_strings = true;
        for (std::size_t k = i; k < end; ++k) all_strings &= tokens[k].kind == TokenKind::String;
        if (all_strings && !head.bytes && !head.fstring) {
          std::string doc;
          for (std::size_t k = i; k < end; ++k) doc += tokens[k].text;
          file.message = first_line(doc);
        }
        first_statement = false;
      }
      // Targets: NAME = [NAME = ...] VALUE, or NAME: ANNOTATION = VALUE.
      std::vector<Field*> targets;
      std::size_t value_start = 0;
      auto is_assign = [&](std::size_t k) {
        return k + 1 < end && tokens[k].kind == TokenKind::Name &&
               tokens[k + 1].kind == TokenKind::Op && tokens[k + 1].text == "=";
      };
      if (head.kind == TokenKind::Name && head.indent == 0 && is_assign(i)) {
        std::size_t k = i;
        while (is_assign(k)) {
          targets.push_back(field_for(file, tokens[k].text));
          k += 2;
        }
        value_start = k;
      }
      Field* target = head.kind == TokenKind::Name && head.indent == 0 && end > i + 1
                          ? field_for(file, head.text)
                          : nullptr;
      if (!targets.empty()) {
        Field f = ValueParser(tokens, value_start, end).parse();
        f.line = head.line;
        for (Field* t : targets)
          if (t) *t = f;
      } else if (target) {
        const Token& next = tokens[i + 1];
        if (next.kind == TokenKind::Op && next.text == ":") {
          // An annotation runs up to the first '=' outside brackets.
          int depth = 0;
          for (std::size_t k = i + 2; k < end; ++k) {
            const auto& t = tokens[k];
            if (t.kind != TokenKind::Op) continue;
            if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
            if (t.text == ")" || t.text == "]" || t.text == "}") --depth;
            if (t.text == "=" && depth == 0) {
              value_start = k + 1;
              break;
            }
          }
          // A bare annotation (`revision: str`) assigns nothing.
        }
        if (value_start != 0) {
          Field f = ValueParser(tokens, value_start, end).parse();
          f.line = head.line;
          *target = std::move(f);
        }
      }
    }
    i = end + 1;
  }
  return file;
}

}  // namespace squash::revisions
