#include "revisions/alembic_ini.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace squash::revisions {
namespace {

namespace fs = std::filesystem;

std::string strip(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::string* raw(const IniFile& ini, const std::string& section, const std::string& key) {
  auto s = ini.sections.find(section);
  if (s != ini.sections.end())
    if (auto k = s->second.find(key); k != s->second.end()) return &k->second;
  auto d = ini.sections.find("DEFAULT");
  if (d != ini.sections.end())
    if (auto k = d->second.find(key); k != d->second.end()) return &k->second;
  return nullptr;
}

// configparser's BasicInterpolation, with its depth limit.
std::string interpolate(const IniFile& ini, const std::string& section, const std::string& key,
                        const std::string& value, int depth) {
  if (depth > 10)
    throw std::runtime_error(
        fmt::format("[{}] {}: interpolation nested too deeply (a loop?)", section, key));
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    if (i + 1 < value.size() && value[i + 1] == '%') {
      out += '%';
      ++i;
      continue;
    }
    auto close = value.find(")s", i);
    if (i + 1 >= value.size() || value[i + 1] != '(' || close == std::string::npos)
      throw std::runtime_error(
          fmt::format("[{}] {}: '%' must be followed by '%' or '(name)s', found '{}'", section, key,
                      value.substr(i)));
    std::string name = lower(value.substr(i + 2, close - i - 2));
    const std::string* ref = raw(ini, section, name);
    if (!ref)
      throw std::runtime_error(fmt::format("[{}] {}: %({})s names no option of [{}] or [DEFAULT]",
                                           section, key, name, section));
    out += interpolate(ini, section, name, *ref, depth + 1);
    i = close + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> IniFile::get(const std::string& section, const std::string& key) const {
  const std::string* value = raw(*this, section, lower(key));
  if (!value) return std::nullopt;
  return interpolate(*this, section, lower(key), *value, 1);
}

IniFile parse_ini(const std::string& text) {
  IniFile ini;
  std::map<std::string, std::string>* section = nullptr;
  std::string section_name;
  std::vector<std::string>* value_lines = nullptr;
  std::map<std::string, std::vector<std::string>> pending;  // the current section's values
  std::size_t indent_level = 0;
  auto flush = [&] {
    if (section)
      for (auto& [k, lines] : pending) {
        while (!lines.empty() && lines.back().empty()) lines.pop_back();
        std::string joined;
        for (std::size_t i = 0; i < lines.size(); ++i) joined += (i ? "\n" : "") + lines[i];
        // configparser strips only the end: a value starting on the next line keeps its '\n'.
        (*section)[k] = joined.substr(0, joined.find_last_not_of(" \t\r\n\f\v") + 1);
      }
    pending.clear();
    value_lines = nullptr;
  };
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string value = strip(line);
    bool comment = !value.empty() && (value[0] == '#' || value[0] == ';');
    if (comment || value.empty()) {
      if (!comment && value_lines) value_lines->push_back("");
      continue;
    }
    std::size_t indent = line.find_first_not_of(" \t\f\v");
    if (value_lines && indent > indent_level) {
      value_lines->push_back(value);
      continue;
    }
    indent_level = indent;
    if (value[0] == '[' && value.find(']', 1) != std::string::npos) {
      flush();
      section_name = value.substr(1, value.rfind(']') - 1);
      if (section_name.empty())
        throw std::runtime_error(fmt::format("line {}: empty section name", lineno));
      if (ini.sections.count(section_name) && section_name != "DEFAULT")
        throw std::runtime_error(
            fmt::format("line {}: section [{}] appears twice", lineno, section_name));
      section = &ini.sections[section_name];
      continue;
    }
    if (!section)
      throw std::runtime_error(
          fmt::format("line {}: an option before the first [section]", lineno));
    auto delim = value.find_first_of("=:");
    if (delim == std::string::npos || delim == 0)
      throw std::runtime_error(fmt::format("line {}: not `key = value`: {}", lineno, value));
    std::string key = lower(strip(value.substr(0, delim)));
    if (pending.count(key) || section->count(key))
      throw std::runtime_error(
          fmt::format("line {}: option '{}' appears twice in [{}]", lineno, key, section_name));
    value_lines = &pending[key];
    value_lines->push_back(strip(value.substr(delim + 1)));
  }
  flush();
  return ini;
}

std::vector<std::string> split_version_locations(const std::string& value,
                                                 const std::optional<std::string>& separator) {
  std::vector<std::string> out;
  auto split_on = [&](auto is_sep) {
    std::string cur;
    for (char c : value) {
      if (is_sep(c)) {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) out.push_back(cur);
  };
  if (!separator) {
    // Alembic's legacy split: re.split(r", *|(?: +)") — commas and spaces.
    split_on([](char c) { return c == ',' || c == ' '; });
  } else if (*separator == "os" || *separator == ":") {
    split_on([](char c) { return c == ':'; });
  } else if (*separator == ";") {
    split_on([](char c) { return c == ';'; });
  } else if (*separator == "space") {
    split_on([](char c) { return c == ' '; });
  } else if (*separator == "newline") {
    split_on([](char c) { return c == '\n'; });
  } else {
    throw std::runtime_error(fmt::format(
        "version_path_separator '{}' is not one of os, space, newline, ':', ';'", *separator));
  }
  for (auto& s : out) s = strip(s);
  out.erase(std::remove(out.begin(), out.end(), ""), out.end());
  return out;
}

AlembicConfig alembic_config_from(const IniFile& ini, const std::string& section,
                                  const std::string& here) {
  if (!ini.sections.count(section) || section == "DEFAULT")
    throw std::runtime_error(fmt::format("no [{}] section", section));
  IniFile with_here = ini;
  if (!raw(with_here, section, "here")) with_here.sections["DEFAULT"]["here"] = here;
  AlembicConfig cfg;
  cfg.section = section;
  auto absolute = [&](const std::string& p) {
    fs::path path(p);
    return (path.is_absolute() ? path : fs::path(here) / path).lexically_normal().string();
  };
  auto script = with_here.get(section, "script_location");
  if (!script || script->empty())
    throw std::runtime_error(fmt::format("[{}] has no script_location", section));
  if (script->find(':') != std::string::npos && !fs::path(*script).is_absolute())
    throw std::runtime_error(fmt::format(
        "script_location '{}' names a package resource; give a folder instead", *script));
  cfg.script_location = absolute(*script);
  if (auto locations = with_here.get(section, "version_locations");
      locations && !locations->empty()) {
    cfg.version_locations_given = true;
    for (const auto& l :
         split_version_locations(*locations, with_here.get(section, "version_path_separator")))
      cfg.version_locations.push_back(absolute(l));
  } else {
    cfg.version_locations.push_back(absolute(cfg.script_location + "/versions"));
  }
  // Alembic compares the text with "true"; nothing else turns it on.
  cfg.recursive = with_here.get(section, "recursive_version_locations") == "true";
  auto trimmed = [](std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
  };
  for (auto& l : cfg.version_locations) l = trimmed(l);
  cfg.script_location = trimmed(cfg.script_location);
  return cfg;
}

AlembicConfig read_alembic_config(const std::string& ini_path, const std::string& section) {
  std::ifstream in(ini_path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", ini_path));
  std::ostringstream text;
  text << in.rdbuf();
  std::error_code ec;
  fs::path here = fs::absolute(ini_path, ec).parent_path();
  try {
    AlembicConfig cfg = alembic_config_from(parse_ini(text.str()), section, here.string());
    cfg.ini_path = ini_path;
    return cfg;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", ini_path, e.what()));
  }
}

}  // namespace squash::revisions
