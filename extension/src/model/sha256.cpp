// See sha256.hpp.
#include "pg_squash/model/sha256.hpp"

namespace squash::model {

std::string sha256_bytes(std::string_view data) {
  auto h = std::make_unique<Sha256Stream>();
  h->bytes(data.data(), data.size());
  return h->raw();
}

}  // namespace squash::model
