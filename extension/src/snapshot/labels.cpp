// Label validation (see labels.hpp).
#include "pg_squash/snapshot/labels.hpp"

#include "pg_squash/pg/boundary.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/printable.hpp"

namespace squash {

void check_label(const std::string& label) {
  auto bad = [&](const std::string& why) {
    throw Error("pg_squash: invalid snapshot label: " + why, ERRCODE_INVALID_PARAMETER_VALUE, {},
                "A label is 1 to 128 printable characters, e.g. 'squashed' or 'before_stamp'.");
  };
  if (label.empty()) bad("it is empty");
  if (label.size() > 128) bad("it is longer than 128 bytes");
  if (!model::is_valid_utf8(label)) bad("it is not valid UTF-8");
  for (unsigned char c : label)
    if (c < 0x20 || c == 0x7F) bad("it contains a control character");
  if (label.front() == ' ' || label.back() == ' ') bad("it starts or ends with a space");
  if (model::is_fingerprint(label)) bad("it looks like a fingerprint (64 hex digits)");
}

}  // namespace squash
