// The target that owns the test suite's precompiled header (tests/CMakeLists.txt): every GoogleTest target
// reuses it. Its one case checks that the header it was built from is GoogleTest's.
TEST(test_pch, googletest_is_precompiled) {
    EXPECT_TRUE(::testing::UnitTest::GetInstance() != nullptr);
}
