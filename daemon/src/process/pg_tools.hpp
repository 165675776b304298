// Where the PostgreSQL client programs are, what environment they get, and the private
// passfile copy a run hands them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace squash::process {

// The client programs of the newest PostgreSQL installed (/usr/lib/postgresql/N/bin,
// the newest N first: pg_dump must be at least the server's version), else from PATH.
struct PgTools {
  std::string bindir;  // "" when found on PATH only
  std::string pg_dump, pg_restore, psql;

  static PgTools discover();
};

// A child's whole environment: PATH, LANG, PGAPPNAME and, when a passfile is given,
// PGPASSFILE. Nothing else of squashd's environment (no PGPASSWORD, no PG* overrides).
std::vector<std::string> pg_env(const PgTools& tools, const std::optional<std::string>& passfile,
                                const std::string& application_name);

// A copy of the target's passfile, mode 0600, at dir/<run id>.pgpass, removed when the
// object goes away (libpq ignores a passfile that others can read, and the original may
// belong to another user). The password is read and written, never logged.
class PrivatePassfile {
 public:
  // Throws std::runtime_error when the source cannot be read or the copy written.
  PrivatePassfile(const std::string& source, const std::string& dir, const std::string& run_id);
  ~PrivatePassfile();
  PrivatePassfile(const PrivatePassfile&) = delete;
  PrivatePassfile& operator=(const PrivatePassfile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace squash::process
