// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: -batch FILE, one subcommand per line, like `ip -batch`.
 *
 * Every line runs on the same vnl_ctx, hence through one netlink socket and
 * one family resolution: creating 10,000 pairs costs 10,000 requests and
 * nothing more.  The first failing line stops the batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnlctl.h"

#define VNL_BATCH_SPACE	" \t\r\n\v\f"

struct vnl_words {
	char **argv;
	int argc;
	int capacity;
};

/* Splits `line` in place on whitespace; no quoting, like `ip -batch`. */
static void vnl_split_words(char *line, struct vnl_words *words)
{
	char *save = NULL;
	char *word;

	words->argc = 0;
	for (word = strtok_r(line, VNL_BATCH_SPACE, &save); word;
	     word = strtok_r(NULL, VNL_BATCH_SPACE, &save)) {
		if (words->argc + 1 >= words->capacity) {
			words->capacity = words->capacity ?
					  2 * words->capacity : 16;
			words->argv = vnl_realloc_array(words->argv,
							words->capacity,
							sizeof(*words->argv));
		}
		words->argv[words->argc++] = word;
	}
	if (words->argv)
		words->argv[words->argc] = NULL;
}

static bool vnl_batch_skips(const struct vnl_words *words)
{
	return words->argc == 0 || words->argv[0][0] == '#';
}

static int vnl_run_lines(struct vnl_ctx *ctx, FILE *file)
{
	struct vnl_words words = { 0 };
	size_t capacity = 0;
	char *line = NULL;
	int status = VNL_EXIT_OK;

	while (getline(&line, &capacity, file) >= 0) {
		ctx->line++;
		vnl_split_words(line, &words);
		if (vnl_batch_skips(&words))
			continue;
		if (vnl_run_command(ctx, words.argc, words.argv)) {
			status = VNL_EXIT_FAIL;
			break;
		}
	}
	if (!status && ferror(file)) {
		vnl_error(ctx, "cannot read the batch file: %s",
			  strerror(errno));
		status = VNL_EXIT_FAIL;
	}
	free(words.argv);
	free(line);
	return status;
}

/* `path` "-" is stdin.  Errors read "vnlctl: line N: ...". */
int vnl_run_batch(struct vnl_ctx *ctx, const char *path)
{
	FILE *file = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int status;

	if (!file) {
		vnl_error(ctx, "cannot open batch file \"%s\": %s", path,
			  strerror(errno));
		return VNL_EXIT_FAIL;
	}
	status = vnl_run_lines(ctx, file);
	if (file != stdin)
		fclose(file);
	return status;
}
