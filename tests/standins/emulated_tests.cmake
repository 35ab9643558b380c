# Tests of the emulated-device build (label `emulated`, docs/emulation.md): the stand-ins checked
# against the real libraries' documented behaviour, then ZipCCL's GPU path on them.
zccl_add_test(gpu_comm_emulated_test SOURCES collectives/gpu_comm_test.cc LABELS emulated)
zccl_add_test(device_semantics_test SOURCES emulated/device_semantics_test.cc LABELS emulated)
