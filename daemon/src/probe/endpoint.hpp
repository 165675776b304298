// Probe URLs: parsed once when the config is loaded, so a typo is a config error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "probe/probe_spec.hpp"

namespace squash::probe {

// Parses the url of a probe of `kind`: http(s)://host[:port][/path][?query] for http,
// ws(s)://... for websocket, tcp://host:port for tcp. Refuses credentials in the URL
// (headers with secret_file carry them), fragments and bad ports.
// Returns nullopt with *error set on a problem.
std::optional<Endpoint> parse_endpoint(ProbeKind kind, std::string_view url, std::string* error);

}  // namespace squash::probe
