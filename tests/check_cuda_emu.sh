#!/bin/sh
# tests/check_cuda run on the CUDA module's own code built for the host
# emulation of the CUDA runtime (tests/cuda_emu): every op, a UNet training
# step, a DPM-Solver++ forecast and its graph replay, against the CPU
# backend, on any machine, once with the emulated threads in index order and
# once in reverse (a kernel whose result depends on the order its threads
# run in has a race). It must pass: the emulation always has a device,
# so a skip here is a failure. (Skipped only where no C++17 compiler or no
# Check library let the pieces be built.)
set -u
if [ -z "${TSDIFF_CUDA_EMU:-}" ]; then
    echo "SKIP: no C++17 compiler: the emulated CUDA module was not built"
    exit 77
fi
if [ ! -x tests/check_cuda ]; then
    echo "SKIP: tests/check_cuda was not built (no Check library)"
    exit 77
fi
for order in forward reverse; do
    TS_EMU_ORDER=$order TSDIFF_CUDA_MODULE=$TSDIFF_CUDA_EMU ./tests/check_cuda
    rc=$?
    case $rc in
    0) echo "PASS check_cuda on the emulated device, threads in $order order" ;;
    77) echo "FAIL: check_cuda skipped on the emulated device, which is always there"; exit 1 ;;
    *) echo "FAIL: check_cuda on the emulated device ($order order) exited $rc"; exit 1 ;;
    esac
done
