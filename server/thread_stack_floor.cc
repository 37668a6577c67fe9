// Raises every explicitly sized thread stack in dcgan-server to at least
// 1 MiB.
//
// Why: Debian's civetweb (the HTTP server under prometheus-cpp's exposer)
// creates its threads with a fixed 100 KiB stack (USE_STACK_SIZE). glibc
// carves a thread's static TLS out of its stack, and this process's static
// TLS (libtorch, OpenBLAS, glog, ...) is about that size, so pthread_create
// failed with EINVAL and the exposer could not start. Defining the symbol
// in the executable interposes it for every library; stacks asked for at
// 1 MiB or more, and threads that take the default (8 MiB), are unchanged.

#include <dlfcn.h>
#include <pthread.h>

#include <cstddef>

namespace {

constexpr size_t kMinStackBytes = size_t{1} << 20;

using SetStackSize = int (*)(pthread_attr_t*, size_t);

SetStackSize RealSetStackSize() {
  static const SetStackSize real =
      reinterpret_cast<SetStackSize>(dlsym(RTLD_NEXT, "pthread_attr_setstacksize"));
  return real;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int pthread_attr_setstacksize(
    pthread_attr_t* attr, size_t size) noexcept {
  return RealSetStackSize()(attr, size < kMinStackBytes ? kMinStackBytes : size);
}
