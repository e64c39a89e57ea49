// SPDX-License-Identifier: GPL-2.0
/* Loads a BPF object, attaches every program libbpf knows how to attach, says "attached N" on stderr and
 * holds them until SIGINT or SIGTERM. net.sh uses it for the empty-program floor (empty-tracepoints.bpf.c). */
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig; /* pause() returns */
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int attached = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT.o\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s: %d\n", argv[1], errno);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__attach(prog))
			attached++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "attached %d\n", attached);
	pause();
	bpf_object__close(obj); /* the links go with the process anyway */
	return 0;
}
