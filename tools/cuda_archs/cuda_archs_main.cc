// zccl-cuda-archs: lists the GPU code images a binary embeds, like `cuobjdump --list-elf
// --list-ptx` (which this CUDA 13 toolkit does not ship). Reads the ELF file's .nv_fatbin section,
// a sequence of fatbin containers (magic 0xBA55ED50, then entries of kind 1 = PTX or 2 = ELF cubin
// with the SM version at entry offset 28), and prints one line per image, e.g. "sm_90 cubin".
//   zccl-cuda-archs build/lib/libzccl.so --require 80,90    # exit 1 unless both cubins are there
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

template <class T>
bool read(const std::vector<uint8_t>& f, uint64_t at, T* out) {
  if (at > f.size() || f.size() - at < sizeof(T)) return false;
  std::memcpy(out, f.data() + at, sizeof(T));
  return true;
}

// The .nv_fatbin section of a 64-bit little-endian ELF file: [offset, size), or false.
bool findFatbin(const std::vector<uint8_t>& f, uint64_t* offset, uint64_t* size) {
  if (f.size() < 64 ||
      std::memcmp(f.data(),
                  "\x7f"
                  "ELF",
                  4) != 0 ||
      f[4] != 2 || f[5] != 1)
    return false;
  uint64_t shoff = 0;
  uint16_t shentsize = 0, shnum = 0, shstrndx = 0;
  if (!read(f, 0x28, &shoff) || !read(f, 0x3A, &shentsize) || !read(f, 0x3C, &shnum) || !read(f, 0x3E, &shstrndx))
    return false;
  uint64_t strOff = 0;
  if (!read(f, shoff + uint64_t{shstrndx} * shentsize + 0x18, &strOff)) return false;
  for (uint16_t i = 0; i < shnum; ++i) {
    const uint64_t sh = shoff + uint64_t{i} * shentsize;
    uint32_t nameOff = 0;
    if (!read(f, sh, &nameOff) || strOff + nameOff >= f.size()) return false;
    const char* name = reinterpret_cast<const char*>(f.data() + strOff + nameOff);
    if (std::strncmp(name, ".nv_fatbin", 11) == 0) {
      return read(f, sh + 0x18, offset) && read(f, sh + 0x20, size) && *offset <= f.size() &&
             *size <= f.size() - *offset;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: zccl-cuda-archs BINARY [--require SM,SM,...]\n");
    return 2;
  }
  std::set<int> required;
  if (argc == 4 && std::string(argv[2]) == "--require") {
    std::stringstream ss(argv[3]);
    std::string sm;
    while (std::getline(ss, sm, ',')) required.insert(std::stoi(sm));
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::vector<uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t off = 0, size = 0;
  if (!findFatbin(f, &off, &size)) {
    std::printf("%s: no GPU code (.nv_fatbin section)\n", argv[1]);
    return required.empty() ? 0 : 1;
  }
  std::set<int> cubins;
  uint64_t at = off;
  const uint64_t end = off + size;
  while (at + 16 <= end) {
    uint32_t magic = 0;
    uint16_t headerSize = 0;
    uint64_t fatSize = 0;
    read(f, at, &magic);
    if (magic != 0xBA55ED50u) {  // containers are padded to 8 bytes
      at += 8;
      continue;
    }
    read(f, at + 6, &headerSize);
    read(f, at + 8, &fatSize);
    uint64_t e = at + headerSize;
    const uint64_t containerEnd = std::min(end, at + headerSize + fatSize);
    while (e + 32 <= containerEnd) {
      uint16_t kind = 0;
      uint32_t entryHeader = 0, arch = 0;
      uint64_t payload = 0;
      read(f, e, &kind);
      read(f, e + 4, &entryHeader);
      read(f, e + 8, &payload);
      read(f, e + 28, &arch);
      if (entryHeader == 0) break;
      std::printf("%s_%u %s\n", kind == 1 ? "compute" : "sm", arch, kind == 1 ? "ptx" : kind == 2 ? "cubin" : "other");
      if (kind == 2) cubins.insert(static_cast<int>(arch));
      e += entryHeader + payload;
    }
    at = containerEnd;
  }
  for (int sm : required) {
    if (!cubins.count(sm)) {
      std::fprintf(stderr, "zccl-cuda-archs: %s has no sm_%d cubin\n", argv[1], sm);
      return 1;
    }
  }
  return 0;
}
