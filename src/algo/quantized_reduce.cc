// 8-bit all-reduce and reduce-scatter (opt-in, lossy): quantize once at the source, reduce in fp32
// in a fixed order, quantize once more, all-gather.
//
// Rank r owns segment r of the buffer (all-reduce: the even split of NCCL; reduce-scatter: block
// r). The message is handled in rounds ("pieces") of at most pieceElems elements of every segment,
// so scratch stays bounded by the piece size whatever the message size. In each round:
//   1. all-to-all, pairwise (step s = 1..P-1: to rank r+s, from rank r-s): rank r quantizes its
//      piece of segment p into an 8-bit frame (docs/format.md section 10) for rank p, and
//      receives the frames of its own segment from every rank; its own contribution is quantized
//      the same way, so every contribution is treated alike. The next step's frame is quantized
//      while the current one travels.
//   2. rank r dequantizes the P frames and sums them in rank order 0..P-1 in fp32 (avg divides by
//      P), then
//        reduce-scatter: rounds the sum to the dtype: its output (one quantization in all);
//        all-reduce: quantizes the sum once more into a frame and decodes that frame into its own
//        output segment, exactly as every other rank will;
//   3. all-reduce only: all-gather of the reduced frames, pairwise; each rank decodes the frame of
//      segment p into its output segment p while the next one travels.
// Every element is therefore quantized exactly twice (all-reduce) or once (reduce-scatter),
// whatever P; the only other rounding is the fp32 sum. A ring that sums in 8 bits rounds at each
// of its P-1 hops instead, and its error grows with P. Every rank decodes the same bytes for
// every segment, so the all-reduce result is identical on all ranks, bit for bit.
//
// Cost (bf16, n bytes per rank, frames of about n/2 (1 + 4/128) bytes): wire 2 (P-1)/P * 0.516 n
// per rank for all-reduce ((P-1)/P * 0.516 n for reduce-scatter), the ring all-reduce's volume at
// a ratio of 0.516 (fp32: 0.258); 2 (P-1) messages per round; codec: P quantizations, P
// dequantizations and one requantization of a segment piece per rank per round.
//
// Frames are fixed-size, so receives are posted at their exact size (NCCL-ready). A frame that
// fails validation is recorded in the traffic's decodeError; the rank leaves the output it cannot
// compute unwritten and sends a poisoned frame (zeros: no reader accepts it) in place of its
// reduced segment, so every rank whose output depends on it reports the error too.
//
// Scratch: 2 P + 2 frames of a piece (about (2 P + 2) pieceElems bytes; reduce-scatter P + 2)
// plus the engine's fp32 accumulator of pieceElems elements: bounded by the piece, not the message.
#include "algo/quantized_reduce.h"

#include <algorithm>
#include <vector>

#include "codec/q8_format.h"
#include "common/check.h"
#include "common/dtype_size.h"

