// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: control vnl devices through the "vnl" generic netlink family.
 *
 * main() reads the global options, enters the netns of -n if asked, and runs
 * one subcommand from the table below, or a whole batch file.  Exit status:
 * 0 success, 1 refused (by the kernel, or a netns or file that cannot be
 * opened, or the module not loaded), 2 bad command line; a batch ends with
 * 1 at its first failing line, a usage error too.  -V and --version say
 * the module is not loaded and still exit 0: they ask, they need nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vnl.h>

#include "vnlctl.h"

static int cmd_help(struct vnl_ctx *ctx, int argc, char **argv);

static const struct vnl_command vnl_commands[] = {
	{ "add", cmd_add,
	  "create a pair of devices, a tun or tap device, or a macvlan child",
	  "add pair NAME peer PEER [peer-netns NETNS] [mtu N]\n"
	  "                                  [address MAC] [peer-address MAC] [netns NETNS]\n"
	  "       vnlctl [-j] [-n NETNS] add {tun|tap} NAME [user USER] [group GROUP]\n"
	  "                                  [pi] [multi-queue] [vnet-hdr]\n"
	  "       vnlctl [-j] [-n NETNS] add macvlan NAME parent DEV [mode MODE]\n"
	  "                                  [address MAC] [mtu N] [bcqueuelen N]\n"
	  "                                  [netns NETNS] [tap [multi-queue]]\n"
	  "\n"
	  "NETNS is a name under /run/netns, or pid:PID for that process's netns.\n"
	  "MAC is six hex bytes, like 02:00:00:00:00:01.  Ranges are the kernel's\n"
	  "to check: what parses is sent, and a refusal says why.\n"
	  "A tun or tap device is made through /dev/vnl, persistent, in vnlctl's\n"
	  "netns (see -n).  USER and GROUP (names or numbers) restrict who may\n"
	  "attach to it, as TUNSETOWNER and TUNSETGROUP do.  pi: frames carry the\n"
	  "packet information of linux/if_tun.h; multi-queue: several files may\n"
	  "attach at once; vnet-hdr: each frame comes after a virtio-net header\n"
	  "(IFF_VNET_HDR), until a TUNSETIFF without it.\n"
	  "A macvlan child has a MAC address of its own on DEV, an Ethernet device\n"
	  "of vnlctl's netns (see -n); netns NETNS puts the child elsewhere.  MODE\n"
	  "is private, vepa (the default), bridge, passthru or source, as for\n"
	  "kernel macvlan; the default address is random, the default mtu DEV's.\n"
	  "bcqueuelen: how many broadcasts may wait for the children (default\n"
	  "1000, at most 65535, 0 drops them all); DEV uses the largest its\n"
	  "children ask for.\n"
	  "tap: the child gets a tap face (macvtap): programs attach to it by its\n"
	  "name through /dev/vnl, as to a tap, and read what it receives instead\n"
	  "of its stack; what they write leaves through it.  multi-queue: several\n"
	  "files at once, each attaching with IFF_MULTI_QUEUE.\n"
	  "\n"
	  "ip's words work too, in any order, for the same request:\n"
	  "  vnlctl add a type veth peer name b      # veth is a pair\n"
	  "  vnlctl add dev tap0 mode tap            # ip tuntap add dev tap0 mode tap\n"
	  "  vnlctl add link eth0 name m0 type macvlan mode bridge\n"
	  "dev NAME and name NAME give the name, type KIND (veth for a pair) and\n"
	  "mode tun|tap the kind, link DEV is parent DEV, multi_queue and\n"
	  "vnet_hdr are multi-queue and vnet-hdr.  The kind and the name may be given more than once if\n"
	  "they agree.  After ip's \"peer name PEER\", netns and address are the\n"
	  "peer's, as in ip; after \"peer PEER\" they are the device's.  A name\n"
	  "that is one of these words is given as dev NAME." },
	{ "del", cmd_del, "delete a device, and with it its peer",
	  "del NAME" },
	{ "set", cmd_set,
	  "change the mode or broadcast queue length of a macvlan child",
	  "set NAME [mode MODE] [bcqueuelen N]\n"
	  "\n"
	  "MODE is private, vepa, bridge or source; passthru can be neither set\n"
	  "nor left.  Leaving source mode empties the source list.  N is the\n"
	  "broadcast queue length the child asks for (0 to 65535); its parent\n"
	  "uses the largest its children ask for.  One of the two at least." },
	{ "macaddr", cmd_macaddr,
	  "change the source list of a source-mode macvlan child",
	  "macaddr NAME {add|del} MAC...\n"
	  "       vnlctl [-j] [-n NETNS] macaddr NAME set [MAC...]\n"
	  "       vnlctl [-j] [-n NETNS] macaddr NAME flush\n"
	  "\n"
	  "A child in source mode takes the frames whose source address is on its\n"
	  "list.  add and del change the list, set replaces it (set alone empties\n"
	  "it, as flush does)." },
	{ "show", cmd_show, "show one device, or all in the netns",
	  "show [NAME]" },
	{ "stats", cmd_stats, "show the counters of a device",
	  "stats NAME" },
	{ "monitor", cmd_monitor, "print device events until killed",
	  "monitor" },
	{ "trace", cmd_trace, "show packets' journeys through vnl, live",
	  "trace [DEV...] [-n NETNS] [-c COUNT]\n"
	  "\n"
	  "Every step a packet takes inside vnl, from the module's trace events,\n"
	  "one line per step, grouped by packet, until Ctrl-C or COUNT packets.\n"
	  "DEVs limit it to devices of those names, -n (here or before trace) to\n"
	  "devices in NETNS.  Needs root and tracefs; -j prints a JSON object\n"
	  "per step." },
	{ "version", cmd_version, "show the versions of vnlctl and the module",
	  "version" },
	{ "help", cmd_help, "show this help, or a subcommand's",
	  "help [SUBCOMMAND]" },
};

