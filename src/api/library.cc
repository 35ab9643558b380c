// The shared library's own translation unit: everything else comes from zccl_internal, linked
// whole so every public zccl* symbol is exported (cmake/zccl.map hides the rest).
#include "zccl/zccl_types.h"
