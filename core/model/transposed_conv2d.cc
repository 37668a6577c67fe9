#include "core/model/transposed_conv2d.h"

namespace dcgan {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Shape of conv_transpose2d's output (output_padding 0, dilation 1).
std::vector<int64_t> TransposedOutputShape(const torch::Tensor& x, const torch::Tensor& weight,
                                           int64_t stride, int64_t padding) {
  const int64_t k = weight.size(2);
  return {x.size(0), weight.size(1), (x.size(2) - 1) * stride - 2 * padding + k,
          (x.size(3) - 1) * stride - 2 * padding + k};
}

// Input gradient of conv2d(y, weight) with respect to y, evaluated at
// grad = x: exactly conv_transpose2d(x, weight). convolution_backward only
// reads the shape of its `input` argument for this output.
torch::Tensor ConvInputGradient(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride,
                                int64_t padding) {
  const torch::Tensor shape_only =
      at::empty(TransposedOutputShape(x, weight, stride, padding), x.options());
  return std::get<0>(at::convolution_backward(x, shape_only, weight, c10::nullopt, {stride, stride},
                                              {padding, padding}, {1, 1}, /*transposed=*/false,
                                              {0, 0}, /*groups=*/1, {true, false, false}));
}

class ConvolutionGradientFunction : public torch::autograd::Function<ConvolutionGradientFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, int64_t stride, int64_t padding) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return ConvInputGradient(x.contiguous(), weight, stride, padding);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const int64_t stride = ctx->saved_data["stride"].toInt();
    const int64_t padding = ctx->saved_data["padding"].toInt();
    const torch::Tensor grad = grad_outputs[0].contiguous();
    torch::Tensor grad_x, grad_weight;
    if (ctx->needs_input_grad(0)) {
      // d/dx of the input gradient of conv2d is conv2d itself.
      grad_x = at::convolution(grad, weight, c10::nullopt, {stride, stride}, {padding, padding},
                               {1, 1}, false, {0, 0}, 1);
    }
    if (ctx->needs_input_grad(1)) {
      // The weight gradient of conv2d(input = grad) against output gradient x.
      grad_weight = std::get<1>(at::convolution_backward(
          x, grad, weight, c10::nullopt, {stride, stride}, {padding, padding}, {1, 1}, false,
          {0, 0}, 1, {false, true, false}));
    }
    return {grad_x, grad_weight, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor TransposedConvolution(const torch::Tensor& x, const torch::Tensor& weight,
                                    int64_t stride, int64_t padding,
                                    TransposedConvAlgorithm algorithm) {
  if (algorithm == TransposedConvAlgorithm::kNative) {
    return at::conv_transpose2d(x, weight, {}, stride, padding);
  }
  if (x.size(2) == 1 && x.size(3) == 1 && padding == 0) {
    // From a 1x1 input (G's first layer) the op is one matrix product:
    // y[n, o, i, j] = sum_c x[n, c] w[c, o, i, j]. A GEMM beats any conv path.
    const int64_t k = weight.size(2);
    return at::mm(x.flatten(1), weight.flatten(1)).view({x.size(0), weight.size(1), k, k});
  }
  return ConvolutionGradientFunction::apply(x, weight, stride, padding);
}

TransposedConv2dImpl::TransposedConv2dImpl(const TransposedConv2dOptions& options_)
    : options(options_) {
  reset();
}

void TransposedConv2dImpl::reset() {
  weight =
      register_parameter("weight", torch::empty({options.in_channels(), options.out_channels(),
                                                 options.kernel_size(), options.kernel_size()}));
  torch::NoGradGuard no_grad;
  weight.normal_(0, 0.02);
}

torch::Tensor TransposedConv2dImpl::forward(const torch::Tensor& x) {
  return TransposedConvolution(x, weight, options.stride(), options.padding(), options.algorithm());
}

}  // namespace dcgan
