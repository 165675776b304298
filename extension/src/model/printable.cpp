// Escaping and bounding text for messages (see printable.hpp).
#include "pg_squash/model/printable.hpp"

#include <algorithm>
#include <cstdint>

namespace squash::model {

std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const std::size_t size = text.size();
  if (pos >= size) return 0;
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) return 1;
  std::size_t length;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (size - pos < length) return 0;
  if (byte(pos + 1) < lo || byte(pos + 1) > hi) return 0;
  for (std::size_t i = 2; i < length; i++)
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
  return length;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    // Fast path over ASCII.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      pos++;
      continue;
    }
    std::size_t n = utf8_sequence_length(text, pos);
    if (n == 0) return false;
    pos += n;
  }
  return true;
}

namespace {

void append_hex_escape(std::string& out, unsigned char c) {
  static const char digits[] = "0123456789abcdef";
  out += "\\x";
  out += digits[c >> 4];
  out += digits[c & 0xF];
}

void escape(std::string& out, std::string_view text, std::size_t max_bytes, bool in_quotes) {
  auto plain = [&](unsigned char c) {
    return c >= 0x20 && c < 0x7F && !(in_quotes && (c == '"' || c == '\\'));
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (plain(c) && pos < max_bytes) {  // copy a run of plain ASCII at once
      std::size_t end = pos + 1;
      const std::size_t limit = std::min(text.size(), max_bytes);
      while (end < limit && plain(static_cast<unsigned char>(text[end]))) end++;
      out.append(text.data() + pos, end - pos);
      pos = end;
      continue;
    }
    const std::size_t n = c >= 0x80 ? utf8_sequence_length(text, pos) : 1;
    if (pos + std::max<std::size_t>(n, 1) > max_bytes) {
      out += "...";
      break;
    }
    if (c >= 0x80) {
      if (n == 0) {
        append_hex_escape(out, c);
        pos++;
      } else {
        out.append(text.data() + pos, n);
        pos += n;
      }
      continue;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      append_hex_escape(out, c);
    } else if (in_quotes && (c == '"' || c == '\\')) {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
    pos++;
  }
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  escape(out, text, max_bytes, false);
  return out;
}

void append_printable(std::string& out, std::string_view text, std::size_t max_bytes) {
  escape(out, text, max_bytes, false);
}

std::string quoted_text(std::string_view text, std::size_t max_bytes) {
  std::string out = "\"";
  escape(out, text, max_bytes, true);
  out += '"';
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); i++) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace squash::model
