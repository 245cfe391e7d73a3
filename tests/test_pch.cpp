// The target that owns the test suite's precompiled header (tests/CMakeLists.txt): the header is built with
// this file, and every GoogleTest target reuses it. It has no test of its own.
