// libpq connection strings without their secrets (see conninfo.hpp).
#include "pg_squash/model/conninfo.hpp"

#include <algorithm>
#include <cctype>

namespace squash::model {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of one URI part; false on a malformed escape or a %00.
bool decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); i++) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

void finish(Conninfo& info, std::vector<std::pair<std::string, std::string>>& all) {
  // A later setting of a key wins, as in libpq.
  std::vector<std::pair<std::string, std::string>> last;
  for (auto& kv : all) {
    auto it =
        std::find_if(last.begin(), last.end(), [&](const auto& p) { return p.first == kv.first; });
    if (it != last.end())
      it->second = std::move(kv.second);
    else
      last.push_back(std::move(kv));
  }
  for (auto& kv : last) {
    if (is_secret_key(kv.first))
      info.secret_keys.push_back(kv.first);
    else
      info.params.push_back(std::move(kv));
  }
  std::sort(info.params.begin(), info.params.end());
  std::sort(info.secret_keys.begin(), info.secret_keys.end());
  info.secret_keys.erase(std::unique(info.secret_keys.begin(), info.secret_keys.end()),
                         info.secret_keys.end());
  info.ok = true;
}

Conninfo parse_keyword_value(std::string_view s) {
  Conninfo info;
  std::vector<std::pair<std::string, std::string>> all;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) i++;
    if (i >= s.size()) break;
    const size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !is_space(s[i])) i++;
    std::string key(s.substr(key_start, i - key_start));
    while (i < s.size() && is_space(s[i])) i++;
    if (i >= s.size() || s[i] != '=') {
      info.error = "missing \"=\" after \"" + key + "\"";
      return info;
    }
    i++;
    while (i < s.size() && is_space(s[i])) i++;
    std::string value;
    if (i < s.size() && s[i] == '\'') {
      i++;
      bool closed = false;
      for (; i < s.size(); i++) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          value += s[++i];
        } else if (s[i] == '\'') {
          closed = true;
          i++;
          break;
        } else {
          value += s[i];
        }
      }
      if (!closed) {
        info.error = "unterminated quoted string";
        return info;
      }
    } else {
      for (; i < s.size() && !is_space(s[i]); i++) {
        if (s[i] == '\\' && i + 1 < s.size()) i++;
        value += s[i];
      }
    }
    if (key.empty()) {
      info.error = "empty key";
      return info;
    }
    all.emplace_back(std::move(key), std::move(value));
  }
  finish(info, all);
  return info;
}

Conninfo parse_uri(std::string_view s, size_t prefix) {
  Conninfo info;
  std::vector<std::pair<std::string, std::string>> all;
  std::string_view rest = s.substr(prefix);
  const size_t query_at = rest.find('?');
  std::string_view query =
      query_at == std::string_view::npos ? std::string_view() : rest.substr(query_at + 1);
  rest = rest.substr(0, query_at);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  std::string decoded;
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    if (!decode(userinfo.substr(0, colon), decoded)) {
      info.error = "invalid percent-encoded token";
      return info;
    }
    if (!decoded.empty()) all.emplace_back("user", decoded);
    if (colon != std::string_view::npos) {
      if (!decode(userinfo.substr(colon + 1), decoded)) {
        info.error = "invalid percent-encoded token";
        return info;
      }
      all.emplace_back("password", decoded);
    }
  }
  // Hosts, each with an optional port: "h1:5432,[::1]:5433".
  std::string hosts, ports;
  bool any_port = false;
  size_t start = 0;
  while (!authority.empty() && start <= authority.size()) {
    size_t end = authority.find(',', start);
    if (end == std::string_view::npos) end = authority.size();
    std::string_view item = authority.substr(start, end - start);
    std::string_view host = item, port;
    if (!item.empty() && item[0] == '[') {
      const size_t close = item.find(']');
      if (close == std::string_view::npos) {
        info.error = "missing \"]\" in IPv6 host address";
        return info;
      }
      host = item.substr(1, close - 1);
      if (close + 1 < item.size() && item[close + 1] == ':') port = item.substr(close + 2);
    } else {
      const size_t colon = item.find(':');
      if (colon != std::string_view::npos) {
        host = item.substr(0, colon);
        port = item.substr(colon + 1);
      }
    }
    if (!decode(host, decoded)) {
      info.error = "invalid percent-encoded token";
      return info;
    }
    hosts += (start ? "," : "") + decoded;
    if (!decode(port, decoded)) {
      info.error = "invalid percent-encoded token";
      return info;
    }
    ports += (start ? "," : "") + decoded;
    any_port = any_port || !port.empty();
    start = end + 1;
  }
  if (!hosts.empty() && hosts.find_first_not_of(',') != std::string::npos)
    all.emplace_back("host", hosts);
  if (any_port) all.emplace_back("port", ports);
  if (!path.empty()) {
    if (!decode(path, decoded)) {
      info.error = "invalid percent-encoded token";
      return info;
    }
    all.emplace_back("dbname", decoded);
  }
  start = 0;
  while (!query.empty() && start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view item = query.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      info.error = "missing key/value separator \"=\" in URI query parameter";
      return info;
    }
    std::string key, value;
    if (!decode(item.substr(0, eq), key) || !decode(item.substr(eq + 1), value)) {
      info.error = "invalid percent-encoded token";
      return info;
    }
    // libpq's URI aliases for two keywords.
    if (key == "ssl" && value == "true") {
      key = "sslmode";
      value = "require";
    }
    all.emplace_back(std::move(key), std::move(value));
  }
  finish(info, all);
  return info;
}

}  // namespace

bool is_secret_key(std::string_view key) {
  const std::string k = lower(key);
  // postgres_fdw's switch whether a password is required: not a secret.
  if (k == "password_required") return false;
  return k == "password" || k == "sslpassword" || k == "oauth_client_secret" ||
         k.find("password") != std::string::npos || k.find("passwd") != std::string::npos ||
         k.find("secret") != std::string::npos;
}

bool is_secret_option(std::string_view key, bool user_mapping) {
  const std::string k = lower(key);
  if (user_mapping)
    return !(k == "user" || k == "username" || k == "password_required" || k == "sslcert" ||
             k == "sslkey" || k == "sslrootcert");
  if (is_secret_key(k)) return true;
  for (std::string_view word :
       {"token", "credential", "passphrase", "private", "apikey", "api_key", "access_key", "auth"})
    if (k.find(word) != std::string::npos) return true;
  return false;
}

Conninfo parse_conninfo(std::string_view text) {
  for (std::string_view prefix : {"postgresql://", "postgres://"})
    if (text.substr(0, prefix.size()) == prefix) return parse_uri(text, prefix.size());
  return parse_keyword_value(text);
}

std::string conninfo_text(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    bool plain = !value.empty();
    for (char c : value)
      if (is_space(c) || c == '\'' || c == '\\') plain = false;
    if (plain) {
      out += value;
      continue;
    }
    out += '\'';
    for (char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

}  // namespace squash::model