namespace zccl::algo {
namespace {

using codec::q8FrameBytes;

struct Round {
  std::vector<size_t> offset, count;  // elements of each segment's piece (offset into send)
};

zcclResult_t exchange(transport::Transport& t, int to, const void* sendFrame, size_t sendBytes, int from,
                      void* recvFrame, size_t recvBytes, transport::Request* sreq, transport::Request* rreq) {
  ZCCL_CHECK(t.isend(to, transport::kTagCollective, sendFrame, sendBytes, sreq));
  return t.irecv(from, transport::kTagCollective, recvFrame, recvBytes, rreq);
}

// Rounding of rank `stream`'s quantizations of the buffer's element `index` onwards: each rank
// (sources: its rank; requantization: P + its rank) draws from a stream of its own.
codec::Q8Rounding roundingOf(const QuantizedCall& call, uint64_t stream, uint64_t index) {
  codec::Q8Rounding r;
  r.stochastic = call.stochastic;
  r.seed = call.seed * 0x9E3779B97F4A7C15ull + (stream + 1) * 0xD1B54A32D192ED03ull;
  r.indexBase = index;
  return r;
}

zcclResult_t waitExact(transport::Transport& t, transport::Request* req, size_t expect) {
  size_t got = 0;
  ZCCL_CHECK(t.wait(req, &got));
  ZCCL_REQUIRE(got == expect, zcclRemoteError, "8-bit reduction: a peer sent %zu bytes instead of %zu", got, expect);
  return zcclSuccess;
}

}  // namespace

zcclResult_t quantizedReduce(transport::Transport& t, QuantEngine& e, const QuantizedCall& call,
                             QuantizedTraffic* traffic) {
  const int P = t.size(), r = t.rank();
  const size_t eb = dtypeBytes(call.dtype), K = std::max<size_t>(1, call.pieceElems);
  std::vector<size_t> segOffset(P), segCount(P);
  for (int p = 0; p < P; ++p) {
    const size_t begin = call.allReduce ? p * call.count / P : p * call.count;
    const size_t end = call.allReduce ? (p + 1) * call.count / P : (p + 1) * call.count;
    segOffset[p] = begin;
    segCount[p] = end - begin;
  }
  const size_t maxCount = *std::max_element(segCount.begin(), segCount.end());
  const size_t stride = q8FrameBytes(K), rounds = (maxCount + K - 1) / K;
  uint8_t *inFrames = nullptr, *outFrames = nullptr, *gathered = nullptr;
  ZCCL_CHECK(e.scratch(0, stride * P, reinterpret_cast<void**>(&inFrames)));
  ZCCL_CHECK(e.scratch(1, stride * 2, reinterpret_cast<void**>(&outFrames)));
  if (call.allReduce) ZCCL_CHECK(e.scratch(2, stride * P, reinterpret_cast<void**>(&gathered)));
  const uint8_t* send = static_cast<const uint8_t*>(call.send);
  uint8_t* recv = static_cast<uint8_t*>(call.recv);
  auto noteDecode = [&](zcclResult_t rc) {
    if (rc == zcclCorruptFrame && traffic->decodeError == zcclSuccess) traffic->decodeError = rc;
    return rc == zcclCorruptFrame ? zcclSuccess : rc;  // a corrupt frame is reported at the end
  };
  for (size_t j = 0; j < rounds; ++j) {
    std::vector<size_t> cnt(P);
    for (int p = 0; p < P; ++p) cnt[p] = segCount[p] > j * K ? std::min(K, segCount[p] - j * K) : 0;
    auto piece = [&](int p) { return send + (segOffset[p] + j * K) * eb; };
    auto source = [&](int p) { return roundingOf(call, r, segOffset[p] + j * K); };
    // 1. All-to-all of the quantized pieces.
    if (P > 1)
      ZCCL_CHECK(e.quantize(piece((r + 1) % P), cnt[(r + 1) % P], call.dtype, source((r + 1) % P), outFrames + stride));
    for (int s = 1; s < P; ++s) {
      const int to = (r + s) % P, from = (r - s + P) % P;
      transport::Request sreq, rreq;
      ZCCL_CHECK(exchange(t, to, outFrames + stride * (s % 2), q8FrameBytes(cnt[to]), from, inFrames + stride * from,
                          q8FrameBytes(cnt[r]), &sreq, &rreq));
      traffic->rawBytes += cnt[to] * eb;
      traffic->wireBytes += q8FrameBytes(cnt[to]);
      // While it travels: the next step's frame (or, after the last step, this rank's own).
      const int next = s + 1 < P ? (r + s + 1) % P : r;
      void* nextFrame = s + 1 < P ? outFrames + stride * ((s + 1) % 2) : inFrames + stride * r;
      ZCCL_CHECK(e.quantize(piece(next), cnt[next], call.dtype, source(next), nextFrame));
      ZCCL_CHECK(waitExact(t, &rreq, q8FrameBytes(cnt[r])));
      ZCCL_CHECK(t.wait(&sreq, nullptr));
    }
    if (P == 1) ZCCL_CHECK(e.quantize(piece(r), cnt[r], call.dtype, source(r), inFrames));
    // 2. The fixed-order fp32 reduction of the P contributions (and the requantization).
    uint8_t* own = call.allReduce ? gathered + stride * r : nullptr;
    uint8_t* ownOut = recv + ((call.allReduce ? segOffset[r] : 0) + j * K) * eb;
    const zcclResult_t rc = e.reduce(inFrames, stride, P, cnt[r], call.dtype, call.op,
                                     roundingOf(call, P + r, segOffset[r] + j * K), own, ownOut);
    ZCCL_CHECK(noteDecode(rc));
    if (!call.allReduce) continue;
    if (rc != zcclSuccess) ZCCL_CHECK(e.poison(own, q8FrameBytes(cnt[r])));
    // 3. All-gather of the reduced frames; each decoded while the next travels.
    int pending = -1;
    for (int s = 1; s < P; ++s) {
      const int to = (r + s) % P, from = (r - s + P) % P;
      transport::Request sreq, rreq;
      ZCCL_CHECK(exchange(t, to, own, q8FrameBytes(cnt[r]), from, gathered + stride * from, q8FrameBytes(cnt[from]),
                          &sreq, &rreq));
      traffic->rawBytes += cnt[r] * eb;
      traffic->wireBytes += q8FrameBytes(cnt[r]);
      if (pending >= 0)
        ZCCL_CHECK(noteDecode(e.dequantize(gathered + stride * pending, cnt[pending], call.dtype,
                                           recv + (segOffset[pending] + j * K) * eb)));
      ZCCL_CHECK(waitExact(t, &rreq, q8FrameBytes(cnt[from])));
      ZCCL_CHECK(t.wait(&sreq, nullptr));
      pending = from;
    }
    if (pending >= 0)
      ZCCL_CHECK(noteDecode(e.dequantize(gathered + stride * pending, cnt[pending], call.dtype,
                                         recv + (segOffset[pending] + j * K) * eb)));
  }
  return zcclSuccess;
}

}  // namespace zccl::algo
