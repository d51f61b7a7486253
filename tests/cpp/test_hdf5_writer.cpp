#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_writer.hpp"

namespace glia::io {

namespace {
std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "glia_" + std::to_string(::getpid()) + "_" + name;
}
bool exists(const std::string& p) { return ::access(p.c_str(), F_OK) == 0; }
}  // namespace

TEST(Hdf5Writer, CommitWritesCompleteFileWithData) {
  const std::string path = temp_path("ok.h5");
  {
    Hdf5Writer w(path);
    EXPECT_FALSE(exists(path));  // only the temporary exists until commit
    w.attribute("/", "seed", std::int64_t{5});
    std::vector<double> data(10000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = 0.5 * static_cast<double>(i);
    w.dataset("/a/b/values", data, {100, 100});
    w.commit();
  }
  ASSERT_TRUE(exists(path));
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  std::int64_t complete = 0;
  hid_t a = H5Aopen(f, "complete", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_INT64, &complete);
  H5Aclose(a);
  EXPECT_EQ(complete, 1);
  std::vector<double> back(10000);
  hid_t d = H5Dopen2(f, "/a/b/values", H5P_DEFAULT);
  H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data());
  H5Dclose(d);
  H5Fclose(f);
  EXPECT_DOUBLE_EQ(back[9999], 0.5 * 9999);
  std::remove(path.c_str());
}

TEST(Hdf5Writer, AbandonedWriterLeavesNothing) {
  const std::string path = temp_path("abandoned.h5");
  {
    Hdf5Writer w(path);
    w.dataset("/x", std::vector<double>{1, 2, 3}, {3});
  }
  EXPECT_FALSE(exists(path));
  EXPECT_FALSE(exists(path + ".tmp" + std::to_string(::getpid())));
}

TEST(Hdf5Writer, UnwritablePathIsConfigError) {
  try {
    Hdf5Writer w("/nonexistent-dir/out.h5");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "output");
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/out.h5"), std::string::npos);
  }
}

}  // namespace glia::io
