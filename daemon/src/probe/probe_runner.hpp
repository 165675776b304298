// Runs one application probe (HTTP, WebSocket or TCP) against its deadline.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "api/types.hpp"
#include "probe/probe_spec.hpp"

namespace squash::probe {

// Runs the probe and reports how it went; a probe that fails (refused, wrong status,
// wrong reply, timeout, unreadable secret_file) is a result with ok = false, never an
// exception. The secret is masked in everything the result holds. stop, polled a few
// times a second, ends the probe early (a cancelled run or SIGTERM need not wait for
// the probe's timeout).
api::ProbeResult run_probe(
    const ProbeSpec& spec,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
    const std::function<bool()>& stop = {});

// text with every occurrence of secret replaced by "***", cut to max bytes, and every
// byte that is not printable ASCII shown as '.' (the result goes into JSON and logs).
std::string masked_excerpt(std::string_view text, const std::string& secret, std::size_t max);

}  // namespace squash::probe
