#include "config/loader.hpp"

#include <cctype>

#include "probe/endpoint.hpp"

namespace squash::config {

std::optional<probe::ProbeSpec> Loader::parse_probe(const toml::table& t, const std::string& where,
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
        error(pos_of(s->source()), fmt::format("duplicate probe name '{}' in this target", p.name));
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
          error(pos_of(value.source()), fmt::format("header '{}' holds a control character", name));
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

}  // namespace squash::config
