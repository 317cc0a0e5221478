/*
 * spin PORT SECONDS: try for SECONDS to take TCP PORT as another user would:
 * bind "::" (IPv4 too) with SO_REUSEADDR and listen, as fast as possible.
 * Exits 1 at once if it ever listens there, else 0; prints its tries.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	int one = 1, zero = 0, fd;
	long tries = 0;
	time_t end;

	if (argc != 3)
		return 2;
	a.sin6_port = htons(atoi(argv[1]));
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		tries++;
		if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) < 0)
			return 2;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) == 0 &&
		    bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 1) == 0) {
			printf("spin: took port %s after %ld tries\n", argv[1], tries);
			return 1;
		}
		close(fd);
	}
	printf("spin: %ld tries, port %s never taken\n", tries, argv[1]);
	return 0;
}
