#include "core/data/idx_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "tests/testing/temp_dir.h"

namespace dcgan {
namespace {

using ::testing::HasSubstr;

constexpr char kFashionMnist[] = "/usr/share/datasets/fashion-mnist";

std::string Header(uint8_t type, std::vector<uint32_t> dims) {
  std::string h = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) h.push_back(static_cast<char>(d >> shift));
  }
  return h;
}

void WriteRaw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void WriteGzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

TEST(IdxReaderTest, ReadsRealFashionMnist) {
  auto images = ReadIdxFile(std::string(kFashionMnist) + "/train-images-idx3-ubyte.gz");
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_EQ(images->dims, (std::vector<int64_t>{60000, 28, 28}));
  EXPECT_EQ(images->data.size(), 60000u * 28 * 28);
  auto labels = ReadIdxFile(std::string(kFashionMnist) + "/train-labels-idx1-ubyte.gz");
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_EQ(labels->dims, (std::vector<int64_t>{60000}));
  for (uint8_t label : labels->data) ASSERT_LT(label, 10);
  auto test_images = ReadIdxFile(std::string(kFashionMnist) + "/t10k-images-idx3-ubyte.gz");
  ASSERT_TRUE(test_images.ok());
  EXPECT_EQ(test_images->dims[0], 10000);
}

TEST(IdxReaderTest, ReadsRawAndGzipAlike) {
  testing::TempDir dir;
  const std::string bytes = Header(0x08, {2, 3}) + std::string("\x01\x02\x03\x04\x05\x06", 6);
  WriteRaw(dir.file("a.idx"), bytes);
  WriteGzip(dir.file("a.idx.gz"), bytes);
  auto raw = ReadIdxFile(dir.file("a.idx"));
  auto gz = ReadIdxFile(dir.file("a.idx.gz"));
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_TRUE(gz.ok()) << gz.status();
  EXPECT_EQ(raw->data, gz->data);
  EXPECT_EQ(raw->data[5], 6);
}

struct CorruptCase {
  const char* name;
  std::string bytes;
  const char* message;
};

class CorruptIdxTest : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(CorruptIdxTest, IsDataLossNamingTheFile) {
  testing::TempDir dir;
  for (bool gzip : {false, true}) {
    const std::string path = dir.file(std::string(GetParam().name) + (gzip ? ".gz" : ""));
    gzip ? WriteGzip(path, GetParam().bytes) : WriteRaw(path, GetParam().bytes);
    auto result = ReadIdxFile(path);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(path));
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(GetParam().message));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, CorruptIdxTest,
    ::testing::Values(
        CorruptCase{"empty", "", "truncated"},
        CorruptCase{"bad_magic", std::string("\x12\x34\x08\x01\0\0\0\x01\x07", 9), "magic"},
        CorruptCase{"float_type", Header(0x0D, {1}) + std::string(4, '\0'), "unsigned byte"},
        CorruptCase{"zero_dims", std::string("\0\0\x08\0", 4), "dimensions"},
        CorruptCase{"short_header", Header(0x08, {5, 5}).substr(0, 9), "header"},
        CorruptCase{"short_data", Header(0x08, {4, 4}) + std::string(10, 'x'), "truncated"},
        CorruptCase{"long_data", Header(0x08, {2}) + std::string(3, 'x'), "past"},
        CorruptCase{"huge_dims", Header(0x08, {0xffffff, 0xffffff, 0xff}), "implausibly"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(IdxReaderTest, TruncatedGzipStream) {
  testing::TempDir dir;
  const std::string bytes = Header(0x08, {100, 28, 28}) + std::string(78400, '\x42');
  WriteGzip(dir.file("full.gz"), bytes);
  std::ifstream in(dir.file("full.gz"), std::ios::binary);
  std::string compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteRaw(dir.file("cut.gz"), compressed.substr(0, compressed.size() / 2));
  auto result = ReadIdxFile(dir.file("cut.gz"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("cut.gz"));
}

TEST(IdxReaderTest, GzipWithBadChecksum) {
  testing::TempDir dir;
  const std::string bytes = Header(0x08, {16}) + std::string(16, '\x07');
  WriteGzip(dir.file("crc.gz"), bytes);
  std::ifstream in(dir.file("crc.gz"), std::ios::binary);
  std::string compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  compressed[compressed.size() - 6] ^= 0x5a;  // inside the CRC-32 trailer
  WriteRaw(dir.file("crc.gz"), compressed);
  auto result = ReadIdxFile(dir.file("crc.gz"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
}

TEST(IdxReaderTest, MissingFileIsNotFound) {
  auto result = ReadIdxFile("/nonexistent/train-images-idx3-ubyte");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("/nonexistent"));
}

}  // namespace
}  // namespace dcgan