static void vnl_print_help(FILE *out)
{
	size_t i;

	fputs("Usage: vnlctl [-j] [-n NETNS] SUBCOMMAND [ARGS...]\n"
	      "       vnlctl [-j] [-n NETNS] -batch FILE\n"
	      "       vnlctl [-j] -V\n"
	      "\n"
	      "Options:\n"
	      "  -j           print JSON instead of text\n"
	      "  -n NETNS     run in NETNS (a name under /run/netns, or pid:PID)\n"
	      "  -batch FILE  run one subcommand per line of FILE (- for stdin)\n"
	      "  -V           show vnlctl's version, and the module's if loaded\n"
	      "\n"
	      "Subcommands:\n", out);
	for (i = 0; i < ARRAY_SIZE(vnl_commands); i++)
		fprintf(out, "  %-8s %s\n", vnl_commands[i].name,
			vnl_commands[i].help);
	fputs("\nRun \"vnlctl SUBCOMMAND --help\" for its arguments.\n", out);
}

static void vnl_print_usage(FILE *out, const struct vnl_command *cmd)
{
	fprintf(out, "Usage: vnlctl [-j] [-n NETNS] %s\n", cmd->usage);
}

static bool vnl_is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "help") || !strcmp(arg, "-help");
}

static const struct vnl_command *vnl_find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vnl_commands); i++)
		if (!strcmp(vnl_commands[i].name, name))
			return &vnl_commands[i];
	return NULL;
}

/* "vnlctl: " and, inside a batch, "line N: ". */
static void vnl_print_error_prefix(const struct vnl_ctx *ctx)
{
	fputs("vnlctl: ", stderr);
	if (ctx->line)
		fprintf(stderr, "line %lu: ", ctx->line);
}

