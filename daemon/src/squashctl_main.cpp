// squashctl [--url URL] [--token-file F] [--json] status | health
#include <chrono>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/token_file.hpp"
#include "api/types.hpp"
#include "client/http_client.hpp"
#include "client/status_view.hpp"
#include "version.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;        // the daemon said no, or a local problem
constexpr int kExitUnreachable = 2;  // no daemon answering at the URL
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

}  // namespace

int main(int argc, char** argv) {
  using namespace squash;
  CLI::App app{"squashctl: ask a running squashd what it is doing", "squashctl"};
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
  app.add_subcommand("health", "whether squashd answers (needs no token)");
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok, 1 squashd answered with an error (or a local problem such as an "
      "unreadable token file), 2 squashd not reachable, 64 usage error.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  std::string error;
  auto url = client::Url::parse(url_text, &error);
  if (!url) {
    std::cerr << "squashctl: " << error << '\n';
    return kExitUsage;
  }
  try {
    auto health_answer = client::http_get(*url, api::kHealthPath, "");
    if (health_answer.status != 200) {
      std::cerr << "squashctl: " << describe_error(health_answer) << '\n';
      return kExitError;
    }
    auto health = nlohmann::json::parse(health_answer.body).get<api::Health>();
    if (!status_cmd->parsed()) {
      if (raw_json)
        std::cout << health_answer.body;
      else
        std::cout << fmt::format("squashd {} at {}: {}\n", health.version, url->to_string(),
                                 health.status);
      return kExitOk;
    }

    std::string token;
    try {
      token = api::read_token_file(token_file);
    } catch (const std::exception& e) {
      std::cerr << "squashctl: " << e.what() << " (use --token-file)\n";
      return kExitError;
    }
    auto answer = client::http_get(*url, api::kStatusPath, token);
    if (answer.status != 200) {
      std::cerr << "squashctl: " << describe_error(answer) << '\n';
      return kExitError;
    }
    if (raw_json) {
      std::cout << answer.body;
      return kExitOk;
    }
    auto status = nlohmann::json::parse(answer.body).get<api::Status>();
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::cout << client::format_status(health, status, url->to_string(), now);
    return kExitOk;
  } catch (const client::Unreachable& e) {
    std::cerr << "squashctl: " << e.what() << "\nIs squashd running? (systemctl status squashd)\n";
    return kExitUnreachable;
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "squashctl: unexpected answer from " << url->to_string() << ": " << e.what()
              << '\n';
    return kExitError;
  }
}
