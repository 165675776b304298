// squashctl [--url URL] [--token-file F] [--json]
//   status | health | runs | run TARGET JOB [--param K=V]... [--wait] | cancel RUN | backups TARGET
//   probe TARGET                                    (= run TARGET probe --wait)
//   revisions inspect DIR | revisions squash DIR [--upto REV] --file F [--dry-run]
//                                                [--expect-digest D]      (local, no daemon)
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/token_file.hpp"
#include "api/types.hpp"
#include "client/http_client.hpp"
#include "client/runs_view.hpp"
#include "client/status_view.hpp"
#include "revisions/commands.hpp"
#include "api/version.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;        // the daemon said no, or a local problem
constexpr int kExitUnreachable = 2;  // no daemon answering at the URL
constexpr int kExitBusy = 3;         // run: the target is busy with another run
constexpr int kExitRunFailed = 4;    // run --wait: the run ended other than succeeded
constexpr int kExitUsage = 64;

// The daemon's error answer as one line.
std::string describe_error(const squash::client::HttpResult& r) {
  try {
    auto e = nlohmann::json::parse(r.body).get<squash::api::Error>();
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

}  // namespace

int main(int argc, char** argv) {
  using namespace squash;
  CLI::App app{"squashctl: ask a running squashd what it is doing, and start or cancel runs",
               "squashctl"};
  std::string url_text = api::kDefaultUrl;
  std::string token_file = "/etc/squashd/token";
  bool raw_json = false;
  app.add_option("--url", url_text, "squashd's HTTP address")
      ->envname("SQUASHCTL_URL")
      ->capture_default_str();
  app.add_option("--token-file", token_file, "file holding the API token")
      ->envname("SQUASHCTL_TOKEN_FILE")
      ->capture_default_str();
  app.add_flag("--json", raw_json, "print the daemon's JSON answer as it is");
  app.set_version_flag("--version", std::string(kVersion));
  app.fallthrough();  // --url, --token-file and --json also after the subcommand
  auto* status_cmd =
      app.add_subcommand("status", "version, uptime, targets, schedules and their next run");
  auto* health_cmd = app.add_subcommand("health", "whether squashd answers (needs no token)");
  auto* runs_cmd = app.add_subcommand("runs", "recent runs: id, target, job, state, times");
  std::string show_id;
  auto* show_cmd = app.add_subcommand("show", "one run with its steps, progress and errors");
  show_cmd->add_option("RUN", show_id, "run id")->required();
  std::string run_target, run_job;
  std::vector<std::string> run_params;
  bool run_wait = false;
  auto* run_cmd = app.add_subcommand("run", "start JOB on TARGET now; prints the new run's id");
  run_cmd->add_option("TARGET", run_target, "target name")->required();
  run_cmd
      ->add_option("JOB", run_job,
                   "backup, stamp, rebuild, validate, refresh-views, restore-drill or probe")
      ->required();
  run_cmd->add_option("--param", run_params, "job parameter KEY=VALUE (repeatable)");
  run_cmd->add_flag("--wait", run_wait,
                    "wait for the run to finish, with a progress bar while it dumps");
  std::string probe_target;
  auto* probe_cmd =
      app.add_subcommand("probe", "run TARGET's application probes now and wait for their results");
  probe_cmd->add_option("TARGET", probe_target, "target name")->required();
  std::string cancel_id;
  auto* cancel_cmd = app.add_subcommand("cancel", "stop a running or queued run");
  cancel_cmd->add_option("RUN", cancel_id, "run id")->required();
  std::string backups_target;
  auto* backups_cmd = app.add_subcommand("backups", "verified backups of a target");
  backups_cmd->add_option("TARGET", backups_target, "target name")->required();
  auto* revisions_cmd = app.add_subcommand(
      "revisions", "read or squash an Alembic versions folder (local; no daemon needed)");
  revisions_cmd->require_subcommand(1);
  std::string inspect_dir;
  auto* inspect_cmd = revisions_cmd->add_subcommand(
      "inspect", "print the revision graph and whether Alembic would accept it (exit 1 if not)");
  inspect_cmd->add_option("DIR", inspect_dir, "the versions folder")->required();
  revisions::SquashRequest squash_request;
  auto* squash_cmd = revisions_cmd->add_subcommand(
      "squash", "replace REV and its ancestors by one generated revision; archive the old files");
  squash_cmd->add_option("DIR", squash_request.dir, "the versions folder")->required();
  squash_cmd->add_option("--upto", squash_request.upto,
                         "the last revision to squash (default: the single head)");
  squash_cmd
      ->add_option("--file", squash_request.generated_file,
                   "the generated revision (its down_revision must be None)")
      ->required();
  squash_cmd->add_flag("--dry-run", squash_request.dry_run,
                       "print every move and rewrite, change nothing");
  squash_cmd->add_option("--expect-digest", squash_request.expect_digest,
                         "refuse unless the folder still has this digest (from inspect)");
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok, 1 squashd answered with an error (or a local problem such as an "
      "unreadable token file), 2 squashd not reachable, 3 run: the target is busy, 4 run --wait: "
      "the run did not succeed (probe: a probe failed), 64 usage error. revisions: 0 Alembic would "
      "accept the folder / the "
      "squash was applied (or planned, with --dry-run), 1 refused.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  if (inspect_cmd->parsed())
    return revisions::run_inspect(inspect_dir, raw_json, std::cout, std::cerr);
  if (squash_cmd->parsed())
    return revisions::run_squash(squash_request, raw_json, std::cout, std::cerr);

  if (probe_cmd->parsed()) {
    run_target = probe_target;
    run_job = "probe";
    run_wait = true;
  }
  std::string error;
  auto url = client::Url::parse(url_text, &error);
  if (!url) {
    std::cerr << "squashctl: " << error << '\n';
    return kExitUsage;
  }
  nlohmann::json params = nlohmann::json::object();
  if (!parse_params(run_params, params, &error)) {
    std::cerr << "squashctl: " << error << '\n';
    return kExitUsage;
  }
  try {
    if (health_cmd->parsed() || status_cmd->parsed()) {
      auto health_answer = client::http_get(*url, api::kHealthPath, "");
      if (health_answer.status != 200) {
        std::cerr << "squashctl: " << describe_error(health_answer) << '\n';
        return kExitError;
      }
      if (health_cmd->parsed()) {
        auto health = nlohmann::json::parse(health_answer.body).get<api::Health>();
        if (raw_json)
          std::cout << health_answer.body;
        else
          std::cout << fmt::format("squashd {} at {}: {}\n", health.version, url->to_string(),
                                   health.status);
        return kExitOk;
      }
    }

    std::string token;
    try {
      token = api::read_token_file(token_file);
    } catch (const std::exception& e) {
      std::cerr << "squashctl: " << e.what() << " (use --token-file)\n";
      return kExitError;
    }
    auto get = [&](const std::string& path) {
      auto answer = client::http_get(*url, path, token);
      if (answer.status != 200) throw std::runtime_error(describe_error(answer));
      return answer;
    };
    try {
      if (status_cmd->parsed()) {
        auto health = nlohmann::json::parse(get(api::kHealthPath).body).get<api::Health>();
        auto answer = get(api::kStatusPath);
        if (raw_json) {
          std::cout << answer.body;
          return kExitOk;
        }
        auto status = nlohmann::json::parse(answer.body).get<api::Status>();
        auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        std::cout << client::format_status(health, status, url->to_string(), now);
        return kExitOk;
      }
      if (runs_cmd->parsed()) {
        auto answer = get(api::kRunsPath);
        if (raw_json) return std::cout << answer.body, kExitOk;
        auto runs = nlohmann::json::parse(answer.body).at("runs").get<std::vector<api::Run>>();
        std::cout << client::format_runs(runs);
        return kExitOk;
      }
      if (show_cmd->parsed()) {
        auto answer = get(path_with(api::kRunPath, "id", show_id));
        if (raw_json) return std::cout << answer.body, kExitOk;
        std::cout << client::format_run(nlohmann::json::parse(answer.body).get<api::Run>());
        return kExitOk;
      }
      if (backups_cmd->parsed()) {
        auto answer = get(path_with(api::kBackupsPath, "name", backups_target));
        if (raw_json) return std::cout << answer.body, kExitOk;
        auto list =
            nlohmann::json::parse(answer.body).at("backups").get<std::vector<api::Backup>>();
        std::cout << client::format_backups(backups_target, list);
        return kExitOk;
      }
      if (cancel_cmd->parsed()) {
        auto answer =
            client::http_post(*url, path_with(api::kRunCancelPath, "id", cancel_id), token, "{}");
        if (answer.status != 200 && answer.status != 202) {
          std::cerr << "squashctl: " << describe_error(answer) << '\n';
          return kExitError;
        }
        if (raw_json) return std::cout << answer.body, kExitOk;
        auto a = nlohmann::json::parse(answer.body).get<api::RunAccepted>();
        std::cout << fmt::format("{}: {}\n", a.id, a.state);
        return kExitOk;
      }
      // run TARGET JOB
      api::RunRequest request{run_target, run_job, params};
      auto answer = client::http_post(*url, api::kRunsPath, token, nlohmann::json(request).dump());
      if (answer.status == 409) {
        std::cerr << "squashctl: " << describe_error(answer) << '\n';
        return kExitBusy;
      }
      if (answer.status != 202) {
        std::cerr << "squashctl: " << describe_error(answer) << '\n';
        return kExitError;
      }
      auto accepted = nlohmann::json::parse(answer.body).get<api::RunAccepted>();
      if (raw_json && !run_wait) return std::cout << answer.body, kExitOk;
      std::cout << accepted.id << std::endl;
      if (!run_wait) return kExitOk;

      bool tty = ::isatty(STDERR_FILENO);
      int tick = 0;
      std::string last_step;
      for (;;) {
        auto r = nlohmann::json::parse(get(path_with(api::kRunPath, "id", accepted.id)).body)
                     .get<api::Run>();
        const api::Step* current = r.steps.empty() ? nullptr : &r.steps.back();
        if (current && current->name != last_step) {
          if (tty && !last_step.empty()) std::cerr << "\r\033[K";
          last_step = current->name;
          if (!tty) std::cerr << "step " << current->name << "\n";
        }
        if (r.finished()) {
          if (tty) std::cerr << "\r\033[K";
          if (raw_json)
            std::cout << nlohmann::json(r).dump() << "\n";
          else
            std::cout << client::format_run(r);
          return r.state == api::kSucceeded ? kExitOk : kExitRunFailed;
        }
        if (tty && current) {
          std::string line = current->progress
                                 ? client::progress_line(*current->progress, 30, tick++)
                                 : std::string("...");
          std::cerr << "\r\033[K" << fmt::format("{:<12} {}", current->name, line) << std::flush;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    } catch (const client::Unreachable&) {
      throw;
    } catch (const std::runtime_error& e) {
      std::cerr << "squashctl: " << e.what() << '\n';
      return kExitError;
    }
  } catch (const client::Unreachable& e) {
    std::cerr << "squashctl: " << e.what() << "\nIs squashd running? (systemctl status squashd)\n";
    return kExitUnreachable;
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "squashctl: unexpected answer from " << url->to_string() << ": " << e.what()
              << '\n';
    return kExitError;
  }
}
