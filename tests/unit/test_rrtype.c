/* SPDX-License-Identifier: MIT
 * test_rrtype.c - unit tests for zone/rrtype.
 */
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"

int
test_rrtype_register(void)
{
	CU_pSuite s = CU_add_suite("rrtype", NULL, NULL);
	return s == NULL ? CU_get_error() : CUE_SUCCESS;
}
