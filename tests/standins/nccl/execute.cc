// TEST STAND-IN: how the host stand-in NCCL executes a group of operations on one rank.
//
// Every collective is a set of point-to-point transfers through the shared-memory rings plus
// local work, in the simplest form whose result does not depend on timing:
//   all-reduce      reduce-scatter to segment owners, then all-gather of the reduced segments
//   reduce          every rank sends its buffer to the root, which reduces in rank order
//   reduce-scatter  block q of every rank goes to rank q, which reduces in rank order
//   broadcast, all-gather, all-to-all, gather, scatter: the blocks go where NCCL puts them
// A send buffer that overlaps the receive buffer other than in NCCL's in-place forms is staged
// first, so every in-place form gives the out-of-place result. All transfers of a phase progress
// together (never a blocking send), so any matching set of groups completes. A transfer waits at
// most the communicator's timeout, then the communicator records ncclSystemError.
#include <algorithm>
#include <chrono>
#include <cstring>

#include "comm_state.h"
#include "standin_hooks.h"

namespace nccl_standin {
namespace {

std::atomic<ncclStandinTamperFn> gTamper{nullptr};
std::atomic<void*> gTamperContext{nullptr};

struct Xfer {
  bool send;
  int peer;
  const uint8_t* src;
  uint8_t* dst;
  size_t bytes;
  bool headerDone = false;
  uint64_t header = 0;
  size_t headerAt = 0;  // header bytes moved
  size_t done = 0;      // payload bytes moved
  size_t incoming = 0;  // receive: the size the sender announced
  bool finished() const { return headerDone && done == (send ? bytes : incoming); }
};

// Moves as much of x as the ring allows; true if anything moved.
bool step(World& w, Xfer& x) {
  bool moved = false;
  if (!x.headerDone) {
    x.header = x.send ? x.bytes : x.header;
    uint8_t* h = reinterpret_cast<uint8_t*>(&x.header);
    const size_t n =
        x.send ? w.put(x.peer, h + x.headerAt, 8 - x.headerAt) : w.get(x.peer, h + x.headerAt, 8 - x.headerAt);
    x.headerAt += n;
    moved = n != 0;
    if (x.headerAt < 8) return moved;
    x.headerDone = true;
    x.incoming = x.send ? x.bytes : static_cast<size_t>(x.header);
  }
  const size_t total = x.send ? x.bytes : x.incoming;
  while (x.done < total) {
    size_t n;
    if (x.send) {
      n = w.put(x.peer, x.src + x.done, total - x.done);
    } else if (x.done < x.bytes) {  // into the buffer, then drop what does not fit
      n = w.get(x.peer, x.dst + x.done, std::min(total, x.bytes) - x.done);
    } else {
      n = w.get(x.peer, nullptr, total - x.done);
    }
    if (n == 0) break;
    x.done += n;
    moved = true;
  }
  return moved;
}

class Runner {
 public:
  explicit Runner(CommState& s) : s_(s), w_(*s.world) {}

  void send(int peer, const void* p, size_t bytes) {
    x_.push_back({true, peer, static_cast<const uint8_t*>(p), nullptr, bytes});
  }
  void recv(int peer, void* p, size_t bytes) { x_.push_back({false, peer, nullptr, static_cast<uint8_t*>(p), bytes}); }

  // Completes the posted transfers; false (async error recorded) on timeout, abort or a size mismatch.
  bool run() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(s_.timeoutS);
    Backoff b;
    for (;;) {
      bool all = true, moved = false;
      for (size_t i = 0; i < x_.size(); ++i) {
        if (x_[i].finished()) continue;
        all = false;
        bool earlier = false;  // transfers on one ring go in order
        for (size_t j = 0; j < i && !earlier; ++j)
          earlier = !x_[j].finished() && x_[j].send == x_[i].send && x_[j].peer == x_[i].peer;
        if (!earlier) moved |= step(w_, x_[i]);
      }
      if (all) break;
      if (moved) {
        b.reset();
        continue;
      }
      if (w_.header().aborted.load() != 0) return fail(ncclRemoteError, "the communicator was aborted by a rank");
      if (std::chrono::steady_clock::now() > deadline) return fail(ncclSystemError, "timed out waiting for a peer");
      b.idle();
    }
    for (const Xfer& x : x_) {
      if (!x.send && x.incoming != x.bytes) {
        return fail(ncclInvalidUsage, "rank " + std::to_string(x.peer) + " sent " + std::to_string(x.incoming) +
                                          " bytes, rank " + std::to_string(s_.rank) + " expected " +
                                          std::to_string(x.bytes) + " (counts must match)");
      }
    }
    x_.clear();
    return true;
  }

