#include "client/diff_view.hpp"

#include <fmt/format.h>

namespace squash::client {

namespace {

// A value as the diff shows it: strings bare, null as "(none)", anything else as JSON.
std::string shown(const nlohmann::json& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string text_of(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string query_escape(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string format_diff(const nlohmann::json& answer) {
  const auto& diff = answer.at("diff");
  const auto& changes = diff.at("changes");
  std::string out = fmt::format(
      "target {} against snapshot {}: {}\n", text_of(answer, "target"), text_of(answer, "against"),
      changes.empty()
          ? std::string("no differences")
          : fmt::format("{} difference{}", changes.size(), changes.size() == 1 ? "" : "s"));
  for (const auto& c : changes) {
    auto change = text_of(c, "change");
    out += fmt::format("  {:<8} {} {}", change, text_of(c, "kind"), text_of(c, "identity"));
    if (change == "renamed") out += fmt::format(" (was {})", text_of(c, "from"));
    out += '\n';
    if (change != "changed" && change != "renamed") continue;
    auto attrs = c.find("attributes");
    if (attrs == c.end() || !attrs->is_array()) continue;
    for (const auto& a : *attrs)
      out += fmt::format("      {}: {} → {}\n", text_of(a, "attribute"),
                         shown(a.value("old", nlohmann::json())),
                         shown(a.value("new", nlohmann::json())));
  }
  if (!changes.empty())
    out += fmt::format(
        "(old: snapshot {}, new: the live schema; squashctl diff ... --sql prints "
        "the script that makes the target equal the snapshot)\n",
        text_of(answer, "against"));
  return out;
}

}  // namespace squash::client
