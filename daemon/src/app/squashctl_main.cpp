// squashctl [--url URL] [--token-file F] [--json]
//   status | health | runs | run TARGET JOB [--param K=V]... [--wait] | cancel RUN | backups TARGET
//   probe TARGET                                    (= run TARGET probe --wait)
//   diff TARGET --against LABEL [--sql [--allow-destructive]]
//   rollout create FILE | rollout status [NAME] | rollout pause NAME | rollout resume NAME
//   fleet status
//   revisions inspect DIR|--config INI [--name S]
//   revisions squash DIR|--config INI [--name S] [--upto REV] --file F [--dry-run]
//                    [--expect-digest D] [--archive-dir A]               (local, no daemon)
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/token_file.hpp"
#include "api/types.hpp"
#include "api/version.hpp"
#include "client/diff_view.hpp"
#include "client/http_client.hpp"
#include "client/rollout_view.hpp"
#include "client/runs_view.hpp"
#include "client/snapshot_copy.hpp"
#include "client/status_view.hpp"
#include "revisions/commands.hpp"
#include "app/exit_status.hpp"

namespace {

using namespace squash;

using app::kExitError;  // the daemon said no, or a local problem
using app::kExitOk;
using app::kExitUsage;
constexpr int kExitUnreachable = 2;  // no daemon answering at the URL
constexpr int kExitBusy = 3;         // run: the target is busy with another run
constexpr int kExitRunFailed = 4;    // run --wait: the run ended other than succeeded
constexpr int kExitDiffers = 5;      // diff: the target differs from the snapshot
// A diff reads the whole live schema and may build a script: wait longer than for the rest
// (squashd stops the query after 300 s).
constexpr auto kDiffTimeout = std::chrono::seconds(330);

// The daemon's error answer as one line.
std::string describe_error(const client::HttpResult& r) {
  try {
    auto e = nlohmann::json::parse(r.body).get<api::Error>();
    return fmt::format("squashd answered {}: {}", r.status, e.message);
  } catch (const nlohmann::json::exception&) {
    return fmt::format("squashd answered {}", r.status);
  }
}

std::string path_with(std::string pattern, const std::string& key, const std::string& value) {
  auto pos = pattern.find("{" + key + "}");
  if (pos != std::string::npos) pattern.replace(pos, key.size() + 2, value);
  return pattern;
}

// K=V → params; "true"/"false" become booleans, "a,b" stays a string.
bool parse_params(const std::vector<std::string>& items, nlohmann::json& out, std::string* error) {
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      *error = fmt::format("--param {}: expected KEY=VALUE", item);
      return false;
    }
    auto key = item.substr(0, eq), value = item.substr(eq + 1);
    if (value == "true" || value == "false")
      out[key] = value == "true";
    else
      out[key] = value;
  }
  return true;
}

// What the command line asked for.
struct Options {
  std::string url = api::kDefaultUrl;
  std::string token_file = "/etc/squashd/token";
  bool raw_json = false;
  std::string run_id;  // show, cancel
  std::string target;  // run, probe, backups
  std::string job;
  std::vector<std::string> params;
  bool wait = false;
  std::string against;  // diff
  bool sql = false;
  bool allow_destructive = false;
  revisions::Source inspect;
  revisions::SquashRequest squash;
  client::SnapshotCopy snapshot;
  std::string rollout;  // rollout create: the file; status, pause, resume: the name
};

// The token file could not be read (exit 1, "use --token-file").
struct TokenUnreadable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A connection to squashd: the URL, and the token read when a command first needs it.
class Session {
 public:
  Session(client::Url url, const Options& options) : url_(std::move(url)), options_(options) {}

  const client::Url& url() const { return url_; }
  bool raw_json() const { return options_.raw_json; }
  const std::string& token() {
    if (!token_) try {
        token_ = api::read_token_file(options_.token_file);
      } catch (const std::exception& e) {
        throw TokenUnreadable(e.what());
      }
    return *token_;
  }
  // GET with the token; a non-200 answer throws std::runtime_error.
  client::HttpResult get(const std::string& path,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto answer = client::http_get(url_, path, token(), timeout);
    if (answer.status != 200) throw std::runtime_error(describe_error(answer));
    return answer;
  }

