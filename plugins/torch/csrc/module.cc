// zccl.torch._C: the backend class and a few helpers, for zccl/torch/__init__.py.
#include <torch/csrc/utils/pybind.h>

#include "mpi_world.h"
#include "process_group_zccl.h"

namespace py = pybind11;
using zccl_torch::ProcessGroupZccl;

PYBIND11_MODULE(_C, m) {
  m.doc() = "ZipCCL torch.distributed backend (C++ part)";
  py::class_<ProcessGroupZccl, zccl_torch::BackendBase, c10::intrusive_ptr<ProcessGroupZccl>>(m, "ProcessGroupZccl")
      .def(py::init([](int rank, int size) {
             return c10::make_intrusive<ProcessGroupZccl>(rank, size, "mpi",
                                                          c10::intrusive_ptr<zccl_torch::PeerGroup>());
           }),
           py::arg("rank"), py::arg("size"), py::call_guard<py::gil_scoped_release>(),
           "Over Open MPI (the job was started by mpirun).")
      .def(py::init([](int rank, int size, c10::intrusive_ptr<zccl_torch::PeerGroup> peers) {
             return c10::make_intrusive<ProcessGroupZccl>(rank, size, "gloo", std::move(peers));
           }),
           py::arg("rank"), py::arg("size"), py::arg("peers"), py::call_guard<py::gil_scoped_release>(),
           "Over ZipCCL's custom transport on the send/recv of `peers` (torch's gloo).")
      .def_property_readonly("transport", &ProcessGroupZccl::transport)
      .def("allreduce_8bit", &ProcessGroupZccl::allreduce8bit, py::arg("tensor"), py::arg("average"),
           py::call_guard<py::gil_scoped_release>(), "zcclAllReduceQuantized of one tensor, in place (lossy, opt-in).")
      .def(
          "stats",
          [](ProcessGroupZccl& pg) {
            zcclCommStats_t s;
            {
              py::gil_scoped_release release;
              s = pg.stats();
            }
            py::dict d;
            d["calls"] = s.calls;
            d["compressed_calls"] = s.compressedCalls;
            d["plain_calls"] = s.plainCalls;
            d["raw_bytes"] = s.rawBytes;
            d["wire_bytes"] = s.wireBytes;
            d["control_bytes"] = s.controlBytes;
            d["codec_seconds"] = s.codecSeconds;
            d["scratch_bytes"] = s.scratchBytes;
            d["scratch_peak_bytes"] = s.scratchPeakBytes;
            return d;
          },
          "zcclCommGetStats of the group's communicator (cumulative).")
      .def("shutdown", &ProcessGroupZccl::shutdown, py::call_guard<py::gil_scoped_release>());
  m.def("mpi_launch_size", &zccl_torch::mpiLaunchSize, "OMPI_COMM_WORLD_SIZE, or 0 outside mpirun");
  m.def("built_with_mpi", &zccl_torch::builtWithMpi);
  m.def("shutdown_all", &zccl_torch::shutdownAll, py::call_guard<py::gil_scoped_release>());
  m.def("version", [] {
    int v = 0;
    zcclGetVersion(&v);
    return v;
  });
}
