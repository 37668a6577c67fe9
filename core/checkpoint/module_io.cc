#include "core/checkpoint/module_io.h"

#include <sstream>

#include "absl/strings/str_cat.h"

namespace dcgan {
namespace {

template <typename T>
absl::StatusOr<std::string> Serialize(const T& value) {
  try {
    torch::serialize::OutputArchive archive;
    value.save(archive);
    std::ostringstream out;
    archive.save_to(out);
    return out.str();
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("cannot serialise: ", e.what_without_backtrace()));
  }
}

template <typename T>
absl::Status Load(const std::string& bytes, const std::string& what, T* value) {
  try {
    std::istringstream in(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    value->load(archive);
  } catch (const c10::Error& e) {
    return absl::DataLossError(
        absl::StrCat(what, " does not hold the expected tensors: ", e.what_without_backtrace()));
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(what, " is unreadable: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> SerializeModule(const torch::nn::Module& module) {
  return Serialize(module);
}

absl::StatusOr<std::string> SerializeOptimizer(const torch::optim::Optimizer& optimizer) {
  return Serialize(optimizer);
}

absl::Status LoadModule(const std::string& bytes, const std::string& what,
                        torch::nn::Module* module) {
  return Load(bytes, what, module);
}

absl::Status LoadOptimizer(const std::string& bytes, const std::string& what,
                           torch::optim::Optimizer* optimizer) {
  return Load(bytes, what, optimizer);
}

}  // namespace dcgan