 private:
  client::Url url_;
  const Options& options_;
  std::optional<std::string> token_;
};

// /v1/health needs no token: health and status ask it first.
std::optional<client::HttpResult> open_health(Session& s) {
  auto answer = client::http_get(s.url(), api::kHealthPath, "");
  if (answer.status == 200) return answer;
  std::cerr << "squashctl: " << describe_error(answer) << '\n';
  return std::nullopt;
}

int cmd_health(Session& s) {
  auto answer = open_health(s);
  if (!answer) return kExitError;
  auto health = nlohmann::json::parse(answer->body).get<api::Health>();
  if (s.raw_json())
    std::cout << answer->body;
  else
    std::cout << fmt::format("squashd {} at {}: {}\n", health.version, s.url().to_string(),
                             health.status);
  return kExitOk;
}

int cmd_status(Session& s) {
  if (!open_health(s)) return kExitError;
  s.token();
  auto health = nlohmann::json::parse(s.get(api::kHealthPath).body).get<api::Health>();
  auto answer = s.get(api::kStatusPath);
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  auto status = nlohmann::json::parse(answer.body).get<api::Status>();
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::cout << client::format_status(health, status, s.url().to_string(), now);
  return kExitOk;
}

int cmd_runs(Session& s) {
  auto answer = s.get(api::kRunsPath);
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  auto runs = nlohmann::json::parse(answer.body).at("runs").get<std::vector<api::Run>>();
  std::cout << client::format_runs(runs);
  return kExitOk;
}

int cmd_show(Session& s, const std::string& id) {
  auto answer = s.get(path_with(api::kRunPath, "id", id));
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  std::cout << client::format_run(nlohmann::json::parse(answer.body).get<api::Run>());
  return kExitOk;
}

int cmd_backups(Session& s, const std::string& target) {
  auto answer = s.get(path_with(api::kBackupsPath, "name", target));
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  auto list = nlohmann::json::parse(answer.body).at("backups").get<std::vector<api::Backup>>();
  std::cout << client::format_backups(target, list);
  return kExitOk;
}

int cmd_diff(Session& s, const Options& o) {
  auto path = path_with(api::kDiffPath, "name", o.target) +
              "?against=" + client::query_escape(o.against) + (o.sql ? "&format=sql" : "") +
              (o.allow_destructive ? "&allow_destructive=true" : "");
  auto answer = s.get(path, kDiffTimeout);
  auto body = nlohmann::json::parse(answer.body);
  if (o.sql) {
    if (s.raw_json()) return std::cout << answer.body, kExitOk;
    std::cout << body.at("sql").get<std::string>();
    return kExitOk;
  }
  if (s.raw_json())
    std::cout << answer.body;
  else
    std::cout << client::format_diff(body);
  return body.at("differences").get<std::size_t>() == 0 ? kExitOk : kExitDiffers;
}

int cmd_cancel(Session& s, const std::string& id) {
  auto answer =
      client::http_post(s.url(), path_with(api::kRunCancelPath, "id", id), s.token(), "{}");
  if (answer.status != 200 && answer.status != 202) {
    std::cerr << "squashctl: " << describe_error(answer) << '\n';
    return kExitError;
  }
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  auto a = nlohmann::json::parse(answer.body).get<api::RunAccepted>();
  std::cout << fmt::format("{}: {}\n", a.id, a.state);
  return kExitOk;
}

