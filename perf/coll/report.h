// The perf binaries' output: nccl-tests' table (size, count, type, redop, root, then time, algbw,
// busbw and #wrong for out-of-place and in-place) with ZipCCL's columns appended to each half:
//   ratio          bytes sent / bytes an uncompressed run sends (the codec's effect on the wire)
//   -Z both:       rawtime, speedup   time with compression off, and rawtime / time
//   -Z all:        offtime, ontime, vs_best, plan   time is auto's; vs_best = min(off, on) / time
//                  (at least 0.9: auto is within 10% of the better fixed choice); the plan auto ran
//   -B 1:          mpitime, vs_mpi    Open MPI's own collective, and mpitime / time
// nccl-tests' footer lines, and the same results as JSON (-J).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "options.h"

namespace zccl::perf {

// One half (out-of-place or in-place) of a row, as every rank agrees on it.
struct Measurement {
  bool present = false;         // false: this variant does not exist (in-place all-to-all, send/recv)
  double timeUs = 0;            // per iteration, averaged over ranks as -a says
  double algBw = 0, busBw = 0;  // GB/s
  long long wrong = -1;         // -1: not checked
  double ratio = -1;            // -1: nothing went through ZipCCL's algorithms (plain transport path)
  double codecUs = 0;           // host codec time per iteration, mean over ranks
  double rawTimeUs = -1;        // -Z both and all: compression off
  double onTimeUs = -1;         // -Z all: compression on
  std::string plan;             // the plan of the measured communicator's last call
  double mpiTimeUs = -1;        // -B 1: Open MPI's collective
};

struct Row {
  size_t bytes = 0, count = 0;
  const char* type = "";
  const char* redop = "";
  int root = -1;
  Measurement m[2];  // out-of-place, in-place
};

struct TableLayout {
  bool rawColumns = false;  // -Z both
  bool allColumns = false;  // -Z all
  bool mpiColumns = false;  // -B 1
};

// Column headers (three lines, as nccl-tests prints them).
void printTableHeader(std::FILE* out, const TableLayout& layout);
void printRowPrefix(std::FILE* out, const Row& row);
void printMeasurement(std::FILE* out, const TableLayout& layout, const Measurement& m);

// Writes the run as JSON; false if the file cannot be written.
bool writeJson(const std::string& path, const std::string& binary, const PerfOptions& opt, int nranks,
               const std::string& payload, const std::vector<Row>& rows, long long wrong, double avgBusBw);

}  // namespace zccl::perf
