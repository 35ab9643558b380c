#include "tensor_report.h"

#include <zstd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "aligned_buffer.h"
#include "zccl/zccl_codec.h"

namespace zccl::inspect {
namespace {

using Clock = std::chrono::steady_clock;

template <class F>
double bestSeconds(int repeats, F&& f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

// Exponent field width, mantissa width and residual bits (sign + mantissa) of a float dtype.
void floatLayout(zcclDataType_t dtype, int* expBits, int* mantBits) {
  *expBits = dtype == zcclFloat16 ? 5 : 8;
  *mantBits = dtype == zcclFloat16 ? 10 : dtype == zcclBfloat16 ? 7 : 23;
}

double exponentEntropy(zcclDataType_t dtype, const uint8_t* bytes, uint64_t count) {
  int expBits, mantBits;
  floatLayout(dtype, &expBits, &mantBits);
  const size_t elemBytes = dtype == zcclFloat32 ? 4 : 2;
  std::vector<uint64_t> hist(size_t{1} << expBits, 0);
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t x = 0;
    std::memcpy(&x, bytes + i * elemBytes, elemBytes);
    hist[(x >> mantBits) & ((1u << expBits) - 1)]++;
  }
  double h = 0;
  for (uint64_t c : hist) {
    if (c != 0) {
      double p = static_cast<double>(c) / count;
      h -= p * std::log2(p);
    }
  }
  return h;
}

uint64_t frameBytes(zcclDataType_t dtype, const uint8_t* bytes, uint64_t count, int mode, data::AlignedBuffer& buf) {
  zcclCodecConfig_t config = ZCCL_CODEC_CONFIG_INITIALIZER;
  config.mode = mode;
  size_t out = 0;
  if (zcclCodecCompress(bytes, count, dtype, buf.data(), buf.size(), &out, &config) != zcclSuccess) return 0;
  return out;
}

}  // namespace

void Row::add(const Row& o) {
  if (elements == 0)
    dtype = o.dtype;
  else if (dtype != o.dtype)
    dtype = "mixed";
  expEntropyBits = (expEntropyBits * elements + o.expEntropyBits * o.elements) /
                   std::max<double>(1.0, static_cast<double>(elements + o.elements));
  elements += o.elements;
  rawBytes += o.rawBytes;
  boundBytes += o.boundBytes;
  storedBytes += o.storedBytes;
  windowBytes += o.windowBytes;
  compressSeconds += o.compressSeconds;
  decompressSeconds += o.decompressSeconds;
  zstdBytes += o.zstdBytes;
  zstdCompressSeconds += o.zstdCompressSeconds;
  zstdDecompressSeconds += o.zstdDecompressSeconds;
  roundtripOk = roundtripOk && o.roundtripOk;
}

Row measureTensor(const std::string& name, zcclDataType_t dtype, const uint8_t* unaligned, uint64_t count,
                  const MeasureOptions& opts) {
  const size_t rawBytes = count * (dtype == zcclFloat32 ? 4 : 2);
  const data::AlignedBuffer aligned(unaligned, rawBytes);  // time tensors as frameworks hold them
  const uint8_t* bytes = aligned.data();
  Row row;
  row.name = name;
  row.dtype = dtype == zcclBfloat16 ? "bfloat16" : dtype == zcclFloat16 ? "float16" : "float32";
  row.elements = count;
  const size_t elemBytes = dtype == zcclFloat32 ? 4 : 2;
  row.rawBytes = count * elemBytes;
  int expBits, mantBits;
  floatLayout(dtype, &expBits, &mantBits);
  row.expEntropyBits = exponentEntropy(dtype, bytes, count);
  row.boundBytes = count * (8.0 * elemBytes - expBits + row.expEntropyBits) / 8.0;

  size_t bound = 0;
  zcclCodecMaxCompressedSize(count, dtype, &bound);
  data::AlignedBuffer frame(bound);
  row.storedBytes = frameBytes(dtype, bytes, count, zcclCodecModeStored, frame);
  row.windowBytes = frameBytes(dtype, bytes, count, zcclCodecModeWindow, frame);

  size_t out = 0;
  zcclResult_t res = zcclSuccess;
  row.compressSeconds = bestSeconds(
      opts.repeats, [&] { res = zcclCodecCompress(bytes, count, dtype, frame.data(), frame.size(), &out, nullptr); });
  data::AlignedBuffer back(row.rawBytes + 1);
  zcclResult_t dres = zcclSuccess;
  row.decompressSeconds = bestSeconds(opts.repeats, [&] {
    dres = zcclCodecDecompress(frame.data(), out, back.data(), count, dtype, nullptr, nullptr);
  });
  row.roundtripOk = res == zcclSuccess && dres == zcclSuccess && std::memcmp(back.data(), bytes, row.rawBytes) == 0;

  data::AlignedBuffer z(ZSTD_compressBound(row.rawBytes));
  size_t zBytes = 0;
  row.zstdCompressSeconds =
      bestSeconds(opts.repeats, [&] { zBytes = ZSTD_compress(z.data(), z.size(), bytes, row.rawBytes, 1); });
  row.zstdBytes = ZSTD_isError(zBytes) ? row.rawBytes : zBytes;
  row.zstdDecompressSeconds =
      bestSeconds(opts.repeats, [&] { ZSTD_decompress(back.data(), back.size(), z.data(), zBytes); });
  return row;
}

void printTable(const std::vector<Row>& rows, const Row& total, bool showTotalSeparator) {
  std::printf("%-44s %-8s %12s %6s %6s %7s %7s %7s %7s %7s %7s %5s\n", "tensor", "dtype", "elements", "H(exp)", "bound",
              "window", "stored", "comp", "decomp", "zstd-1", "zstd", "exact");
  std::printf("%-44s %-8s %12s %6s %6s %7s %7s %7s %7s %7s %7s %5s\n", "", "", "", "bits", "ratio", "ratio", "ratio",
              "GB/s", "GB/s", "ratio", "GB/s", "");
  auto line = [](const Row& r) {
    std::string name = r.name.size() > 44 ? "..." + r.name.substr(r.name.size() - 41) : r.name;
    std::printf("%-44s %-8s %12llu %6.3f %6.3f %7.4f %7.4f %7.2f %7.2f %7.4f %7.2f %5s\n", name.c_str(),
                r.dtype.c_str(), static_cast<unsigned long long>(r.elements), r.expEntropyBits, r.boundRatio(),
                r.ratio(r.windowBytes), r.ratio(r.storedBytes), r.gbps(r.compressSeconds), r.gbps(r.decompressSeconds),
                r.ratio(r.zstdBytes), r.gbps(r.zstdCompressSeconds), r.roundtripOk ? "yes" : "NO");
  };
  for (const Row& r : rows) line(r);
  if (showTotalSeparator) std::printf("%s\n", std::string(130, '-').c_str());
  line(total);
  std::printf(
      "# ratio = compressed/original; speeds are one thread, best of runs, in GB/s of original bytes; "
      "codec target %s\n",
      zcclCodecFastTarget());
}

namespace {

std::string jsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else
      out += c;
  }
  return out;
}

