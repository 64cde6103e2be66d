// Helpers shared by the fuzz targets. Inputs reach the connector the way the binary reads them:
// JSON documents through config::read_json_file (so its depth guard is exercised too).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace sk_fuzz {

// A private scratch file, created once per process and removed at exit.
inline const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/sk-fuzz-XXXXXX";
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) std::abort();
    close(fd);
    static std::string keep = tmpl;
    std::atexit([] { std::remove(keep.c_str()); });
    return tmpl;
  }();
  return path;
}

// Writes the fuzz input to the scratch file and returns its path.
inline const std::string& as_file(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

// A property of the code under test does not hold: crash so libFuzzer saves the input.
[[noreturn]] inline void violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

}  // namespace sk_fuzz
