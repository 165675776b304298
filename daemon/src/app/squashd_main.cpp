// squashd [--config FILE] [--check-config]
#include <cstdio>
#include <filesystem>
#include <set>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config/config.hpp"
#include "logging/logging.hpp"
#include "runtime/daemon.hpp"
#include "api/version.hpp"
#include "app/exit_status.hpp"

namespace {

// For /etc/systemd/system/squashd.service.d/paths.conf: the unit's ProtectSystem=strict
// leaves only these writable.
std::string writable_paths_drop_in(const squash::config::Config& config) {
  std::set<std::string> dirs{config.daemon.state_dir};
  for (const auto& t : config.targets) dirs.insert(t.backup_dir);
  if (config.daemon.log_file)
    dirs.insert(std::filesystem::path(*config.daemon.log_file).parent_path().string());
  std::string out = "# written by squashd --print-writable-paths\n[Service]\n";
  for (const auto& d : dirs) {
    if (d.empty()) continue;
    std::string quoted = "\"";  // systemd unquotes it: a path may hold spaces
    for (char c : d) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    out += "ReadWritePaths=" + quoted + "\"\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace squash;
  CLI::App cli{"squashd: pg_squash's daemon (scheduled backups, stamps, rebuilds, validation)",
               "squashd"};
  std::string config_path = app::kDefaultConfigPath;
  bool check_only = false;
  bool print_paths = false;
  cli.add_option("-c,--config", config_path, "configuration file (TOML)")->capture_default_str();
  cli.add_flag("--check-config", check_only,
               "check the configuration, report every error with file:line:column, and exit");
  cli.add_flag("--print-writable-paths", print_paths,
               "print a systemd drop-in that makes every directory the configuration writes to "
               "writable (ReadWritePaths=), and exit");
  cli.set_version_flag("--version", std::string(kVersion));
  cli.footer(fmt::format(
      "Exit status: {} ok, {} invalid configuration or could not start, {} usage error.",
      app::kExitOk, app::kExitError, app::kExitUsage));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? app::kExitOk : app::kExitUsage;
  }

  auto zones = std::make_shared<scheduler::TimeZoneDb>();
  auto result = config::load_config(config_path, *zones);
  if (!result.config) {
    for (const auto& e : result.errors) std::cerr << e.to_string() << '\n';
    std::cerr << fmt::format("{}: {} error{}{}\n", config_path, result.errors.size(),
                             result.errors.size() == 1 ? "" : "s",
                             check_only ? "" : "; squashd not started");
    return app::kExitError;
  }
  if (check_only) {
    std::cout << "config OK" << std::endl;
    return 0;
  }
  if (print_paths) {
    std::cout << writable_paths_drop_in(*result.config);
    return 0;
  }
  try {
    logging::install_logger(logging::LogSettings::from(result.config->daemon));
  } catch (const std::exception& e) {
    std::cerr << "squashd: " << e.what() << '\n';
    return 1;
  }
  runtime::Daemon daemon(std::move(*result.config), zones);
  return daemon.run();
}
