// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Loads a BPF object, attaches its programs (all of them, or only those whose tp_btf event is named on the
 * command line), says "attached N" on stderr and holds them until SIGINT or SIGTERM. net.sh uses it for the
 * empty-program floors (empty-tracepoints.bpf.c). */
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Whether prog's section is tp_btf/EVENT for one of the events in names[0..n). */
static int wanted(const struct bpf_program *prog, char **names, int n)
{
	const char *event = strchr(bpf_program__section_name(prog), '/');

	if (n == 0)
		return 1;
	for (int i = 0; event && i < n; i++)
		if (strcmp(event + 1, names[i]) == 0)
			return 1;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig; /* pause() returns */
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int attached = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT.o [EVENT...]\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s: %d\n", argv[1], errno);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (wanted(prog, argv + 2, argc - 2) && bpf_program__attach(prog))
			attached++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "attached %d\n", attached);
	pause();
	bpf_object__close(obj); /* the links go with the process anyway */
	return 0;
}
