// pg_squash's own state — the squash.* tables (snapshots, stamp history, managed views,
// expectations, data snapshots) and their sequences. Since pg_squash 0.2.0 they are marked
// with pg_extension_config_dump(), so pg_dump carries them and there is nothing to do. An
// older extension leaves them out of every dump: then a backup carries them as
// pg_squash_state.json, and rebuild and its rollback put them back.
//
// Rows travel as their record text (`t::text`), so every type round-trips through its
// own input function, exactly. Tables that pg_dump does dump (extconfig) are left to it;
// squash.install_info belongs to the installation, not to the state.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "db/connection.hpp"

namespace squash::jobs {

inline constexpr char kStateFile[] = "pg_squash_state.json";

// {"format":1,"tables":[{"name","rows":[record
// text...]}],"sequences":[{"name","last_value","is_called"}]}; null when pg_dump carries
// every table and sequence (pg_squash 0.2.0 and later).
nlohmann::json read_squash_state(db::Connection& conn, process::Stop* stop);

// Replaces the rows of every table the state names (and sets its sequences) in one
// transaction, with triggers and foreign keys off (session_replication_role = replica:
// needs a superuser). A table the state names that does not exist is an error.
// Returns "N rows in M tables".
std::string write_squash_state(db::Connection& conn, const nlohmann::json& state,
                               process::Stop* stop);

// "5 rows in 3 tables" for a state document.
std::string describe_squash_state(const nlohmann::json& state);

}  // namespace squash::jobs
