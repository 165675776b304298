// Snapshot labels: the names users give stored snapshots.
#pragma once

#include <string>

namespace squash {

// 1..128 characters of valid UTF-8, no control characters, no leading or trailing
// whitespace, and not 64 hex digits (that would read as a fingerprint where an
// expectation may be either). Throws squash::Error otherwise.
void check_label(const std::string& label);

}  // namespace squash
