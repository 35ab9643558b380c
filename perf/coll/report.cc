#include "report.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace zccl::perf {
namespace {

// nccl-tests' time format: fewer decimals as the number grows, always 7 characters.
std::string timeText(double us) {
  char b[32];
  if (us < 0) return "N/A";
  std::snprintf(b, sizeof b, us >= 10000.0 ? "%7.0f" : us >= 100.0 ? "%7.1f" : "%7.2f", us);
  return b;
}

std::string fixed(double v, const char* fmt) {
  char b[32];
  std::snprintf(b, sizeof b, fmt, v);
  return b;
}

// The header cells of one half, and their widths, in print order. tools/shaped_bench.sh parses the
// text table by column number (awk $N): a column added, removed or moved here must be matched there.
struct Cell {
  const char* title;
  const char* unit;
  int width;
};

std::vector<Cell> cells(const TableLayout& layout) {
  std::vector<Cell> c = {
      {"time", "(us)", 7}, {"algbw", "(GB/s)", 6}, {"busbw", "(GB/s)", 6}, {"#wrong", "", 5}, {"ratio", "", 6}};
  if (layout.rawColumns) {
    c.push_back({"rawtime", "(us)", 7});
    c.push_back({"speedup", "", 7});
  }
  if (layout.allColumns) {
    c.push_back({"offtime", "(us)", 7});
    c.push_back({"ontime", "(us)", 7});
    c.push_back({"vs_best", "", 7});
    c.push_back({"plan", "", 18});
  }
  if (layout.mpiColumns) {
    c.push_back({"mpitime", "(us)", 7});
    c.push_back({"vs_mpi", "", 6});
  }
  return c;
}

int halfWidth(const TableLayout& layout) {
  int w = 0;
  for (const Cell& c : cells(layout)) w += 2 + c.width;
  return w;
}

void centered(std::FILE* out, const char* text, int width) {
  const int len = static_cast<int>(std::strlen(text)), left = (width - len) / 2;
  std::fprintf(out, "%*s%s%*s", left, "", text, width - len - left, "");
}

std::string jsonString(const std::string& s);

void jsonMeasurement(std::FILE* f, const Measurement& m) {
  if (!m.present) {
    std::fprintf(f, "null");
    return;
  }
  std::fprintf(f, "{\"time_us\": %.3f, \"algbw_gbs\": %.6f, \"busbw_gbs\": %.6f, \"wrong\": %lld", m.timeUs, m.algBw,
               m.busBw, m.wrong);
  if (m.ratio >= 0) std::fprintf(f, ", \"size_ratio\": %.6f", m.ratio);
  std::fprintf(f, ", \"codec_us\": %.3f", m.codecUs);
  if (m.rawTimeUs >= 0)
    std::fprintf(f, ", \"raw_time_us\": %.3f, \"speedup\": %.6f", m.rawTimeUs, m.rawTimeUs / m.timeUs);
  if (m.onTimeUs >= 0) std::fprintf(f, ", \"on_time_us\": %.3f", m.onTimeUs);
  if (!m.plan.empty()) std::fprintf(f, ", \"plan\": %s", jsonString(m.plan).c_str());
  if (m.mpiTimeUs >= 0)
    std::fprintf(f, ", \"mpi_time_us\": %.3f, \"speedup_vs_mpi\": %.6f", m.mpiTimeUs, m.mpiTimeUs / m.timeUs);
  std::fprintf(f, "}");
}

std::string jsonString(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) {
      o += ' ';
      continue;
    }
    o += ch;
  }
  return o + "\"";
}

}  // namespace

void printTableHeader(std::FILE* out, const TableLayout& layout) {
  const int w = halfWidth(layout);
  std::fprintf(out, "# %10s  %12s  %8s  %6s  %6s", "", "", "", "", "");
  centered(out, "out-of-place", w);
  centered(out, "in-place", w);
  std::fprintf(out, "\n# %10s  %12s  %8s  %6s  %6s", "size", "count", "type", "redop", "root");
  for (int half = 0; half < 2; ++half) {
    for (const Cell& c : cells(layout)) std::fprintf(out, "  %*s", c.width, c.title);
  }
  std::fprintf(out, "\n# %10s  %12s  %8s  %6s  %6s", "(B)", "(elements)", "", "", "");
  for (int half = 0; half < 2; ++half) {
    for (const Cell& c : cells(layout)) std::fprintf(out, "  %*s", c.width, c.unit);
  }
  std::fprintf(out, "\n");
}

