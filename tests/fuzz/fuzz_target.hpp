// The contract between a fuzz target and the drivers: libFuzzer's entry point, plus seed inputs
// that the bounded mutation driver starts from.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
std::vector<std::vector<uint8_t>> fuzz_seeds();
