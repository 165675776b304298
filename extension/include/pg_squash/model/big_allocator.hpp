// Memory for the large flat arrays of a snapshot (objects, attributes, text blocks): an
// allocation of 1 MiB or more is aligned to 2 MiB and marked for transparent huge pages
// (madvise), so that filling it costs one page fault per 2 MiB instead of one per 4 KiB.
// A new backend faults in all of its memory, and on virtual machines a fault is dear.
// Smaller allocations, and systems without huge pages, get plain operator new.
#pragma once

#include <cstddef>

namespace squash::model {

void* big_alloc(std::size_t bytes);
void big_free(void* p, std::size_t bytes) noexcept;

template <typename T>
struct BigAllocator {
  using value_type = T;
  BigAllocator() = default;
  template <typename U>
  BigAllocator(const BigAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(big_alloc(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { big_free(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const BigAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const BigAllocator<U>&) const noexcept {
    return false;
  }
};

// Frees a big_alloc'd block of a size known to the deleter (for std::unique_ptr).
struct BigDelete {
  std::size_t bytes = 0;
  void operator()(char* p) const noexcept { big_free(p, bytes); }
};

}  // namespace squash::model
