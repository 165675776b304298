// The API token file that squashd and squashctl both read (token_file, --token-file).
#pragma once

#include <string>

namespace squash::api {

// The file's content without surrounding whitespace: one word. Throws
// std::runtime_error when it cannot be read, is empty or holds more than one word.
// *warning is set when the file is readable by group or others.
std::string read_token_file(const std::string& path, std::string* warning = nullptr);

}  // namespace squash::api
