// tests/main_test.cpp — Catch2 main for sim_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
