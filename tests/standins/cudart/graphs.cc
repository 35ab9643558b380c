// TEST STAND-IN: CUDA graphs of the host runtime. A graph is the list of tasks a capture recorded
// (or an empty one from cudaGraphCreate); instantiation copies it; cudaGraphLaunch enqueues every
// task again on the launch stream, so a graph can be replayed any number of times and each replay
// redoes the captured copies, sets, host functions (NCCL's work) and event records.
#include "runtime_state.h"

namespace cudart_standin {
namespace {

struct Exec {
  std::vector<Task> nodes;
};

std::shared_ptr<Graph>* asGraph(cudaGraph_t g) { return reinterpret_cast<std::shared_ptr<Graph>*>(g); }

}  // namespace
}  // namespace cudart_standin

using namespace cudart_standin;

extern "C" {

cudaError_t cudaGraphCreate(cudaGraph_t* graph, unsigned int flags) {
  if (graph == nullptr || flags != 0) return fail(cudaErrorInvalidValue);
  *graph = reinterpret_cast<cudaGraph_t>(new std::shared_ptr<Graph>(std::make_shared<Graph>()));
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  if (graph == nullptr) return fail(cudaErrorInvalidValue);
  delete asGraph(graph);
  return cudaSuccess;
}

// Nodes are not separate objects here: the handles are 1-based indices, good for counting only.
cudaError_t cudaGraphGetNodes(cudaGraph_t graph, cudaGraphNode_t* nodes, size_t* numNodes) {
  if (graph == nullptr || numNodes == nullptr) return fail(cudaErrorInvalidValue);
  const size_t n = (*asGraph(graph))->nodes.size();
  if (nodes != nullptr) {
    for (size_t i = 0; i < n && i < *numNodes; ++i) nodes[i] = reinterpret_cast<cudaGraphNode_t>(i + 1);
  }
  *numNodes = n;
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
  if (exec == nullptr || graph == nullptr) return fail(cudaErrorInvalidValue);
  Exec* x = new Exec;
  x->nodes = (*asGraph(graph))->nodes;
  *exec = reinterpret_cast<cudaGraphExec_t>(x);
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long flags) {
  return cudaGraphInstantiate(exec, graph, flags);
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  if (exec == nullptr) return fail(cudaErrorInvalidValue);
  auto s = resolveStream(stream);
  if (s == nullptr) return fail(cudaErrorInvalidResourceHandle);
  for (const Task& t : reinterpret_cast<Exec*>(exec)->nodes) {
    const cudaError_t e = enqueue(s, t);
    if (e != cudaSuccess) return fail(e);
  }
  return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  if (exec == nullptr) return fail(cudaErrorInvalidValue);
  delete reinterpret_cast<Exec*>(exec);
  return cudaSuccess;
}

}  // extern "C"
