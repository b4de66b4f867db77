#pragma once
// Include first in a scorer's .cpp whose sums must match CPython/numpy to the last bit: every
// product is rounded before it is added (no fused multiply-add), even if built with -march
// flags that enable FMA. The pragma applies to the rest of the including file.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
