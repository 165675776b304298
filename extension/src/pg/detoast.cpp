// See detoast.hpp.
#include "pg_squash/pg/detoast.hpp"

#include <dlfcn.h>

#include <cstring>

#include "pg_squash/pg/boundary.hpp"

extern "C" {
#include "access/detoast.h"
#include "access/toast_compression.h"
#include "common/pg_lzcompress.h"
}

namespace squash {

namespace {

using Lz4Decompress = int (*)(const char* src, char* dst, int compressed_size, int capacity);

// The server's own liblz4: an lz4-compressed value exists only on a server built with it,
// and then postgres has the library loaded. Looked up, not linked, so the extension needs
// no build dependency and loads on a server without lz4.
Lz4Decompress lz4_decompress() {
  static const Lz4Decompress fn =
      reinterpret_cast<Lz4Decompress>(dlsym(RTLD_DEFAULT, "LZ4_decompress_safe"));
  return fn;
}

OwnedBytes allocate(std::size_t size) {
  OwnedBytes out;
  out.data = std::unique_ptr<char[], model::BigDelete>(
      static_cast<char*>(model::big_alloc(size ? size : 1)), model::BigDelete{size ? size : 1});
  out.size = size;
  return out;
}

OwnedBytes copy_of(const struct varlena* plain) {
  OwnedBytes out = allocate(VARSIZE_ANY_EXHDR(plain));
  std::memcpy(out.data.get(), VARDATA_ANY(plain), out.size);
  return out;
}

}  // namespace

OwnedBytes detoast_owned(struct varlena* stored) {
  // Fetched from the TOAST table as stored (still compressed); freed before we return.
  struct varlena* fetched =
      pg_call([&] { return VARATT_IS_EXTERNAL(stored) ? detoast_external_attr(stored) : stored; });
  struct Free {
    struct varlena* fetched;
    struct varlena* stored;
    ~Free() {
      if (fetched != stored) boundary::try_postgres([](void* p) { pfree(p); }, fetched);
    }
  } free_fetched{fetched, stored};

  if (!VARATT_IS_COMPRESSED(fetched)) return copy_of(fetched);
  const auto method =
      static_cast<ToastCompressionId>(VARDATA_COMPRESSED_GET_COMPRESS_METHOD(fetched));
  const std::size_t raw = VARDATA_COMPRESSED_GET_EXTSIZE(fetched);
  const char* source = reinterpret_cast<const char*>(fetched) + VARHDRSZ_COMPRESSED;
  const auto source_size = static_cast<int32>(VARSIZE(fetched) - VARHDRSZ_COMPRESSED);
  Lz4Decompress lz4 = method == TOAST_LZ4_COMPRESSION_ID ? lz4_decompress() : nullptr;
  if (method != TOAST_PGLZ_COMPRESSION_ID && !lz4) {
    // A method we cannot decompress ourselves: PostgreSQL's own detoast, then a copy.
    struct varlena* plain = pg_call([&] { return detoast_attr(fetched); });
    OwnedBytes out = copy_of(plain);
    if (plain != fetched) pg_call([&] { pfree(plain); });
    return out;
  }
  OwnedBytes out = allocate(raw);
  const int32 got =
      method == TOAST_LZ4_COMPRESSION_ID
          ? lz4(source, out.data.get(), source_size, static_cast<int>(raw))
          : pglz_decompress(source, source_size, out.data.get(), static_cast<int32>(raw), true);
  if (got < 0 || static_cast<std::size_t>(got) != raw)
    throw Error("pg_squash: compressed data is corrupt", ERRCODE_DATA_CORRUPTED);
  return out;
}

}  // namespace squash
