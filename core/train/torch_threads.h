#ifndef DCGAN_CORE_TRAIN_TORCH_THREADS_H_
#define DCGAN_CORE_TRAIN_TORCH_THREADS_H_

namespace dcgan {

// Sets LibTorch's intra-op thread count (OpenMP, shared with oneDNN and the
// OpenMP build of OpenBLAS, so the three never oversubscribe the cores) and
// one inter-op thread. Call once at start-up, before any torch work; 0 means
// one thread per CPU this process may use. Returns the count in effect.
int ConfigureTorchThreads(int intra_op_threads);

}  // namespace dcgan

#endif  // DCGAN_CORE_TRAIN_TORCH_THREADS_H_
