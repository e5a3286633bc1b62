// removed_while_open: true only for a regular file that lost its last name while open; a file
// renamed or still linked elsewhere, a pipe and /dev/null keep their rows, so they are not.
#include "output/removed_file.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <string>

using namespace ics;

namespace {

struct temp_file {
    std::string path = std::string(::testing::TempDir()) + "removed_file_test.XXXXXX";
    std::FILE* f = nullptr;
    temp_file() { f = fdopen(mkstemp(path.data()), "w"); }
    ~temp_file() {
        std::fclose(f);
        unlink(path.c_str());
    }
};

TEST(RemovedFile, AFileRemovedWhileOpenIsSeen) {
    temp_file t;
    ASSERT_NE(t.f, nullptr);
    EXPECT_FALSE(removed_while_open(t.f));
    ASSERT_GE(std::fputs("rows\n", t.f), 0);
    ASSERT_EQ(unlink(t.path.c_str()), 0);
    EXPECT_TRUE(removed_while_open(t.f)) << "its rows go to an inode no one can open";
    EXPECT_EQ(std::fflush(t.f), 0) << "and no write error says so";
}

TEST(RemovedFile, AFileRenamedOrLinkedElsewhereKeepsItsRows) {
    temp_file t;
    const std::string other = t.path + ".moved";
    ASSERT_EQ(rename(t.path.c_str(), other.c_str()), 0);
    EXPECT_FALSE(removed_while_open(t.f)) << "renamed";
    ASSERT_EQ(link(other.c_str(), t.path.c_str()), 0);
    ASSERT_EQ(unlink(other.c_str()), 0);
    EXPECT_FALSE(removed_while_open(t.f)) << "one name removed, another left";
}

TEST(RemovedFile, PipesDevicesAndNoFileAreNeverRemoved) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::FILE* w = fdopen(fds[1], "w");
    close(fds[0]);
    EXPECT_FALSE(removed_while_open(w)) << "a pipe has no name to lose";
    std::fclose(w);
    std::FILE* null = std::fopen("/dev/null", "w");
    EXPECT_FALSE(removed_while_open(null));
    std::fclose(null);
    EXPECT_FALSE(removed_while_open(nullptr));
}

}  // namespace
