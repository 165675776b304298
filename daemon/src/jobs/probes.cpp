#include "jobs/probes.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "probe/probe_runner.hpp"

namespace squash::jobs {

void run_probes(RunContext& ctx, const std::string& step) {
  const auto& probes = ctx.target().probes;
  if (probes.empty()) return;
  ctx.step(step, [&] {
    std::vector<std::string> failed;
    int passed = 0;
    for (const auto& spec : probes) {
      ctx.check_stop();
      ctx.detail(fmt::format("probing {} ({})", spec.name, spec.url));
      auto result = probe::run_probe(
          spec, ctx.now(), [&] { return ctx.stop().poll(ctx.now()) != process::StopReason::none; });
      result.step = step;
      ctx.check_stop();  // a probe cut short by a stop is not a verdict on the application
      if (result.ok) {
        ++passed;
        spdlog::info("run {}: probe {} passed in {:.3f}s", ctx.run().id, spec.name, result.seconds);
      } else {
        failed.push_back(fmt::format("{}: {}", spec.name, result.error.value_or("failed")));
        spdlog::warn("run {}: probe {} failed: {}", ctx.run().id, spec.name,
                     result.error.value_or("failed"));
      }
      ctx.add_probe_result(std::move(result));
    }
    ctx.detail(
        fmt::format("{} probe(s): {} passed, {} failed", probes.size(), passed, failed.size()));
    if (!failed.empty())
      throw StepFailed(fmt::format("application probe(s) failed: {}", fmt::join(failed, "; ")));
  });
}

void probe_after_rollback(RunContext& ctx) {
  if (ctx.target().probes.empty()) return;
  if (ctx.stop_requested()) {  // only the undo itself outlives a stop
    ctx.note("the application probes were not run again after the rollback: the run was stopped");
    return;
  }
  try {
    run_probes(ctx, "rollback-probe");
    ctx.note("after the rollback the application probes pass");
  } catch (const std::exception& e) {
    ctx.note(fmt::format("after the rollback the application probes still fail: {}", e.what()));
  }
}

void run_probe_job(RunContext& ctx) {
  if (ctx.target().probes.empty())
    throw StepFailed(
        fmt::format("target {} has no [[target.probe]] in the config", ctx.target().name));
  run_probes(ctx);
}

}  // namespace squash::jobs
