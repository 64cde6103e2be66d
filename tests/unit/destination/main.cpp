// The Catch2 main of destination_tests (the destination's unit tests).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
