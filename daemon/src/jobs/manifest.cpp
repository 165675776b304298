#include "jobs/manifest.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "jobspec/job_spec.hpp"
#include "util/files.hpp"
#include "util/format.hpp"

namespace squash::jobs {

namespace fs = std::filesystem;
using nlohmann::json;

void to_json(json& j, const Manifest& m) {
  json files = json::array();
  for (auto& f : m.files)
    files.push_back({{"name", f.name},
                     {"format", f.format},
                     {"content", f.content},
                     {"size", f.size},
                     {"sha256", f.sha256}});
  j = json{{"format_version", m.format_version},
           {"run_id", m.run_id},
           {"target", m.target},
           {"database", m.database},
           {"started_at", m.started_at},
           {"completed_at", m.completed_at},
           {"pg_dump_version", m.pg_dump_version},
           {"server_version", m.server_version},
           {"revision_table", m.revision_table},
           {"revisions", m.revisions},
           {"extension_version", m.extension_version ? json(*m.extension_version) : json()},
           {"fingerprint", m.fingerprint ? json(*m.fingerprint) : json()},
           {"data_fingerprint", m.data_fingerprint},
           {"files", files},
           {"verified", m.verified},
           {"notes", m.notes}};
}

void from_json(const json& j, Manifest& m) {
  m.format_version = j.at("format_version").get<int>();
  j.at("run_id").get_to(m.run_id);
  j.at("target").get_to(m.target);
  m.database = j.value("database", "");
  j.at("started_at").get_to(m.started_at);
  j.at("completed_at").get_to(m.completed_at);
  m.pg_dump_version = j.value("pg_dump_version", "");
  m.server_version = j.value("server_version", "");
  m.revision_table = j.value("revision_table", false);
  m.revisions = j.value("revisions", std::vector<std::string>{});
  auto opt = [&](const char* key, std::optional<std::string>& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) out = it->get<std::string>();
  };
  opt("extension_version", m.extension_version);
  opt("fingerprint", m.fingerprint);
  m.data_fingerprint = j.value("data_fingerprint", json());
  m.files.clear();
  for (auto& f : j.at("files"))
    m.files.push_back({f.at("name").get<std::string>(), f.value("format", ""),
                       f.value("content", ""), f.at("size").get<std::uint64_t>(),
                       f.at("sha256").get<std::string>()});
  j.at("verified").get_to(m.verified);
  m.notes = j.value("notes", std::vector<std::string>{});
}

void write_manifest(const std::string& dir, const Manifest& m) {
  util::write_file_atomic(dir + "/" + kManifestName, json(m).dump(2) + "\n", 0600);
}

bool is_backup_name_of(const std::string& name, const std::string& target) {
  static const std::regex stamp(R"(^\d{8}T\d{6}Z-)");
  static const std::regex tail(R"(^-\d+(\.partial)?$)");
  constexpr std::size_t kStampSize = 17;  // 20261124T020000Z-
  if (name.size() <= kStampSize + target.size() ||
      !std::regex_search(name.substr(0, kStampSize), stamp) ||
      name.compare(kStampSize, target.size(), target) != 0 ||
      name[kStampSize + target.size()] != '-')
    return false;
  auto rest = name.substr(kStampSize + target.size() + 1);
  for (auto job : job_names())
    if (rest.size() > job.size() && rest.compare(0, job.size(), job) == 0 &&
        std::regex_match(rest.substr(job.size()), tail))
      return true;
  return false;
}

BackupCheck check_backup(const std::string& path, const std::string& target, bool checksums) {
  BackupCheck c;
  c.path = path;
  c.name = fs::path(path).filename().string();
  c.partial = c.name.size() > 8 && c.name.ends_with(kPartialSuffix);
  std::error_code ec;
  c.pinned = fs::exists(fs::path(path) / kPinnedName, ec);
  if (c.partial) {
    c.problem = "an unfinished backup (.partial)";
    return c;
  }
  errno = 0;
  auto text = util::read_file(path + "/" + kManifestName);
  if (!text) {
    c.problem = fmt::format("manifest.json cannot be read: {}", std::strerror(errno));
    return c;
  }
  try {
    c.manifest = json::parse(*text).get<Manifest>();
  } catch (const std::exception& e) {
    c.problem = fmt::format("manifest.json is not valid: {}", e.what());
    return c;
  }
  if (c.manifest->target != target || c.manifest->run_id != c.name) {
    c.problem = fmt::format("the manifest is of run {} of target '{}', not of this directory",
                            c.manifest->run_id, c.manifest->target);
    return c;
  }
  auto& m = *c.manifest;
  if (!m.verified) {
    c.problem = "the manifest does not say verified";
    return c;
  }
  c.completed = util::parse_utc_iso8601(m.completed_at);
  if (!c.completed) {
    c.problem = "the manifest has no valid completed_at";
    return c;
  }
  if (m.files.empty()) {
    c.problem = "the manifest lists no files";
    return c;
  }
  for (auto& f : m.files) {
    if (f.name.empty() || f.name.find('/') != std::string::npos || f.name[0] == '.') {
      c.problem = fmt::format("the manifest lists a bad file name '{}'", f.name);
      return c;
    }
    auto file = path + "/" + f.name;
    auto size = fs::file_size(file, ec);
    if (ec) {
      c.problem = fmt::format("{} is missing", f.name);
      return c;
    }
    if (size != f.size) {
      c.problem = fmt::format("{} has {} bytes, the manifest says {}", f.name, size, f.size);
      return c;
    }
    c.size_bytes += size;
    if (checksums) {
      try {
        auto digest = util::sha256_file(file);
        if (digest.sha256 != f.sha256) {
          c.problem = fmt::format("{}: SHA-256 mismatch (file {}, manifest {})", f.name,
                                  digest.sha256, f.sha256);
          return c;
        }
      } catch (const std::exception& e) {
        c.problem = e.what();
        return c;
      }
    }
  }
  c.verified = true;
  return c;
}

std::vector<BackupCheck> scan_backups(const std::string& backup_dir, const std::string& target,
                                      bool checksums) {
  std::vector<BackupCheck> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(backup_dir, ec)) {
    if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    auto name = entry.path().filename().string();
    if (!is_backup_name_of(name, target)) continue;
    out.push_back(check_backup(entry.path().string(), target, checksums));
  }
  std::sort(out.begin(), out.end(),
            [](const BackupCheck& a, const BackupCheck& b) { return a.name > b.name; });
  return out;
}

}  // namespace squash::jobs
