#include "config/config.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/conninfo.hpp"
#include "jobspec/job_spec.hpp"
#include "probe/endpoint.hpp"
#include "scheduler/duration.hpp"
#include "util/names.hpp"

namespace squash::config {

namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string_view>;

const Names kLogLevels = {"trace", "debug", "info", "warn", "error"};
const Names kLogFormats = {"text", "json"};
const Names kTopLevel = {"daemon", "target", "schedule"};
const Names kDaemonKeys = {"listen",          "token_file",     "state_dir",
                           "log_level",       "log_file",       "log_format",
                           "max_connections", "header_timeout", "request_timeout"};
const Names kTargetKeys = {"name",      "conninfo",  "passfile", "backup_dir",
                           "keep_last", "keep_days", "min_keep", "probe"};
const Names kProbeKeys = {"name",          "kind",         "url",    "method",
                          "expect_status", "expect_reply", "send",   "timeout",
                          "secret_file",   "headers",      "ca_file"};
const Names kProbeKinds = {"http", "websocket", "tcp"};
const Names kProbeMethods = {"GET", "HEAD"};
const Names kScheduleKeys = {"target", "job", "cron", "timezone", "window", "params"};

using util::hint;

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "nothing";
  }
}

SourcePos pos_of(const toml::source_region& r) {
  return {static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

// Position of character `offset` inside a string value, when the string sits on one
// line without escapes; otherwise the start of the value.
SourcePos char_pos(const toml::node& n, std::size_t offset) {
  auto src = n.source();
  SourcePos p = pos_of(src);
  auto* s = n.as_string();
  if (s && src.begin.line == src.end.line &&
      static_cast<std::size_t>(src.end.column - src.begin.column) == s->get().size() + 2)
    p.column += static_cast<int>(1 + offset);
  return p;
}

bool is_absolute(const std::string& path) {
  return !path.empty() && path[0] == '/';
}

bool valid_target_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

class Loader {
 public:
  Loader(std::string file, scheduler::TimeZoneDb& zones) : file_(std::move(file)), zones_(zones) {}

  LoadResult run(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, std::string_view{file_});
    } catch (const toml::parse_error& e) {
      error(pos_of(e.source()), fmt::format("TOML syntax error: {}", e.description()));
      return finish();
    }
    cfg_.path = file_;
    for (auto&& [key, node] : root) {
      auto name = key.str();
      if (std::find(kTopLevel.begin(), kTopLevel.end(), name) == kTopLevel.end()) {
        error(pos_of(key.source()),
              fmt::format("unknown {} '{}' at top level{}", node.is_table() ? "table" : "key", name,
                          hint(name, kTopLevel)));
      }
    }
    if (auto* d = root.get("daemon")) {
      if (auto* t = d->as_table())
        parse_daemon(*t);
      else
        error(pos_of(d->source()), "'daemon' must be a table: write [daemon]");
    }
    parse_array(root, "target", [this](const toml::table& t, int i) { parse_target(t, i); });
    parse_array(root, "schedule", [this](const toml::table& t, int i) { parse_schedule(t, i); });
    return finish();
  }

 private:
  void error(SourcePos p, std::string message) {
    errors_.push_back({file_, p.line, p.column, std::move(message)});
  }

  LoadResult finish() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    LoadResult r;
    r.errors = std::move(errors_);
    if (r.errors.empty()) r.config = std::move(cfg_);
    return r;
  }

  template <typename F>
  void parse_array(const toml::table& root, std::string_view name, F&& each) {
    auto* node = root.get(name);
    if (!node) return;
    auto* arr = node->as_array();
    if (!arr || !arr->is_array_of_tables()) {
      error(pos_of(node->source()),
            fmt::format("'{}' must be an array of tables: write [[{}]]", name, name));
      return;
    }
    int i = 0;
    for (auto& elem : *arr) each(*elem.as_table(), ++i);
  }

  void check_keys(const toml::table& t, std::string_view where, const Names& allowed) {
    for (auto&& [key, node] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
        error(pos_of(key.source()),
              fmt::format("unknown key '{}' in {}{}", key.str(), where, hint(key.str(), allowed)));
    }
  }

  // The string at key: nullptr if absent (an error when required) or of the wrong type.
  const toml::value<std::string>* get_string(const toml::table& t, std::string_view where,
                                             std::string_view key, bool required) {
    auto* node = t.get(key);
    if (!node) {
      if (required)
        error(pos_of(t.source()), fmt::format("{} is missing required key '{}'", where, key));
      return nullptr;
    }
    if (auto* s = node->as_string()) return s;
    error(pos_of(node->source()),
          fmt::format("'{}' must be a string, not {}", key, type_name(*node)));
    return nullptr;
  }

  // An absolute path at key, or nullopt.
  std::optional<std::string> get_path(const toml::table& t, std::string_view where,
                                      std::string_view key, bool required) {
    auto* s = get_string(t, where, key, required);
    if (!s) return std::nullopt;
    if (!is_absolute(s->get())) {
      error(
          pos_of(s->source()),
          fmt::format("'{}' must be an absolute path, not the relative path '{}'", key, s->get()));
      return std::nullopt;
    }
    return s->get();
  }

  // A non-negative integer at key into out (left unchanged when absent or bad); returns
  // the node when one was read.
  const toml::node* get_count(const toml::table& t, std::string_view key, int min, int& out) {
    auto* node = t.get(key);
    if (!node) return nullptr;
    auto* v = node->as_integer();
    if (!v) {
      error(pos_of(node->source()),
            fmt::format("'{}' must be an integer, not {}", key, type_name(*node)));
      return nullptr;
    }
    auto n = v->get();
    if (n < 0) {
      error(pos_of(node->source()), fmt::format("'{}' must not be negative (got {})", key, n));
      return nullptr;
    }
    if (n < min) {
      error(pos_of(node->source()), fmt::format("'{}' must be at least {} (got {})", key, min, n));
      return nullptr;
    }
    if (n > 1'000'000) {
      error(pos_of(node->source()), fmt::format("'{}' is too large (got {})", key, n));
      return nullptr;
    }
    out = static_cast<int>(n);
    return node;
  }

  template <typename Enum>
  void get_choice(const toml::table& t, std::string_view where, std::string_view key,
                  const Names& names, Enum& out) {
    auto* s = get_string(t, where, key, false);
    if (!s) return;
    auto it = std::find(names.begin(), names.end(), s->get());
    if (it == names.end()) {
      error(pos_of(s->source()),
            fmt::format("{} '{}' is not one of: {}", key, s->get(), fmt::join(names, ", ")));
      return;
    }
    out = static_cast<Enum>(it - names.begin());
  }

  void parse_daemon(const toml::table& t) {
    const std::string where = "[daemon]";
    check_keys(t, where, kDaemonKeys);
    auto& d = cfg_.daemon;
    if (auto* s = get_string(t, where, "listen", false)) parse_listen(*s);
    if (auto p = get_path(t, where, "token_file", false)) d.token_file = *p;
    if (auto p = get_path(t, where, "state_dir", false)) d.state_dir = *p;
    if (auto p = get_path(t, where, "log_file", false)) d.log_file = *p;
    get_choice(t, where, "log_level", kLogLevels, d.log_level);
    get_choice(t, where, "log_format", kLogFormats, d.log_format);
    get_count(t, "max_connections", 1, d.max_connections);
    if (auto v = get_timeout(t, where, "header_timeout", std::chrono::minutes(5)))
      d.header_timeout = *v;
    if (auto v = get_timeout(t, where, "request_timeout", std::chrono::minutes(10)))
      d.request_timeout = *v;
    if (d.request_timeout < d.header_timeout)
      error(pos_of(t.get("request_timeout") ? t.get("request_timeout")->source() : t.source()),
            fmt::format("request_timeout ({}) must not be shorter than header_timeout ({})",
                        scheduler::format_duration(d.request_timeout),
                        scheduler::format_duration(d.header_timeout)));
  }

  // A duration such as "10s" or "1m" at key, at most max; nullopt when absent or bad.
  std::optional<std::chrono::seconds> get_timeout(const toml::table& t, std::string_view where,
                                                  std::string_view key, std::chrono::seconds max) {
    auto* s = get_string(t, where, key, false);
    if (!s) return std::nullopt;
    auto parsed = scheduler::parse_duration(s->get(), max);
    if (auto* err = std::get_if<scheduler::DurationError>(&parsed)) {
      error(char_pos(*s, err->offset),
            fmt::format("bad {} '{}': {}; write e.g. \"5s\", \"1m\"", key, s->get(), err->message));
      return std::nullopt;
    }
    return std::get<std::chrono::seconds>(parsed);
  }

  // host:port, host an IPv4 literal, [IPv6] literal or localhost; loopback only.
  void parse_listen(const toml::value<std::string>& node) {
    const std::string& v = node.get();
    auto fail = [&](std::string why) {
      error(pos_of(node.source()), fmt::format("listen '{}' {}", v, why));
    };
    std::string host, port;
    if (!v.empty() && v[0] == '[') {
      auto close = v.find(']');
      if (close == std::string::npos || close + 1 >= v.size() || v[close + 1] != ':')
        return fail("is not [address]:port");
      host = v.substr(1, close - 1);
      port = v.substr(close + 2);
    } else {
      auto colon = v.rfind(':');
      if (colon == std::string::npos) return fail("is not host:port (e.g. \"127.0.0.1:8433\")");
      host = v.substr(0, colon);
      port = v.substr(colon + 1);
      if (host.find(':') != std::string::npos)
        return fail("has an IPv6 address without brackets (write \"[::1]:8433\")");
    }
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(port) < 1 || std::stoi(port) > 65535)
      return fail("has no valid port (1-65535)");
    if (host == "localhost") host = "127.0.0.1";
    bool loopback = false;
    unsigned char buf[16];
    if (inet_pton(AF_INET, host.c_str(), buf) == 1) {
      loopback = buf[0] == 127;
    } else if (inet_pton(AF_INET6, host.c_str(), buf) == 1) {
      static const unsigned char kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
      loopback = std::memcmp(buf, kLoop6, 16) == 0;
    } else {
      return fail("has no IP address or 'localhost' as host (host names are not resolved)");
    }
    if (!loopback)
      return fail(
          "is not a loopback address: squashd serves HTTP on loopback only (127.0.0.0/8, ::1, "
          "localhost); put a TLS reverse proxy in front of it for remote access");
    cfg_.daemon.listen = v;
    cfg_.daemon.listen_address = host;
    cfg_.daemon.listen_port = static_cast<std::uint16_t>(std::stoi(port));
  }

  void parse_target(const toml::table& t, int index) {
    std::string where = fmt::format("[[target]] #{}", index);
    check_keys(t, where, kTargetKeys);
    Target target;
    target.pos = pos_of(t.source());
    bool ok = true;
    if (auto* s = get_string(t, where, "name", true)) {
      target.name = s->get();
      if (!valid_target_name(target.name)) {
        error(pos_of(s->source()),
              fmt::format("target name '{}' must be 1-63 letters, digits, '_', '-' or '.'",
                          target.name));
        ok = false;
      } else if (auto it = target_lines_.find(target.name); it != target_lines_.end()) {
        error(pos_of(s->source()),
              fmt::format("duplicate target name '{}' (first defined at line {})", target.name,
                          it->second));
        ok = false;
      } else {
        target_lines_.emplace(target.name, s->source().begin.line);
      }
    } else {
      ok = false;
    }
    if (auto* s = get_string(t, where, "conninfo", true)) {
      target.conninfo = s->get();
      if (auto problem = conninfo_problem(target.conninfo)) error(pos_of(s->source()), *problem);
    }
    if (auto p = get_path(t, where, "passfile", false)) target.passfile = *p;
    if (auto p = get_path(t, where, "backup_dir", true)) {
      target.backup_dir = *p;
      // A target refused already for its name is not compared (one error is enough).
      if (ok) check_backup_dir(target.name, *p, pos_of(t.get("backup_dir")->source()));
    }
    get_count(t, "keep_last", 1, target.keep_last);
    get_count(t, "keep_days", 0, target.keep_days);
    if (auto* node = get_count(t, "min_keep", 1, target.min_keep);
        node && target.min_keep > target.keep_last)
      error(pos_of(node->source()), fmt::format("min_keep ({}) is greater than keep_last ({})",
                                                target.min_keep, target.keep_last));
    parse_array(t, "probe", [&](const toml::table& p, int i) {
      if (auto spec = parse_probe(
              p, fmt::format("[[target.probe]] #{} of target '{}'", i, target.name), target.probes))
        target.probes.push_back(std::move(*spec));
    });
    if (ok) cfg_.targets.push_back(std::move(target));
  }

  // One folder per target: retention counts and deletes the backups it finds there.
  void check_backup_dir(const std::string& target, const std::string& dir, SourcePos pos) {
    std::error_code ec;
    fs::path path = fs::weakly_canonical(dir, ec);
    if (ec) path = fs::path(dir).lexically_normal();
    if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
    auto within = [](const fs::path& inner, const fs::path& outer) {
      return std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end()).first ==
             outer.end();
    };
    for (const auto& other : backup_dirs_) {
      std::string relation = path == other.path         ? "is the same folder as"
                             : within(path, other.path) ? "is inside"
                             : within(other.path, path) ? "contains"
                                                        : "";
      if (relation.empty()) continue;
      error(pos,
            fmt::format("backup_dir '{}' {} the backup_dir '{}' of target '{}' (line {}): each "
                        "target needs a folder of its own, or one target's retention would "
                        "count and delete the other's backups",
                        dir, relation, other.dir, other.target, other.line));
      return;
    }
    backup_dirs_.push_back({path, dir, target, pos.line});
  }

  // One [[target.probe]]; nullopt (with errors reported) when it is not usable.
  std::optional<probe::ProbeSpec> parse_probe(const toml::table& t, const std::string& where,
                                              const std::vector<probe::ProbeSpec>& earlier) {
    check_keys(t, where, kProbeKeys);
    probe::ProbeSpec p;
    std::size_t before = errors_.size();
    if (auto* s = get_string(t, where, "name", true)) {
      p.name = s->get();
      if (!valid_target_name(p.name))
        error(pos_of(s->source()),
              fmt::format("probe name '{}' must be 1-63 letters, digits, '_', '-' or '.'", p.name));
      for (auto& e : earlier)
        if (e.name == p.name)
          error(pos_of(s->source()),
                fmt::format("duplicate probe name '{}' in this target", p.name));
    }
    int kind = 0;
    if (t.get("kind")) {
      get_choice(t, where, "kind", kProbeKinds, kind);
    } else {
      error(pos_of(t.source()), fmt::format("{} is missing required key 'kind' ({})", where,
                                            fmt::join(kProbeKinds, ", ")));
    }
    p.kind = static_cast<probe::ProbeKind>(kind);
    if (auto* s = get_string(t, where, "url", true)) {
      std::string why;
      if (auto e = probe::parse_endpoint(p.kind, s->get(), &why)) {
        p.url = s->get();
        p.endpoint = *e;
      } else {
        error(pos_of(s->source()), fmt::format("probe url '{}' {}", s->get(), why));
      }
    }
    auto only_for = [&](std::string_view key, bool allowed, std::string_view kinds) {
      if (auto* node = t.get(key); node && !allowed)
        error(pos_of(node->source()), fmt::format("'{}' applies to {} probes only, not {}", key,
                                                  kinds, probe::to_string(p.kind)));
    };
    only_for("method", p.kind == probe::ProbeKind::http, "http");
    only_for("expect_status", p.kind == probe::ProbeKind::http, "http");
    only_for("send", p.kind != probe::ProbeKind::http, "websocket and tcp");
    only_for("headers", p.kind != probe::ProbeKind::tcp, "http and websocket");
    if (p.kind == probe::ProbeKind::http) {
      int method = 0;
      get_choice(t, where, "method", kProbeMethods, method);
      p.method = std::string(kProbeMethods[static_cast<std::size_t>(method)]);
      if (auto* node = t.get("expect_status")) {
        auto* v = node->as_integer();
        if (!v || v->get() < 100 || v->get() > 599)
          error(pos_of(node->source()), "'expect_status' must be an HTTP status code (100-599)");
        else
          p.expect_status = static_cast<int>(v->get());
      }
    }
    if (auto* s = get_string(t, where, "expect_reply", false)) {
      if (s->get().empty())
        error(pos_of(s->source()), "'expect_reply' must not be empty (leave it out instead)");
      else if (p.method == "HEAD")
        error(pos_of(s->source()), "'expect_reply' needs a body: a HEAD probe has none");
      else
        p.expect_reply = s->get();
    }
    if (auto* s = get_string(t, where, "send", false)) {
      if (s->get().empty())
        error(pos_of(s->source()), "'send' must not be empty (leave it out instead)");
      else
        p.send = s->get();
    }
    if (auto v = get_timeout(t, where, "timeout", std::chrono::minutes(5))) p.timeout = *v;
    if (auto path = get_path(t, where, "secret_file", false)) p.secret_file = *path;
    if (auto path = get_path(t, where, "ca_file", false)) {
      if (p.endpoint.tls)
        p.ca_file = *path;
      else
        error(pos_of(t.get("ca_file")->source()),
              "'ca_file' applies to https:// and wss:// probes only");
    }
    bool uses_secret = false;
    if (auto* node = t.get("headers"); node && p.kind != probe::ProbeKind::tcp) {
      if (auto* h = node->as_table()) {
        for (auto&& [key, value] : *h) {
          auto name = std::string(key.str());
          bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
          });
          auto* v = value.as_string();
          if (!token) {
            error(pos_of(key.source()),
                  fmt::format("header name '{}' must be letters, digits, '-' or '_'", name));
          } else if (!v) {
            error(pos_of(value.source()),
                  fmt::format("header '{}' must be a string, not {}", name, type_name(value)));
          } else if (std::any_of(v->get().begin(), v->get().end(), [](char c) {
                       auto u = static_cast<unsigned char>(c);
                       return (u < 0x20 && c != '\t') || u == 0x7f;
                     })) {
            error(pos_of(value.source()),
                  fmt::format("header '{}' holds a control character", name));
          } else {
            uses_secret |= v->get().find(probe::kSecretPlaceholder) != std::string::npos;
            p.headers.emplace_back(name, v->get());
          }
        }
      } else {
        error(pos_of(node->source()),
              fmt::format("'headers' must be a table (headers = {{ Accept = \"...\" }}), not {}",
                          type_name(*node)));
      }
    }
    if (p.secret_file && !uses_secret)
      error(pos_of(t.get("secret_file")->source()),
            "'secret_file' is set but no header uses {secret}: write e.g. headers = { "
            "Authorization = \"Bearer {secret}\" }");
    if (uses_secret && !p.secret_file && !t.get("secret_file"))
      error(pos_of(t.get("headers")->source()),
            "a header uses {secret} but 'secret_file' is not set (the file holding the secret)");
    if (errors_.size() != before) return std::nullopt;
    return p;
  }

  void parse_schedule(const toml::table& t, int index) {
    std::string where = fmt::format("[[schedule]] #{}", index);
    check_keys(t, where, kScheduleKeys);
    Schedule s;
    s.pos = pos_of(t.source());
    if (auto* v = get_string(t, where, "target", true)) {
      s.target = v->get();
      if (!target_lines_.count(s.target)) {
        Names known;
        for (auto& [name, line] : target_lines_) known.push_back(name);
        error(pos_of(v->source()),
              fmt::format("schedule names target '{}', which is not defined{}", s.target,
                          known.empty() ? std::string(" (there is no [[target]])")
                                        : hint(s.target, known)));
      }
    }
    bool job_known = false;
    if (auto* v = get_string(t, where, "job", true)) {
      if (auto kind = jobs::parse_job_kind(v->get())) {
        s.job = *kind;
        job_known = true;
      } else
        error(pos_of(v->source()),
              fmt::format("unknown job '{}'{}", v->get(), hint(v->get(), jobs::job_names())));
    }
    if (auto* v = get_string(t, where, "cron", true)) {
      auto parsed = scheduler::CronExpr::parse(v->get());
      if (auto* err = std::get_if<scheduler::CronError>(&parsed))
        error(char_pos(*v, err->offset),
              fmt::format("bad cron expression '{}': {}", v->get(), err->message));
      else
        s.cron = std::get<scheduler::CronExpr>(std::move(parsed));
    }
    if (auto* v = get_string(t, where, "timezone", false)) s.timezone = v->get();
    std::string zone_error;
    s.zone = zones_.find(s.timezone, &zone_error);
    if (!s.zone) {
      auto* node = t.get("timezone");
      error(node ? pos_of(node->source()) : s.pos, zone_error);
    }
    if (auto* v = get_string(t, where, "window", false)) {
      auto parsed = scheduler::parse_duration(v->get());
      if (auto* err = std::get_if<scheduler::DurationError>(&parsed))
        error(char_pos(*v, err->offset),
              fmt::format("bad window '{}': {}; write e.g. \"2h\", \"90m\", \"1h30m\"", v->get(),
                          err->message));
      else
        s.window = std::get<std::chrono::seconds>(parsed);
    }
    auto* params = t.get("params");
    if (params && !params->is_table())
      error(pos_of(params->source()),
            fmt::format("'params' must be a table, not {}", type_name(*params)));
    if (job_known) parse_params(t, params, jobs::spec_of(s.job), s);
    cfg_.schedules.push_back(std::move(s));
  }

  // The schedule's params, checked against its job's spec (jobspec/job_spec.hpp).
  void parse_params(const toml::table& schedule, const toml::node* params, const jobs::JobSpec& job,
                    Schedule& s) {
    const toml::table empty;
    const toml::table& t = params && params->is_table() ? *params->as_table() : empty;
    std::vector<std::string_view> given;
    for (auto&& [key, node] : t) given.push_back(key.str());
    for (auto* p : jobs::missing_params(job, given))
      error(params ? pos_of(params->source()) : pos_of(schedule.source()),
            fmt::format("job '{}': {}", job.name, jobs::missing_message(*p)));
    for (auto&& [key, node] : t) {
      auto name = key.str();
      auto* spec = job.find(name);
      if (!spec) {
        error(pos_of(key.source()),
              fmt::format("unknown key '{}' in params{}", name, hint(name, job.param_names())));
        continue;
      }
      nlohmann::json value;  // null for the TOML types no parameter takes
      if (auto* b = node.as_boolean())
        value = b->get();
      else if (auto* str = node.as_string())
        value = str->get();
      if (auto problem = jobs::param_problem(*spec, value, type_name(node)))
        error(pos_of(node.source()), *problem);
      else
        s.params[std::string(name)] = std::move(value);
    }
  }

  std::string file_;
  scheduler::TimeZoneDb& zones_;
  std::vector<Diagnostic> errors_;
  Config cfg_;
  std::map<std::string, std::uint32_t> target_lines_;
  struct BackupDir {
    fs::path path;  // canonical
    std::string dir, target;
    int line;
  };
  std::vector<BackupDir> backup_dirs_;
};

}  // namespace

std::string_view to_string(LogLevel level) {
  return kLogLevels[static_cast<std::size_t>(level)];
}

std::string_view to_string(LogFormat format) {
  return kLogFormats[static_cast<std::size_t>(format)];
}

const Target* Config::find_target(std::string_view name) const {
  for (auto& t : targets)
    if (t.name == name) return &t;
  return nullptr;
}

std::string Diagnostic::to_string() const {
  if (line == 0) return fmt::format("{}: error: {}", file, message);
  return fmt::format("{}:{}:{}: error: {}", file, line, column, message);
}

LoadResult parse_config(std::string_view text, const std::string& source_name,
                        scheduler::TimeZoneDb& zones) {
  return Loader(source_name, zones).run(text);
}

LoadResult load_config(const std::string& path, scheduler::TimeZoneDb& zones) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back({path, 0, 0, fmt::format("cannot read config: {}", std::strerror(errno))});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path, zones);
}

}  // namespace squash::config
