// Quoting for the generated revision: SQL literals, dollar quotes, Python string literals
// (see ddl.hpp).
#include <cstdio>

#include "pg_squash/generator/ddl.hpp"
#include "pg_squash/model/printable.hpp"

namespace squash::generator {

std::string sql_literal(const std::string& text) {
  const bool backslash = text.find('\\') != std::string::npos;
  std::string out = backslash ? "E'" : "'";
  out.reserve(text.size() + 3);
  for (char ch : text) {
    if (ch == '\'' || ch == '\\') out += ch;
    out += ch;
  }
  return out + "'";
}

std::string dollar_quote(const std::string& body, const std::string& tag) {
  // The quote ends at the first occurrence of the delimiter, also one that begins inside the
  // body ("...$function" + "$function$"): take the first tag that occurs only at the end.
  std::string delimiter = "$" + tag + "$";
  for (int n = 1; (body + delimiter).find(delimiter) != body.size(); n++)
    delimiter = "$" + tag + "_" + std::to_string(n) + "$";
  return delimiter + body + delimiter;
}

namespace {

bool raw_triple_quote_safe(const std::string& text) {
  if (text.find("'''") != std::string::npos) return false;
  if (!text.empty() && (text.back() == '\\' || text.back() == '\'')) return false;
  if (!text.empty() && text.front() == '\'') return false;
  for (unsigned char c : text) {
    if (c == '\n' || c == '\t') continue;
    if (c < 0x20 || c == 0x7f) return false;  // \r and other controls would not survive
  }
  // A run of backslashes before a quote is still fine in a raw string (the quote does not
  // end it), and '''-sequences were excluded above.
  return model::is_valid_utf8(text);
}

}  // namespace

std::string python_literal(const std::string& text) {
  bool plain = true;  // one line of printable ASCII without quotes or backslashes: '...'
  for (unsigned char c : text)
    if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') plain = false;
  if (plain) return "'" + text + "'";
  if (raw_triple_quote_safe(text)) return "r'''" + text + "'''";
  std::string out = "'";
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else if (c >= 0x80) {
          // Valid UTF-8 goes in as it is (the file is UTF-8); a stray byte cannot be part
          // of a Python str, so it becomes the code point of the same number.
          const size_t n = model::utf8_sequence_length(text, i);
          if (n == 0) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
          } else {
            out.append(text, i, n);
            i += n - 1;
          }
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "'";
}

std::string comment_text(const std::string& text) {
  return model::printable(text, 500);
}

}  // namespace squash::generator

namespace squash::generator {

namespace {

// Index just past the quoted token starting at text[i] ('...' or "..."), doubled quotes
// inside included.
size_t skip_quoted(const std::string& text, size_t i) {
  const char q = text[i];
  for (i++; i < text.size(); i++) {
    if (text[i] != q) continue;
    if (i + 1 < text.size() && text[i + 1] == q) {
      i++;
      continue;
    }
    return i + 1;
  }
  return text.size();
}

// Index of the parenthesis closing the one at text[open], or npos.
size_t closing_paren(const std::string& text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size();) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      i = skip_quoted(text, i);
      continue;
    }
    if (c == '(') depth++;
    if (c == ')' && --depth == 0) return i;
    i++;
  }
  return std::string::npos;
}

}  // namespace

std::string reparseable(const std::string& text) {
  static const std::string kAny = "ANY ((ARRAY[", kAll = "ALL ((ARRAY[";
  if (text.find(kAny) == std::string::npos && text.find(kAll) == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      const size_t end = skip_quoted(text, i);
      out.append(text, i, end - i);
      i = end;
      continue;
    }
    if (text.compare(i, kAny.size(), kAny) == 0 || text.compare(i, kAll.size(), kAll) == 0) {
      const size_t outer = i + 4, inner = i + 5;
      const size_t inner_close = closing_paren(text, inner);
      const size_t outer_close = closing_paren(text, outer);
      if (inner_close != std::string::npos && outer_close != std::string::npos &&
          inner_close < outer_close) {
        const std::string cast = text.substr(inner_close + 1, outer_close - inner_close - 1);
        if (cast.size() > 4 && cast.compare(0, 2, "::") == 0 &&
            cast.compare(cast.size() - 2, 2, "[]") == 0) {
          out.append(text, i, 4);  // "ANY "
          out += '(';
          out += reparseable(text.substr(inner + 1, inner_close - inner - 1));
          out += ')';
          i = outer_close + 1;
          continue;
        }
      }
    }
    out += c;
    i++;
  }
  return out;
}

std::string unquote_ident(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"')
    return std::string(quoted);
  std::string out;
  for (size_t k = 1; k + 1 < quoted.size(); k++) {
    out += quoted[k];
    if (quoted[k] == '"' && k + 2 < quoted.size() && quoted[k + 1] == '"') k++;
  }
  return out;
}

namespace {

const char* privilege_name(char letter) {
  switch (letter) {
    case 'a':
      return "INSERT";
    case 'r':
      return "SELECT";
    case 'w':
      return "UPDATE";
    case 'd':
      return "DELETE";
    case 'D':
      return "TRUNCATE";
    case 'x':
      return "REFERENCES";
    case 't':
      return "TRIGGER";
    case 'X':
      return "EXECUTE";
    case 'U':
      return "USAGE";
    case 'C':
      return "CREATE";
    case 'c':
      return "CONNECT";
    case 'T':
      return "TEMPORARY";
    case 'm':
      return "MAINTAIN";
    case 's':
      return "SET";
    case 'A':
      return "ALTER SYSTEM";
    default:
      return nullptr;
  }
}

}  // namespace

std::vector<AclLine> parse_acl(std::string_view acl) {
  std::vector<AclLine> out;
  size_t start = 0;
  while (start < acl.size()) {
    size_t end = acl.find('\n', start);
    if (end == std::string_view::npos) end = acl.size();
    const std::string_view line = acl.substr(start, end - start);
    start = end + 1;
    // A quoted grantee may hold '=': the privileges follow the last one.
    const size_t eq = line.rfind('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    AclLine l{std::string(line.substr(0, eq)), {}, {}};
    for (size_t k = eq + 1; k < line.size(); k++) {
      const char* name = privilege_name(line[k]);
      const bool option = k + 1 < line.size() && line[k + 1] == '*';
      if (option) k++;
      if (name) (option ? l.with_option : l.plain).emplace_back(name);
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<std::string> acl_grantees(std::string_view acl) {
  std::vector<std::string> out;
  for (AclLine& l : parse_acl(acl))
    if (l.grantee != "PUBLIC") out.push_back(std::move(l.grantee));
  return out;
}

}  // namespace squash::generator
