// Large bytea values (stored snapshots) detoasted into memory of our own. PostgreSQL's
// detoast pallocs the whole decompressed value, and a new backend faults in every 4 KiB
// page of it (9 MB: 2,300 faults, tens of milliseconds on a virtual machine); here the
// compressed bytes are fetched as they are stored and decompressed into huge-page memory
// (big_allocator.hpp), one fault per 2 MiB. The bytes stay valid after SPI is finished.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "pg_squash/model/big_allocator.hpp"

extern "C" {
#include "postgres.h"
}

namespace squash {

struct OwnedBytes {
  std::unique_ptr<char[], model::BigDelete> data;
  std::size_t size = 0;
  std::string_view view() const { return {data.get(), size}; }
};

// A varlena as a tuple holds it: inline or a TOAST pointer, compressed or not.
OwnedBytes detoast_owned(struct varlena* stored);

}  // namespace squash
