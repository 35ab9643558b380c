// Device-memory communicators bind their transport and engine to the stream of each call: the
// API tells them the stream before it runs a call (host communicators have nothing to bind).
#pragma once

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;

namespace zccl {

class StreamBound {
 public:
  virtual ~StreamBound() = default;
  virtual void setStream(cudaStream_t stream) = 0;
  // True while the bound stream is being captured into a CUDA graph: the host cannot wait for
  // anything then (compressed sizes, decode status), so only the transport's own collectives can
  // be recorded.
  virtual bool streamCapturing() const { return false; }
};

}  // namespace zccl
