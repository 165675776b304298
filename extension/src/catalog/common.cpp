// Text helpers of the catalog reader (see reader.hpp).
#include <algorithm>
#include <charconv>
#include <cstring>

#include "reader.hpp"

extern "C" {
#include "common/keywords.h"
}

namespace squash::catalog {

std::vector<std::string> parse_array(std::string_view text) {
  std::vector<std::string> out;
  size_t i = text.find('{');  // skips a "[lo:hi]=" decoration
  if (i == std::string_view::npos) return out;
  i++;
  while (i < text.size() && text[i] != '}') {
    std::string elem;
    if (text[i] == '"') {
      for (i++; i < text.size() && text[i] != '"'; i++) {
        if (text[i] == '\\' && i + 1 < text.size()) i++;
        elem += text[i];
      }
      i++;  // closing quote
    } else {
      for (; i < text.size() && text[i] != ',' && text[i] != '}'; i++) {
        if (text[i] == '\\' && i + 1 < text.size()) i++;
        elem += text[i];
      }
    }
    out.push_back(std::move(elem));
    if (i < text.size() && text[i] == ',') i++;
  }
  return out;
}

std::vector<int64_t> parse_vector(std::string_view text) {
  std::vector<int64_t> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') i++;
    if (i >= text.size()) break;
    int64_t v = 0;
    auto res = std::from_chars(text.data() + i, text.data() + text.size(), v);
    if (res.ec != std::errc()) break;
    out.push_back(v);
    i = res.ptr - text.data();
  }
  return out;
}

std::string render_options(std::string_view array_text,
                           const std::vector<std::string_view>& drop_prefixes) {
  if (array_text.empty()) return {};
  std::vector<std::string> opts = parse_array(array_text);
  opts.erase(std::remove_if(opts.begin(), opts.end(),
                            [&](const std::string& o) {
                              for (std::string_view p : drop_prefixes)
                                if (std::string_view(o).substr(0, p.size()) == p) return true;
                              return false;
                            }),
             opts.end());
  std::sort(opts.begin(), opts.end());
  return join(opts, ", ");
}

void append_quoted(std::string& out, std::string_view name) {
  bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char ch : name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) safe = false;
  if (safe) {
    // A keyword that is not unreserved needs quotes (quote_identifier's rule). The lookup
    // is a pure function over a static table: it never raises. Names longer than every
    // keyword are not looked up.
    int kw = -1;
    if (name.size() <= static_cast<size_t>(ScanKeywords.max_kw_len)) {
      char z[NAMEDATALEN + 1];
      memcpy(z, name.data(), name.size());
      z[name.size()] = '\0';
      kw = ScanKeywordLookup(z, &ScanKeywords);
    }
    if (kw < 0 || ScanKeywordCategories[kw] == UNRESERVED_KEYWORD) {
      out.append(name.data(), name.size());
      return;
    }
  }
  out += '"';
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

std::string quote(std::string_view name) {
  std::string out;
  append_quoted(out, name);
  return out;
}

std::string qualified(std::string_view schema, std::string_view name) {
  std::string out;
  out.reserve(schema.size() + name.size() + 5);
  append_quoted(out, schema);
  out += '.';
  append_quoted(out, name);
  return out;
}

std::string bool_text(bool b) {
  return b ? "true" : "false";
}

}  // namespace squash::catalog
