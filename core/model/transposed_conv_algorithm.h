#ifndef DCGAN_CORE_MODEL_TRANSPOSED_CONV_ALGORITHM_H_
#define DCGAN_CORE_MODEL_TRANSPOSED_CONV_ALGORITHM_H_

namespace dcgan {

// How a transposed convolution is computed. Both give the same function (to
// float rounding); they differ in which kernels run.
enum class TransposedConvAlgorithm {
  // at::conv_transpose2d. In LibTorch 1.13 on CPU this is im2col + GEMM
  // (slow_conv_transpose2d), as fast as the BLAS underneath.
  kNative,
  // The transposed convolution is the input gradient of the convolution it
  // transposes, so compute it as one (oneDNN's backward-data kernel), and its
  // own gradients as that convolution's forward pass (input gradient) and
  // weight gradient. All three run in oneDNN. From a 1x1 input (G's first
  // layer) it is a single GEMM instead.
  kConvolutionGradient,
};

}  // namespace dcgan

#endif  // DCGAN_CORE_MODEL_TRANSPOSED_CONV_ALGORITHM_H_
