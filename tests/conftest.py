"""One BLAS thread per test process, and per notebook kernel (kernels inherit the environment):
`pytest -n 2` on two cores with two BLAS threads each would run four threads on two cores."""

import os
import sys

BLAS_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _var in BLAS_THREADS:
    os.environ.setdefault(_var, "1")

if "numpy" in sys.modules:  # a plugin imported NumPy before this file: limit its pool directly
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the compare extra
        pass
    else:
        threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]), user_api="blas")
