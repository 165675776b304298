#include "jobs/jobs.hpp"

#include <fmt/format.h>

#include "jobs/backup.hpp"
#include "jobs/extension_jobs.hpp"
#include "jobs/probes.hpp"
#include "jobs/rebuild.hpp"

namespace squash::jobs {

namespace {

// Connects and takes the run's advisory lock; the connection holds it until it closes.
db::Connection lock_target(RunContext& ctx) {
  return ctx.step("connect", [&] {
    auto conn = ctx.connect();
    auto got = conn.scalar(fmt::format("SELECT pg_catalog.pg_try_advisory_lock({}, {})::text",
                                       kAdvisoryClass, kAdvisoryRun));
    if (got != "true")
      throw StepFailed(fmt::format(
          "busy: another session holds squashd's advisory lock ({}, {}) on target {} (another "
          "squashd on the same database?)",
          kAdvisoryClass, kAdvisoryRun, ctx.target().name));
    ctx.detail(fmt::format("connected (server {}), advisory lock ({}, {}) held",
                           conn.scalar("SHOW server_version").value_or("?"), kAdvisoryClass,
                           kAdvisoryRun));
    return conn;
  });
}

}  // namespace

void run_job(RunContext& ctx) {
  const auto kind = ctx.job().kind;
  if (kind == JobKind::probe) {
    run_probe_job(ctx);  // the application only: no connection to the database
    return;
  }
  if (kind == JobKind::rebuild) {
    // The target database is dropped mid-run: its lock lives on the maintenance database.
    run_rebuild_job(ctx);
    return;
  }
  auto lock = lock_target(ctx);
  switch (kind) {
    case JobKind::backup:
      run_backup_job(ctx);
      break;
    case JobKind::stamp:
      run_stamp_job(ctx, lock);
      break;
    case JobKind::validate:
      run_validate_job(ctx, lock);
      break;
    case JobKind::refresh_views:
      run_refresh_views_job(ctx, lock);
      break;
    case JobKind::restore_drill:
      run_restore_drill_job(ctx, lock);
      break;
    case JobKind::rebuild:
    case JobKind::probe:
      break;
  }
}

}  // namespace squash::jobs