void printRowJson(const Row& r, const char* indent) {
  std::printf(
      "%s{\"name\": \"%s\", \"dtype\": \"%s\", \"elements\": %llu, \"exp_entropy_bits\": %.6f, "
      "\"bound_ratio\": %.6f, \"size_ratio\": {\"window\": %.6f, \"stored\": %.6f}, \"compress_gbps\": %.4f, "
      "\"decompress_gbps\": %.4f, \"zstd1_ratio\": %.6f, \"zstd1_compress_gbps\": %.4f, "
      "\"zstd1_decompress_gbps\": %.4f, \"roundtrip_ok\": %s}",
      indent, jsonEscape(r.name).c_str(), r.dtype.c_str(), static_cast<unsigned long long>(r.elements),
      r.expEntropyBits, r.boundRatio(), r.ratio(r.windowBytes), r.ratio(r.storedBytes), r.gbps(r.compressSeconds),
      r.gbps(r.decompressSeconds), r.ratio(r.zstdBytes), r.gbps(r.zstdCompressSeconds), r.gbps(r.zstdDecompressSeconds),
      r.roundtripOk ? "true" : "false");
}

void printRowsJson(const char* key, const std::vector<Row>& rows) {
  std::printf("  \"%s\": [", key);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::printf("%s\n", i ? "," : "");
    printRowJson(rows[i], "    ");
  }
  std::printf("%s],\n", rows.empty() ? "" : "\n  ");
}

}  // namespace

void printJson(const std::vector<Row>& tensors, const std::vector<Row>& files, const Row& total) {
  std::printf("{\n  \"codec_target\": \"%s\",\n", zcclCodecFastTarget());
  printRowsJson("tensors", tensors);
  printRowsJson("files", files);
  std::printf("  \"total\": ");
  printRowJson(total, "");
  std::printf("\n}\n");
}

}  // namespace zccl::inspect
