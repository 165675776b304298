// A backup's manifest.json and the checks that make a directory a verified backup.
//
// A backup is backup_dir/<run id>/ holding the dump files and manifest.json, written
// last and atomically. It is "verified" when the manifest parses, says verified=true,
// and every file it lists exists with the recorded size (and, in a full check, the
// recorded SHA-256). Anything else in backup_dir named like one of the target's runs
// (its run id, with or without ".partial") is not a backup. Only directories named like
// a run of the target, whose manifest names the target, are the target's: a backup_dir
// is never shared (the config refuses it), and even then nothing else is touched.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squash::jobs {

inline constexpr char kManifestName[] = "manifest.json";
inline constexpr char kPinnedName[] = "pinned";
inline constexpr char kPartialSuffix[] = ".partial";

struct ManifestFile {
  std::string name;     // "full.dump"
  std::string format;   // "custom", "pg_restore-list" (of full.dump), "text" or "json"
  std::string content;  // "full", "schema", "data", "revision", "pg_squash-state"
  std::uint64_t size = 0;
  std::string sha256;
};

struct Manifest {
  int format_version = 1;
  std::string run_id;
  std::string target;
  std::string database;
  std::string started_at;    // UTC ISO-8601
  std::string completed_at;  // UTC ISO-8601: retention orders by this
  std::string pg_dump_version;
  std::string server_version;
  bool revision_table = false;                   // alembic_version existed
  std::vector<std::string> revisions;            // its rows (empty: none)
  std::optional<std::string> extension_version;  // pg_squash on the target, when installed
  std::optional<std::string> fingerprint;        // squash_fingerprint() at backup time
  nlohmann::json data_fingerprint;               // [{relation,row_count,hash}] or null
  std::vector<ManifestFile> files;
  bool verified = false;
  std::vector<std::string> notes;
};

void to_json(nlohmann::json& j, const Manifest& m);
void from_json(const nlohmann::json& j, Manifest& m);

// Writes dir/manifest.json atomically and durably. Throws.
void write_manifest(const std::string& dir, const Manifest& m);

struct BackupCheck {
  std::string name;  // directory name
  std::string path;
  std::optional<Manifest> manifest;  // set when it parsed
  bool verified = false;
  bool pinned = false;
  bool partial = false;
  std::string problem;  // why it is not verified
  std::optional<std::chrono::sys_seconds> completed;
  std::uint64_t size_bytes = 0;
};

// Checks one directory of target; with checksums, every file is hashed again.
BackupCheck check_backup(const std::string& path, const std::string& target, bool checksums);

// Whether a directory name is one a run of target makes ("<run id>" or
// "<run id>.partial", the run id being <UTC time>-<target>-<job>-<seq>).
bool is_backup_name_of(const std::string& name, const std::string& target);

// Every directory of backup_dir named like one of target's runs, checked; newest first.
std::vector<BackupCheck> scan_backups(const std::string& backup_dir, const std::string& target,
                                      bool checksums);

}  // namespace squash::jobs
