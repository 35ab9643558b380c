// The training check of zccl-quant-error (train_check.cc): prints the eval losses of a small MLP
// trained with 8-bit versus lossless gradient all-reduces.
#pragma once

int runTrainCheck(int steps);
