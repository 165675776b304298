// Text from snapshots and documents shown in messages: escaped and bounded, so a control
// character, a stray byte or a megabyte-long value cannot garble an error message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace squash::model {

// parts with sep between them.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Escapes control characters (\n, \t, \xNN) and bytes that are not valid UTF-8 (\xNN),
// and shortens text longer than max_bytes at a character boundary, ending it with "...".
std::string printable(std::string_view text, std::size_t max_bytes = 80);

// printable(), appended to out.
void append_printable(std::string& out, std::string_view text, std::size_t max_bytes = 80);

// printable() in double quotes (not named quoted: std::quoted would win by ADL), with embedded
// quotes and backslashes escaped.
std::string quoted_text(std::string_view text, std::size_t max_bytes = 80);

// Byte length of the valid UTF-8 sequence starting at text[pos], or 0 when there is none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);

// True when text is entirely valid UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace squash::model