// Polls the run until it ends, with the current step: on a tty one line redrawn in place
// (a bar with percentage and time left once an earlier run gives an estimate); otherwise
// plain lines, one per step and one about every 10 s of a step's progress. Polls every
// 100 ms for the first 10 s (a short run is seen to end when it ends), then every 500 ms.
int wait_for_run(Session& s, const std::string& id) {
  bool tty = ::isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();
  int tick = 0;
  std::string last_step;
  auto last_line = std::chrono::steady_clock::time_point{};
  for (;;) {
    auto r = nlohmann::json::parse(s.get(path_with(api::kRunPath, "id", id)).body).get<api::Run>();
    const api::Step* current = r.steps.empty() ? nullptr : &r.steps.back();
    if (current && current->name != last_step) {
      if (tty && !last_step.empty()) std::cerr << "\r\033[K";
      last_step = current->name;
      if (!tty) std::cerr << "step " << current->name << "\n";
      last_line = std::chrono::steady_clock::time_point{};
    }
    if (!tty && current && current->progress && current->state == api::kRunning &&
        std::chrono::steady_clock::now() - last_line >= std::chrono::seconds(10)) {
      last_line = std::chrono::steady_clock::now();
      std::cerr << current->name << ": " << client::progress_text(*current->progress) << "\n";
    }
    if (r.finished()) {
      if (tty) std::cerr << "\r\033[K";
      if (s.raw_json())
        std::cout << nlohmann::json(r).dump() << "\n";
      else
        std::cout << client::format_run(r);
      return r.state == api::kSucceeded ? kExitOk : kExitRunFailed;
    }
    if (tty && current) {
      std::string line = current->progress ? client::progress_line(*current->progress, 30, tick++)
                                           : std::string("...");
      std::cerr << "\r\033[K" << fmt::format("{:<12} {}", current->name, line) << std::flush;
    }
    bool early = std::chrono::steady_clock::now() - started < std::chrono::seconds(10);
    std::this_thread::sleep_for(std::chrono::milliseconds(early ? 100 : 500));
  }
}

int cmd_run(Session& s, const api::RunRequest& request, bool wait) {
  auto answer =
      client::http_post(s.url(), api::kRunsPath, s.token(), nlohmann::json(request).dump());
  if (answer.status != 202) {
    std::cerr << "squashctl: " << describe_error(answer) << '\n';
    return answer.status == 409 ? kExitBusy : kExitError;
  }
  auto accepted = nlohmann::json::parse(answer.body).get<api::RunAccepted>();
  if (s.raw_json() && !wait) return std::cout << answer.body, kExitOk;
  std::cout << accepted.id << std::endl;
  return wait ? wait_for_run(s, accepted.id) : kExitOk;
}

// rollout create FILE: the definition as JSON; a relative snapshot_file is taken from
// the file's folder, so that squashd gets an absolute path.
int cmd_rollout_create(Session& s, const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", file));
  std::stringstream text;
  text << in.rdbuf();
  auto body = nlohmann::json::parse(text.str(), nullptr, false);
  if (body.is_discarded() || !body.is_object())
    throw std::runtime_error(fmt::format("{} is not a JSON object", file));
  if (auto it = body.find("snapshot_file"); it != body.end() && it->is_string()) {
    std::filesystem::path p = it->get<std::string>();
    if (p.is_relative())
      *it = (std::filesystem::absolute(file).parent_path() / p).lexically_normal().string();
  }
  auto answer = client::http_post(s.url(), api::kRolloutsPath, s.token(), body.dump());
  if (answer.status != 201) {
    std::cerr << "squashctl: " << describe_error(answer) << '\n';
    return kExitError;
  }
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  std::cout << client::format_rollout(nlohmann::json::parse(answer.body));
  return kExitOk;
}

int cmd_rollout_status(Session& s, const std::string& name) {
  if (name.empty()) {
    auto answer = s.get(api::kRolloutsPath);
    if (s.raw_json()) return std::cout << answer.body, kExitOk;
    std::cout << client::format_rollouts(nlohmann::json::parse(answer.body).at("rollouts"));
    return kExitOk;
  }
  auto answer = s.get(path_with(api::kRolloutPath, "id", name));
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  std::cout << client::format_rollout(nlohmann::json::parse(answer.body));
  return kExitOk;
}

