#include "core/train/torch_threads.h"

#include <sched.h>
#include <torch/torch.h>

namespace dcgan {

int ConfigureTorchThreads(int intra_op_threads) {
  if (intra_op_threads <= 0) {
    cpu_set_t set;
    intra_op_threads = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
  }
  at::set_num_threads(intra_op_threads);
  try {
    at::set_num_interop_threads(1);
  } catch (const c10::Error&) {
    // Already set, or the pool already started: LibTorch allows it only once.
  }
  return at::get_num_threads();
}

}  // namespace dcgan