  bool fail(ncclResult_t r, const std::string& why) {
    s_.setAsyncError(r, why);
    x_.clear();
    return false;
  }

 private:
  CommState& s_;
  World& w_;
  std::vector<Xfer> x_;
};

bool overlaps(const void* a, size_t an, const void* b, size_t bn) {
  const uint8_t *x = static_cast<const uint8_t*>(a), *y = static_cast<const uint8_t*>(b);
  return an != 0 && bn != 0 && x < y + bn && y < x + an;
}

// Segment q of `count` elements split over P ranks: [*off, *off + *len).
void segment(size_t count, int P, int q, size_t* off, size_t* len) {
  const size_t base = count / P, extra = count % P;
  *off = q * base + std::min<size_t>(q, extra);
  *len = base + (static_cast<size_t>(q) < extra ? 1 : 0);
}

void reduceInto(const Op& op, const std::vector<const void*>& in, size_t count, void* out) {
  Reduction red = op.red;
  if (op.deviceScalar != nullptr) std::memcpy(red.scalar, op.deviceScalar, typeBytes(op.type_));
  std::vector<uint8_t> acc(count * typeBytes(op.type_));
  reduce(red, in.data(), static_cast<int>(in.size()), count, acc.data());
  if (!acc.empty()) std::memcpy(out, acc.data(), acc.size());
}

bool runCollective(CommState& s, Runner& x, const Op& op) {
  const int P = s.nranks, r = s.rank;
  const size_t eb = typeBytes(op.type_), n = op.count, bytes = n * eb;
  const uint8_t* send = static_cast<const uint8_t*>(op.send);
  uint8_t* recv = static_cast<uint8_t*>(op.recv);
  std::vector<uint8_t> staged;
  auto stage = [&](size_t sendBytes, size_t recvBytes, bool inPlaceForm) {
    if (!inPlaceForm && overlaps(send, sendBytes, recv, recvBytes)) {
      staged.assign(send, send + sendBytes);
      send = staged.data();
    }
  };
  std::vector<std::vector<uint8_t>> inbox(P);
  std::vector<const void*> in(P);
  switch (op.type) {
    case OpType::kAllReduce: {
      stage(bytes, bytes, send == recv);
      size_t off, len;
      for (int q = 0; q < P; ++q) {
        if (q == r) continue;
        size_t qo, ql;
        segment(n, P, q, &qo, &ql);
        x.send(q, send + qo * eb, ql * eb);
      }
      segment(n, P, r, &off, &len);
      for (int q = 0; q < P; ++q) {
        if (q != r) x.recv(q, (inbox[q].resize(len * eb), inbox[q].data()), len * eb);
        in[q] = q == r ? send + off * eb : inbox[q].data();
      }
      if (!x.run()) return false;
      reduceInto(op, in, len, recv + off * eb);
      for (int q = 0; q < P; ++q) {
        if (q == r) continue;
        size_t qo, ql;
        segment(n, P, q, &qo, &ql);
        x.send(q, recv + off * eb, len * eb);
        x.recv(q, recv + qo * eb, ql * eb);
      }
      return x.run();
    }
    case OpType::kReduce:
      stage(bytes, r == op.root ? bytes : 0, send == recv);
      if (r != op.root) {
        x.send(op.root, send, bytes);
        return x.run();
      }
      for (int q = 0; q < P; ++q) {
        if (q != r) x.recv(q, (inbox[q].resize(bytes), inbox[q].data()), bytes);
        in[q] = q == r ? send : inbox[q].data();
      }
      if (!x.run()) return false;
      reduceInto(op, in, n, recv);
      return true;
    case OpType::kReduceScatter:
      stage(P * bytes, bytes, recv == send + r * bytes);
      for (int q = 0; q < P; ++q) {
        if (q == r) continue;
        x.send(q, send + q * bytes, bytes);
        x.recv(q, (inbox[q].resize(bytes), inbox[q].data()), bytes);
      }
      for (int q = 0; q < P; ++q) in[q] = q == r ? send + r * bytes : inbox[q].data();
      if (!x.run()) return false;
      reduceInto(op, in, n, recv);
      return true;
    case OpType::kBroadcast:
      if (r == op.root) {
        stage(bytes, bytes, send == recv);
        for (int q = 0; q < P; ++q)
          if (q != r) x.send(q, send, bytes);
        if (!x.run()) return false;
        if (send != recv) std::memmove(recv, send, bytes);
        return true;
      }
      x.recv(op.root, recv, bytes);
      return x.run();
    case OpType::kAllGather:
    case OpType::kGather: {
      const bool all = op.type == OpType::kAllGather;
      const bool receives = all || r == op.root;
      stage(bytes, receives ? P * bytes : 0, send == recv + r * bytes);
      for (int q = 0; q < P; ++q) {
        if (q == r) continue;
        if (all || q == op.root) x.send(q, send, bytes);
        if (receives) x.recv(q, recv + q * bytes, bytes);
      }
      if (!x.run()) return false;
      if (receives && send != recv + r * bytes) std::memmove(recv + r * bytes, send, bytes);
      return true;
    }
    case OpType::kAlltoAll:
      stage(P * bytes, P * bytes, false);
      for (int q = 0; q < P; ++q) {
        if (q == r) continue;
        x.send(q, send + q * bytes, bytes);
        x.recv(q, recv + q * bytes, bytes);
      }
      if (!x.run()) return false;
      std::memmove(recv + r * bytes, send + r * bytes, bytes);
      return true;
    case OpType::kScatter:
      if (r != op.root) {
        x.recv(op.root, recv, bytes);
        return x.run();
      }
      stage(P * bytes, bytes, recv == send + r * bytes);
      for (int q = 0; q < P; ++q)
        if (q != r) x.send(q, send + q * bytes, bytes);
      if (!x.run()) return false;
      if (recv != send + r * bytes) std::memmove(recv, send + r * bytes, bytes);
      return true;
    default:
      return true;
  }
}

}  // namespace

