#ifndef DCGAN_CORE_UTIL_SEED_MIX_H_
#define DCGAN_CORE_UTIL_SEED_MIX_H_

#include <cstdint>

namespace dcgan {

// Independent random streams derived from a job's one seed. Each consumer
// seeds its own generator from (seed, stream, counter), so every random draw
// is a pure function of the spec and the step: resuming from a checkpoint
// needs no saved generator state to continue the same run.
enum RandomStream : uint64_t {
  kInitStream = 1,        // weight initialisation
  kNoiseStream = 2,       // per-step latent noise and dropout
  kDataOrderStream = 3,   // per-epoch permutation
  kFixedNoiseStream = 4,  // the fixed latent batch of checkpoint sample grids
  kSampleStream = 5,      // Sample requests' seeds
};

// SplitMix64 (Steele et al. 2014): tiny, fast, and well mixed for seeding.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) by Lemire's multiply-shift (bias < 2^-64 * bound).
  uint64_t Below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

inline uint64_t MixSeed(uint64_t seed, uint64_t stream, uint64_t counter) {
  SplitMix64 mix(seed ^ (stream * 0xd1b54a32d192ed03ULL));
  mix.Next();
  SplitMix64 second(mix.Next() ^ (counter * 0x8cb92ba72f3d8dd7ULL));
  return second.Next();
}

}  // namespace dcgan

#endif  // DCGAN_CORE_UTIL_SEED_MIX_H_
