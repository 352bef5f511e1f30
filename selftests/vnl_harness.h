/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's kselftest harness, with one change: each test may take up
 * to 300 s instead of 30.  The suite also runs on the debug kernel, where
 * KASAN, lockdep and kmemleak make creating and deleting devices and
 * namespaces several times slower; the bound is there to catch hangs, not
 * to measure speed.  The harness expands TEST_TIMEOUT_DEFAULT where TEST()
 * and TEST_F() are used, so redefining it here is enough.
 */
#ifndef VNL_HARNESS_H
#define VNL_HARNESS_H

#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300

#endif /* VNL_HARNESS_H */
