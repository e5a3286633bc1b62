// A bounded random-mutation driver for the fuzz targets, so that CI exercises them under ASan and
// UBSan with any compiler: start from the target's seeds, apply bit flips, byte changes,
// truncations, extensions and splices, and feed each result to the target. Deterministic for a
// given iteration count (fixed RNG seed). A crash or sanitizer report fails the test.
// `--write-seeds DIR` writes the seeds as files instead (seed-0, seed-1, ...): the start of the
// libFuzzer corpora kept in tests/fuzz/corpus/ (scripts/fuzz.sh).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "fuzz_target.hpp"

namespace {
int write_seeds(const std::string& dir) {
    const auto seeds = fuzz_seeds();
    for (size_t i = 0; i < seeds.size(); ++i) {
        std::ofstream out(dir + "/seed-" + std::to_string(i), std::ios::binary);
        out.write(reinterpret_cast<const char*>(seeds[i].data()), std::streamsize(seeds[i].size()));
        if (!out) {
            std::fprintf(stderr, "cannot write %s/seed-%zu\n", dir.c_str(), i);
            return 1;
        }
    }
    std::printf("%zu seeds written to %s\n", seeds.size(), dir.c_str());
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--write-seeds") == 0) return write_seeds(argv[2]);
    const long iterations = argc > 1 ? std::atol(argv[1]) : 100000;
    std::mt19937_64 rng(20261126);
    auto corpus = fuzz_seeds();
    corpus.push_back({});
    for (const auto& s : corpus) LLVMFuzzerTestOneInput(s.data(), s.size());
    for (long i = 0; i < iterations; ++i) {
        std::vector<uint8_t> in = corpus[rng() % corpus.size()];
        int edits = 1 + int(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            switch (rng() % 6) {
                case 0:
                    if (!in.empty()) in[rng() % in.size()] ^= uint8_t(1u << (rng() % 8));
                    break;
                case 1:
                    if (!in.empty()) in[rng() % in.size()] = uint8_t(rng());
                    break;
                case 2:
                    if (!in.empty()) in.resize(rng() % in.size());
                    break;
                case 3:
                    in.resize(in.size() + rng() % 16, uint8_t(rng()));
                    break;
                case 4: {
                    const auto& other = corpus[rng() % corpus.size()];
                    if (!other.empty() && !in.empty()) {
                        size_t at = rng() % in.size(), from = rng() % other.size();
                        for (size_t k = 0; k < 8 && at + k < in.size() && from + k < other.size(); ++k)
                            in[at + k] = other[from + k];
                    }
                    break;
                }
                default:
                    if (!in.empty()) in[rng() % in.size()] = uint8_t(in[rng() % in.size()] + 1);
            }
        }
        LLVMFuzzerTestOneInput(in.data(), in.size());
        if (i % 1000 == 0 && in.size() > 8 && corpus.size() < 256 && rng() % 4 == 0) corpus.push_back(in);
    }
    std::printf("%ld inputs passed without a fault\n", iterations);
    return 0;
}