void CommState::setAsyncError(ncclResult_t r, const std::string& why) {
  int expect = ncclSuccess;
  asyncError.compare_exchange_strong(expect, r);
  std::lock_guard<std::mutex> l(errorMu);
  if (errorText.empty()) errorText = why;
  setLastError("NCCL stand-in rank " + std::to_string(rank) + ": " + why);
}

void execute(CommState& s, const std::vector<Op>& ops, int64_t ticket) {
  {
    std::unique_lock<std::mutex> l(s.execMu);
    s.execCv.wait(l, [&] { return !s.busy && (ticket < 0 || s.executed == static_cast<uint64_t>(ticket)); });
    s.busy = true;
  }
  if (s.asyncError.load() == ncclSuccess) {  // after an error the communicator is unusable, as in NCCL
    Runner x(s);
    bool ok = true;
    for (const Op& op : ops) {
      if (op.type != OpType::kSend && op.type != OpType::kRecv) ok = ok && runCollective(s, x, op);
    }
    for (const Op& op : ops) {
      const size_t bytes = op.count * typeBytes(op.type_);
      if (op.type == OpType::kSend) x.send(op.root, op.send, bytes);
      if (op.type == OpType::kRecv) x.recv(op.root, op.recv, bytes);
    }
    if (ok && x.run()) {
      if (ncclStandinTamperFn tamper = gTamper.load()) {
        for (const Op& op : ops) {
          if (op.type == OpType::kRecv)
            tamper(op.root, s.rank, op.recv, op.count * typeBytes(op.type_), gTamperContext.load());
        }
      }
    }
  }
  {
    std::lock_guard<std::mutex> l(s.execMu);
    s.busy = false;
    if (ticket >= 0) ++s.executed;
  }
  s.execCv.notify_all();
}

}  // namespace nccl_standin

extern "C" void ncclStandinSetTamper(ncclStandinTamperFn fn, void* context) {
  nccl_standin::gTamperContext.store(context);
  nccl_standin::gTamper.store(fn);
}
