// See big_allocator.hpp.
#include "pg_squash/model/big_allocator.hpp"

#include <cstdlib>
#include <new>

#include <sys/mman.h>

namespace squash::model {
namespace {
constexpr std::size_t kHuge = std::size_t(2) << 20;       // 2 MiB, the huge page size
constexpr std::size_t kThreshold = std::size_t(1) << 20;  // below: plain operator new
}  // namespace

void* big_alloc(std::size_t bytes) {
  if (bytes < kThreshold) return ::operator new(bytes);
  const std::size_t size = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(kHuge, size);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  (void)madvise(p, size, MADV_HUGEPAGE);  // a hint: without huge pages nothing changes
#endif
  return p;
}

void big_free(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes < kThreshold)
    ::operator delete(p);
  else
    std::free(p);
}

}  // namespace squash::model
