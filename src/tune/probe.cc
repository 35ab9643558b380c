#include "tune/probe.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/float16.h"
#include "common/host_reduce.h"
#include "common/machine_identity.h"
#include "tune/agree.h"
#include "zccl/zccl_codec.h"

namespace zccl::tune {
namespace {

using Clock = std::chrono::steady_clock;
using transport::Request;

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Times one exchange with two peers (send to `to`, receive from `from`) of `bytes` bytes.
zcclResult_t timedExchange(transport::Transport& t, int to, int from, std::vector<uint8_t>& out,
                           std::vector<uint8_t>& in, size_t bytes, double* secs) {
  Request s, r;
  const auto start = Clock::now();
  // The send first, as the algorithms post them: over Open MPI's TCP transport a receive posted
  // first halves what a 1 Gbit/s link carries (docs/algorithms.md), and so would the figure.
  ZCCL_CHECK(t.isend(to, transport::kTagProbe, out.data(), bytes, &s));
  ZCCL_CHECK(t.irecv(from, transport::kTagProbe, in.data(), bytes, &r));
  ZCCL_CHECK(t.wait(&s, nullptr));
  ZCCL_CHECK(t.wait(&r, nullptr));
  *secs = seconds(start, Clock::now());
  return zcclSuccess;
}

// Budget (issue: at most 300 ms per communicator at 1 Gbit/s): a 2 MiB warm-up and 4 x 2 MiB each
// way are 84 ms of link at 1 Gbit/s; the codec below about 40 ms more (docs/perf.md section 10
// has the measured totals).
constexpr size_t kBandwidthBytes = size_t{2} << 20, kLatencyBytes = 8;
constexpr int kLatencyReps = 10, kBandwidthReps = 4;

// A ring of exchanges among `members` (this rank is one of them): latency and bandwidth.
zcclResult_t measureLink(transport::Transport& t, const std::vector<int>& members, Link* link) {
  const int n = static_cast<int>(members.size());
  const int me = static_cast<int>(std::find(members.begin(), members.end(), t.rank()) - members.begin());
  const int to = members[(me + 1) % n], from = members[(me - 1 + n) % n];
  std::vector<uint8_t> out(kBandwidthBytes, 0x5a), in(kBandwidthBytes);
  double secs = 0;
  ZCCL_CHECK(timedExchange(t, to, from, out, in, kBandwidthBytes, &secs));  // TCP's window opens
  std::vector<double> lat, bw;
  for (int i = 0; i < kLatencyReps; ++i) {
    ZCCL_CHECK(timedExchange(t, to, from, out, in, kLatencyBytes, &secs));
    lat.push_back(secs);
  }
  for (int i = 0; i < kBandwidthReps; ++i) {
    ZCCL_CHECK(timedExchange(t, to, from, out, in, kBandwidthBytes, &secs));
    bw.push_back(secs);
  }
  link->latency = median(lat);
  // Noise (a descheduled rank, a retransmission) only ever slows an exchange, and 2 MiB is past
  // any shaper's burst: the fastest one is the link's rate.
  link->bandwidth = kBandwidthBytes / std::max(1e-9, *std::min_element(bw.begin(), bw.end()) - link->latency);
  return zcclSuccess;
}

// Deterministic N(0, 1) samples (splitmix64 + Box-Muller): the shape of training tensors.
std::vector<float> gaussian(size_t n) {
  std::vector<float> v(n);
  uint64_t state = 0x2545f4914f6cdd1dull;
  const auto next = [&] {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return ((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<float>(std::sqrt(-2 * std::log(next() + 1e-300)) * std::cos(6.283185307179586 * next()));
  return v;
}

constexpr size_t kCodecBytes = size_t{1} << 20;  // a pipeline chunk
constexpr int kCodecReps = 4;

// Compress and decompress seconds per raw byte and the ratio, for one dtype: the best of the
// repetitions, each timed alone. The ranks code at the same time (what they share of the memory
// system counts), but a rank that the scheduler parks in the middle of a repetition measures the
// wait, not the codec: with more ranks than cores the mean of two 2 MiB repetitions read 0.4 to
// 2.6 GB/s for one codec from one run to the next (docs/perf.md section 10). What the ranks
// take from each other's cores is counted explicitly instead (coreShare).
zcclResult_t measureCodec(zcclDataType_t dtype, const std::vector<float>& values, double* cE, double* cD,
                          double* ratio) {
  const size_t eb = dtype == zcclFloat32 ? 4 : 2, count = kCodecBytes / eb;
  std::vector<uint8_t> raw(count * eb), back(count * eb);
  for (size_t i = 0; i < count; ++i) {
    if (dtype == zcclFloat32) {
      std::memcpy(&raw[i * 4], &values[i], 4);
    } else {
      const uint16_t h = dtype == zcclBfloat16 ? floatToBf16(values[i]) : floatToFp16(values[i]);
      std::memcpy(&raw[i * 2], &h, 2);
    }
  }
  size_t bound = 0, bytes = 0;
  ZCCL_CHECK(zcclCodecMaxCompressedSize(count, dtype, &bound));
  std::vector<uint8_t> frame(bound);
  *cE = *cD = 1e300;
  for (int rep = 0; rep < kCodecReps; ++rep) {
    const auto t0 = Clock::now();
    ZCCL_CHECK(zcclCodecCompress(raw.data(), count, dtype, frame.data(), bound, &bytes, nullptr));
    const auto t1 = Clock::now();
    ZCCL_CHECK(zcclCodecDecompress(frame.data(), bytes, back.data(), count, dtype, nullptr, nullptr));
    const auto t2 = Clock::now();
    *cE = std::min(*cE, seconds(t0, t1) / kCodecBytes);
    *cD = std::min(*cD, seconds(t1, t2) / kCodecBytes);
  }
  *ratio = static_cast<double>(bytes) / kCodecBytes;
  return zcclSuccess;
}

// A key of the machine this process runs on: the kernel's boot id, which network namespaces and
// containers of one machine share (they share its cores too, whatever node key MPI gives them);
// 0 where it cannot be read.
uint64_t machineKey() {
  const std::string boot = bootId();
  return boot.empty() ? 0 : fnv1a(boot);
}

// The cores this process may run on (its affinity mask: a cpuset or taskset counts).
int usableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

// Seconds per byte of one fp32 input added into the accumulator (the best of two, as the codec).
double measureReduce(const std::vector<float>& values) {
  const size_t count = size_t{1} << 18;  // 1 MiB of fp32 per input
  std::vector<float> out(count);
  double best = 1e300;
  for (int rep = 0; rep < 2; ++rep) {
    ReduceAccumulator acc(zcclFloat32, zcclSum, count);
    const auto t0 = Clock::now();
    for (int i = 0; i < 4; ++i) acc.add(values.data());
    acc.finish(4, out.data());
    best = std::min(best, seconds(t0, Clock::now()) / (5.0 * count * sizeof(float)));
  }
  return best;
}

// The figures as a vector of "worse is larger" values: latencies, seconds per byte, ratios.
std::vector<double> toWorst(const Fabric& f) {
  const auto inv = [](double x) { return x > 0 ? 1.0 / x : 0.0; };
  std::vector<double> v = {f.inter.latency,        inv(f.inter.bandwidth), f.intra.latency,
                           inv(f.intra.bandwidth), inv(f.reduceBandwidth), f.probeSeconds,
                           f.interCopySecondsPerByte};
  for (const CodecSpeed& c : f.codec) {
    v.push_back(inv(c.compress));
    v.push_back(inv(c.decompress));
    v.push_back(c.ratio);
  }
  return v;
}

void fromWorst(const std::vector<double>& v, Fabric* f) {
  const auto inv = [](double x) { return x > 0 ? 1.0 / x : 0.0; };
  f->inter = Link{v[0], inv(v[1])};
  f->intra = Link{v[2], inv(v[3])};
  f->reduceBandwidth = inv(v[4]);
  f->probeSeconds = v[5];
  f->interCopySecondsPerByte = v[6];
  for (int i = 0; i < 3; ++i) f->codec[i] = CodecSpeed{inv(v[7 + 3 * i]), inv(v[8 + 3 * i]), v[9 + 3 * i]};
}

std::mutex cacheMutex;
std::map<std::string, Fabric>& cache() {
  static auto* c = new std::map<std::string, Fabric>();
  return *c;
}

std::string shapeKey(const NodeMap& nodes) {
  std::string key = std::to_string(nodes.nodeOf.size()) + ":";
  for (int n : nodes.nodeOf) key += std::to_string(n) + ",";
  return key;
}

}  // namespace

double coreShare(int ranksOnMachine, int cores) {
  if (ranksOnMachine <= cores || ranksOnMachine <= 0) return 1.0;
  return static_cast<double>(std::max(cores, 1)) / ranksOnMachine;
}

zcclResult_t discoverNodes(transport::Transport& t, const char* hostIdOverride, NodeMap* out) {
  uint64_t key = 0;
  if (hostIdOverride != nullptr && *hostIdOverride != '\0') {
    key = fnv1a(hostIdOverride);
  } else {
    ZCCL_CHECK(t.nodeKey(&key));
  }
  std::vector<uint64_t> keys;
  ZCCL_CHECK(allGatherWords(t, {key}, &keys));
  std::vector<uint64_t> seen;
  std::vector<int> perNode;
  out->nodeOf.assign(keys.size(), 0);
  for (size_t p = 0; p < keys.size(); ++p) {
    const size_t n = static_cast<size_t>(std::find(seen.begin(), seen.end(), keys[p]) - seen.begin());
    if (n == seen.size()) seen.push_back(keys[p]), perNode.push_back(0);
    out->nodeOf[p] = static_cast<int>(n);
    perNode[n]++;
  }
  out->nodes = static_cast<int>(seen.size());
  out->localRanks = *std::max_element(perNode.begin(), perNode.end());
  out->uniform = *std::min_element(perNode.begin(), perNode.end()) == out->localRanks;
  return zcclSuccess;
}

zcclResult_t agreeFigures(transport::Transport& t, Fabric* f) {
  std::vector<double> v = toWorst(*f);
  ZCCL_CHECK(agreeMax(t, &v));
  fromWorst(v, f);
  return zcclSuccess;
}

zcclResult_t probeFabric(transport::Transport& t, const NodeMap& nodes, Fabric* f) {
  const auto start = Clock::now();
  f->ranks = t.size();
  f->nodes = nodes.nodes;
  f->localRanks = nodes.localRanks;
  f->uniformNodes = nodes.uniform;
  const std::string key = shapeKey(nodes);
  Fabric cached;
  bool have = false;
  {
    std::lock_guard<std::mutex> lock(cacheMutex);
    auto it = cache().find(key);
    if (it != cache().end()) cached = it->second, have = true;
  }
  std::vector<double> missing = {have ? 0.0 : 1.0};  // anyone without the figures: all measure
  ZCCL_CHECK(agreeMax(t, &missing));
  if (missing[0] == 0.0) {
    *f = cached;
    f->source = "cache";
    return agreeFigures(t, f);
  }

  // Each rank measures what it takes part in; the rest stay 0 and the agreement fills them in.
  Fabric mine = *f;
  mine.inter = mine.intra = Link{};
  const int r = t.rank();
  std::vector<int> leaders, nodeMates;
  for (int p = 0; p < t.size(); ++p) {
    if (std::find(nodes.nodeOf.begin(), nodes.nodeOf.begin() + p, nodes.nodeOf[p]) == nodes.nodeOf.begin() + p) {
      leaders.push_back(p);
    }
    if (nodes.nodeOf[p] == nodes.nodeOf[r] && nodeMates.size() < 2) nodeMates.push_back(p);
  }
  const bool leader = std::find(leaders.begin(), leaders.end(), r) != leaders.end();
  if (nodes.nodes > 1 && leader) ZCCL_CHECK(measureLink(t, leaders, &mine.inter));
  const bool pairMember = nodeMates.size() == 2 && (nodeMates[0] == r || nodeMates[1] == r);
  if (pairMember) ZCCL_CHECK(measureLink(t, nodeMates, &mine.intra));

  // How many of this communicator's ranks share this machine's cores (the key exchange also
  // starts every rank's coding at the same time).
  std::vector<uint64_t> machines;
  ZCCL_CHECK(allGatherWords(t, {machineKey()}, &machines));
  const uint64_t here = machines[static_cast<size_t>(r)];
  const int onMachine = here == 0 ? 1 : static_cast<int>(std::count(machines.begin(), machines.end(), here));
  const double share = coreShare(onMachine, usableCores());
  const std::vector<float> values = gaussian(kCodecBytes / 2);  // enough for bf16's count
  const zcclDataType_t coded[] = {zcclBfloat16, zcclFloat16, zcclFloat32};
  for (int i = 0; i < 3; ++i) {
    double cE = 0, cD = 0, ratio = 1;
    ZCCL_CHECK(measureCodec(coded[i], values, &cE, &cD, &ratio));
    mine.codec[i] = CodecSpeed{share / cE, share / cD, ratio};
  }
  mine.reduceBandwidth = share / measureReduce(values);
  mine.interCopySecondsPerByte = nodes.nodes > 1 ? 1.0 / (kTcpCopyBytesPerCoreSecond * share) : 0;
  mine.intraUsesCores = true;  // probed communicators are host-memory ones: shared-memory copies
  mine.probeSeconds = seconds(start, Clock::now());
  ZCCL_CHECK(agreeFigures(t, &mine));
  mine.source = "probe";
  *f = mine;
  std::lock_guard<std::mutex> lock(cacheMutex);
  cache()[key] = mine;
  return zcclSuccess;
}

}  // namespace zccl::tune
