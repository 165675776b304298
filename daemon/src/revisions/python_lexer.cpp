#include "revisions/python_lexer.hpp"

#include <cctype>
#include <cstdint>

#include <fmt/format.h>

namespace squash::revisions {
namespace {

bool is_name_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool is_name_char(unsigned char c) {
  return is_name_start(c) || std::isdigit(c);
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A valid string prefix (case-insensitive): r u b f br rb fr rf.
bool is_string_prefix(std::string_view name) {
  if (name.empty() || name.size() > 2) return false;
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "r" || lower == "u" || lower == "b" || lower == "f" || lower == "br" ||
         lower == "rb" || lower == "fr" || lower == "rf";
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  LexResult run() {
    LexResult result;
    try {
      scan();
    } catch (const LexError& e) {
      result.error = e.message;
      result.error_line = e.line;
    }
    end_statement();
    result.tokens = std::move(tokens_);
    return result;
  }

 private:
  struct LexError {
    std::string message;
    int line;
  };

  [[noreturn]] void fail(std::string message) { throw LexError{std::move(message), line_}; }

  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  bool at_end() const { return pos_ >= src_.size(); }

  void end_statement(bool semicolon = false) {
    if (!tokens_.empty() && tokens_.back().kind == TokenKind::Newline && !semicolon)
      tokens_.back().semicolon = false;  // a trailing ';' ends the logical line too
    if (!tokens_.empty() && tokens_.back().kind != TokenKind::Newline) {
      Token t;
      t.kind = TokenKind::Newline;
      t.begin = t.end = pos_;
      t.line = line_;
      t.indent = indent_;
      t.semicolon = semicolon;
      tokens_.push_back(t);
    }
  }

  // At the start of a physical line outside brackets: measure the indentation.
  void begin_physical_line() {
    int column = 0;
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\f')) {
      ++column;
      ++pos_;
    }
    indent_ = column;
  }

  void newline() {
    if (peek() == '\r' && peek(1) == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  void scan() {
    begin_physical_line();
    while (!at_end()) {
      char c = peek();
      if (c == '\n' || c == '\r') {
        newline();
        if (depth_ == 0) {
          end_statement();
          begin_physical_line();
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\f') {
        ++pos_;
        continue;
      }
      if (c == '#') {
        while (!at_end() && peek() != '\n' && peek() != '\r') ++pos_;
        continue;
      }
      if (c == '\\') {
        if (peek(1) == '\n' || peek(1) == '\r') {
          ++pos_;
          newline();  // a continuation: the logical line goes on
          continue;
        }
        fail("unexpected character after line continuation character");
      }
      if (c == '"' || c == '\'') {
        read_string(pos_, "");
        continue;
      }
      auto uc = static_cast<unsigned char>(c);
      if (is_name_start(uc)) {
        std::size_t start = pos_;
        while (!at_end() && is_name_char(static_cast<unsigned char>(peek()))) ++pos_;
        std::string_view name = src_.substr(start, pos_ - start);
        if ((peek() == '"' || peek() == '\'') && is_string_prefix(name)) {
          read_string(start, std::string(name));
          continue;
        }
        push(TokenKind::Name, std::string(name), start);
        continue;
      }
      if (std::isdigit(uc) || (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
        std::size_t start = pos_;
        while (!at_end() && (is_name_char(static_cast<unsigned char>(peek())) || peek() == '.'))
          ++pos_;
        push(TokenKind::Number, std::string(src_.substr(start, pos_ - start)), start);
        continue;
      }
      std::size_t start = pos_;
      if (c == '(' || c == '[' || c == '{') {
        ++depth_;
      } else if (c == ')' || c == ']' || c == '}') {
        if (depth_ > 0) --depth_;
      } else if (c == ';' && depth_ == 0) {
        ++pos_;
        end_statement(true);
        continue;
      }
      ++pos_;
      // Two-character operators ending in '=' (==, !=, <=, >=, :=, +=, ...), so that a
      // lone '=' is always an assignment.
      static constexpr std::string_view kBeforeEquals = "=!<>:+-*/%&|^@";
      if (kBeforeEquals.find(c) != std::string_view::npos && peek() == '=')
        ++pos_;
      else if ((c == '*' || c == '/' || c == '<' || c == '>') && peek() == c) {
        ++pos_;
        if (peek() == '=') ++pos_;
      } else if (c == '-' && peek() == '>') {
        ++pos_;
      }
      push(TokenKind::Op, std::string(src_.substr(start, pos_ - start)), start);
    }
  }

  void push(TokenKind kind, std::string text, std::size_t start) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.begin = start;
    t.end = pos_;
    t.line = line_;
    t.indent = indent_;
    tokens_.push_back(std::move(t));
  }

  void read_string(std::size_t start, std::string prefix) {
    int start_line = line_;
    bool raw = false, bytes = false, fstring = false;
    for (char p : prefix) {
      char l = static_cast<char>(std::tolower(static_cast<unsigned char>(p)));
      raw |= l == 'r';
      bytes |= l == 'b';
      fstring |= l == 'f';
    }
    char quote = peek();
    bool triple = peek(1) == quote && peek(2) == quote;
    pos_ += triple ? 3 : 1;
    std::string value;
    bool decoded = true;
    for (;;) {
      if (at_end()) fail(triple ? "unterminated triple-quoted string" : "unterminated string");
      char c = peek();
      if (c == quote && (!triple || (peek(1) == quote && peek(2) == quote))) {
        pos_ += triple ? 3 : 1;
        break;
      }
      if (c == '\n' || c == '\r') {
        if (!triple) fail("unterminated string (end of line)");
        newline();
        value += '\n';  // Python reads \r\n inside a literal as \n
        continue;
      }
      if (c != '\\') {
        value += c;
        ++pos_;
        continue;
      }
      // A backslash.
      if (pos_ + 1 >= src_.size()) fail("unterminated string");
      char n = peek(1);
      if (raw) {
        value += c;
        ++pos_;
        if (n == '\n' || n == '\r') {
          newline();
          value += '\n';
        } else {
          value += n;
          ++pos_;
        }
        continue;
      }
      pos_ += 2;
      switch (n) {
        case '\n':
          ++line_;
          break;
        case '\r':
          if (peek() == '\n') ++pos_;
          ++line_;
          break;
        case '\\':
          value += '\\';
          break;
        case '\'':
          value += '\'';
          break;
        case '"':
          value += '"';
          break;
        case 'a':
          value += '\a';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'v':
          value += '\v';
          break;
        case 'x': {
          int h1 = hex_value(peek()), h2 = hex_value(peek(1));
          if (h1 < 0 || h2 < 0) fail("truncated \\xXX escape");
          pos_ += 2;
          append_code(value, static_cast<std::uint32_t>(h1 * 16 + h2), bytes);
          break;
        }
        case 'u':
        case 'U': {
          if (bytes) {  // not an escape in bytes
            value += '\\';
            value += n;
            break;
          }
          int digits = n == 'u' ? 4 : 8;
          std::uint32_t cp = 0;
          for (int i = 0; i < digits; ++i) {
            int h = hex_value(peek());
            if (h < 0) fail(fmt::format("truncated \\{}{} escape", n, std::string(digits, 'X')));
            cp = cp * 16 + static_cast<std::uint32_t>(h);
            ++pos_;
          }
          if (cp > 0x10FFFF) fail("illegal Unicode character in \\U escape");
          append_utf8(value, cp);
          break;
        }
        case 'N': {
          if (bytes) {
            value += "\\N";
            break;
          }
          // \N{NAME}: kept as written, and the literal marked undecoded.
          value += "\\N";
          while (!at_end() && peek() != '}' && peek() != quote && peek() != '\n')
            value += src_[pos_++];
          if (peek() == '}') value += src_[pos_++];
          decoded = false;
          break;
        }
        default:
          if (is_octal(n)) {
            std::uint32_t v = static_cast<std::uint32_t>(n - '0');
            for (int i = 0; i < 2 && is_octal(peek()); ++i)
              v = v * 8 + static_cast<std::uint32_t>(src_[pos_++] - '0');
            append_code(value, bytes ? (v & 0xFF) : v, bytes);
          } else {
            value += '\\';  // unknown escape: Python keeps the backslash
            value += n;
          }
      }
    }
    Token t;
    t.kind = TokenKind::String;
    t.text = std::move(value);
    t.begin = start;
    t.end = pos_;
    t.line = start_line;
    t.indent = indent_;
    t.prefix = std::move(prefix);
    t.quote = quote;
    t.triple = triple;
    t.bytes = bytes;
    t.fstring = fstring;
    t.decoded = decoded;
    tokens_.push_back(std::move(t));
  }

  static void append_code(std::string& out, std::uint32_t cp, bool bytes) {
    if (bytes)
      out += static_cast<char>(cp);
    else
      append_utf8(out, cp);
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int depth_ = 0;
  int indent_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

LexResult tokenize(std::string_view source) {
  return Lexer(source).run();
}

std::string python_string_literal(std::string_view value, char quote, std::string_view prefix) {
  bool needs_escape = false;
  for (char c : value) {
    auto uc = static_cast<unsigned char>(c);
    if (c == quote || c == '\\' || uc < 0x20 || uc == 0x7F) needs_escape = true;
  }
  std::string kept;
  for (char p : prefix) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(p)));
    if (l == 'r' && needs_escape) continue;
    if (l == 'f') continue;  // the new value is a constant
    kept += p;
  }
  std::string out = kept;
  out += quote;
  for (char c : value) {
    auto uc = static_cast<unsigned char>(c);
    if (!needs_escape) {
      out += c;
    } else if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (uc < 0x20 || uc == 0x7F) {
      out += fmt::format("\\x{:02x}", uc);
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

}  // namespace squash::revisions
