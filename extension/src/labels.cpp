// Label validation (see labels.hpp).
#include "pg_squash/labels.hpp"

#include "pg_squash/boundary.hpp"
#include "pg_squash/model/fingerprint.hpp"

namespace squash {

static bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; k++)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

void check_label(const std::string& label) {
  auto bad = [&](const std::string& why) {
    throw Error("pg_squash: invalid snapshot label: " + why, ERRCODE_INVALID_PARAMETER_VALUE, {},
                "A label is 1 to 128 printable characters, e.g. 'squashed' or 'before_stamp'.");
  };
  if (label.empty()) bad("it is empty");
  if (label.size() > 128) bad("it is longer than 128 bytes");
  if (!valid_utf8(label)) bad("it is not valid UTF-8");
  for (unsigned char c : label)
    if (c < 0x20 || c == 0x7F) bad("it contains a control character");
  if (label.front() == ' ' || label.back() == ' ') bad("it starts or ends with a space");
  if (model::is_fingerprint(label)) bad("it looks like a fingerprint (64 hex digits)");
}

}  // namespace squash
