/* SPDX-License-Identifier: MIT
 * test_zcheck.c - unit tests for zone/zcheck.
 */
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"

int
test_zcheck_register(void)
{
	CU_pSuite s = CU_add_suite("zcheck", NULL, NULL);
	return s == NULL ? CU_get_error() : CUE_SUCCESS;
}
