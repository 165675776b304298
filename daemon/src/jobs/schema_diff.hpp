// What GET /v1/targets/{name}/diff asks a target: its live schema against a snapshot
// stored there, through the target's own pg_squash (squash_diff_json, squash_diff_sql).
// Not a run: it takes no lock and changes nothing on the target.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "api/types.hpp"
#include "config/config.hpp"
#include "process/stop.hpp"

namespace squash::jobs {

class DiffFailed : public std::runtime_error {
 public:
  enum class Kind { unreachable, no_extension, refused, stopped };
  DiffFailed(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// {"target", "against", "differences", "diff"} or, with sql, {"target", "against", "sql"}.
// The query is cancelled when stop fires and ends after statement_timeout_ms. Throws
// DiffFailed.
nlohmann::json diff_target(const config::Target& target, const std::string& state_dir,
                           const api::DiffRequest& request, process::Stop& stop,
                           int statement_timeout_ms = 300'000);

// What `squashctl fleet status` shows of a target it reaches: {"revision" (the version
// table's rows joined with ','), "fingerprint" (squash_fingerprint() of the live schema)}
// or {"error"}. Reads only; short statement timeout.
nlohmann::json live_state(const config::Target& target, const std::string& state_dir,
                          process::Stop& stop, int statement_timeout_ms = 30'000);

}  // namespace squash::jobs
