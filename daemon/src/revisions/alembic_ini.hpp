// alembic.ini as Alembic reads it: Python's configparser with its defaults (sections,
// `key = value` or `key: value`, keys lower-cased, full-line '#' and ';' comments, no
// inline comments, indented continuation lines joined with '\n', %(name)s interpolation
// from the section and [DEFAULT], %% for '%') and Alembic's `here` default (the ini's
// folder). Hand-written because no Debian-packaged INI library reads that dialect:
// inih (libinih-dev) cuts values at " ;" and lines at 200 bytes and has no interpolation;
// Boost.PropertyTree's ini parser refuses continuation lines.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace squash::revisions {

struct IniFile {
  // section → key → raw value (before interpolation); "DEFAULT" holds the defaults.
  std::map<std::string, std::map<std::string, std::string>> sections;

  // The interpolated value, or nullopt when neither the section nor DEFAULT has it.
  // Throws std::runtime_error on a bad '%' or a reference that does not resolve.
  std::optional<std::string> get(const std::string& section, const std::string& key) const;
};

// Throws std::runtime_error (with the line number) on what configparser refuses: a line
// that is neither a section, an option nor a continuation, a duplicate section or option.
IniFile parse_ini(const std::string& text);

struct AlembicConfig {
  std::string ini_path;
  std::string section;
  std::string script_location;                 // absolute
  std::vector<std::string> version_locations;  // absolute; <script_location>/versions by default
  bool version_locations_given = false;
  bool recursive = false;  // recursive_version_locations = true (Alembic >= 1.10)
};

// `here` is the ini's folder (absolute). Relative paths are taken relative to it: Alembic
// takes them relative to its working directory, which is the ini's folder when alembic
// runs beside its ini (the usual case). Throws std::runtime_error saying what is wrong.
AlembicConfig alembic_config_from(const IniFile& ini, const std::string& section,
                                  const std::string& here);

// Reads the file and applies alembic_config_from with here = its folder.
AlembicConfig read_alembic_config(const std::string& ini_path, const std::string& section);

// version_locations split as Alembic splits it: version_path_separator "os" (':'),
// "space", "newline", ":" or ";"; absent: the legacy split on commas and spaces.
std::vector<std::string> split_version_locations(const std::string& value,
                                                 const std::optional<std::string>& separator);

}  // namespace squash::revisions
