// squashd --config FILE [--check-config]
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config/config.hpp"
#include "logging/logging.hpp"
#include "runtime/daemon.hpp"
#include "api/version.hpp"

int main(int argc, char** argv) {
  using namespace squash;
  CLI::App app{"squashd: pg_squash's daemon (scheduled backups, stamps, rebuilds, validation)",
               "squashd"};
  std::string config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "configuration file (TOML)")->required();
  app.add_flag("--check-config", check_only,
               "check the configuration, report every error with file:line:column, and exit");
  app.set_version_flag("--version", std::string(kVersion));
  app.footer("Exit status: 0 ok, 1 invalid configuration or could not start, 2 usage error.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto zones = std::make_shared<scheduler::TimeZoneDb>();
  auto result = config::load_config(config_path, *zones);
  if (!result.config) {
    for (const auto& e : result.errors) std::cerr << e.to_string() << '\n';
    std::cerr << fmt::format("{}: {} error{}{}\n", config_path, result.errors.size(),
                             result.errors.size() == 1 ? "" : "s",
                             check_only ? "" : "; squashd not started");
    return 1;
  }
  if (check_only) {
    std::cout << "config OK" << std::endl;
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
