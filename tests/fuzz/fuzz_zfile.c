/* SPDX-License-Identifier: MIT
 * fuzz_zfile.c - libFuzzer target (placeholder until written).
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return 0;
}
