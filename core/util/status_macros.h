#ifndef DCGAN_CORE_UTIL_STATUS_MACROS_H_
#define DCGAN_CORE_UTIL_STATUS_MACROS_H_

// The installed abseil (20220623) predates absl's own status macros.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DCGAN_CONCAT_INNER_(a, b) a##b
#define DCGAN_CONCAT_(a, b) DCGAN_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status dcgan_status_ = (expr);         \
    if (!dcgan_status_.ok()) return dcgan_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX());` unwraps a StatusOr or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(DCGAN_CONCAT_(dcgan_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = std::move(statusor).value()

#endif  // DCGAN_CORE_UTIL_STATUS_MACROS_H_
