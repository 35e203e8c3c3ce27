/* SPDX-License-Identifier: MIT
 * test_rdata.c - unit tests for zone/rdata.
 */
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"

int
test_rdata_register(void)
{
	CU_pSuite s = CU_add_suite("rdata", NULL, NULL);
	return s == NULL ? CU_get_error() : CUE_SUCCESS;
}