void printRowPrefix(std::FILE* out, const Row& row) {
  std::fprintf(out, "%12zu  %12zu  %8s  %6s  %6i", row.bytes, row.count, row.type, row.redop, row.root);
}

void printMeasurement(std::FILE* out, const TableLayout& layout, const Measurement& m) {
  if (!m.present) {
    for (const Cell& c : cells(layout)) std::fprintf(out, "  %*s", c.width, "N/A");
    return;
  }
  std::fprintf(out, "  %7s  %6.2f  %6.2f  %5s  %6s", timeText(m.timeUs).c_str(), m.algBw, m.busBw,
               m.wrong < 0 ? "N/A" : fixed(static_cast<double>(m.wrong), "%g").c_str(),
               m.ratio < 0 ? "-" : fixed(m.ratio, "%.3f").c_str());
  if (layout.rawColumns) {
    std::fprintf(out, "  %7s  %7s", timeText(m.rawTimeUs).c_str(),
                 m.rawTimeUs < 0 ? "N/A" : fixed(m.rawTimeUs / m.timeUs, "%.3fx").c_str());
  }
  if (layout.allColumns) {
    const double best = m.rawTimeUs < 0 ? m.onTimeUs : m.onTimeUs < 0 ? m.rawTimeUs : std::min(m.rawTimeUs, m.onTimeUs);
    std::fprintf(out, "  %7s  %7s  %7s  %18s", timeText(m.rawTimeUs).c_str(), timeText(m.onTimeUs).c_str(),
                 best < 0 ? "N/A" : fixed(best / m.timeUs, "%.3fx").c_str(), m.plan.empty() ? "-" : m.plan.c_str());
  }
  if (layout.mpiColumns) {
    std::fprintf(out, "  %7s  %6s", timeText(m.mpiTimeUs).c_str(),
                 m.mpiTimeUs < 0 ? "N/A" : fixed(m.mpiTimeUs / m.timeUs, "%.2fx").c_str());
  }
}

bool writeJson(const std::string& path, const std::string& binary, const PerfOptions& opt, int nranks,
               const std::string& payload, const std::vector<Row>& rows, long long wrong, double avgBusBw) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  std::fprintf(f, "{\n  \"identifier\": \"zccl-perf\",\n  \"version\": \"%d.%d.%d\",\n  \"binary\": %s,\n", ZCCL_MAJOR,
               ZCCL_MINOR, ZCCL_PATCH, jsonString(binary).c_str());
  std::fprintf(f, "  \"nranks\": %d,\n  \"compression\": \"%s\",\n  \"backend\": \"%s\",\n  \"payload\": %s,\n", nranks,
               compressionName(opt.compression), opt.backend == Backend::kMpi ? "mpi" : "nccl",
               jsonString(payload).c_str());
  std::fprintf(f, "  \"iters\": %d,\n  \"warmup_iters\": %d,\n  \"check\": %d,\n  \"results\": [\n", opt.iters,
               opt.warmupIters, opt.check);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    std::fprintf(f, "    {\"size\": %zu, \"count\": %zu, \"type\": \"%s\", \"redop\": \"%s\", \"root\": %d,", r.bytes,
                 r.count, r.type, r.redop, r.root);
    std::fprintf(f, "\n     \"out_of_place\": ");
    jsonMeasurement(f, r.m[0]);
    std::fprintf(f, ",\n     \"in_place\": ");
    jsonMeasurement(f, r.m[1]);
    std::fprintf(f, "}%s\n", i + 1 < rows.size() ? "," : "");
  }
  std::fprintf(f, "  ],\n  \"out_of_bounds\": %lld,\n  \"avg_busbw_gbs\": %.6f\n}\n", wrong, avgBusBw);
  return std::fclose(f) == 0;
}

}  // namespace zccl::perf