int cmd_rollout_change(Session& s, const std::string& name, bool pause) {
  auto answer = client::http_post(
      s.url(), path_with(pause ? api::kRolloutPausePath : api::kRolloutResumePath, "id", name),
      s.token(), "{}");
  if (answer.status != 200) {
    std::cerr << "squashctl: " << describe_error(answer) << '\n';
    return kExitError;
  }
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  auto r = nlohmann::json::parse(answer.body);
  std::cout << fmt::format("{}: {}\n", name, r.value("state", "?"));
  return kExitOk;
}

int cmd_fleet_status(Session& s) {
  // Each target it reaches is asked for its live revision and fingerprint.
  auto answer = s.get(api::kFleetTargetsPath, std::chrono::seconds(300));
  if (s.raw_json()) return std::cout << answer.body, kExitOk;
  std::cout << client::format_fleet_targets(nlohmann::json::parse(answer.body));
  return kExitOk;
}

// Runs a command that talks to squashd, mapping failures to exit codes.
int with_daemon(const Options& o, const std::function<int(Session&)>& command) {
  std::string error;
  auto url = client::Url::parse(o.url, &error);
  if (!url) {
    std::cerr << "squashctl: " << error << '\n';
    return kExitUsage;
  }
  Session session(*url, o);
  try {
    return command(session);
  } catch (const TokenUnreadable& e) {
    std::cerr << "squashctl: " << e.what() << " (use --token-file)\n";
    return kExitError;
  } catch (const client::Unreachable& e) {
    std::cerr << "squashctl: " << e.what() << "\nIs squashd running? (systemctl status squashd)\n";
    return kExitUnreachable;
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "squashctl: unexpected answer from " << url->to_string() << ": " << e.what()
              << '\n';
    return kExitError;
  } catch (const std::runtime_error& e) {
    std::cerr << "squashctl: " << e.what() << '\n';
    return kExitError;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"squashctl: ask a running squashd what it is doing, and start or cancel runs",
               "squashctl"};
  Options o;
  app.add_option("--url", o.url, "squashd's HTTP address")
      ->envname("SQUASHCTL_URL")
      ->capture_default_str();
  app.add_option("--token-file", o.token_file, "file holding the API token")
      ->envname("SQUASHCTL_TOKEN_FILE")
      ->capture_default_str();
  app.add_flag("--json", o.raw_json, "print the daemon's JSON answer as it is");
  app.set_version_flag("--version", std::string(kVersion));
  app.fallthrough();  // --url, --token-file and --json also after the subcommand

  // Each subcommand with what it runs; main runs the one that was given.
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
  nlohmann::json params = nlohmann::json::object();
  auto daemon_command = [&](CLI::App* cmd, std::function<int(Session&)> body) {
    commands.emplace_back(cmd, [&o, body] { return with_daemon(o, body); });
    return cmd;
  };
  daemon_command(
      app.add_subcommand("status", "version, uptime, targets, schedules and their next run"),
      cmd_status);
  daemon_command(app.add_subcommand("health", "whether squashd answers (needs no token)"),
                 cmd_health);
  daemon_command(app.add_subcommand("runs", "recent runs: id, target, job, state, times"),
                 cmd_runs);
  daemon_command(app.add_subcommand("show", "one run with its steps, progress and errors"),
                 [&](Session& s) { return cmd_show(s, o.run_id); })
      ->add_option("RUN", o.run_id, "run id")
      ->required();
  auto* run_cmd =
      daemon_command(app.add_subcommand("run", "start JOB on TARGET now; prints the new run's id"),
                     [&](Session& s) {
                       return cmd_run(s, {o.target, o.job, params}, o.wait);
                     });
  run_cmd->add_option("TARGET", o.target, "target name")->required();
  run_cmd
      ->add_option("JOB", o.job,
                   "backup, stamp, rebuild, validate, refresh-views, restore-drill or probe")
      ->required();
  run_cmd->add_option("--param", o.params, "job parameter KEY=VALUE (repeatable)");
  run_cmd->add_flag("--wait", o.wait,
                    "wait for the run to finish, with progress while it dumps (percentage and "
                    "time left from the last backup of the target)");
  daemon_command(
      app.add_subcommand("probe", "run TARGET's application probes now and wait for their results"),
      [&](Session& s) {
        return cmd_run(s, {o.target, "probe", params}, true);
      })
      ->add_option("TARGET", o.target, "target name")
      ->required();
  daemon_command(app.add_subcommand("cancel", "stop a running or queued run"),
                 [&](Session& s) { return cmd_cancel(s, o.run_id); })
      ->add_option("RUN", o.run_id, "run id")
      ->required();
  daemon_command(app.add_subcommand("backups", "verified backups of a target"),
                 [&](Session& s) { return cmd_backups(s, o.target); })
      ->add_option("TARGET", o.target, "target name")
      ->required();

  auto* diff_cmd = daemon_command(
      app.add_subcommand("diff",
                         "compare TARGET's live schema with snapshot LABEL stored there; exit 5 "
                         "when they differ"),
      [&](Session& s) { return cmd_diff(s, o); });
  diff_cmd->add_option("TARGET", o.target, "target name")->required();
  diff_cmd->add_option("--against", o.against, "the stored snapshot's label")->required();
  auto* sql_flag = diff_cmd->add_flag(
      "--sql", o.sql, "print the script that turns the target into the snapshot (squash_diff_sql)");
  diff_cmd
      ->add_flag("--allow-destructive", o.allow_destructive,
                 "with --sql: write statements that lose data instead of refusing them")
      ->needs(sql_flag);

  auto* rollout_cmd = app.add_subcommand(
      "rollout", "stamp a snapshot's revision across the fleet, stage by stage (needs [control])");
  rollout_cmd->require_subcommand(1);
  daemon_command(
      rollout_cmd->add_subcommand("create",
                                  "start the rollout FILE defines (JSON: name, revision, "
                                  "snapshot_file, stages)"),
      [&](Session& s) { return cmd_rollout_create(s, o.rollout); })
      ->add_option("FILE", o.rollout, "the rollout's definition")
      ->required();
  daemon_command(rollout_cmd->add_subcommand(
                     "status", "every rollout, or one with its stages, targets and differences"),
                 [&](Session& s) { return cmd_rollout_status(s, o.rollout); })
      ->add_option("NAME", o.rollout, "the rollout's name");
  daemon_command(rollout_cmd->add_subcommand("pause", "queue no more stamps of the rollout"),
                 [&](Session& s) { return cmd_rollout_change(s, o.rollout, true); })
      ->add_option("NAME", o.rollout, "the rollout's name")
      ->required();
  daemon_command(rollout_cmd->add_subcommand(
                     "resume",
                     "go on with a paused rollout, or a stopped one (its failed targets "
                     "are stamped again)"),
                 [&](Session& s) { return cmd_rollout_change(s, o.rollout, false); })
      ->add_option("NAME", o.rollout, "the rollout's name")
      ->required();
  auto* fleet_cmd = app.add_subcommand("fleet", "the fleet's targets (needs [control])");
  fleet_cmd->require_subcommand(1);
  daemon_command(fleet_cmd->add_subcommand(
                     "status",
                     "per target: rollout, stage, state, live revision, whether its "
                     "live fingerprint is the rollout's snapshot, last backup, last run"),
                 cmd_fleet_status);

  auto* revisions_cmd = app.add_subcommand(
      "revisions", "read or squash an Alembic versions folder (local; no daemon needed)");
  revisions_cmd->require_subcommand(1);
  auto* inspect_cmd = revisions_cmd->add_subcommand(
      "inspect", "print the revision graph and whether Alembic would accept it (exit 1 if not)");
  // DIR or --config: the folder itself, or the version locations alembic.ini names.
  auto add_source = [](CLI::App* cmd, revisions::Source& source) {
    auto* dir = cmd->add_option("DIR", source.dir, "the versions folder");
    auto* config = cmd->add_option(
        "--config", source.config,
        "alembic.ini: read script_location, version_locations and recursive_version_locations");
    dir->excludes(config);
    config->excludes(dir);
    cmd->add_option("-n,--name", source.name, "the ini's section (default: alembic)")
        ->needs(config);
    cmd->callback([cmd] {
      if (cmd->count("DIR") + cmd->count("--config") == 0)
        throw CLI::RequiredError("DIR or --config");
    });
  };
  add_source(inspect_cmd, o.inspect);
  commands.emplace_back(inspect_cmd, [&] {
    return revisions::run_inspect(o.inspect, o.raw_json, std::cout, std::cerr);
  });
  auto* squash_cmd = revisions_cmd->add_subcommand(
      "squash", "replace REV and its ancestors by one generated revision; archive the old files");
  add_source(squash_cmd, o.squash);
  squash_cmd->add_option("--archive-dir", o.squash.archive_dir,
                         "where the replaced files go (default: "
                         "SCRIPT_LOCATION/archived_revisions/NEW_ID; must be outside every "
                         "version location)");
  squash_cmd->add_option("--upto", o.squash.upto,
                         "the last revision to squash (default: the single head)");
  squash_cmd
      ->add_option("--file", o.squash.generated_file,
                   "the generated revision (its down_revision must be None)")
      ->required();
  squash_cmd->add_flag("--dry-run", o.squash.dry_run,
                       "print every move and rewrite, change nothing");
  squash_cmd->add_option("--expect-digest", o.squash.expect_digest,
                         "refuse unless the folder still has this digest (from inspect)");
  commands.emplace_back(squash_cmd, [&] {
    return revisions::run_squash(o.squash, o.raw_json, std::cout, std::cerr);
  });

  auto* snapshot_cmd = app.add_subcommand(
      "snapshot", "move a stored snapshot between databases (libpq; no daemon needed)");
  snapshot_cmd->require_subcommand(1);
  auto* copy_cmd = snapshot_cmd->add_subcommand(
      "copy", "copy snapshot LABEL from one database to another, checked by its fingerprint");
  copy_cmd->add_option("--from", o.snapshot.from, "conninfo of the source database")->required();
  copy_cmd->add_option("--to", o.snapshot.to, "conninfo of the destination")->required();
  copy_cmd->add_option("LABEL", o.snapshot.label, "the snapshot's label")->required();
  copy_cmd->add_option("--as", o.snapshot.as, "its label at the destination (default: LABEL)");
  commands.emplace_back(
      copy_cmd, [&] { return client::run_snapshot_copy(o.snapshot, std::cout, std::cerr); });
  auto* export_cmd =
      snapshot_cmd->add_subcommand("export", "write snapshot LABEL as JSON to a file or stdout");
  export_cmd->add_option("--from", o.snapshot.from, "conninfo of the database")->required();
  export_cmd->add_option("LABEL", o.snapshot.label, "the snapshot's label")->required();
  export_cmd->add_option("-o,--output", o.snapshot.file, "file (default: stdout)");
  commands.emplace_back(
      export_cmd, [&] { return client::run_snapshot_export(o.snapshot, std::cout, std::cerr); });
  auto* import_cmd = snapshot_cmd->add_subcommand(
      "import", "store a JSON snapshot (a file, or stdin) under LABEL; prints its fingerprint");
  import_cmd->add_option("--to", o.snapshot.to, "conninfo of the database")->required();
  import_cmd->add_option("LABEL", o.snapshot.label, "the label to store it under")->required();
  import_cmd->add_option("FILE", o.snapshot.file, "the exported snapshot (default: stdin)");
  commands.emplace_back(
      import_cmd, [&] { return client::run_snapshot_import(o.snapshot, std::cout, std::cerr); });

  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok, 1 squashd answered with an error (or a local problem such as an "
      "unreadable token file), 2 squashd not reachable, 3 run: the target is busy, 4 run --wait: "
      "the run did not succeed (probe: a probe failed), 5 diff: the target differs from the "
      "snapshot, 64 usage error. revisions: 0 Alembic would "
      "accept the folder / the "
      "squash was applied (or planned, with --dry-run), 1 refused.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  std::string error;
  if (!parse_params(o.params, params, &error)) {
    std::cerr << "squashctl: " << error << '\n';
    return kExitUsage;
  }
  for (auto& [cmd, run] : commands)
    if (cmd->parsed()) return run();
  return kExitUsage;
}
