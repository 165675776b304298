// One squashd's view of the control database (docs/design.md, "Several daemons"): it
// registers the daemon, queues runs, claims them with leases (SELECT ... FOR UPDATE SKIP
// LOCKED), renews and releases the leases, expires other daemons' dead leases, and
// answers the fleet's runs. Thread-safe: one connection behind a mutex, reopened when
// it breaks. Every value reaches SQL as a parameter.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/types.hpp"
#include "config/config.hpp"
#include "db/connection.hpp"

namespace squash::control {

struct Identity {
  std::string id;  // make_daemon_id
  std::string host;
  long pid = 0;
  std::string listen;
  std::string version;
};

struct Enqueued {
  enum class Kind { queued, busy, duplicate } kind;
  api::Run run;  // queued: the new run; busy/duplicate: the run already there
};

struct Expired {
  std::string run_id, target, daemon, expired_at;
};

class Fleet {
 public:
  // Connects, migrates the schema and registers the daemon. Throws std::runtime_error
  // with a message naming the control database's problem.
  Fleet(config::ControlSettings settings, Identity me, std::vector<std::string> targets);
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  const Identity& me() const { return me_; }
  const config::ControlSettings& settings() const { return settings_; }
  int schema_version_before() const { return schema_before_; }

  // Queues `run` (its id and seq are assigned here). With refuse_when_busy, a target with
  // a queued or running run answers busy; a dedupe_key already used answers duplicate.
  Enqueued enqueue(api::Run run, bool refuse_when_busy,
                   const std::optional<std::string>& dedupe_key = std::nullopt);

  // The oldest queued run of one of `targets` that no daemon leases, now leased to this
  // daemon and marked running; nullopt when there is none. A run a rollout queued is taken
  // only for a target in `open` (its maintenance window open, or none configured).
  std::optional<api::Run> claim(const std::vector<std::string>& targets,
                                const std::vector<std::string>& open);

  // Renews every lease of this daemon; returns the run ids it still holds.
  std::set<std::string> heartbeat();

  // Records a transition of a run this daemon holds; a finished run's lease is released
  // in the same transaction. False when the lease is gone (expired by another daemon).
  bool record(const api::Run& run);

  // Leases past their expiry: their runs marked interrupted, the leases deleted.
  std::vector<Expired> expire();

  std::vector<api::Run> list(std::size_t limit);
  std::optional<api::Run> get(const std::string& id);
  // A queued run cancelled; nullopt when it is not queued (then *found is its record).
  std::optional<api::Run> cancel_queued(const std::string& id, std::optional<api::Run>* found);

  // Marks the daemon stopped (its row stays: fleet history).
  void sign_off();

  // f(conn) in one transaction of the control database, rolled back when it throws.
  template <typename F>
  auto locked(F&& f) -> decltype(f(std::declval<db::Connection&>()));
  // enqueue() inside the caller's transaction.
  Enqueued enqueue_in(db::Connection& c, api::Run run, bool refuse_when_busy,
                      const std::optional<std::string>& dedupe_key);

 private:
  db::Connection& conn();  // (mutex held) open, reopened after a break

  config::ControlSettings settings_;
  Identity me_;
  std::vector<std::string> targets_;
  int schema_before_ = 0;
  std::mutex mutex_;
  std::optional<db::Connection> conn_;
};

// f(conn) inside one transaction; rolled back when it throws.
template <typename F>
auto Fleet::locked(F&& f) -> decltype(f(std::declval<db::Connection&>())) {
  std::lock_guard lk(mutex_);
  auto& c = conn();
  c.query("BEGIN");
  try {
    if constexpr (std::is_void_v<decltype(f(c))>) {
      f(c);
      c.query("COMMIT");
    } else {
      auto result = f(c);
      c.query("COMMIT");
      return result;
    }
  } catch (...) {
    try {
      if (c.ok()) c.query("ROLLBACK");
    } catch (...) {
    }
    if (!c.ok()) conn_.reset();
    throw;
  }
}

}  // namespace squash::control
