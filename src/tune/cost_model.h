// The cost model: predicted seconds of one collective call under a plan, from the agreed figures
// of the fabric (src/tune/fabric.h). A pure function (no MPI, no GPU), so every rank predicts the
// same times, zccl-plan can print them for machines we do not have, and tests can pin them down.
//
// The terms are those of docs/algorithms.md: alpha (link latency, per message), beta = 1 /
// bandwidth, rho (codec size ratio), cE and cD (codec seconds per raw byte, compress and
// decompress), k (messages per block: the pipeline chunks), red (seconds per byte of one input
// reduced). A step of a ZipCCL algorithm moves one block per rank and overlaps its transfer with
// the codec work of the step:
//
//   step = k alpha + max(wire bytes / flow bandwidth, codec work of the step)
//
// plus the pipeline's fill (the first chunk coded before anything is sent) and drain (the last
// block decoded after the last transfer). Flows share what they cross: between nodes the ranks
// of a node share its link when every rank sends across (direct, pairwise), one flow per node
// crosses in a ring or chain; inside a node the pair bandwidth of the probe is shared by the
// node's concurrent pairs. The transport's own collectives (plain) are modelled with the
// textbook forms (ring, recursive doubling, binomial tree), the faster of them, one message per
// step.
#pragma once

#include <cstddef>

#include "algo/plan.h"
#include "tune/fabric.h"

namespace zccl::tune {

// messageBytes: what one rank contributes (count * element size; one block for all-gather,
// reduce-scatter and all-to-all). codecDtype: the zcclDataType_t (its codec figures are used
// when plan.compress). Returns a negative value for a plan that cannot run the collective.
double predictSeconds(algo::Collective coll, const algo::Plan& plan, size_t messageBytes, int codecDtype,
                      const Fabric& fabric);

}  // namespace zccl::tune