void vnl_error(const struct vnl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	vnl_print_error_prefix(ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Says what is wrong with the command line in one line, and where the
 * whole usage is: a page of usage would hide the line that matters.  In a
 * batch the error alone is enough: the line number points at it.
 */
int vnl_usage_error(const struct vnl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	vnl_print_error_prefix(ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctx->line)
		return VNL_EXIT_USAGE;
	if (ctx->cmd)
		fprintf(stderr, "try 'vnlctl %s --help'\n", ctx->cmd->name);
	else
		fputs("try 'vnlctl --help'\n", stderr);
	return VNL_EXIT_USAGE;
}

/* Every subcommand that needs the family says this when it is missing. */
void vnl_print_not_loaded(const struct vnl_ctx *ctx)
{
	if (ctx->line)
		vnl_print_error_prefix(ctx);
	fprintf(stderr,
		"vnl module not loaded: generic netlink family \"%s\" not found\n",
		VNL_GENL_NAME);
}

void vnl_out_of_memory(void)
{
	fputs("vnlctl: out of memory\n", stderr);
	exit(VNL_EXIT_FAIL);
}

/* realloc() of an array, never returning NULL. */
void *vnl_realloc_array(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		vnl_out_of_memory();
	ptr = realloc(ptr, nmemb * size);
	if (!ptr)
		vnl_out_of_memory();
	return ptr;
}

static int cmd_help(struct vnl_ctx *ctx, int argc, char **argv)
{
	const struct vnl_command *cmd;

	if (argc == 0) {
		vnl_print_help(stdout);
		return VNL_EXIT_OK;
	}
	if (argc > 1)
		return vnl_usage_error(ctx, "too many arguments");
	cmd = vnl_find_command(argv[0]);
	if (!cmd)
		return vnl_usage_error(ctx, "unknown subcommand \"%s\"",
				       argv[0]);
	vnl_print_usage(stdout, cmd);
	return VNL_EXIT_OK;
}

/* argv[0] is the subcommand; "SUBCOMMAND --help" prints its usage. */
int vnl_run_command(struct vnl_ctx *ctx, int argc, char **argv)
{
	ctx->cmd = vnl_find_command(argv[0]);
	if (!ctx->cmd)
		return vnl_usage_error(ctx, "unknown subcommand \"%s\"",
				       argv[0]);
	if (argc > 1 && vnl_is_help(argv[1])) {
		vnl_print_usage(stdout, ctx->cmd);
		return VNL_EXIT_OK;
	}
	return ctx->cmd->run(ctx, argc - 1, argv + 1);
}

struct vnl_options {
	bool help;		/* -h, --help: nothing else is done */
	bool version;		/* -V, --version: the versions, nothing else */
	const char *netns;	/* -n */
	const char *batch;	/* -batch */
	int first_arg;		/* index of the subcommand in argv */
};

static bool vnl_is_option(const char *arg, const char *short_name,
			  const char *long_name)
{
	return !strcmp(arg, short_name) || !strcmp(arg, long_name) ||
	       (arg[0] == '-' && arg[1] == '-' && !strcmp(arg + 1, long_name));
}

/* Options come before the subcommand, as for `ip`. */
static int vnl_parse_options(struct vnl_ctx *ctx, int argc, char **argv,
			     struct vnl_options *opts)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (vnl_is_help(opt)) {
			opts->help = true;
			return VNL_EXIT_OK;
		} else if (vnl_is_option(opt, "-V", "-version")) {
			opts->version = true;
		} else if (vnl_is_option(opt, "-j", "-json")) {
			ctx->json = true;
		} else if (vnl_is_option(opt, "-n", "-netns")) {
			if (++i == argc)
				return vnl_usage_error(ctx, "%s needs a NETNS",
						       opt);
			opts->netns = argv[i];
		} else if (vnl_is_option(opt, "-b", "-batch")) {
			if (++i == argc)
				return vnl_usage_error(ctx, "%s needs a FILE",
						       opt);
			opts->batch = argv[i];
		} else {
			return vnl_usage_error(ctx, "unknown option \"%s\"",
					       opt);
		}
	}
	opts->first_arg = i;
	if (opts->version && (opts->batch || i < argc))
		return vnl_usage_error(ctx, "-V takes no subcommand");
	if (opts->version)
		return VNL_EXIT_OK;
	if (opts->batch && i < argc)
		return vnl_usage_error(ctx, "-batch takes no subcommand");
	if (!opts->batch && i == argc)
		return vnl_usage_error(ctx, "missing subcommand");
	return VNL_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct vnl_options opts = { 0 };
	struct vnl_ctx ctx = { 0 };
	int status;

	status = vnl_parse_options(&ctx, argc, argv, &opts);
	if (status)
		return status;
	if (opts.help) {
		vnl_print_help(stdout);
		return VNL_EXIT_OK;
	}
	if (opts.version) {
		status = vnl_show_versions(&ctx);
		vnl_disconnect(&ctx);
		return status;
	}
	if (opts.netns) {
		ctx.netns = opts.netns;
		status = vnl_netns_enter(&ctx, opts.netns);
		if (status)
			return status;
	}
	if (opts.batch)
		status = vnl_run_batch(&ctx, opts.batch);
	else
		status = vnl_run_command(&ctx, argc - opts.first_arg,
					 argv + opts.first_arg);
	vnl_disconnect(&ctx);
	if (fflush(stdout) || ferror(stdout)) {
		fputs("vnlctl: cannot write the output\n", stderr);
		return VNL_EXIT_FAIL;
	}
	return status;
}
