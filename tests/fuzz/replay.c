/* SPDX-License-Identifier: MIT
 * replay.c - runs a libFuzzer target over files named on the command line,
 * so that corpora can be replayed (under ASan/UBSan) without libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		struct stat st;
		if (f == NULL || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
			if (f != NULL) {
				fclose(f);
			}
			continue;
		}
		uint8_t *buf = malloc((size_t)st.st_size + 1);
		if (buf == NULL) {
			fclose(f);
			return 1;
		}
		size_t len = fread(buf, 1, (size_t)st.st_size, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		n++;
	}
	printf("replayed %d inputs\n", n);
	return 0;
}
