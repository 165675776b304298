#include "config/loader.hpp"

#include "scheduler/duration.hpp"

namespace squash::config {

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

LoadResult Loader::run(std::string_view text) {
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
  if (auto* c = root.get("control")) {
    if (auto* t = c->as_table())
      parse_control(*t);
    else
      error(pos_of(c->source()), "'control' must be a table: write [control]");
  }
  parse_array(root, "target", [this](const toml::table& t, int i) { parse_target(t, i); });
  parse_array(root, "template", [this](const toml::table& t, int i) { parse_template(t, i); });
  parse_array(root, "schedule", [this](const toml::table& t, int i) { parse_schedule(t, i); });
  return finish();
}

void Loader::error(SourcePos p, std::string message) {
  errors_.push_back({file_, p.line, p.column, std::move(message)});
}

LoadResult Loader::finish() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  LoadResult r;
  r.errors = std::move(errors_);
  if (r.errors.empty()) r.config = std::move(cfg_);
  return r;
}

void Loader::check_keys(const toml::table& t, std::string_view where, const Names& allowed) {
  for (auto&& [key, node] : t) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
      error(pos_of(key.source()),
            fmt::format("unknown key '{}' in {}{}", key.str(), where, hint(key.str(), allowed)));
  }
}

const toml::value<std::string>* Loader::get_string(const toml::table& t, std::string_view where,
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

std::optional<std::string> Loader::get_path(const toml::table& t, std::string_view where,
                                            std::string_view key, bool required) {
  auto* s = get_string(t, where, key, required);
  if (!s) return std::nullopt;
  if (!is_absolute(s->get())) {
    error(pos_of(s->source()),
          fmt::format("'{}' must be an absolute path, not the relative path '{}'", key, s->get()));
    return std::nullopt;
  }
  return s->get();
}

const toml::node* Loader::get_count(const toml::table& t, std::string_view key, int min, int& out) {
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

std::optional<std::chrono::seconds> Loader::get_timeout(const toml::table& t,
                                                        std::string_view where,
                                                        std::string_view key,
                                                        std::chrono::seconds max) {
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

}  // namespace squash::config
