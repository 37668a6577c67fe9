#ifndef DCGAN_TESTS_TESTING_TINY_JOB_FLAGS_H_
#define DCGAN_TESTS_TESTING_TINY_JOB_FLAGS_H_

#include <string>
#include <vector>

namespace dcgan::testing {

// `dcganctl train` flags for a job whose steps take milliseconds: 16x16,
// widths 8, batch 16, z of 16.
inline const std::vector<std::string> kTinyJobFlags = {"--image_size=16", "--generator_width=8",
                                                       "--discriminator_width=8", "--batch_size=16",
                                                       "--latent_dim=16"};

inline std::vector<std::string> Concat(std::vector<std::string> a,
                                       const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace dcgan::testing

#endif  // DCGAN_TESTS_TESTING_TINY_JOB_FLAGS_H_
